/*
 * Tests for store/store_dash_src.c: the dashboard's sources (by address
 * and by network, filters, pages, sorts, the walk of the failing networks)
 * on the database of dash_db.h.
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

/* ---- sources ---- */

Test(store_dash, sources_by_address_and_by_network)
{
	struct dash_filter f = tdb_window();
	struct dash_page page = { NULL, false, 50, 0 };
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct tdb d;

	tdb_open(&d);
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "source"),
	    "192.0.2.1|2001:db8:1:ffff::1|192.0.2.77|2001:db8:1::5|198.51.100.9|");
	cr_assert_str_eq(tdb_column(t, "policy_domain"),
	    "example.com|example.org|example.com|example.com|example.com|example.org");
	cr_assert_str_eq(tdb_column(t, "messages"), "30|7|5|4|3|2");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "6|6|6|6|6|6");
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
	cr_assert_str_eq(tdb_column(t, "source"),
	    "192.0.2.0/24|2001:db8:1::/48|2001:db8:1::/48|198.51.100.0/24|");
	cr_assert_str_eq(tdb_column(t, "policy_domain"),
	    "example.com|example.org|example.com|example.com|example.org");
	cr_assert_str_eq(tdb_column(t, "messages"), "35|7|4|3|2");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "5|5|5|5|5");
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
	cr_assert_str_eq(tdb_column(t, "source"), "192.0.2.0/24");
	ASSERT_CELL(t, 0, "messages", "35");
	ASSERT_CELL(t, 0, "dmarc_pass", "30");
	ASSERT_CELL(t, 0, "reporters", "google.com, yahoo");
	ASSERT_CELL(t, 0, "header_from", "example.com");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	ASSERT_CELL(t, 0, "total_rows", "5");
	tu_table_free(t);
	tdb_close(&d);
}

/*
 * A report of 48 hours is split over the three days it touches (12 h, 24 h,
 * 12 h + 1 s: 1, 2 and 1 of 4 messages); a one-day window sees its part,
 * whichever way the query reads it (records, rollup by address range).
 */
Test(store_dash, long_report_counts_its_part_of_the_window)
{
	static const char *const sources[] = { NULL, "203.0.113.0/24" };
	struct dash_filter f = { NULL, D0, D0, NULL, DASH_RESULT_ALL, NULL, NULL, 0, NULL };
	struct dash_page page = { NULL, false, 50, 0 };
	struct agg_record rec;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct tdb d;
	size_t i;

	tdb_open(&d);
	tdb_rec_set(&rec, "203.0.113.5", 4, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.net");
	tdb_put_period(&d, "google.com", "long", "example.net", DAY0 - DAY / 2,
	    DAY0 + DAY + DAY / 2, POLICY_REJECT, &rec, 1);
	f.domain = "example.net";
	for (i = 0; i < 2; i++) {
		f.source = sources[i];
		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "source"), "203.0.113.5", "%zu", i);
		ASSERT_CELL(t, 0, "messages", "2");
		ASSERT_CELL(t, 0, "disposition_reject", "2");
		ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
		ASSERT_CELL(t, 0, "last_seen", "2024-01-01");
		tu_table_free(t);
		t = tu_table_new();
		cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "messages"), "2", "%zu", i);
		tu_table_free(t);
	}
	/* The whole period: 4 over three days. */
	f.day_from = D0 - 1;
	f.day_to = D0 + 1;
	f.source = NULL;
	t = tu_table_new();
	cr_assert_eq(store_dash_daily(d.st, &f, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "day"), "2023-12-31|2024-01-01|2024-01-02");
	cr_assert_str_eq(tdb_column(t, "messages"), "1|2|1");
	tu_table_free(t);
	t = tu_table_new();
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	ASSERT_CELL(t, 0, "messages", "4");
	ASSERT_CELL(t, 0, "first_seen", "2023-12-31");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	tdb_close(&d);
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
		cr_assert_eq(
		    store_dash_sources(d.st, &f, cases[i].g, &page, NULL, tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    tdb_column(t, "source"));
		cr_assert_str_eq(tdb_column(t, "messages"), cases[i].messages, "case %zu", i);
		tu_table_free(t);
	}
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();
		struct dash_page page = { cases[i].sort, cases[i].descending, cases[i].limit,
			cases[i].offset };

		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    tdb_column(t, "source"));
		if (t->nrows > 0)
			ASSERT_CELL(t, 0, "total_rows", "6");
		tu_table_free(t);
	}
	tdb_close(&d);
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
	struct tdb d;
	size_t i;

	tdb_open(&d);
	tdb_rec_set(&recs[0], "192.0.2.200", 30, DMARC_FAIL, DMARC_FAIL, DISP_REJECT,
	    "example.com");
	tdb_rec_set(&recs[1], "192.0.2.201", 12, DMARC_FAIL, DMARC_FAIL, DISP_NONE, "example.com");
	tdb_put_report(&d, "yahoo", "y2", "example.com", D0, POLICY_REJECT, recs, 2);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = tdb_window();
		struct dash_page page = { NULL, false, cases[i].limit, 0 };

		f.result = DASH_RESULT_FAIL;
		t = tu_table_new();
		cr_assert_eq(store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL,
		                 tu_table_collect, t, &e),
		    0, "%s", e.msg);
		cr_assert_str_eq(tdb_column(t, "source"), cases[i].sources, "case %zu: %s", i,
		    tdb_column(t, "source"));
		cr_assert_str_eq(tdb_column(t, "messages"), cases[i].messages, "case %zu", i);
		ASSERT_CELL(t, 0, "dmarc_pass", "0");
		ASSERT_CELL(t, 0, "total_rows", "5");
		tu_table_free(t);
	}
	tdb_close(&d);
}

