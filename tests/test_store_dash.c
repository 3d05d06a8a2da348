/*
 * Tests for store/store_dash.c and store_dash_src.c: every dashboard query
 * on a small database built through the report sink, with its figures,
 * filters, paging, sorting and the previous period; dash_source_range.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failure.h"
#include "report.h"
#include "store.h"
#include "store_dash.h"
#include "testutil.h"

#define DAY0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY (INT64_C(86400))
#define D0 (DAY0 / DAY) /* day 19723 */

/* ---- results (tu_table in testutil.h) ---- */

/* The column col of every row, joined by "|". */
static char *
column(const struct tu_table *t, const char *col)
{
	static char out[1024];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < t->nrows; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i > 0 ? "|" : "",
		    tu_table_cell(t, i, col));
	return out;
}

/* ---- the database ---- */

struct db {
	char *dir, *path;
	struct store *st;
	int64_t report_ids[4];
	unsigned inputs;
};

static void
sha_fill(uint8_t sha[32], unsigned seed)
{
	size_t i;

	for (i = 0; i < 32; i++)
		sha[i] = (uint8_t)(seed * 37 + i);
}

static void
rec_set(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
    enum dmarc_result spf, enum disposition disp, const char *hf)
{
	memset(rec, 0, sizeof *rec);
	snprintf(rec->source_ip, sizeof rec->source_ip, "%s", ip);
	rec->source_ip_raw = (char *)(ip[0] != '\0' ? ip : "not-an-ip");
	rec->ip_family = ip[0] == '\0' ? 0 : strchr(ip, ':') != NULL ? 6 : 4;
	rec->count = count;
	rec->disposition = disp;
	rec->pe_dkim = dkim;
	rec->pe_spf = spf;
	rec->header_from = (char *)hf;
	rec->n_dkim = 1;
	rec->dkim[0].domain = (char *)hf;
	rec->dkim[0].selector = (char *)"s1";
	rec->dkim[0].result = dkim == DMARC_PASS ? AUTH_PASS : AUTH_FAIL;
	rec->n_spf = 1;
	rec->spf[0].domain = (char *)hf;
	rec->spf[0].scope = SPF_SCOPE_MFROM;
	rec->spf[0].result = spf == DMARC_PASS ? AUTH_PASS : AUTH_SOFTFAIL;
}

