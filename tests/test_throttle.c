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

/*
 * A server on [::] sees IPv4 clients as ::ffff:a.b.c.d, all in one /64:
 * one guesser blocked every IPv4 user, and any user's login cleared the
 * guesser's count. Each is its own IPv4 address now, the same as over IPv4.
 */
Test(throttle, ipv4_mapped_addresses_count_as_their_ipv4_address)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in6 guesser = v6("::ffff:192.0.2.7"), user = v6("::ffff:192.0.2.8");
	struct sockaddr_in guesser4 = v4("192.0.2.7");
	int i;

	for (i = 0; i < THROTTLE_FREE_FAILURES; i++)
		throttle_failed(t, SA(guesser), 50000);
	cr_expect_eq(throttle_failed(t, SA(guesser), 50000), 1000);
	cr_expect_eq(throttle_wait(t, SA(user), 50000), 0, "another IPv4 client is not blocked");
	cr_expect_eq(throttle_wait(t, SA(guesser4), 50000), 1000, "the same address over IPv4");
	throttle_passed(t, SA(user), 50000);
	cr_expect_eq(throttle_wait(t, SA(guesser), 50000), 1000,
	    "another client's login leaves the guesser blocked");
	cr_expect_eq(throttle_failed(t, SA(guesser), 51000), 2000, "and its count goes on");
	throttle_free(t);
}

/* A login clears its own address only, IPv4 and IPv6 alike. */
Test(throttle, a_success_clears_only_its_own_address)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in a = v4("198.51.100.1"), b = v4("198.51.100.2");
	struct sockaddr_in6 c = v6("2001:db8:5::1"), d = v6("2001:db8:6::1");
	int i;

	for (i = 0; i <= THROTTLE_FREE_FAILURES; i++) {
		throttle_failed(t, SA(a), 10000);
		throttle_failed(t, SA(c), 10000);
	}
	throttle_passed(t, SA(b), 10000);
	throttle_passed(t, SA(d), 10000);
	cr_expect_eq(throttle_wait(t, SA(a), 10000), 1000);
	cr_expect_eq(throttle_wait(t, SA(c), 10000), 1000);
	throttle_free(t);
}

/*
 * Guessing from many addresses, each within its free failures: after
 * THROTTLE_GLOBAL_BURST failures every address waits for the next refill
 * (never longer than THROTTLE_GLOBAL_EVERY_MS), except one that logged in
 * lately; the budget comes back with time.
 */
Test(throttle, many_addresses_meet_a_global_ceiling)
{
	struct throttle *t = throttle_new();
	struct sockaddr_in6 x = v6("2001:db8:77::1"), owner = v6("2001:db8:1::1"),
	                    fresh = v6("2001:db8:2::1");
	int64_t now = 1000000, failures = 0, wait;
	int i;

	throttle_passed(t, SA(owner), now); /* the owner logged in from here before */
	for (i = 0; i < THROTTLE_GLOBAL_BURST; i++) {
		x.sin6_addr.s6_addr[6] = (uint8_t)(i >> 8);
		x.sin6_addr.s6_addr[7] = (uint8_t)i;
		cr_expect_eq(throttle_wait(t, SA(x), now), 0, "failure %d", i + 1);
		cr_expect_eq(throttle_failed(t, SA(x), now), 0,
		    "one failure per /64 costs nothing");
	}
	cr_expect_eq(throttle_wait(t, SA(fresh), now), THROTTLE_GLOBAL_EVERY_MS,
	    "the budget is spent: everyone waits for the next refill");
	cr_expect_eq(throttle_global_wait(t, now), THROTTLE_GLOBAL_EVERY_MS);
	cr_expect_eq(throttle_wait(t, SA(owner), now), 0, "a trusted address does not wait");

	/* A guesser that retries whenever it may: one try per refill, however many addresses. */
	for (i = 0; i < 1000; i++) {
		x.sin6_addr.s6_addr[5] = (uint8_t)(i >> 8);
		x.sin6_addr.s6_addr[6] = (uint8_t)i;
		wait = throttle_wait(t, SA(x), now);
		cr_assert_leq(wait, THROTTLE_GLOBAL_EVERY_MS, "the wait is bounded");
		now += wait;
		cr_assert_eq(throttle_wait(t, SA(x), now), 0);
		throttle_failed(t, SA(x), now);
		failures++;
	}
	cr_expect_geq(now - 1000000, (failures - 1) * THROTTLE_GLOBAL_EVERY_MS,
	    "%lld failures took %lld ms", (long long)failures, (long long)(now - 1000000));
	cr_expect_eq(throttle_wait(t, SA(owner), now), 0, "the owner still gets in at once");
	throttle_passed(t, SA(owner), now);

	/* Quiet for a whole budget's refill: the ceiling is gone. */
	now += THROTTLE_GLOBAL_BURST * (int64_t)THROTTLE_GLOBAL_EVERY_MS;
	cr_expect_eq(throttle_wait(t, SA(fresh), now), 0);
	cr_expect_eq(throttle_global_wait(t, now), 0);
	throttle_free(t);
}