/*
 * A network's failing messages bound its sources' only among the networks
 * in source: 203.0.113.0/24 (40 messages, 1 failing) ends the walk for the
 * failing sources after 192.0.2.0/24 (5 failing), but the light
 * 2001:db8:1::/48 of example.org (7 failing) still comes first.
 */
Test(store_dash, failing_walk_does_not_stop_above_light_networks)
{
	struct dash_filter f = tdb_window();
	struct dash_page page = { NULL, false, 1, 0 };
	struct agg_record recs[2];
	struct errbuf e = { "" };
	struct tu_table *t = tu_table_new();
	struct tdb d;

	tdb_open(&d);
	tdb_rec_set(&recs[0], "203.0.113.9", 39, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	tdb_rec_set(&recs[1], "203.0.113.9", 1, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.com");
	tdb_put_report(&d, "yahoo", "y3", "example.com", D0, POLICY_REJECT, recs, 2);
	f.result = DASH_RESULT_FAIL;
	cr_assert_eq(
	    store_dash_sources(d.st, &f, DASH_GROUP_IP, &page, NULL, tu_table_collect, t, &e), 0,
	    "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "source"), "2001:db8:1:ffff::1");
	ASSERT_CELL(t, 0, "messages", "7");
	tu_table_free(t);
	tdb_close(&d);
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
	tdb_rec_set(rec, ip,
	    day == 0        ? 10 + (i * 37) % 90 :
	        i % 10 == 0 ? 10 + i % 13 :
	                      1 + i % 9,
	    dkim ? DMARC_PASS : DMARC_FAIL, spf ? DMARC_PASS : DMARC_FAIL,
	    i % 7 == 0 ? DISP_REJECT : DISP_NONE, "example.com");
}

static void
scope_db(struct tdb *d)
{
	static const char *const domains[] = { "a.example", "b.example" };
	struct agg_record *recs = calloc(SCOPE_SOURCES / 2, sizeof recs[0]);
	char(*ips)[16] = calloc(SCOPE_SOURCES / 2, sizeof ips[0]);
	char id[16];
	unsigned i, k;
	int day, dom;

	cr_assert(recs != NULL && ips != NULL);
	tdb_open_empty(d);
	for (day = 0; day < 2; day++) {
		for (dom = 0; dom < 2; dom++) {
			for (i = (unsigned)dom, k = 0; i < SCOPE_SOURCES; i += 2, k++)
				scope_record(i, day, &recs[k], ips[k], sizeof ips[k]);
			snprintf(id, sizeof id, "s%d%d", day, dom);
			tdb_put_report(d, day == 0 ? "google.com" : "yahoo", id, domains[dom],
			    D0 + day, POLICY_REJECT, recs, k);
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
		/* deep pages of the default order come from the walk up to DASH_WALK_MAX */
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "messages", true, 980, 50 },
		{ 0, 1, DASH_RESULT_ALL, DASH_GROUP_PREFIX, "messages", true, 1100, 50 },
		{ 1, 1, DASH_RESULT_ALL, DASH_GROUP_IP, "messages", true, 1050, 50 },
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "messages", true, 0, 50 },
		/* the failing sources are fewer than 1,000: the sort covers them all */
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "first_seen", true, 0, 50 },
		{ 0, 1, DASH_RESULT_FAIL, DASH_GROUP_IP, "messages", false, 690, 50 },
	};
	struct scope_src *want = calloc(SCOPE_SOURCES, sizeof want[0]);
	struct dash_sort_scope scope;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct tdb d;
	size_t i, n, k, top;
	char text[32], total[32];
	unsigned j;

	cr_assert_not_null(want);
	scope_db(&d);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dash_filter f = { NULL, D0 + cases[i].from, D0 + cases[i].to, NULL,
			cases[i].result, NULL, NULL, 0, NULL };
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
	tdb_close(&d);
}
