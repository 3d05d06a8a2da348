/*
 * Tests for store/store_dash.c: the dashboard queries
 * on a small database built through the report sink (dash_db.h): the
 * overview, the chart, records, reports, failure reports, inputs and
 * reporters; dash_source_range. The sources: test_store_dash_src.c.
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
#include "dash_db.h"
#include "testutil.h"
#include "tu_table.h"

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
	struct dash_filter f = tdb_window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct tdb d;

	tdb_open(&d);
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
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "policy_domain"), cases[i].domains, "case %zu", i);
		if (t->nrows > 0) {
			cr_assert_str_eq(tdb_column(t, "messages"), cases[i].messages, "case %zu",
			    i);
			cr_assert_str_eq(tdb_column(t, "dmarc_pass"), cases[i].pass, "case %zu", i);
			cr_assert_str_eq(tdb_column(t, "disposition_quarantine"),
			    cases[i].quarantine, "case %zu", i);
			cr_assert_str_eq(tdb_column(t, "disposition_reject"), cases[i].reject,
			    "case %zu", i);
			cr_assert_str_eq(tdb_column(t, "sources"), cases[i].sources, "case %zu", i);
		}
		tu_table_free(t);
	}
	tdb_close(&d);
}

Test(store_dash, bad_source_filter_is_an_error)
{
	struct dash_filter f = tdb_window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct tdb d;

	tdb_open(&d);
	f.source = "192.0.2.0/40";
	cr_assert_eq(store_dash_domains(d.st, &f, tu_table_collect, t, &e), -1);
	cr_assert(strstr(e.msg, "192.0.2.0/40") != NULL, "%s", e.msg);
	tu_table_free(t);
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();

		f.domain = cases[i].domain;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "day"), cases[i].days, "case %zu", i);
		cr_assert_str_eq(tdb_column(t, "messages"), cases[i].messages, "case %zu", i);
		cr_assert_str_eq(tdb_column(t, "dmarc_pass"), cases[i].pass, "case %zu", i);
		cr_assert_str_eq(tdb_column(t, "dmarc_fail"), cases[i].fail, "case %zu", i);
		cr_assert_str_eq(tdb_column(t, "pass_rate"), cases[i].rate, "case %zu", i);
		tu_table_free(t);
	}
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();
		struct dash_page page = { NULL, false, cases[i].limit, cases[i].offset };

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(tdb_column(t, "source_ip"), cases[i].ips, "case %zu: %s", i,
		    tdb_column(t, "source_ip"));
		if (t->nrows > 0)
			cr_assert_str_eq(tu_table_cell(t, 0, "total_rows"), cases[i].total,
			    "case %zu: %s", i, tu_table_cell(t, 0, "total_rows"));
		tu_table_free(t);
	}

	/* One record's columns. */
	{
		struct dash_filter f = tdb_window();
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
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();
		struct dash_page page = { cases[i].sort, cases[i].descending, cases[i].limit,
			cases[i].offset };

		f.domain = cases[i].domain;
		f.reporter = cases[i].reporter;
		f.source = cases[i].source;
		f.result = cases[i].result;
		t = tu_table_new();
		cr_assert_eq(store_dash_reports(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(tdb_column(t, "report_id"), cases[i].ids, "case %zu", i);
		ASSERT_CELL(t, 0, "total_rows", cases[i].total);
		tu_table_free(t);
	}
	/* The columns of one report. */
	{
		struct dash_filter f = tdb_window();
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
	tdb_close(&d);
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
	struct tdb d;
	bool found = false;

	tdb_open(&d);
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
	cr_assert_str_eq(tdb_column(v.records, "source_ip"), "192.0.2.1|192.0.2.77|2001:db8:1::5");
	cr_assert_str_eq(tdb_column(v.records, "count"), "10|5|4");
	cr_assert_str_eq(tdb_column(v.records, "total_rows"), "3|3|3");
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
	tdb_close(&d);
}

/* ---- failure reports, inputs, reporters ---- */

static void
put_failure(struct tdb *d, const char *domain, const char *ip, int64_t arrival, unsigned seed)
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
	tdb_sha_fill(f.content_sha256, 5000 + seed);
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
	struct tdb d;
	bool found = false;
	size_t i;

	tdb_open(&d);
	put_failure(&d, "example.com", "192.0.2.77", DAY0 + 3600, 1);
	put_failure(&d, "example.org", "2001:db8:1::5", DAY0 + DAY + 60, 2);
	put_failure(&d, "example.com", "198.51.100.9", DAY0 + 2 * DAY, 3);
	cr_assert_eq(store_batch_begin(d.st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_batch_commit(d.st, &e), 0, "%s", e.msg);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = { cases[i].domain, cases[i].from, cases[i].to, NULL,
			DASH_RESULT_ALL, cases[i].source, NULL, 0, NULL };
		struct dash_page page = { NULL, false, 50, 0 };

		t = tu_table_new();
		cr_assert_eq(store_dash_failures(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s",
		    e.msg);
		cr_assert_str_eq(tdb_column(t, "source_ip"), cases[i].ips, "case %zu: %s", i,
		    tdb_column(t, "source_ip"));
		cr_assert_str_eq(tdb_column(t, "aggregate_messages"), cases[i].aggregate,
		    "case %zu: %s", i, tdb_column(t, "aggregate_messages"));
		tu_table_free(t);
	}
	/* the newest's columns, and paging */
	{
		struct dash_filter f = { NULL, 0, 0, NULL, DASH_RESULT_ALL, NULL, NULL, 0, NULL };
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
	tdb_close(&d);
}

Test(store_dash, inputs_and_reporters)
{
	struct dash_page page = { NULL, false, 2, 0 };
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct tdb d;

	tdb_open(&d);
	cr_assert_eq(store_dash_inputs(d.st, NULL, &page, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "id"), "4|3");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "4|4");
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
	cr_assert_str_eq(tdb_column(t, "org_key"), "google.com|yahoo");
	cr_assert_str_eq(tdb_column(t, "org_name"), "google.com|yahoo");
	cr_assert_str_eq(tdb_column(t, "reports"), "3|1");
	tu_table_free(t);
	tdb_close(&d);
}

Test(store_dash, readonly_handle_answers)
{
	struct dash_filter f = tdb_window();
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct store *ro = NULL;
	struct tdb d;

	tdb_open(&d);
	cr_assert_eq(store_open(d.path, STORE_READONLY, &ro, &e), 0, "%s", e.msg);
	cr_assert_eq(store_dash_domains(ro, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "messages"), "42|9");
	store_close(ro);
	tu_table_free(t);
	tdb_close(&d);
}
