/*
 * store_sender: the enricher's side of the sender table: which records'
 * domains it notes, which addresses it names, and what it writes back.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"
#include "store_sender.h"

static uint8_t zero[16];
static const uint8_t ip10[16] = { [10] = 0xff, [11] = 0xff, [12] = 192, [14] = 2, [15] = 10 };
static const uint8_t ip11[16] = { [10] = 0xff, [11] = 0xff, [12] = 192, [14] = 2, [15] = 11 };

/* One report of domain example.com with these records, stored in its own input. */
static void
put(struct store *st, unsigned seed, struct agg_record *recs, size_t n)
{
	struct agg_report r;
	char id[16];

	snprintf(id, sizeof id, "r%u", seed);
	ts_make_report(&r, "google.com", id, "example.com", DAY0, DAY0 + DAY - 1, seed);
	ts_compute_totals(&r, recs, n);
	ts_ingest(st, seed, &r, recs, n);
}

/* The domains a walk gave, as "LAST-BYTE kind domain; ..." */
struct collected {
	char text[512];
};

static int
collect(void *ctx, const uint8_t ip[16], const char *kind, const char *domain)
{
	struct collected *c = ctx;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof c->text - len, "%u %s %s; ", ip[15], kind, domain);
	return 0;
}

static size_t
due_all(struct store *st, const struct sender_due *q, struct store_sender *out, size_t max)
{
	struct errbuf e = { 0 };
	size_t n = 0;

	cr_assert_eq(store_sender_due(st, q, zero, out, max, &n, &e), 0, "%s", e.msg);
	return n;
}

Test(store_sender, notes_only_passing_domains_and_names_only_heavy_networks)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_record recs[3];
	struct store_sender rows[8];
	struct sender_due q = { .dns = true, .now = DAY0 };
	struct errbuf e = { 0 };
	struct collected got = { "" };
	size_t read, n;
	uint64_t added, count;
	bool more;

	/* A heavy sender signing with the ESP's domain and its own, then a spoofer. */
	ts_make_record(&recs[0], "192.0.2.10", 40, DMARC_PASS, DMARC_PASS, DISP_NONE);
	recs[0].n_dkim = 2;
	recs[0].dkim[1].domain = (char *)"SendGrid.net";
	recs[0].dkim[1].selector = (char *)"s1";
	recs[0].dkim[1].result = AUTH_PASS;
	ts_make_record(&recs[1], "192.0.2.11", 5, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	ts_make_record(&recs[2], "198.51.100.7", 2, DMARC_FAIL, DMARC_FAIL, DISP_NONE);
	recs[2].dkim[0].domain = (char *)"evil.example";
	put(st, 1, recs, 3);

	cr_assert_eq(store_sender_scan(st, 2, &read, &more, &e), 0, "%s", e.msg);
	cr_assert_eq(read, 2);
	cr_assert(more);
	cr_assert_eq(store_sender_scan(st, 100, &read, &more, &e), 0, "%s", e.msg);
	cr_assert_eq(read, 1, "the place is kept between calls");
	cr_assert_not(more);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM sender_domain"), 4);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM sender_domain WHERE domain ="
	                 " 'evil.example' OR domain = 'bounce.example.com'"
	                 " AND ip = X'00000000000000000000ffffc0000206'"),
	    0, "failing results are not evidence");

	cr_assert_eq(store_sender_domains(st, ip10, ip11, collect, &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.text,
	    "10 dkim example.com; 10 dkim sendgrid.net; 10 spf bounce.example.com; "
	    "11 dkim example.com; ",
	    "lower-cased, in address order, the range inclusive");

	cr_assert_eq(store_sender_discover(st, &added, &e), 0, "%s", e.msg);
	cr_assert_eq(added, 2, "both addresses of the heavy /24, not the spoofer");
	cr_assert_eq(store_sender_discover(st, &added, &e), 0, "%s", e.msg);
	cr_assert_eq(added, 0);

	cr_assert_eq(store_sender_due_count(st, &q, &count, &e), 0, "%s", e.msg);
	cr_assert_eq(count, 2);
	cr_assert_eq(due_all(st, &q, rows, 8), 2);
	cr_assert_eq(rows[0].ip[15], 10);
	cr_assert_eq(rows[1].ip[15], 11);
	cr_assert_str_eq(rows[0].dns_status, "");

	/* Named: not due again until the answer expires or the catalogue changes. */
	snprintf(rows[0].ptr, sizeof rows[0].ptr, "o1.sendgrid.net");
	snprintf(rows[0].dns_status, sizeof rows[0].dns_status, "confirmed");
	rows[0].dns_checked = DAY0;
	rows[0].dns_expires = DAY0 + 3600;
	rows[0].asn = 11377;
	snprintf(rows[0].country, sizeof rows[0].country, "US");
	snprintf(rows[0].service, sizeof rows[0].service, "sendgrid");
	snprintf(rows[0].evidence, sizeof rows[0].evidence, "dkim");
	snprintf(rows[0].evidence_value, sizeof rows[0].evidence_value, "sendgrid.net");
	rows[0].match_hash = UINT64_C(0xfedcba9876543210);
	rows[1] = rows[0];
	rows[1].ip[15] = 11;
	cr_assert_eq(store_sender_put(st, rows, 2, &e), 0, "%s", e.msg);
	q.match_hash = rows[0].match_hash;
	cr_assert_eq(due_all(st, &q, rows, 8), 0);
	q.now = DAY0 + 3600;
	cr_assert_eq(due_all(st, &q, rows, 8), 2, "expired");
	cr_assert_str_eq(rows[0].ptr, "o1.sendgrid.net");
	cr_assert_eq(rows[0].match_hash, UINT64_C(0xfedcba9876543210));
	q.now = DAY0;
	q.match_hash = 1;
	cr_assert_eq(due_all(st, &q, rows, 8), 2, "another catalogue");
	q.match_hash = rows[0].match_hash;
	q.all = true;
	cr_assert_eq(due_all(st, &q, rows, 1), 1, "at most max");
	cr_assert_eq(store_sender_due(st, &q, rows[0].ip, rows, 8, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1, "after the last one given");
	cr_assert_eq(rows[0].ip[15], 11);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM sender WHERE service = 'sendgrid'"
	                 " AND asn = 11377 AND country = 'US'"),
	    2);

	store_close(st);
	ts_drop_db(path);
}

