/*
 * test_rdns: enrich/rdns.c against a real nsd (tests/dns_harness.h) that
 * serves the zones below on loopback: confirmed, mismatched, missing and
 * odd PTR names, CNAMEs, a PTR RRset too large for UDP, IPv6, a refused
 * zone, a server that never answers, and 2,000 addresses in one call.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns_harness.h"
#include "rdns.h"
#include "tu_net.h"

#define MANY 2000
#define HUGE_NAMES 40

static struct dh_server server;

static void
teardown(void)
{
	dh_stop(&server, false);
}

TestSuite(rdns, .fini = teardown);
TestSuite(rdns_timeout);

/* The forward zone: A and AAAA records the PTR names point to. */
static const char forward_zone[] = "mail 300 A 192.0.2.10\n"
                                   "other 300 A 192.0.2.99\n"
                                   "alias 120 CNAME real\n"
                                   "real 1000 A 192.0.2.14\n"
                                   "mixed 500 A 192.0.2.15\n"
                                   "wrong1 A 192.0.2.98\n"
                                   "right 700 A 192.0.2.21\n"
                                   "good 400 A 192.0.2.22\n"
                                   "mail6 200 AAAA 2001:db8::1\n"
                                   "chain1 60 CNAME chain2\n"
                                   "chain2 CNAME chain3\n"
                                   "chain3 A 192.0.2.25\n";

/* 192.0.2.0/24: one address per case. Parentheses are zone-file syntax, hence \( \). */
static const char reverse_zone[] = "10 3600 PTR mail.example.test.\n"
                                   "11 PTR other.example.test.\n"
                                   "13 TXT \"no PTR here\"\n"
                                   "14 PTR alias.example.test.\n"
                                   "15 PTR Mixed.Example.TEST.\n"
                                   "16 PTR bad\\000name.example.test.\n"
                                   "17 PTR <script>x\\(1\\).example.test.\n"
                                   "18 PTR with\\032space.example.test.\n"
                                   "19 PTR a\\.b.example.test.\n"
                                   "21 PTR wrong1.example.test.\n"
                                   "21 PTR missing.example.test.\n"
                                   "21 PTR right.example.test.\n"
                                   "22 PTR bad\\032one.example.test.\n"
                                   "22 PTR good.example.test.\n"
                                   "23 PTR elsewhere.invalid.\n"
                                   "25 PTR chain1.example.test.\n";

static void
write_zone(const char *origin, uint32_t minimum, const char *records)
{
	struct errbuf e = { "" };

	cr_assert_eq(dh_zone(&server, origin, minimum, records, &e), 0, "%s", e.msg);
}

/* A long label, different per i, so that the huge RRset does not compress away. */
static void
huge_name(char *out, size_t outsz, int i)
{
	snprintf(out, outsz,
	    "host-%02d-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.test", i);
}

