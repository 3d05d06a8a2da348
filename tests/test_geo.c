/*
 * test_geo: enrich/geo.c against databases that tests/mmdb_write.pl writes
 * (honest and hostile values, both layouts), and against the real free
 * databases when scripts/install-geo.sh has installed them.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo.h"
#include "testutil.h"

static char *dir;
static char asn_db[512], big_db[512], country_db[512], cc_db[512];

static void
write_dbs(void)
{
	dir = tu_scratch_dir();
	cr_assert_eq(tu_run(NULL, "perl %s/mmdb_write.pl %s", TESTS_DIR, dir), 0,
	    "tests/mmdb_write.pl failed (is libmaxmind-db-writer-perl installed?)");
	snprintf(asn_db, sizeof(asn_db), "%s/asn.mmdb", dir);
	snprintf(big_db, sizeof(big_db), "%s/asn-big.mmdb", dir);
	snprintf(country_db, sizeof(country_db), "%s/country.mmdb", dir);
	snprintf(cc_db, sizeof(cc_db), "%s/country-cc.mmdb", dir);
}

static void
drop_dbs(void)
{
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}

/* The 16-byte form geo_lookup takes: IPv4 as ::ffff:a.b.c.d. */
static void
ip(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out + 12) == 1) {
		out[10] = out[11] = 0xff;
		return;
	}
	cr_assert_eq(inet_pton(AF_INET6, text, out), 1, "bad address %s", text);
}

static struct geo_answer
ask(const struct geo *g, const char *addr)
{
	struct geo_answer a;
	uint8_t b[16];

	ip(addr, b);
	memset(&a, 0x5a, sizeof(a)); /* geo_lookup must clear what it does not find */
	geo_lookup(g, b, &a);
	return a;
}

static struct geo *
open_ok(const char *asn, const char *country)
{
	struct errbuf e = { { 0 } };
	struct geo *g = geo_open(asn, country, &e);

	cr_assert_not_null(g, "geo_open: %s", e.msg);
	return g;
}

TestSuite(geo, .init = write_dbs, .fini = drop_dbs);

struct answer_case {
	const char *addr;
	uint32_t asn;
	const char *org;
	const char *country;
};

static void
check(const struct geo *g, const struct answer_case *c)
{
	struct geo_answer a = ask(g, c->addr);

	cr_expect_eq(a.asn, c->asn, "%s: asn %u, want %u", c->addr, a.asn, c->asn);
	cr_expect_str_eq(a.as_org, c->org, "%s: as_org", c->addr);
	cr_expect_str_eq(a.country, c->country, "%s: country", c->addr);
}

Test(geo, both_databases)
{
	static const struct answer_case cases[] = {
		{ "8.8.8.8", 15169, "Google LLC", "US" }, /* "us" upper-cased */
		{ "::ffff:8.8.8.8", 15169, "Google LLC", "US" },
		{ "2001:4860:4860::8888", 15169, "Google LLC", "US" },
		{ "203.0.113.9", 0, "Zero",
		    "FR" }, /* AS0 is no AS; country from registered_country */
		{ "192.0.2.77", 64496, "Evil [31m Corp <script>alert(1)</script>", "DE" },
		{ "198.51.100.1", 0, "", "" }, /* "Z1" is not two letters */
		{ "2001:db8::1", 0, "", "" },  /* "és" is not two ASCII letters */
		{ "10.1.2.3", 0, "", "" },     /* in neither */
		{ "2a01:4f8::1", 0, "", "" },  /* in neither */
		{ "::1", 0, "", "" },          /* loopback */
	};
	struct geo *g = open_ok(asn_db, country_db);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(g, &cases[i]);
	geo_close(g);
}

Test(geo, hostile_strings_are_cleaned)
{
	struct geo *g = open_ok(asn_db, NULL);
	struct geo_answer a = ask(g, "192.0.2.77");

	/* the ESC, the bidi override, NUL, tab, CR, LF, DEL and NEL are gone, blanks collapsed */
	for (const char *p = a.as_org; *p != '\0'; p++)
		cr_expect((unsigned char)*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in %s",
		    (unsigned char)*p, a.as_org);
	cr_expect_null(strstr(a.as_org, "\xe2\x80\xae"), "bidi override kept");
	cr_expect_str_eq(a.as_org, "Evil [31m Corp <script>alert(1)</script>");
	geo_close(g);
}