/* Stores one report (one input, one batch) and returns its id. */
static int64_t
put_period(struct db *d, const char *org, const char *id, const char *domain, int64_t begin,
    int64_t end, enum policy p, const struct agg_record *recs, size_t n)
{
	struct agg_report r;
	struct report_sink sink;
	struct store_counts c = { 0 };
	struct input_outcome o = { 0 };
	struct errbuf e = { "" };
	uint8_t sha[32];
	struct input_meta m = { sha, 100, "file", "/reports/r.xml" };
	int64_t input_id, report_id;
	size_t i;

	memset(&r, 0, sizeof r);
	r.dialect = DIALECT_RFC7489;
	r.org_name = (char *)org;
	r.org_key = (char *)org;
	r.report_id = (char *)id;
	r.begin_ts = begin;
	r.end_ts = end;
	r.policy_domain = (char *)domain;
	r.p = p;
	r.pct = 100;
	sha_fill(r.xml_sha256, ++d->inputs);
	for (i = 0; i < n; i++) {
		r.totals.records++;
		r.totals.messages += (uint64_t)recs[i].count;
		if (agg_record_dmarc_pass(&recs[i]))
			r.totals.dmarc_pass += (uint64_t)recs[i].count;
	}
	sha_fill(sha, 1000 + d->inputs);
	cr_assert_eq(store_batch_begin(d->st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_input_begin(d->st, &m, &input_id, &e), 0, "%s", e.msg);
	store_report_sink(d->st, input_id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < n; i++)
		cr_assert_eq(sink.record(sink.ctx, &r, &recs[i], &e), 0, "%s", e.msg);
	cr_assert_eq(sink.end(sink.ctx, &r, &e), 0, "%s", e.msg);
	o.status = INPUT_STORED;
	o.kind = "aggregate";
	o.refusal_code = "";
	o.reason = "";
	o.reports_stored = c.reports_stored;
	o.records = c.records;
	cr_assert_eq(store_input_end(d->st, input_id, &o, "x", 1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_batch_commit(d->st, &e), 0, "%s", e.msg);
	cr_assert_eq(c.reports_stored, 1);
	report_id = (int64_t)d->inputs; /* report rows are numbered in order */
	return report_id;
}

/* Stores one report covering one day. */
static int64_t
put_report(struct db *d, const char *org, const char *id, const char *domain, int64_t day,
    enum policy p, const struct agg_record *recs, size_t n)
{
	return put_period(d, org, id, domain, day * DAY, day * DAY + DAY - 1, p, recs, n);
}

/* An empty database. */
static void
db_open_empty(struct db *d)
{
	struct errbuf e = { "" };
	size_t n;

	memset(d, 0, sizeof *d);
	d->dir = tu_scratch_dir();
	n = strlen(d->dir) + sizeof "/dash.db";
	d->path = malloc(n);
	cr_assert_not_null(d->path);
	snprintf(d->path, n, "%s/dash.db", d->dir);
	cr_assert_eq(store_open(d->path, STORE_READWRITE, &d->st, &e), 0, "%s", e.msg);
}

/*
 * The database every test reads (days D0 and D0+1 are the window, D0-2 the
 * previous period):
 *   R1 google.com g1 example.com D0: 192.0.2.1 10 pass, 192.0.2.77 5 fail
 *      reject, 2001:db8:1::5 4 pass (SPF) from news.example.com
 *   R2 yahoo y1 example.com D0+1 (p=quarantine): 192.0.2.1 20 pass,
 *      198.51.100.9 3 fail quarantine
 *   R3 google.com g2 example.org D0+1: 2001:db8:1:ffff::1 7 fail reject,
 *      an invalid address 2 pass
 *   R4 google.com g0 example.com D0-2: 192.0.2.1 100 pass
 */
static void
db_open(struct db *d)
{
	struct agg_record recs[3];

	db_open_empty(d);
	rec_set(&recs[0], "192.0.2.1", 10, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	rec_set(&recs[1], "192.0.2.77", 5, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.com");
	rec_set(&recs[2], "2001:db8:1::5", 4, DMARC_FAIL, DMARC_PASS, DISP_NONE,
	    "news.example.com");
	d->report_ids[0] =
	    put_report(d, "google.com", "g1", "example.com", D0, POLICY_REJECT, recs, 3);
	rec_set(&recs[0], "192.0.2.1", 20, DMARC_PASS, DMARC_FAIL, DISP_NONE, "example.com");
	rec_set(&recs[1], "198.51.100.9", 3, DMARC_FAIL, DMARC_FAIL, DISP_QUARANTINE,
	    "example.com");
	d->report_ids[1] =
	    put_report(d, "yahoo", "y1", "example.com", D0 + 1, POLICY_QUARANTINE, recs, 2);
	rec_set(&recs[0], "2001:db8:1:ffff::1", 7, DMARC_FAIL, DMARC_FAIL, DISP_REJECT,
	    "example.org");
	rec_set(&recs[1], "", 2, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.org");
	d->report_ids[2] =
	    put_report(d, "google.com", "g2", "example.org", D0 + 1, POLICY_REJECT, recs, 2);
	rec_set(&recs[0], "192.0.2.1", 100, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	d->report_ids[3] =
	    put_report(d, "google.com", "g0", "example.com", D0 - 2, POLICY_NONE, recs, 1);
}

static void
db_close(struct db *d)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char name[4096];
	size_t i;

	store_close(d->st);
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(name, sizeof name, "%s%s", d->path, suffixes[i]);
		unlink(name);
	}
	rmdir(d->dir);
	free(d->path);
	free(d->dir);
}

/* The window D0..D0+1 with one more filter. */
static struct dash_filter
window(void)
{
	struct dash_filter f = { NULL, D0, D0 + 1, NULL, DASH_RESULT_ALL, NULL };

	return f;
}

/* ---- dash_source_range ---- */

static void
hex16(const uint8_t b[16], char out[33])
{
	size_t i;

	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

Test(store_dash, source_range_parses_addresses_and_cidrs)
{
	static const struct {
		const char *in, *lo, *hi;
	} ok[] = {
		{ "192.0.2.7", "00000000000000000000ffffc0000207",
		    "00000000000000000000ffffc0000207" },
		{ "192.0.2.0/24", "00000000000000000000ffffc0000200",
		    "00000000000000000000ffffc00002ff" },
		{ "192.0.2.77/24", "00000000000000000000ffffc0000200",
		    "00000000000000000000ffffc00002ff" },
		{ "10.1.2.3/8", "00000000000000000000ffff0a000000",
		    "00000000000000000000ffff0affffff" },
		{ "0.0.0.0/0", "00000000000000000000ffff00000000",
		    "00000000000000000000ffffffffffff" },
		{ "::ffff:192.0.2.7", "00000000000000000000ffffc0000207",
		    "00000000000000000000ffffc0000207" },
		{ "2001:db8::1", "20010db8000000000000000000000001",
		    "20010db8000000000000000000000001" },
		{ "2001:db8::/32", "20010db8000000000000000000000000",
		    "20010db8ffffffffffffffffffffffff" },
		{ "2001:db8:1:ffff::1/48", "20010db8000100000000000000000000",
		    "20010db80001ffffffffffffffffffff" },
		{ "2001:db8::/127", "20010db8000000000000000000000000",
		    "20010db8000000000000000000000001" },
		{ "::/0", "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff" },
	};
	static const char *const bad[] = {
		"",
		"192.0.2",
		"192.0.2.256",
		"192.0.2.0/33",
		"192.0.2.0/",
		"192.0.2.0/-1",
		"192.0.2.0/+8",
		"192.0.2.0/24 ",
		" 192.0.2.0",
		"192.0.2.0/1234",
		"abc",
		"2001:db8::/129",
		"2001:db8::/64/1",
		"2001:db8:::1",
		"/24",
		"192.0.2.0/2a",
		"2001:db8::1%eth0",
		"1.2.3.4.5",
	};
	uint8_t lo[16], hi[16];
	char hlo[33], hhi[33];
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_assert_eq(dash_source_range(ok[i].in, lo, hi), 0, "%s", ok[i].in);
		hex16(lo, hlo);
		hex16(hi, hhi);
		cr_assert_str_eq(hlo, ok[i].lo, "%s lo", ok[i].in);
		cr_assert_str_eq(hhi, ok[i].hi, "%s hi", ok[i].in);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(dash_source_range(bad[i], lo, hi), -1, "'%s'", bad[i]);
	cr_assert_eq(dash_source_range(NULL, lo, hi), -1);
}

/* ---- overview and chart ---- */

Test(store_dash, domains_sum_the_window_with_the_previous_period)
{
	struct dash_filter f = window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct db d;

	db_open(&d);
	cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "policy_domain", "example.com");
	ASSERT_CELL(t, 0, "messages", "42");
	ASSERT_CELL(t, 0, "dmarc_pass", "34");
	ASSERT_CELL(t, 0, "pass_rate", "0.8095");
	ASSERT_CELL(t, 0, "dkim_aligned", "30");
	ASSERT_CELL(t, 0, "dkim_rate", "0.7143");
	ASSERT_CELL(t, 0, "spf_aligned", "14");
	ASSERT_CELL(t, 0, "spf_rate", "0.3333");
	ASSERT_CELL(t, 0, "disposition_none", "34");
	ASSERT_CELL(t, 0, "disposition_quarantine", "3");
	ASSERT_CELL(t, 0, "disposition_reject", "5");
	ASSERT_CELL(t, 0, "sources", "4");
	/* the latest report of the window: yahoo's, p=quarantine */
	ASSERT_CELL(t, 0, "p", "quarantine");
	ASSERT_CELL(t, 0, "pct", "100");
	ASSERT_CELL(t, 0, "testing", "NULL");
	/* the two days before: R4 */
	ASSERT_CELL(t, 0, "prev_messages", "100");
	ASSERT_CELL(t, 0, "prev_pass_rate", "1.0000");
	ASSERT_CELL(t, 1, "policy_domain", "example.org");
	ASSERT_CELL(t, 1, "messages", "9");
	ASSERT_CELL(t, 1, "pass_rate", "0.2222");
	ASSERT_CELL(t, 1, "sources", "2");
	ASSERT_CELL(t, 1, "prev_messages", "NULL");
	ASSERT_CELL(t, 1, "prev_pass_rate", "NULL");
	tu_table_free(t);

	/* An open window has no previous period; D0-2 is in it. */
	f.day_from = 0;
	f.day_to = 0;
	f.domain = "example.com";
	t = tu_table_new();
	cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "142");
	ASSERT_CELL(t, 0, "prev_messages", "NULL");
	tu_table_free(t);
	db_close(&d);
}

Test(store_dash, domains_filters)
{
	static const struct {
		const char *domain, *reporter, *source;
		enum dash_result result;
		const char *domains, *messages, *pass, *quarantine, *reject, *sources;
	} cases[] = {
		{ "example.org", NULL, NULL, DASH_RESULT_ALL, "example.org", "9", "2", "0", "7",
		    "2" },
		{ NULL, "yahoo", NULL, DASH_RESULT_ALL, "example.com", "23", "20", "3", "0", "2" },
		{ NULL, NULL, NULL, DASH_RESULT_FAIL, "example.com|example.org", "8|7", "0|0",
		    "3|0", "5|7", "2|1" },
		{ NULL, NULL, NULL, DASH_RESULT_PASS, "example.com|example.org", "34|2", "34|2",
		    "0|0", "0|0", "2|1" },
		{ NULL, NULL, "192.0.2.0/24", DASH_RESULT_ALL, "example.com", "35", "30", "0", "5",
		    "2" },
		{ NULL, NULL, "2001:db8:1::/48", DASH_RESULT_ALL, "example.org|example.com", "7|4",
		    "0|4", "0|0", "7|0", "1|1" },
		{ NULL, NULL, "2001:db8:1::5", DASH_RESULT_ALL, "example.com", "4", "4", "0", "0",
		    "1" },
		{ NULL, NULL, "203.0.113.0/24", DASH_RESULT_ALL, "", "", "", "", "", "" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(column(t, "policy_domain"), cases[i].domains, "case %zu", i);
		if (t->nrows > 0) {
			cr_assert_str_eq(column(t, "messages"), cases[i].messages, "case %zu", i);
			cr_assert_str_eq(column(t, "dmarc_pass"), cases[i].pass, "case %zu", i);
			cr_assert_str_eq(column(t, "disposition_quarantine"), cases[i].quarantine,
			    "case %zu", i);
			cr_assert_str_eq(column(t, "disposition_reject"), cases[i].reject,
			    "case %zu", i);
			cr_assert_str_eq(column(t, "sources"), cases[i].sources, "case %zu", i);
		}
		tu_table_free(t);
	}
	db_close(&d);
}

Test(store_dash, bad_source_filter_is_an_error)
{
	struct dash_filter f = window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct db d;

	db_open(&d);
	f.source = "192.0.2.0/40";
	cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), -1);
	cr_assert(strstr(e.msg, "192.0.2.0/40") != NULL, "%s", e.msg);
	tu_table_free(t);
	db_close(&d);
}

Test(store_dash, daily_has_the_days_with_data)
{
	static const struct {
		const char *domain, *source;
		enum dash_result result;
		const char *days, *messages, *pass, *fail, *rate;
	} cases[] = {
		{ NULL, NULL, DASH_RESULT_ALL, "2024-01-01|2024-01-02", "19|32", "14|22", "5|10",
		    "0.7368|0.6875" },
		{ "example.com", NULL, DASH_RESULT_ALL, "2024-01-01|2024-01-02", "19|23", "14|20",
		    "5|3", "0.7368|0.8696" },
		{ "example.org", NULL, DASH_RESULT_ALL, "2024-01-02", "9", "2", "7", "0.2222" },
		{ NULL, NULL, DASH_RESULT_FAIL, "2024-01-01|2024-01-02", "5|10", "0|0", "5|10",
		    "0.0000|0.0000" },
		{ NULL, "192.0.2.1", DASH_RESULT_ALL, "2024-01-01|2024-01-02", "10|20", "10|20",
		    "0|0", "1.0000|1.0000" },
		{ NULL, "2001:db8::/32", DASH_RESULT_ALL, "2024-01-01|2024-01-02", "4|7", "4|0",
		    "0|7", "1.0000|0.0000" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();

		f.domain = cases[i].domain;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(column(t, "day"), cases[i].days, "case %zu", i);
		cr_assert_str_eq(column(t, "messages"), cases[i].messages, "case %zu", i);
		cr_assert_str_eq(column(t, "dmarc_pass"), cases[i].pass, "case %zu", i);
		cr_assert_str_eq(column(t, "dmarc_fail"), cases[i].fail, "case %zu", i);
		cr_assert_str_eq(column(t, "pass_rate"), cases[i].rate, "case %zu", i);
		tu_table_free(t);
	}
	db_close(&d);
}

/* ---- sources ---- */

Test(store_dash, sources_by_address_and_by_network)
{
	struct dash_filter f = window();
	struct dash_page page = { NULL, false, 50, 0 };
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct db d;

	db_open(&d);
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	cr_assert_str_eq(column(t, "source"),
	    "192.0.2.1|2001:db8:1:ffff::1|192.0.2.77|2001:db8:1::5|198.51.100.9|");
	cr_assert_str_eq(column(t, "policy_domain"),
	    "example.com|example.org|example.com|example.com|example.com|example.org");
	cr_assert_str_eq(column(t, "messages"), "30|7|5|4|3|2");
	cr_assert_str_eq(column(t, "total_rows"), "6|6|6|6|6|6");
	ASSERT_CELL(t, 0, "dmarc_pass", "30");
	ASSERT_CELL(t, 0, "pass_rate", "1.0000");
	ASSERT_CELL(t, 0, "dkim_aligned", "30");
	ASSERT_CELL(t, 0, "spf_aligned", "10");
	ASSERT_CELL(t, 0, "disposition_none", "30");
	ASSERT_CELL(t, 0, "header_from", "example.com");
	ASSERT_CELL(t, 0, "reporters", "google.com, yahoo");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	ASSERT_CELL(t, 2, "disposition_reject", "5");
	ASSERT_CELL(t, 2, "pass_rate", "0.0000");
	ASSERT_CELL(t, 3, "header_from", "news.example.com");
	ASSERT_CELL(t, 3, "reporters", "google.com");
	ASSERT_CELL(t, 4, "disposition_quarantine", "3");
	ASSERT_CELL(t, 5, "header_from", "example.org");
	tu_table_free(t);

	/* /24 and /48: 192.0.2.1 and .77 are one network, the two 2001:db8:1:: not (two domains) */
	t = tu_table_new();
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_PREFIX, &page, NULL, tu_table_collect, t, &e),
	    0, "%s", e.msg);
	cr_assert_str_eq(column(t, "source"),
	    "192.0.2.0/24|2001:db8:1::/48|2001:db8:1::/48|198.51.100.0/24|");
	cr_assert_str_eq(column(t, "policy_domain"),
	    "example.com|example.org|example.com|example.com|example.org");
	cr_assert_str_eq(column(t, "messages"), "35|7|4|3|2");
	cr_assert_str_eq(column(t, "total_rows"), "5|5|5|5|5");
	ASSERT_CELL(t, 0, "dmarc_pass", "30");
	ASSERT_CELL(t, 0, "disposition_reject", "5");
	ASSERT_CELL(t, 0, "reporters", "google.com, yahoo");
	tu_table_free(t);

	/* A one-row page comes from the heaviest network alone, with the same figures. */
	page.limit = 1;
	t = tu_table_new();
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_PREFIX, &page, NULL, tu_table_collect, t, &e),
	    0, "%s", e.msg);
	cr_assert_str_eq(column(t, "source"), "192.0.2.0/24");
	ASSERT_CELL(t, 0, "messages", "35");
	ASSERT_CELL(t, 0, "dmarc_pass", "30");
	ASSERT_CELL(t, 0, "reporters", "google.com, yahoo");
	ASSERT_CELL(t, 0, "header_from", "example.com");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	ASSERT_CELL(t, 0, "total_rows", "5");
	tu_table_free(t);
	db_close(&d);
}