static void
write_zones(void)
{
	struct errbuf e = { "" };
	char name[128];
	FILE *f;
	int i;

	/* the forward zone, plus the names of the huge RRset */
	cr_assert_not_null(f = dh_zone_open(&server, "example.test", 600, &e), "%s", e.msg);
	fputs(forward_zone, f);
	for (i = 0; i < HUGE_NAMES; i++) {
		huge_name(name, sizeof name, i);
		fprintf(f, "%s. A 192.0.2.20\n", name);
	}
	cr_assert_eq(fclose(f), 0);

	cr_assert_not_null(f = dh_zone_open(&server, "2.0.192.in-addr.arpa", 600, &e), "%s", e.msg);
	fputs(reverse_zone, f);
	for (i = 0; i < HUGE_NAMES; i++) {
		huge_name(name, sizeof name, i);
		fprintf(f, "20 PTR %s.\n", name);
	}
	cr_assert_eq(fclose(f), 0);

	write_zone("8.b.d.0.1.0.0.2.ip6.arpa", 700,
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mail6.example.test.\n");

	/* 198.18.0.0/21, four kinds in turn: confirmed, mismatch, none, bad name */
	cr_assert_not_null(f = dh_zone_open(&server, "18.198.in-addr.arpa", 900, &e), "%s", e.msg);
	for (i = 0; i < MANY; i++) {
		if (i % 4 == 0)
			fprintf(f, "%d.%d PTR h%d.many.test.\n", i % 256, i / 256, i);
		else if (i % 4 == 1)
			fprintf(f, "%d.%d PTR m%d.many.test.\n", i % 256, i / 256, i);
		else if (i % 4 == 3)
			fprintf(f, "%d.%d PTR b%d\\032x.many.test.\n", i % 256, i / 256, i);
	}
	cr_assert_eq(fclose(f), 0);
	cr_assert_not_null(f = dh_zone_open(&server, "many.test", 600, &e), "%s", e.msg);
	for (i = 0; i < MANY; i += 4)
		fprintf(f, "h%d 250 A 198.18.%d.%d\nm%d A 198.19.0.1\n", i, i / 256, i % 256,
		    i + 1);
	cr_assert_eq(fclose(f), 0);
}

/* Starts nsd with every zone above; skips the test when nsd is not installed. */
static void
start(void)
{
	struct errbuf e = { "" };

	if (!dh_nsd_present())
		cr_skip_test(
		    "nsd is not installed (apt-get install nsd): reverse-DNS tests skipped");
	cr_assert_eq(dh_init(&server, &e), 0, "%s", e.msg);
	write_zones();
	cr_assert_eq(dh_start(&server, 30, &e), 0, "%s", e.msg);
}

static struct rdns *
open_resolver(const char *servers, unsigned timeout_ms, unsigned tries, unsigned inflight)
{
	struct rdns_options o = { servers, timeout_ms, tries, inflight };
	struct errbuf e = { "" };
	struct rdns *r = rdns_open(&o, &e);

	cr_assert_not_null(r, "%s", e.msg);
	return r;
}

static void
ip4(uint8_t ip[16], const char *text)
{
	memset(ip, 0, 16);
	ip[10] = ip[11] = 0xff;
	cr_assert_eq(inet_pton(AF_INET, text, ip + 12), 1, "%s", text);
}

/* Resolves one address (IPv4 or IPv6 text) with a fresh resolver on the test server. */
static struct rdns_answer
resolve1(const char *text)
{
	struct rdns *r = open_resolver(dh_servers(&server), 1000, 2, 0);
	uint8_t ip[1][16];
	struct rdns_answer a;
	struct errbuf e = { "" };

	if (strchr(text, ':') != NULL)
		cr_assert_eq(inet_pton(AF_INET6, text, ip[0]), 1);
	else
		ip4(ip[0], text);
	memset(&a, 0xa5, sizeof a);
	cr_assert_eq(rdns_resolve(r, ip, 1, &a, &e), 0, "%s", e.msg);
	rdns_close(r);
	return a;
}

static void
expect(const char *ip, enum rdns_status status, const char *name, uint32_t ttl)
{
	struct rdns_answer a = resolve1(ip);

	cr_expect_str_eq(rdns_status_name(a.status), rdns_status_name(status), "%s", ip);
	cr_expect_str_eq(a.name, name, "%s", ip);
	cr_expect_eq(a.ttl, ttl, "%s: ttl %u, expected %u", ip, a.ttl, ttl);
}

Test(rdns, status_names)
{
	cr_assert_str_eq(rdns_status_name(RDNS_CONFIRMED), "confirmed");
	cr_assert_str_eq(rdns_status_name(RDNS_MISMATCH), "mismatch");
	cr_assert_str_eq(rdns_status_name(RDNS_NONE), "none");
	cr_assert_str_eq(rdns_status_name(RDNS_BAD_NAME), "bad_name");
	cr_assert_str_eq(rdns_status_name(RDNS_SERVFAIL), "servfail");
	cr_assert_str_eq(rdns_status_name(RDNS_TIMEOUT), "timeout");
}

Test(rdns, bad_servers)
{
	struct rdns_options o = { "not an address", 0, 0, 0 };
	struct errbuf e = { "" };

	cr_assert_null(rdns_open(&o, &e));
	cr_assert(strstr(e.msg, "not an address") != NULL, "%s", e.msg);
}

/* the ttl is the smaller of the PTR's (3600) and the A's (300) */
Test(rdns, confirmed)
{
	start();
	expect("192.0.2.10", RDNS_CONFIRMED, "mail.example.test", 300);
	/* names are lower-cased; the A's ttl 500 is the smaller */
	expect("192.0.2.15", RDNS_CONFIRMED, "mixed.example.test", 500);
}

Test(rdns, mismatch)
{
	start();
	expect("192.0.2.11", RDNS_MISMATCH, "other.example.test", 300);
}

/* NXDOMAIN and NODATA alike: the ttl is the zone's SOA minimum */
Test(rdns, no_ptr)
{
	start();
	expect("192.0.2.12", RDNS_NONE, "", 600);
	expect("192.0.2.13", RDNS_NONE, "", 600);
	expect("2001:db8::2", RDNS_NONE, "", 700);
}

/*
 * nsd answers REFUSED for a zone it does not serve: that is the failing
 * server here (c-ares reports it as ARES_EREFUSED). A PTR name whose
 * forward zone is refused is not a mismatch either: servfail, name kept.
 */
Test(rdns, servfail)
{
	start();
	expect("198.51.100.7", RDNS_SERVFAIL, "", 300);
	expect("192.0.2.23", RDNS_SERVFAIL, "elsewhere.invalid", 300);
}

/* the smallest of the PTR's (3600), the CNAME's (120) and the A's (1000) */
Test(rdns, cname)
{
	start();
	expect("192.0.2.14", RDNS_CONFIRMED, "alias.example.test", 120);
	expect("192.0.2.25", RDNS_CONFIRMED, "chain1.example.test", 60);
}

/* 40 long names do not fit in 512 bytes of UDP: c-ares asks again over TCP */
Test(rdns, huge_answer)
{
	struct rdns_answer a;
	char first[128];

	start();
	a = resolve1("192.0.2.20");
	huge_name(first, sizeof first, 0);
	cr_assert_str_eq(rdns_status_name(a.status), "confirmed");
	cr_assert_str_eq(a.name, first);
	cr_assert_eq(a.ttl, 3600);
}

/*
 * The first name that confirms, after one with another address and one with
 * none. The answers that ruled out the earlier names count towards the ttl
 * (the NXDOMAIN's 600): when they change, so may the name chosen.
 */
Test(rdns, several_names)
{
	start();
	expect("192.0.2.21", RDNS_CONFIRMED, "right.example.test", 600);
	/* a bad name beside a good one: the good one is tried */
	expect("192.0.2.22", RDNS_CONFIRMED, "good.example.test", 400);
}

Test(rdns, bad_names)
{
	static const struct {
		const char *ip, *name;
	} cases[] = {
		{ "192.0.2.16", "bad\\000name.example.test" },
		{ "192.0.2.17", "\\060script\\062x\\0401\\041.example.test" },
		{ "192.0.2.18", "with\\032space.example.test" },
		{ "192.0.2.19", "a\\046b.example.test" },
	};
	size_t i;

	start();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rdns_answer a = resolve1(cases[i].ip);

		cr_expect_str_eq(rdns_status_name(a.status), "bad_name", "%s", cases[i].ip);
		cr_expect_str_eq(a.name, cases[i].name, "%s", cases[i].ip);
		cr_expect_eq(a.ttl, 3600);
		/* nothing a page or a terminal would read as markup or control */
		cr_expect_eq(strcspn(a.name, "<>&\"' \t\r\n"), strlen(a.name), "%s", a.name);
	}
}