Test(geo, long_names_cut_on_a_character_boundary)
{
	struct geo *g = open_ok(asn_db, NULL);
	struct geo_answer a = ask(g, "192.0.2.1");
	char want[GEO_ORG_MAX];
	size_t len = strlen(a.as_org);

	/* "ab" and 62 two-byte characters fill 126 bytes; the 63rd would end past the 127th */
	memcpy(want, "ab", 2);
	for (size_t i = 0; i < 62; i++)
		memcpy(want + 2 + 2 * i, "\xc3\xa9", 2);
	want[126] = '\0';
	cr_expect_eq(a.asn, 64497);
	cr_expect_eq(len, 126, "length %zu", len);
	cr_expect_str_eq(a.as_org, want);
	geo_close(g);
}

Test(geo, asn_out_of_range)
{
	struct geo *g = open_ok(big_db, NULL);

	check(g, &(struct answer_case){ "198.51.100.1", 0, "Too Big", "" });
	check(g, &(struct answer_case){ "198.51.101.1", 4294967295u, "Max", "" });
	geo_close(g);
}

Test(geo, ip_location_db_layout_without_ipv4_alias)
{
	/* as the npm databases: country_code at the top, ::ffff:0:0/96 not aliased */
	struct geo *g = open_ok(NULL, cc_db);

	check(g, &(struct answer_case){ "8.8.8.8", 0, "", "US" });
	check(g, &(struct answer_case){ "::ffff:8.8.8.8", 0, "", "US" });
	check(g, &(struct answer_case){ "2a00:1450:4001::1", 0, "", "IE" });
	check(g, &(struct answer_case){ "1.1.1.1", 0, "", "" });
	geo_close(g);
}

Test(geo, ipv4_only_database)
{
	char v4[600];
	struct geo *g;

	snprintf(v4, sizeof(v4), "%s/country-v4.mmdb", dir);
	g = open_ok(NULL, v4);
	check(g, &(struct answer_case){ "8.8.8.8", 0, "", "US" });
	check(g, &(struct answer_case){ "2001:4860:4860::8888", 0, "", "" });
	geo_close(g);
}

Test(geo, one_database)
{
	struct geo *g = open_ok(asn_db, "");

	check(g, &(struct answer_case){ "8.8.8.8", 15169, "Google LLC", "" });
	cr_expect_eq(geo_built(g), 1700000000);
	geo_close(g);

	g = open_ok("", country_db);
	check(g, &(struct answer_case){ "8.8.8.8", 0, "", "US" });
	cr_expect_eq(geo_built(g), 1710000000);
	geo_close(g);
}

Test(geo, no_database)
{
	struct geo *g = open_ok(NULL, NULL);

	check(g, &(struct answer_case){ "8.8.8.8", 0, "", "" });
	cr_expect_eq(geo_built(g), 0);
	geo_close(g);
	geo_close(NULL);
	cr_expect_eq(geo_built(NULL), 0);
}

Test(geo, built_is_the_later)
{
	struct geo *g = open_ok(asn_db, country_db);

	cr_expect_eq(geo_built(g), 1710000000);
	geo_close(g);
	g = open_ok(asn_db, cc_db);
	cr_expect_eq(geo_built(g), 1700000000);
	geo_close(g);
}