Test(store_sender, keeps_at_most_its_bound_of_domains_per_address)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_record recs[12];
	char names[12][32];
	struct errbuf e = { 0 };
	size_t read, i;
	bool more;

	for (i = 0; i < 12; i++) {
		ts_make_record(&recs[i], "192.0.2.10", 1, DMARC_PASS, DMARC_FAIL, DISP_NONE);
		snprintf(names[i], sizeof names[i], "d%zu.example", i);
		recs[i].dkim[0].domain = names[i];
	}
	put(st, 1, recs, 12);
	cr_assert_eq(store_sender_scan(st, 100, &read, &more, &e), 0, "%s", e.msg);
	cr_assert_eq(read, 12);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM sender_domain WHERE kind = 'dkim'"),
	    SENDER_DOMAINS_MAX);
	store_close(st);
	ts_drop_db(path);
}

Test(store_sender, the_service_table_is_replaced_whole)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct store_service a[2] = {
		{ "sendgrid", "Twilio SendGrid", "transactional", "Authenticate the domain.", "" },
		{ "hubspot", "HubSpot", "marketing", "Connect the domain.", "https://x.example" },
	};
	struct errbuf e = { 0 };

	cr_assert_eq(store_service_sync(st, a, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(store_service_sync(st, a + 1, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM service"), 1);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM service WHERE key = 'hubspot'"
	                 " AND name = 'HubSpot'"),
	    1);
	store_close(st);
	ts_drop_db(path);
}

/*
 * The rollup by class equals, row for row, the rollup rows of the named
 * addresses of folded heavy networks, summed by class (store_class.h): 0
 * rows differ either way.
 */
#define CLASS_RULE(sums) \
	"SELECT u.day, u.policy_domain, u.org_key, s.class, " sums " FROM sender s" \
	" JOIN source so ON so.ip = s.net AND so.classed = 1" \
	" JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = s.ip" \
	" WHERE s.class <> 0 GROUP BY 1, 2, 3, 4"
#define CLASS_SUMS_OF \
	"sum(u.messages), sum(u.dmarc_pass), sum(u.dkim_aligned), sum(u.spf_aligned)," \
	" sum(u.disposition_none), sum(u.disposition_quarantine), sum(u.disposition_reject)," \
	" sum(u.fail_none), sum(u.fail_quarantine), sum(u.fail_reject)"
#define CLASS_COLS \
	"day, policy_domain, org_key, class, messages, dmarc_pass, dkim_aligned, spf_aligned," \
	" disposition_none, disposition_quarantine, disposition_reject, fail_none," \
	" fail_quarantine, fail_reject"

static void
assert_class_rule(const char *path, const char *when)
{
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM (" CLASS_RULE(
	                     CLASS_SUMS_OF) " EXCEPT SELECT " CLASS_COLS " FROM rollup_class)"),
	    0, "%s: a class's sums are missing", when);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM (SELECT " CLASS_COLS
	                 " FROM rollup_class EXCEPT " CLASS_RULE(CLASS_SUMS_OF) ")"),
	    0, "%s: the rollup by class holds sums no address has", when);
}

/* Names ip (192.0.2.LAST) as service/asn/country, as the enricher would. */
static void
name(struct store *st, int last, const char *service, uint32_t asn, const char *country)
{
	struct store_sender r = { .asn = asn,
		.ip = { [10] = 0xff, [11] = 0xff, [12] = 192, [14] = 2 } };
	struct errbuf e = { 0 };

	r.ip[15] = (uint8_t)last;
	snprintf(r.service, sizeof r.service, "%s", service);
	snprintf(r.country, sizeof r.country, "%s", country);
	snprintf(r.as_org, sizeof r.as_org, "AS %u", asn);
	cr_assert_eq(store_sender_put(st, &r, 1, &e), 0, "%s", e.msg);
}