Test(rdns, ipv6)
{
	start();
	expect("2001:db8::1", RDNS_CONFIRMED, "mail6.example.test", 200);
}

/* 2,000 addresses through 64 slots, each answered as its kind says */
Test(rdns, many)
{
	static uint8_t ips[MANY][16];
	static struct rdns_answer out[MANY];
	struct errbuf e = { "" };
	struct rdns *r;
	char text[32], name[64];
	int i;

	start();
	for (i = 0; i < MANY; i++) {
		snprintf(text, sizeof text, "198.18.%d.%d", i / 256, i % 256);
		ip4(ips[i], text);
	}
	r = open_resolver(dh_servers(&server), 2000, 2, 64);
	cr_assert_eq(rdns_resolve(r, (const uint8_t(*)[16])ips, MANY, out, &e), 0, "%s", e.msg);
	rdns_close(r);
	for (i = 0; i < MANY; i++) {
		switch (i % 4) {
		case 0:
			snprintf(name, sizeof name, "h%d.many.test", i);
			cr_assert_str_eq(rdns_status_name(out[i].status), "confirmed", "%d", i);
			cr_assert_str_eq(out[i].name, name);
			cr_assert_eq(out[i].ttl, 250);
			break;
		case 1:
			snprintf(name, sizeof name, "m%d.many.test", i);
			cr_assert_str_eq(rdns_status_name(out[i].status), "mismatch", "%d", i);
			cr_assert_str_eq(out[i].name, name);
			break;
		case 2:
			cr_assert_str_eq(rdns_status_name(out[i].status), "none", "%d", i);
			cr_assert_eq(out[i].ttl, 900);
			break;
		default:
			snprintf(name, sizeof name, "b%d\\032x.many.test", i);
			cr_assert_str_eq(rdns_status_name(out[i].status), "bad_name", "%d", i);
			cr_assert_str_eq(out[i].name, name);
		}
	}
}

/*
 * A UDP socket that never answers. c-ares doubles the timeout at each try
 * after the first round of servers, so with one server the call lasts
 * timeout * (2^tries - 1): 200 + 400 ms here.
 */
Test(rdns_timeout, never_answers)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char servers[32];
	uint8_t ips[2][16];
	struct rdns_answer out[2];
	struct errbuf e = { "" };
	struct rdns *r;
	int64_t t0, ms;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	snprintf(servers, sizeof servers, "127.0.0.1:%d", ntohs(a.sin_port));
	ip4(ips[0], "192.0.2.10");
	cr_assert_eq(inet_pton(AF_INET6, "2001:db8::1", ips[1]), 1);
	r = open_resolver(servers, 200, 2, 0);
	t0 = tu_now_ms();
	cr_assert_eq(rdns_resolve(r, (const uint8_t(*)[16])ips, 2, out, &e), 0, "%s", e.msg);
	ms = tu_now_ms() - t0;
	rdns_close(r);
	close(fd);
	cr_assert_str_eq(rdns_status_name(out[0].status), "timeout");
	cr_assert_str_eq(rdns_status_name(out[1].status), "timeout");
	cr_assert_str_eq(out[0].name, "");
	cr_assert_eq(out[0].ttl, 300);
	cr_assert(ms >= 200 && ms < 600 + 300, "took %lld ms", (long long)ms);
}
