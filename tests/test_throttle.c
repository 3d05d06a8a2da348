/* web/throttle.c: failed logins per address, with doubling blocks. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "throttle.h"

static struct sockaddr_in
v4(const char *text)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6
v6(const char *text)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
	return a;
}

#define SA(a) ((const struct sockaddr *)&(a))

Test(throttle, blocks_double_after_the_free_failures_up_to_the_cap)
{
	static const int64_t want[] = { 0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000,
		60000 };
	struct throttle *t = throttle_new();
	struct sockaddr_in a = v4("192.0.2.7"), b = v4("192.0.2.8");
	int64_t now = 1000000;
	size_t i;

	cr_assert_not_null(t);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		cr_expect_eq(throttle_wait(t, SA(a), now), 0, "failure %zu: not blocked yet",
		    i + 1);
		cr_expect_eq(throttle_failed(t, SA(a), now), want[i], "failure %zu", i + 1);
		cr_expect_eq(throttle_wait(t, SA(a), now), want[i]);
		now += want[i];
	}
	/* Blocked for 60 s: 59.5 s later it still waits 0.5 s; another address never waited. */
	throttle_failed(t, SA(a), now);
	cr_expect_eq(throttle_wait(t, SA(a), now + 59500), 500);
	cr_expect_eq(throttle_wait(t, SA(a), now + 60000), 0);
	cr_expect_eq(throttle_wait(t, SA(b), now), 0);
	throttle_free(t);
}

Test(throttle, a_success_or_a_quiet_while_forgets_the_failures)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in a = v4("198.51.100.1");
	int i;

	for (i = 0; i < THROTTLE_FREE_FAILURES; i++)
		throttle_failed(t, SA(a), 10000);
	throttle_passed(t, SA(a), 10000);
	cr_expect_eq(throttle_failed(t, SA(a), 10000), 0, "the count starts again after a success");

	for (i = 1; i < THROTTLE_FREE_FAILURES; i++)
		throttle_failed(t, SA(a), 20000);
	cr_expect_eq(throttle_failed(t, SA(a), 20000 + THROTTLE_FORGET_S * 1000), 0,
	    "failures older than THROTTLE_FORGET_S are forgotten");
	cr_expect_eq(throttle_failed(t, SA(a), 20000 + THROTTLE_FORGET_S * 1000), 0);
	throttle_free(t);
}

Test(throttle, ipv6_addresses_count_by_their_64)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in6 a = v6("2001:db8:1:2::1"), same = v6("2001:db8:1:2:ffff::9"),
	                    other = v6("2001:db8:1:3::1");
	int i;

	for (i = 0; i < THROTTLE_FREE_FAILURES; i++)
		throttle_failed(t, SA(a), 50000);
	cr_expect_eq(throttle_failed(t, SA(same), 50000), 1000, "the same /64 shares the count");
	cr_expect_eq(throttle_wait(t, SA(a), 50000), 1000);
	cr_expect_eq(throttle_wait(t, SA(other), 50000), 0, "another /64 does not");
	throttle_free(t);
}

Test(throttle, many_addresses_stay_within_the_table)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in a = v4("203.0.113.9"), x;
	uint32_t i;
	int k;

	/* 100,000 addresses fail once each, long ago; the guesser fails now. */
	for (i = 0; i < 100000; i++) {
		x = v4("10.0.0.0");
		x.sin_addr.s_addr = htonl(0x0a000000u + i);
		throttle_failed(t, SA(x), 100000);
	}
	for (k = 0; k <= THROTTLE_FREE_FAILURES; k++)
		throttle_failed(t, SA(a), 200000);
	cr_expect_eq(throttle_wait(t, SA(a), 200000), 1000,
	    "the guesser is tracked in a full table");
	/* Newer failures push out the older ones, not the guesser's. */
	x.sin_addr.s_addr = htonl(0x0b000000u);
	throttle_failed(t, SA(x), 150000);
	cr_expect_eq(throttle_wait(t, SA(a), 200000), 1000);
	throttle_free(t);
}