/*
 * A report of 48 hours is split over the three days it touches (12 h, 24 h,
 * 12 h + 1 s: 1, 2 and 1 of 4 messages); a one-day window sees its part,
 * whichever way the query reads it (records, rollup by address range).
 */
Test(store_dash, long_report_counts_its_part_of_the_window)
{
	static const char *const sources[] = { NULL, "203.0.113.0/24" };
	struct dash_filter f = { NULL, D0, D0, NULL, DASH_RESULT_ALL, NULL };
	struct dash_page page = { NULL, false, 50, 0 };
	struct agg_record rec;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	rec_set(&rec, "203.0.113.5", 4, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.net");
	put_period(&d, "google.com", "long", "example.net", DAY0 - DAY / 2, DAY0 + DAY + DAY / 2,
	    POLICY_REJECT, &rec, 1);
	f.domain = "example.net";
	for (i = 0; i < 2; i++) {
		f.source = sources[i];
		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(column(t, "source"), "203.0.113.5", "%zu", i);
		ASSERT_CELL(t, 0, "messages", "2");
		ASSERT_CELL(t, 0, "disposition_reject", "2");
		ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
		ASSERT_CELL(t, 0, "last_seen", "2024-01-01");
		tu_table_free(t);
		t = tu_table_new();
		cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(column(t, "messages"), "2", "%zu", i);
		tu_table_free(t);
	}
	/* The whole period: 4 over three days. */
	f.day_from = D0 - 1;
	f.day_to = D0 + 1;
	f.source = NULL;
	t = tu_table_new();
	cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(column(t, "day"), "2023-12-31|2024-01-01|2024-01-02");
	cr_assert_str_eq(column(t, "messages"), "1|2|1");
	tu_table_free(t);
	t = tu_table_new();
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	ASSERT_CELL(t, 0, "messages", "4");
	ASSERT_CELL(t, 0, "first_seen", "2023-12-31");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	db_close(&d);
}

Test(store_dash, sources_filters)
{
	static const struct {
		const char *domain, *reporter, *source;
		enum dash_result result;
		enum dash_group g;
		const char *sources, *messages;
	} cases[] = {
		{ "example.org", NULL, NULL, DASH_RESULT_ALL, DASH_GROUP_IP, "2001:db8:1:ffff::1|",
		    "7|2" },
		{ NULL, "yahoo", NULL, DASH_RESULT_ALL, DASH_GROUP_IP, "192.0.2.1|198.51.100.9",
		    "20|3" },
		{ NULL, NULL, NULL, DASH_RESULT_FAIL, DASH_GROUP_IP,
		    "2001:db8:1:ffff::1|192.0.2.77|198.51.100.9", "7|5|3" },
		{ NULL, NULL, NULL, DASH_RESULT_PASS, DASH_GROUP_IP, "192.0.2.1|2001:db8:1::5|",
		    "30|4|2" },
		{ NULL, NULL, "192.0.2.0/24", DASH_RESULT_ALL, DASH_GROUP_IP,
		    "192.0.2.1|192.0.2.77", "30|5" },
		{ NULL, NULL, "192.0.2.64/26", DASH_RESULT_ALL, DASH_GROUP_IP, "192.0.2.77", "5" },
		{ NULL, NULL, "2001:db8:1::/48", DASH_RESULT_ALL, DASH_GROUP_IP,
		    "2001:db8:1:ffff::1|2001:db8:1::5", "7|4" },
		{ NULL, NULL, "2001:db8:1::/64", DASH_RESULT_ALL, DASH_GROUP_IP, "2001:db8:1::5",
		    "4" },
		{ NULL, NULL, "192.0.2.0/24", DASH_RESULT_FAIL, DASH_GROUP_PREFIX, "192.0.2.0/24",
		    "5" },
		{ NULL, NULL, "2001:db8::/32", DASH_RESULT_ALL, DASH_GROUP_PREFIX,
		    "2001:db8:1::/48|2001:db8:1::/48", "7|4" },
		{ "example.com", "google.com", NULL, DASH_RESULT_ALL, DASH_GROUP_PREFIX,
		    "192.0.2.0/24|2001:db8:1::/48", "15|4" },
	};
	struct dash_page page = { NULL, false, 50, 0 };
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(
		    store_dash_sources(d.st, &f, cases[i].g, &page, NULL, tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    column(t, "source"));
		cr_assert_str_eq(column(t, "messages"), cases[i].messages, "case %zu", i);
		tu_table_free(t);
	}
	db_close(&d);
}

Test(store_dash, sources_pages_and_sorts)
{
	static const struct {
		const char *sort;
		bool descending;
		unsigned limit, offset;
		const char *sources;
	} cases[] = {
		/* the heaviest network decides a one-row page on its own */
		{ NULL, false, 1, 0, "192.0.2.1" },
		{ NULL, false, 2, 2, "192.0.2.77|2001:db8:1::5" },
		{ NULL, false, 2, 5, "" },
		{ NULL, false, 2, 6, "" },
		{ "messages", true, 3, 0, "192.0.2.1|2001:db8:1:ffff::1|192.0.2.77" },
		{ "messages", false, 3, 0, "|198.51.100.9|2001:db8:1::5" },
		{ "source", false, 50, 0,
		    "|192.0.2.1|192.0.2.77|198.51.100.9|2001:db8:1::5|2001:db8:1:ffff::1" },
		{ "pass_rate", true, 3, 0, "192.0.2.1|2001:db8:1::5|" },
		{ "disposition_reject", true, 2, 0, "2001:db8:1:ffff::1|192.0.2.77" },
		{ "policy_domain", true, 2, 0, "|2001:db8:1:ffff::1" },
		{ "first_seen", false, 2, 0, "192.0.2.1|192.0.2.77" },
		/* an unknown column sorts as the default */
		{ "nonsense", false, 2, 0, "192.0.2.1|2001:db8:1:ffff::1" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();
		struct dash_page page = { cases[i].sort, cases[i].descending, cases[i].limit,
			cases[i].offset };

		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    column(t, "source"));
		if (t->nrows > 0)
			ASSERT_CELL(t, 0, "total_rows", "6");
		tu_table_free(t);
	}
	db_close(&d);
}

/*
 * With 47 failing messages, 192.0.2.0/24 is walked first for failing
 * sources: pages of 1 and 2 rows come from it; the third row is under 10
 * failing messages, so that page is aggregated.
 */
Test(store_dash, failing_sources_walk_the_failing_networks)
{
	static const struct {
		unsigned limit;
		const char *sources, *messages;
	} cases[] = {
		{ 1, "192.0.2.200", "30" },
		{ 2, "192.0.2.200|192.0.2.201", "30|12" },
		{ 3, "192.0.2.200|192.0.2.201|2001:db8:1:ffff::1", "30|12|7" },
	};
	struct agg_record recs[2];
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	rec_set(&recs[0], "192.0.2.200", 30, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.com");
	rec_set(&recs[1], "192.0.2.201", 12, DMARC_FAIL, DMARC_FAIL, DISP_NONE, "example.com");
	put_report(&d, "yahoo", "y2", "example.com", D0, POLICY_REJECT, recs, 2);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();
		struct dash_page page = { NULL, false, cases[i].limit, 0 };

		f.result = DASH_RESULT_FAIL;
		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    column(t, "source"));
		cr_assert_str_eq(column(t, "messages"), cases[i].messages, "case %zu", i);
		ASSERT_CELL(t, 0, "dmarc_pass", "0");
		ASSERT_CELL(t, 0, "total_rows", "5");
		tu_table_free(t);
	}
	db_close(&d);
}