Test(geo, open_errors_name_the_file)
{
	struct errbuf e = { { 0 } };
	char notdb[600], missing[600];
	static const char text[] = "this is not a MaxMind database\n";

	snprintf(notdb, sizeof(notdb), "%s/not.mmdb", dir);
	snprintf(missing, sizeof(missing), "%s/missing.mmdb", dir);
	tu_write_file(notdb, text, sizeof(text) - 1);

	cr_assert_null(geo_open(asn_db, notdb, &e));
	cr_expect_not_null(strstr(e.msg, "country_db"), "%s", e.msg);
	cr_expect_not_null(strstr(e.msg, notdb), "%s", e.msg);
	cr_expect_not_null(strstr(e.msg, "not a MaxMind database"), "%s", e.msg);

	errbuf_clear(&e);
	cr_assert_null(geo_open(missing, NULL, &e));
	cr_expect_not_null(strstr(e.msg, "asn_db"), "%s", e.msg);
	cr_expect_not_null(strstr(e.msg, "No such file"), "%s", e.msg);

	/* an empty file, and a directory */
	tu_write_file(notdb, "", 0);
	errbuf_clear(&e);
	cr_assert_null(geo_open(notdb, NULL, &e));
	cr_expect_not_null(strstr(e.msg, "not a MaxMind database"), "%s", e.msg);
	errbuf_clear(&e);
	cr_assert_null(geo_open(dir, NULL, &e));
	cr_expect_not_null(strstr(e.msg, "is a directory"), "%s", e.msg);
}

/*
 * A database whose tree and data are noise, its metadata intact: every
 * lookup must come back (empty or checked), never read out of bounds.
 */
Test(geo, scrambled_database)
{
	static const char marker[] = "\xab\xcd\xefMaxMind.com";
	char path[600];
	size_t len;
	unsigned char *db;
	const unsigned char *meta;
	uint32_t x = 2463534242u;
	struct geo *g;

	snprintf(path, sizeof(path), "%s/asn.mmdb", dir);
	db = tu_read_file(path, &len);
	meta = memmem(db, len, marker, sizeof(marker) - 1);
	cr_assert_not_null(meta);
	for (unsigned char *p = db; p < meta; p++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
		*p = (unsigned char)x;
	}
	snprintf(path, sizeof(path), "%s/scrambled.mmdb", dir);
	tu_write_file(path, db, len);
	free(db);

	g = open_ok(path, path);
	for (uint32_t i = 0; i < 20000; i++) {
		uint8_t b[16] = { 0 };
		struct geo_answer a;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		if (i % 2 == 0) {
			b[10] = b[11] = 0xff;
			memcpy(b + 12, &x, 4);
		} else {
			memcpy(b, &x, 4);
			memcpy(b + 4, &i, 4);
		}
		geo_lookup(g, b, &a);
		cr_assert_lt(strlen(a.as_org), GEO_ORG_MAX);
		cr_assert(a.country[0] == '\0' || strlen(a.country) == 2);
	}
	geo_close(g);
}

/*
 * The real free databases (scripts/install-geo.sh), when installed in
 * $DMARCD_GEO_DIR or /var/lib/dmarcd/geo: well-known addresses whose owner
 * and country do not move.
 */
Test(geo, real_databases)
{
	const char *d = getenv("DMARCD_GEO_DIR");
	char asn[600], country[600];
	struct geo *g;
	struct geo_answer a;

	if (d == NULL || d[0] == '\0')
		d = "/var/lib/dmarcd/geo";
	snprintf(asn, sizeof(asn), "%s/asn.mmdb", d);
	snprintf(country, sizeof(country), "%s/country.mmdb", d);
	if (access(asn, R_OK) != 0 || access(country, R_OK) != 0)
		cr_skip_test("no real databases in %s (scripts/install-geo.sh %s)", d, d);
	g = open_ok(asn, country);
	cr_expect_gt(geo_built(g), 1600000000);

	a = ask(g, "8.8.8.8");
	cr_expect_eq(a.asn, 15169);
	cr_expect_not_null(strstr(a.as_org, "Google"), "%s", a.as_org);
	cr_expect_str_eq(a.country, "US");

	a = ask(g, "1.1.1.1");
	cr_expect_eq(a.asn, 13335);
	cr_expect_not_null(strstr(a.as_org, "Cloudflare"), "%s", a.as_org);

	a = ask(g, "2001:4860:4860::8888");
	cr_expect_eq(a.asn, 15169);
	cr_expect_str_eq(a.country, "US");

	a = ask(g, "193.0.6.139"); /* www.ripe.net */
	cr_expect_eq(a.asn, 3333);
	cr_expect_str_eq(a.country, "NL");

	a = ask(g, "10.0.0.1");
	cr_expect_eq(a.asn, 0);
	cr_expect_str_eq(a.country, "");
	geo_close(g);
}