/* A report of domain with records of count from 192.0.2.LAST each, over days days. */
static void
put_from(struct store *st, unsigned seed, const char *domain, const int *last, size_t n,
    int64_t count, int days)
{
	struct agg_record recs[8];
	struct agg_report r;
	char id[16], ip[8][32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(ip[i], sizeof ip[i], "192.0.2.%d", last[i]);
		ts_make_record(&recs[i], ip[i], count, i % 2 ? DMARC_FAIL : DMARC_PASS, DMARC_FAIL,
		    i % 3 ? DISP_REJECT : DISP_NONE);
	}
	snprintf(id, sizeof id, "c%u", seed);
	ts_make_report(&r, seed % 2 ? "google.com" : "yahoo.com", id, domain,
	    DAY0 + (int64_t)seed * DAY, DAY0 + (int64_t)(seed + days) * DAY - 1, seed);
	ts_compute_totals(&r, recs, n);
	ts_ingest(st, seed, &r, recs, n);
}

Test(store_sender, the_rollup_by_class_follows_names_new_records_and_new_heavy_networks)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	static const int ab[] = { 10, 11 }, abc[] = { 10, 11, 12 };
	struct errbuf e = { 0 };
	uint64_t added;
	size_t read;
	bool more;

	put_from(st, 1, "example.com", ab, 2, 30, 1);
	cr_assert_eq(store_sender_discover(st, &added, &e), 0, "%s", e.msg);
	cr_assert_eq(added, 2);
	name(st, 10, "sendgrid", 11377, "US");
	name(st, 11, "", 64500, "DE");
	assert_class_rule(path, "named");
	cr_assert_eq(ts_scalar(path, "SELECT sum(messages) FROM rollup_class"), 60);

	/* new records, one report split over three days: read by the next pass */
	put_from(st, 2, "example.com", abc, 3, 7, 3);
	put_from(st, 6, "example.com", ab, 2, 5, 1);
	cr_assert_eq(store_sender_scan(st, 100, &read, &more, &e), 0, "%s", e.msg);
	assert_class_rule(path, "records read");
	cr_assert_eq(ts_scalar(path, "SELECT sum(messages) FROM rollup_class"), 60 + 14 + 10);

	/* another service, then no name at all: the address's rows move */
	name(st, 10, "hubspot", 11377, "US");
	assert_class_rule(path, "renamed");
	name(st, 11, "", 0, "");
	assert_class_rule(path, "unnamed");
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM rollup_class WHERE messages = 0"), 0);

	/* another domain's traffic makes the network heavy there: folded on the next write */
	put_from(st, 9, "example.org", ab, 2, 20, 1);
	name(st, 11, "", 64500, "DE");
	assert_class_rule(path, "new heavy network");
	cr_assert_gt(ts_scalar(path,
	                 "SELECT count(*) FROM rollup_class WHERE"
	                 " policy_domain = 'example.org'"),
	    0);
	/* records stored after the last write, before any pass: in the rule after the next */
	put_from(st, 11, "example.org", abc, 3, 4, 1);
	name(st, 12, "sendgrid", 11377, "US");
	assert_class_rule(path, "caught up");
	store_close(st);
	ts_drop_db(path);
}

/* The owners a walk gave, as "ASN org count; ..." */
static int
collect_owner(void *ctx, uint32_t asn, const char *as_org, uint64_t addresses)
{
	struct collected *c = ctx;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof c->text - len, "%u %s %llu; ", (unsigned)asn, as_org,
	    (unsigned long long)addresses);
	return 0;
}

Test(store_sender, the_owners_of_a_range_are_its_named_addresses_networks_the_most_first)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	static const int last[] = { 10, 11, 12, 13, 200 };
	uint8_t lo[16] = { [10] = 0xff, [11] = 0xff, [12] = 192, [14] = 2 }, hi[16];
	struct collected c = { "" };
	struct errbuf e = { 0 };
	uint64_t added;

	put_from(st, 1, "example.com", last, 5, 30, 1);
	cr_assert_eq(store_sender_discover(st, &added, &e), 0, "%s", e.msg);
	cr_assert_eq(added, 5);
	name(st, 10, "", 16509, "US");
	name(st, 11, "", 64500, "DE");
	name(st, 12, "", 16509, "US");
	name(st, 200, "", 3333, "NL");
	/* 192.0.2.13 has no AS: left out */

	memcpy(hi, lo, 16);
	hi[15] = 0xff;
	cr_assert_eq(store_sender_owners(st, lo, hi, 16, collect_owner, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.text, "16509 AS 16509 2; 3333 AS 3333 1; 64500 AS 64500 1; ");

	/* 192.0.2.0/25: the range's own addresses only, at most max owners */
	c.text[0] = '\0';
	hi[15] = 0x7f;
	cr_assert_eq(store_sender_owners(st, lo, hi, 1, collect_owner, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.text, "16509 AS 16509 2; ");
	store_close(st);
	ts_drop_db(path);
}