/*
 * A network's failing messages bound its sources' only among the networks
 * in source: 203.0.113.0/24 (40 messages, 1 failing) ends the walk for the
 * failing sources after 192.0.2.0/24 (5 failing), but the light
 * 2001:db8:1::/48 of example.org (7 failing) still comes first.
 */
Test(store_dash, failing_walk_does_not_stop_above_light_networks)
{
	struct dash_filter f = window();
	struct dash_page page = { NULL, false, 1, 0 };
	struct agg_record recs[2];
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct db d;

	db_open(&d);
	rec_set(&recs[0], "203.0.113.9", 39, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	rec_set(&recs[1], "203.0.113.9", 1, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.com");
	put_report(&d, "yahoo", "y3", "example.com", D0, POLICY_REJECT, recs, 2);
	f.result = DASH_RESULT_FAIL;
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	cr_assert_str_eq(column(t, "source"), "2001:db8:1:ffff::1");
	ASSERT_CELL(t, 0, "messages", "7");
	tu_table_free(t);
	db_close(&d);
}

/*
 * The sort scope: 1,200 sources, each alone in its /24, in two domains;
 * day D0 gives each 10 to 99 messages (so every network is heavy), day
 * D0+1 gives each 1 to 9, a tenth of them 10 to 22. A sort other than
 * messages descending orders the DASH_SORT_TOP sources with the most
 * messages: over both days the walk of the heavy networks finds them. On
 * D0+1 alone the 1,000th source is under DASH_SORT_HEAVY messages: the
 * sort then orders only the 120 above. Fewer than DASH_SORT_TOP sources
 * (the failing ones) are all sorted. Every page is checked against the
 * figures computed here from the records.
 */
#define SCOPE_SOURCES 1200

/* One source's figures in a window, as the oracle sums them. */
struct scope_src {
	const char *domain;
	unsigned ip; /* 10.ip/200.ip%200.1 */
	int64_t messages, pass, dkim, first, last;
	bool seen;
};

/* Source i's record on day D0 (day 0) or D0+1 (day 1). */
static void
scope_record(unsigned i, int day, struct agg_record *rec, char *ip, size_t iplen)
{
	bool dkim = day == 0 ? i % 7 != 0 : i % 2 == 0, spf = day == 0 && i % 5 < 2;

	snprintf(ip, iplen, "10.%u.%u.1", i / 200, i % 200);
	rec_set(rec, ip,
	    day == 0        ? 10 + (i * 37) % 90 :
	        i % 10 == 0 ? 10 + i % 13 :
	                      1 + i % 9,
	    dkim ? DMARC_PASS : DMARC_FAIL, spf ? DMARC_PASS : DMARC_FAIL,
	    i % 7 == 0 ? DISP_REJECT : DISP_NONE, "example.com");
}

static void
scope_db(struct db *d)
{
	static const char *const domains[] = { "a.example", "b.example" };
	struct agg_record *recs = calloc(SCOPE_SOURCES / 2, sizeof recs[0]);
	char(*ips)[16] = calloc(SCOPE_SOURCES / 2, sizeof ips[0]);
	char id[16];
	unsigned i, k;
	int day, dom;

	cr_assert(recs != NULL && ips != NULL);
	db_open_empty(d);
	for (day = 0; day < 2; day++) {
		for (dom = 0; dom < 2; dom++) {
			for (i = (unsigned)dom, k = 0; i < SCOPE_SOURCES; i += 2, k++)
				scope_record(i, day, &recs[k], ips[k], sizeof ips[k]);
			snprintf(id, sizeof id, "s%d%d", day, dom);
			put_report(d, day == 0 ? "google.com" : "yahoo", id, domains[dom], D0 + day,
			    POLICY_REJECT, recs, k);
		}
	}
	free(recs);
	free(ips);
}

/* The oracle: source i's figures in days from..to (0, 1) under result r. */
static void
scope_figures(unsigned i, int from, int to, enum dash_result r, struct scope_src *s)
{
	struct agg_record rec;
	char ip[16];
	int day;
	bool pass;

	memset(s, 0, sizeof *s);
	s->domain = i % 2 == 0 ? "a.example" : "b.example";
	s->ip = i;
	for (day = from; day <= to; day++) {
		scope_record(i, day, &rec, ip, sizeof ip);
		pass = rec.pe_dkim == DMARC_PASS || rec.pe_spf == DMARC_PASS;
		if ((r == DASH_RESULT_PASS && !pass) || (r == DASH_RESULT_FAIL && pass))
			continue;
		s->messages += rec.count;
		s->pass += pass ? rec.count : 0;
		s->dkim += rec.pe_dkim == DMARC_PASS ? rec.count : 0;
		if (!s->seen)
			s->first = D0 + day;
		s->last = D0 + day;
		s->seen = true;
	}
}

/* An order of the oracle: a sources column, as the API names it, and its direction. */
struct scope_order {
	const char *sort;
	bool descending;
};

static int
scope_value_cmp(const struct scope_src *x, const struct scope_src *y, const char *sort)
{
	double xr, yr;
	int64_t xv, yv;

	if (strcmp(sort, "policy_domain") == 0)
		return strcmp(x->domain, y->domain);
	if (strcmp(sort, "source") == 0)
		return (x->ip > y->ip) - (x->ip < y->ip);
	if (strcmp(sort, "pass_rate") == 0) {
		xr = (double)x->pass / (double)x->messages;
		yr = (double)y->pass / (double)y->messages;
		return (xr > yr) - (xr < yr);
	}
	xv = strcmp(sort, "messages") == 0    ? x->messages :
	    strcmp(sort, "dkim_aligned") == 0 ? x->dkim :
	    strcmp(sort, "first_seen") == 0   ? x->first :
	                                        x->last;
	yv = strcmp(sort, "messages") == 0    ? y->messages :
	    strcmp(sort, "dkim_aligned") == 0 ? y->dkim :
	    strcmp(sort, "first_seen") == 0   ? y->first :
	                                        y->last;
	return (xv > yv) - (xv < yv);
}

/* Sorts by o, then by domain and address (an insertion sort: the oracle, not the speed). */
static void
scope_sort(struct scope_src *s, size_t n, const struct scope_order *o)
{
	struct scope_src t;
	size_t i, j;
	int c;

	for (i = 1; i < n; i++) {
		t = s[i];
		for (j = i; j > 0; j--) {
			c = scope_value_cmp(&t, &s[j - 1], o->sort);
			if (o->descending)
				c = -c;
			if (c == 0 && (c = strcmp(t.domain, s[j - 1].domain)) == 0)
				c = t.ip < s[j - 1].ip ? -1 : 1;
			if (c >= 0)
				break;
			s[j] = s[j - 1];
		}
		s[j] = t;
	}
}

Test(store_dash, sources_sorted_within_the_heaviest)
{
	static const struct {
		int from, to; /* days of the window: 0 is D0 */
		enum dash_result result;
		enum dash_group g;
		const char *sort;
		bool descending;
		unsigned offset, limit;
	} cases[] = {
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "pass_rate", false, 0, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "pass_rate", true, 0, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "messages", false, 0, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "dkim_aligned", true, 480, 40 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_PREFIX, "source", false, 975, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "policy_domain", true, 1000, 50 },
		{ 0, 0, DASH_RESULT_ALL, DASH_GROUP_IP, "last_seen", false, 0, 50 },
		/* the odd sources pass on D0 only: their last passing day is D0 */
		{ 0, 1, DASH_RESULT_PASS, DASH_GROUP_IP, "last_seen", true, 0, 50 },
		{ 0, 1, DASH_RESULT_PASS, DASH_GROUP_IP, "last_seen", true, 540, 50 },
		{ 0, 1, DASH_RESULT_PASS, DASH_GROUP_PREFIX, "dkim_aligned", false, 0, 50 },
		/* D0+1 alone: 120 sources of 10 messages or more to sort */
		{ 1, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "pass_rate", false, 0, 50 },
		{ 1, 1, DASH_RESULT_ALL, DASH_GROUP_PREFIX, "messages", false, 100, 50 },
		{ 1, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "source", true, 120, 50 },
		/* the default pages through all; a failing source's days are its failing ones */
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "messages", true, 0, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "messages", true, 1150, 50 },
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "messages", true, 0, 50 },
		/* the failing sources are fewer than 1,000: the sort covers them all */
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "first_seen", true, 0, 50 },
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "messages", false, 690, 50 },
	};
	struct scope_src *want = calloc(SCOPE_SOURCES, sizeof want[0]);
	struct dash_sort_scope scope;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i, n, k, top;
	char text[32], total[32];
	unsigned j;

	cr_assert_not_null(want);
	scope_db(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = { NULL, D0 + cases[i].from, D0 + cases[i].to, NULL,
			cases[i].result, NULL };
		struct dash_page page = { cases[i].sort, cases[i].descending, cases[i].limit,
			cases[i].offset };
		struct scope_order heaviest = { "messages", true };
		struct scope_order o = { cases[i].sort, cases[i].descending };

		for (j = 0, n = 0; j < SCOPE_SOURCES; j++) {
			scope_figures(j, cases[i].from, cases[i].to, cases[i].result, &want[n]);
			n += want[n].seen;
		}
		scope_sort(want, n, &heaviest);
		snprintf(total, sizeof total, "%zu", n <= DASH_TOTAL_MAX ? n : DASH_TOTAL_MAX + 1);
		/* the rows the sort orders: all, or the heaviest 1,000 of those of 10 or more */
		top = n;
		if (n > DASH_SORT_TOP && !(o.descending && strcmp(o.sort, "messages") == 0))
			for (top = 0; top < DASH_SORT_TOP && want[top].messages >= DASH_SORT_HEAVY;
			     top++)
				;
		scope_sort(want, top, &o);
		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, cases[i].g, &page, &scope,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_eq(scope.partial, top < n, "case %zu", i);
		cr_assert_eq(scope.rows, top < n ? top : 0, "case %zu: %u rows", i, scope.rows);
		n = cases[i].offset >= top ? 0 : top - cases[i].offset;
		cr_assert_eq(t->nrows, n < cases[i].limit ? n : cases[i].limit,
		    "case %zu: %zu rows", i, t->nrows);
		for (k = 0; k < t->nrows; k++) {
			const struct scope_src *w = &want[cases[i].offset + k];

			snprintf(text, sizeof text,
			    cases[i].g == DASH_GROUP_IP ? "10.%u.%u.1" : "10.%u.%u.0/24",
			    w->ip / 200, w->ip % 200);
			cr_assert_str_eq(tu_table_cell(t, k, "source"), text, "case %zu row %zu", i,
			    k);
			ASSERT_CELL(t, k, "policy_domain", w->domain);
			snprintf(text, sizeof text, "%lld", (long long)w->messages);
			ASSERT_CELL(t, k, "messages", text);
			snprintf(text, sizeof text, "%lld", (long long)w->pass);
			ASSERT_CELL(t, k, "dmarc_pass", text);
			snprintf(text, sizeof text, "%lld", (long long)w->dkim);
			ASSERT_CELL(t, k, "dkim_aligned", text);
			snprintf(text, sizeof text, "2024-01-0%lld", (long long)(w->last - D0 + 1));
			cr_assert_str_eq(tu_table_cell(t, k, "last_seen"), text, "case %zu row %zu",
			    i, k);
			ASSERT_CELL(t, k, "total_rows", total);
		}
		tu_table_free(t);
	}
	free(want);
	db_close(&d);
}

/* ---- records and reports ---- */

Test(store_dash, records_behind_a_view)
{
	static const struct {
		const char *domain, *reporter, *source;
		enum dash_result result;
		unsigned limit, offset;
		const char *ips, *total;
	} cases[] = {
		{ NULL, NULL, NULL, DASH_RESULT_ALL, 50, 0,
		    "2001:db8:1:ffff::1||192.0.2.1|198.51.100.9|192.0.2.1|192.0.2.77|2001:db8:1::5",
		    "7" },
		{ NULL, NULL, NULL, DASH_RESULT_ALL, 2, 3, "198.51.100.9|192.0.2.1", "7" },
		{ "example.com", NULL, NULL, DASH_RESULT_ALL, 50, 0,
		    "192.0.2.1|198.51.100.9|192.0.2.1|192.0.2.77|2001:db8:1::5", "5" },
		{ NULL, "yahoo", NULL, DASH_RESULT_ALL, 50, 0, "192.0.2.1|198.51.100.9", "2" },
		{ NULL, NULL, NULL, DASH_RESULT_FAIL, 50, 0,
		    "2001:db8:1:ffff::1|198.51.100.9|192.0.2.77", "3" },
		{ NULL, NULL, "192.0.2.0/24", DASH_RESULT_ALL, 50, 0,
		    "192.0.2.1|192.0.2.1|192.0.2.77", "3" },
		{ NULL, NULL, "2001:db8::/32", DASH_RESULT_ALL, 50, 0,
		    "2001:db8:1:ffff::1|2001:db8:1::5", "2" },
		{ NULL, NULL, "192.0.2.77", DASH_RESULT_ALL, 50, 0, "192.0.2.77", "1" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();
		struct dash_page page = { NULL, false, cases[i].limit, cases[i].offset };

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(column(t, "source_ip"), cases[i].ips, "case %zu: %s", i,
		    column(t, "source_ip"));
		if (t->nrows > 0)
			cr_assert_str_eq(tu_table_cell(t, 0, "total_rows"), cases[i].total,
			    "case %zu: %s", i, tu_table_cell(t, 0, "total_rows"));
		tu_table_free(t);
	}

	/* One record's columns. */
	{
		struct dash_filter f = window();
		struct dash_page page = { NULL, false, 50, 0 };
		char id[32];

		f.source = "2001:db8:1::5";
		t = tu_table_new();
		cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_eq(t->nrows, 1);
		snprintf(id, sizeof id, "%lld", (long long)d.report_ids[0]);
		ASSERT_CELL(t, 0, "report", id);
		ASSERT_CELL(t, 0, "org_name", "google.com");
		ASSERT_CELL(t, 0, "report_id", "g1");
		ASSERT_CELL(t, 0, "begin", "2024-01-01T00:00:00Z");
		ASSERT_CELL(t, 0, "end", "2024-01-01T23:59:59Z");
		ASSERT_CELL(t, 0, "count", "4");
		ASSERT_CELL(t, 0, "disposition", "none");
		ASSERT_CELL(t, 0, "dkim_aligned", "fail");
		ASSERT_CELL(t, 0, "spf_aligned", "pass");
		ASSERT_CELL(t, 0, "dmarc_pass", "1");
		ASSERT_CELL(t, 0, "header_from", "news.example.com");
		ASSERT_CELL(t, 0, "reasons", "NULL");
		ASSERT_CELL(t, 0, "dkim_results", "news.example.com/s1=fail");
		ASSERT_CELL(t, 0, "spf_results", "news.example.com/mfrom=pass");
		tu_table_free(t);
	}
	db_close(&d);
}

Test(store_dash, reports_list)
{
	static const struct {
		const char *domain, *reporter, *source;
		enum dash_result result;
		const char *sort;
		bool descending;
		unsigned limit, offset;
		const char *ids, *total;
	} cases[] = {
		{ NULL, NULL, NULL, DASH_RESULT_ALL, NULL, false, 50, 0, "g2|y1|g1", "3" },
		{ NULL, NULL, NULL, DASH_RESULT_ALL, NULL, false, 1, 1, "y1", "3" },
		{ NULL, NULL, NULL, DASH_RESULT_ALL, "messages", false, 50, 0, "g2|g1|y1", "3" },
		{ NULL, NULL, NULL, DASH_RESULT_ALL, "pass_rate", true, 50, 0, "y1|g1|g2", "3" },
		{ NULL, NULL, NULL, DASH_RESULT_ALL, "org_name", false, 50, 0, "g2|g1|y1", "3" },
		{ "example.com", NULL, NULL, DASH_RESULT_ALL, NULL, false, 50, 0, "y1|g1", "2" },
		{ NULL, "yahoo", NULL, DASH_RESULT_ALL, NULL, false, 50, 0, "y1", "1" },
		{ NULL, NULL, NULL, DASH_RESULT_FAIL, NULL, false, 50, 0, "g2|y1|g1", "3" },
		{ NULL, NULL, "198.51.100.0/24", DASH_RESULT_ALL, NULL, false, 50, 0, "y1", "1" },
		{ NULL, NULL, "192.0.2.77", DASH_RESULT_ALL, NULL, false, 50, 0, "g1", "1" },
		{ NULL, NULL, "2001:db8::/32", DASH_RESULT_ALL, NULL, false, 50, 0, "g2|g1", "2" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = window();
		struct dash_page page = { cases[i].sort, cases[i].descending, cases[i].limit,
			cases[i].offset };

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_reports(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(column(t, "report_id"), cases[i].ids, "case %zu", i);
		ASSERT_CELL(t, 0, "total_rows", cases[i].total);
		tu_table_free(t);
	}
	/* The columns of one report. */
	{
		struct dash_filter f = window();
		struct dash_page page = { NULL, false, 50, 0 };

		f.reporter = "yahoo";
		t = tu_table_new();
		cr_assert_eq(store_dash_reports(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		ASSERT_CELL(t, 0, "org_name", "yahoo");
		ASSERT_CELL(t, 0, "policy_domain", "example.com");
		ASSERT_CELL(t, 0, "begin", "2024-01-02T00:00:00Z");
		ASSERT_CELL(t, 0, "records", "2");
		ASSERT_CELL(t, 0, "messages", "23");
		ASSERT_CELL(t, 0, "dmarc_pass", "20");
		ASSERT_CELL(t, 0, "pass_rate", "0.8696");
		ASSERT_CELL(t, 0, "p", "quarantine");
		ASSERT_CELL(t, 0, "dialect", "rfc7489");
		ASSERT_CELL(t, 0, "flags", "");
		tu_table_free(t);
	}
	db_close(&d);
}

/* The meta row and the record rows of store_dash_report, apart. */
struct report_view {
	struct tu_table *meta, *records;
};

static int
collect_meta(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	return tu_table_collect(((struct report_view *)ctx)->meta, ncols, names, cells);
}

static int
collect_records(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	return tu_table_collect(((struct report_view *)ctx)->records, ncols, names, cells);
}

Test(store_dash, one_report_with_its_records)
{
	struct errbuf e = { "" };
	struct report_view v = { tu_table_new(), tu_table_new() };
	struct db d;
	bool found = false;

	db_open(&d);
	cr_assert_eq(
	    store_dash_report(d.st, d.report_ids[0], &found, collect_meta, collect_records, &v, &e),
	    0, "%s", e.msg);
	cr_assert(found);
	cr_assert_eq(v.meta->nrows, 1);
	ASSERT_CELL(v.meta, 0, "org_name", "google.com");
	ASSERT_CELL(v.meta, 0, "report_id", "g1");
	ASSERT_CELL(v.meta, 0, "policy_domain", "example.com");
	ASSERT_CELL(v.meta, 0, "begin", "2024-01-01T00:00:00Z");
	ASSERT_CELL(v.meta, 0, "p", "reject");
	ASSERT_CELL(v.meta, 0, "pct", "100");
	ASSERT_CELL(v.meta, 0, "records", "3");
	ASSERT_CELL(v.meta, 0, "messages", "19");
	ASSERT_CELL(v.meta, 0, "dmarc_pass", "14");
	ASSERT_CELL(v.meta, 0, "flags", "");
	ASSERT_CELL(v.meta, 0, "input_location", "/reports/r.xml");
	cr_assert_str_eq(column(v.records, "source_ip"), "192.0.2.1|192.0.2.77|2001:db8:1::5");
	cr_assert_str_eq(column(v.records, "count"), "10|5|4");
	cr_assert_str_eq(column(v.records, "total_rows"), "3|3|3");
	ASSERT_CELL(v.records, 1, "disposition", "reject");
	ASSERT_CELL(v.records, 1, "dkim_results", "example.com/s1=fail");
	tu_table_free(v.meta);
	tu_table_free(v.records);

	/* An unknown id: not found, no row. */
	v.meta = tu_table_new();
	v.records = tu_table_new();
	found = true;
	cr_assert_eq(store_dash_report(d.st, 999, &found, collect_meta, collect_records, &v, &e), 0,
	    "%s", e.msg);
	cr_assert_not(found);
	cr_assert_eq(v.meta->nrows + v.records->nrows, 0);
	tu_table_free(v.meta);
	tu_table_free(v.records);
	db_close(&d);
}

/* ---- failure reports, inputs, reporters ---- */

static void
put_failure(struct db *d, const char *domain, const char *ip, int64_t arrival, unsigned seed)
{
	struct failure_report f;
	enum store_failure_outcome out;
	struct errbuf e = { "" };

	memset(&f, 0, sizeof f);
	f.kind = FAILURE_DMARC;
	f.format = FAILURE_FORMAT_ARF;
	f.reporter = (char *)"mail.ru";
	f.feedback_type = (char *)"auth-failure";
	f.auth_failure = (char *)"dmarc";
	f.delivery_result = (char *)"reject";
	f.arrival_ts = arrival;
	snprintf(f.source_ip, sizeof f.source_ip, "%s", ip);
	f.source_ip_raw = (char *)ip;
	f.source_port = -1;
	f.incidents = 1;
	f.reported_domain = (char *)domain;
	f.sample_kind = FAILURE_SAMPLE_HEADERS;
	f.header_from = (char *)domain;
	f.sample_subject = (char *)"Your invoice";
	f.sample_headers = (char *)"Subject: Your invoice\n";
	sha_fill(f.content_sha256, 5000 + seed);
	cr_assert_eq(store_put_failure(d->st, 0, &f, false, &out, &e), 0, "%s", e.msg);
	cr_assert_eq(out, STORE_FAILURE_STORED);
}

Test(store_dash, failures_list_and_one)
{
	static const struct {
		const char *domain, *source;
		int64_t from, to;
		const char *ips, *aggregate;
	} cases[] = {
		{ NULL, NULL, 0, 0, "198.51.100.9|2001:db8:1::5|192.0.2.77", "3|0|5" },
		{ "example.org", NULL, 0, 0, "2001:db8:1::5", "0" },
		{ NULL, "192.0.2.0/24", 0, 0, "192.0.2.77", "5" },
		{ NULL, "2001:db8::/32", 0, 0, "2001:db8:1::5", "0" },
		{ NULL, NULL, D0, D0, "192.0.2.77", "5" },
	};
	struct errbuf e = { "" };
	struct tu_table *t;
	struct db d;
	bool found = false;
	size_t i;

	db_open(&d);
	put_failure(&d, "example.com", "192.0.2.77", DAY0 + 3600, 1);
	put_failure(&d, "example.org", "2001:db8:1::5", DAY0 + DAY + 60, 2);
	put_failure(&d, "example.com", "198.51.100.9", DAY0 + 2 * DAY, 3);
	cr_assert_eq(store_batch_begin(d.st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_batch_commit(d.st, &e), 0, "%s", e.msg);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = { cases[i].domain, cases[i].from, cases[i].to, NULL,
			DASH_RESULT_ALL, cases[i].source };
		struct dash_page page = { NULL, false, 50, 0 };

		t = tu_table_new();
		cr_assert_eq(store_dash_failures(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(column(t, "source_ip"), cases[i].ips, "case %zu: %s", i,
		    column(t, "source_ip"));
		cr_assert_str_eq(column(t, "aggregate_messages"), cases[i].aggregate,
		    "case %zu: %s", i, column(t, "aggregate_messages"));
		tu_table_free(t);
	}
	/* the newest's columns, and paging */
	{
		struct dash_filter f = { NULL, 0, 0, NULL, DASH_RESULT_ALL, NULL };
		struct dash_page page = { NULL, false, 1, 1 };

		t = tu_table_new();
		cr_assert_eq(store_dash_failures(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_eq(t->nrows, 1);
		ASSERT_CELL(t, 0, "arrival_date", "2024-01-02T00:01:00Z");
		ASSERT_CELL(t, 0, "reporter", "mail.ru");
		ASSERT_CELL(t, 0, "reported_domain", "example.org");
		ASSERT_CELL(t, 0, "auth_failure", "dmarc");
		ASSERT_CELL(t, 0, "delivery_result", "reject");
		ASSERT_CELL(t, 0, "subject", "Your invoice");
		ASSERT_CELL(t, 0, "total_rows", "3");
		tu_table_free(t);
	}
	t = tu_table_new();
	cr_assert_eq(store_dash_failure(d.st, 2, &found, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert(found);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "source_ip", "2001:db8:1::5");
	ASSERT_CELL(t, 0, "sample_headers", "Subject: Your invoice\n");
	ASSERT_CELL(t, 0, "sample_body", "NULL");
	ASSERT_CELL(t, 0, "incidents", "1");
	ASSERT_CELL(t, 0, "flags", "");
	tu_table_free(t);
	t = tu_table_new();
	cr_assert_eq(store_dash_failure(d.st, 99, &found, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_not(found);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	db_close(&d);
}

Test(store_dash, inputs_and_reporters)
{
	struct dash_page page = { NULL, false, 2, 0 };
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct db d;

	db_open(&d);
	cr_assert_eq(store_dash_inputs(d.st, NULL, &page, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(column(t, "id"), "4|3");
	cr_assert_str_eq(column(t, "total_rows"), "4|4");
	ASSERT_CELL(t, 0, "status", "stored");
	ASSERT_CELL(t, 0, "source", "file");
	ASSERT_CELL(t, 0, "location", "/reports/r.xml");
	ASSERT_CELL(t, 0, "kind", "aggregate");
	ASSERT_CELL(t, 0, "reports_stored", "1");
	ASSERT_CELL(t, 0, "records", "1");
	ASSERT_CELL(t, 1, "records", "2");
	tu_table_free(t);
	t = tu_table_new();
	cr_assert_eq(store_dash_inputs(d.st, "refused", &page, tu_table_collect, t, &e), 0, "%s",
	    e.msg);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);

	t = tu_table_new();
	cr_assert_eq(store_dash_reporters(d.st, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(column(t, "org_key"), "google.com|yahoo");
	cr_assert_str_eq(column(t, "org_name"), "google.com|yahoo");
	cr_assert_str_eq(column(t, "reports"), "3|1");
	tu_table_free(t);
	db_close(&d);
}

Test(store_dash, readonly_handle_answers)
{
	struct dash_filter f = window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct store *ro = NULL;
	struct db d;

	db_open(&d);
	cr_assert_eq(store_open(d.path, STORE_READONLY, &ro, &e), 0, "%s", e.msg);
	cr_assert_eq(store_dash_domains(ro, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(column(t, "messages"), "42|9");
	store_close(ro);
	tu_table_free(t);
	db_close(&d);
}
