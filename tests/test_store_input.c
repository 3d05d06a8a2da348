/*
 * Tests for store/: the days a report is attributed to (FORMATS.md "Time
 * attribution"), odd values, inputs seen again or refused, and a hundred
 * thousand records.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flags.h"
#include "report.h"
#include "store.h"
#include "store_fixture.h"
#include "testutil.h"
#include "tu_table.h"

/* ---- time attribution (FORMATS.md "Time attribution") ---- */

static const char *
day_messages(struct store *st, enum export_kind kind, int64_t day_start)
{
	static char buf[32];
	struct tu_table *t = ts_export(st, kind, "example.com", day_start, day_start + DAY - 1);

	snprintf(buf, sizeof buf, "%s", t->nrows == 0 ? "none" : tu_table_cell(t, 0, "messages"));
	tu_table_free(t);
	return buf;
}

Test(store, long_report_splits_over_days)
{
	static const struct {
		int64_t begin, end, count;
		const char *days[4]; /* messages on DAY0 .. DAY0+3 */
	} cases[] = {
		/* three whole days: 10/3 each, the remainder goes to the earliest */
		{ DAY0, DAY0 + 3 * DAY - 1, 10, { "4", "3", "3", "none" } },
		/* 12 h + 24 h + 24 h: 7 * (0.2, 0.4, 0.4) = 1.4, 2.8, 2.8 */
		{ DAY0 + DAY / 2, DAY0 + 3 * DAY - 1, 7, { "1", "3", "3", "none" } },
		/* exactly 36 h: not split, attributed to the midpoint's day */
		{ DAY0 + DAY / 2, DAY0 + 2 * DAY, 9, { "none", "9", "none", "none" } },
		/* a huge count splits exactly */
		{ DAY0, DAY0 + 3 * DAY - 1, INT64_MAX,
		    { "3074457345618258603", "3074457345618258602", "3074457345618258602",
		        "none" } },
		/* zero messages: one row on the midpoint's day */
		{ DAY0, DAY0 + 4 * DAY - 1, 0, { "none", "0", "none", "none" } },
	};
	size_t i, d;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = ts_db_path();
		struct store *st = ts_open(path, STORE_READWRITE);
		struct agg_report r;
		struct agg_record rec;

		ts_make_report(&r, "google.com", "r1", "example.com", cases[i].begin, cases[i].end,
		    1);
		ts_make_record(&rec, "192.0.2.1", cases[i].count, DMARC_PASS, DMARC_FAIL,
		    DISP_NONE);
		ts_ingest(st, 1, &r, &rec, 1);
		for (d = 0; d < 4; d++) {
			cr_assert_str_eq(day_messages(st, EXPORT_SOURCES, DAY0 + (int64_t)d * DAY),
			    cases[i].days[d], "case %zu day %zu (sources)", i, d);
			cr_assert_str_eq(day_messages(st, EXPORT_DOMAINS, DAY0 + (int64_t)d * DAY),
			    cases[i].days[d], "case %zu day %zu (domains)", i, d);
		}
		if (cases[i].count != INT64_MAX)
			cr_assert_eq(ts_scalar(path, "SELECT sum(messages) FROM rollup"),
			    cases[i].count);
		store_close(st);
		ts_drop_db(path);
	}
}

Test(store, split_report_counts_in_window_and_first_seen)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record rec;
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0 + DAY / 2, DAY0 + 3 * DAY - 1,
	    1);
	ts_make_record(&rec, "192.0.2.1", 7, DMARC_PASS, DMARC_FAIL, DISP_REJECT);
	ts_ingest(st, 1, &r, &rec, 1);
	t = ts_export(st, EXPORT_DOMAINS, NULL, DAY0 + DAY, DAY0 + 2 * DAY - 1);
	ASSERT_CELL(t, 0, "messages", "3");
	ASSERT_CELL(t, 0, "dmarc_pass", "3");
	ASSERT_CELL(t, 0, "dkim_aligned", "3");
	ASSERT_CELL(t, 0, "spf_aligned", "0");
	ASSERT_CELL(t, 0, "disposition_reject", "3");
	ASSERT_CELL(t, 0, "reports", "1");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-02");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	t = ts_export_all(st, EXPORT_SOURCES);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "7");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-03");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

Test(store, report_spanning_too_many_days_fails)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct errbuf e = { "" };
	int64_t id;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + 400 * DAY, 1);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), -1);
	cr_assert(strstr(e.msg, "401 days") != NULL, "%s", e.msg);
	store_input_abort(st);
	store_batch_rollback(st);
	store_close(st);
	ts_drop_db(path);
}

/* ---- odd values ---- */

Test(store, invalid_ip_rolls_up_under_empty_source)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	ts_make_record(&recs[0], "", 3, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	ts_make_record(&recs[1], "", 2, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	ts_make_record(&recs[2], "192.0.2.9", 1, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	recs[0].flags = recs[1].flags = W_IP_INVALID;
	ts_ingest(st, 1, &r, recs, 3);
	t = ts_export_all(st, EXPORT_SOURCES);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "source_ip", "");
	ASSERT_CELL(t, 0, "messages", "5");
	ASSERT_CELL(t, 0, "disposition_reject", "5");
	tu_table_free(t);
	t = ts_export_all(st, EXPORT_RECORDS);
	ASSERT_CELL(t, 0, "source_ip", "");
	ASSERT_CELL(t, 0, "flags", "W_IP_INVALID");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

Test(store, counts_near_int64_max_saturate)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[2];
	struct store_counts c;
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	ts_make_record(&recs[0], "192.0.2.1", INT64_MAX, DMARC_PASS, DMARC_PASS, DISP_NONE);
	ts_make_record(&recs[1], "192.0.2.1", INT64_MAX - 1, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	c = ts_ingest(st, 1, &r, recs, 2);
	cr_assert_eq(c.reports_stored, 1);
	/* A second report adds to the same rollup row. */
	ts_make_report(&r, "yahoo.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 2);
	c = ts_ingest(st, 2, &r, recs, 1);
	cr_assert_eq(c.reports_stored, 1);
	t = ts_export_all(st, EXPORT_REPORTS);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	tu_table_free(t);
	t = ts_export_all(st, EXPORT_SOURCES);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	ASSERT_CELL(t, 0, "spf_aligned", "9223372036854775807");
	ASSERT_CELL(t, 0, "pass_rate", "1.0000");
	tu_table_free(t);
	t = ts_export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

/* ---- inputs ---- */

Test(store, input_seen_counts_again)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct errbuf e = { "" };
	uint8_t sha[32];
	bool seen = true;
	int64_t id;

	ts_sha_fill(sha, 1 + 1000);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert_not(seen);
	id = ts_begin_input(st, 1);
	ts_end_input(st, id, STORE_INPUT_STORED, NULL, NULL, 0);
	/* Seen inside the same batch, before the commit. */
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert(seen);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert(seen);
	cr_assert_eq(ts_scalar(path, "SELECT times_seen FROM input"), 3);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM input WHERE status = 'stored' AND "
	                 "kind = 'aggregate' AND subject = 'Report Domain: example.com' AND "
	                 "location = '/tmp/report.eml' AND raw_size = 1234"),
	    1);
	/* Recording the same bytes twice is refused. */
	cr_assert_eq(store_batch_begin(st, &e), 0);
	{
		struct input_meta m = { sha, 1, "file", "x" };

		cr_assert_eq(store_input_begin(st, &m, &id, &e), -1);
		cr_assert(strstr(e.msg, "already recorded") != NULL, "%s", e.msg);
	}
	store_batch_rollback(st);
	store_close(st);
	ts_drop_db(path);
}

struct refused_walk {
	struct store *st;
	int calls;
	int64_t id;
	char location[64];
	char raw[16];
	size_t len;
	bool store_it;
};

static int
on_refused(void *ctx, int64_t input_id, const char *location, const void *raw, size_t len)
{
	struct refused_walk *w = ctx;
	struct store_counts c = { 1, 0, 0, 2 };

	w->calls++;
	w->id = input_id;
	snprintf(w->location, sizeof w->location, "%s", location);
	w->len = len < sizeof w->raw ? len : sizeof w->raw;
	memcpy(w->raw, raw, w->len);
	if (w->store_it) {
		struct errbuf e = { "" };

		cr_assert_eq(store_input_reopen(w->st, input_id, &e), 0, "%s", e.msg);
		ts_end_input(w->st, input_id, STORE_INPUT_STORED, &c, raw, len);
	}
	return 0;
}

Test(store, refused_input_keeps_raw_for_reprocessing)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct refused_walk w = { .st = st };
	struct errbuf e = { "" };
	int64_t refused, stored;

	cr_assert_eq(store_batch_begin(st, &e), 0);
	refused = ts_begin_input(st, 1);
	ts_end_input(st, refused, STORE_INPUT_REFUSED, NULL, "<feedback>", 10);
	stored = ts_begin_input(st, 2);
	ts_end_input(st, stored, STORE_INPUT_STORED, NULL, "<feedback/>", 11);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input WHERE raw IS NOT NULL"), 1);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM input WHERE refusal_code = "
	                 "'E_XML_MALFORMED' AND reason = 'bad XML'"),
	    1);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM input WHERE refusal_code IS NULL "
	                 "AND reason IS NULL"),
	    1);

	cr_assert_eq(store_each_refused(st, on_refused, &w, &e), 0, "%s", e.msg);
	cr_assert_eq(w.calls, 1);
	cr_assert_eq(w.id, refused);
	cr_assert_str_eq(w.location, "/tmp/report.eml");
	cr_assert_eq(w.len, 10);
	cr_assert_eq(memcmp(w.raw, "<feedback>", 10), 0);

	/* Reprocessed successfully: the raw bytes go, and the walk finds nothing. */
	w.calls = 0;
	w.store_it = true;
	cr_assert_eq(store_batch_begin(st, &e), 0);
	cr_assert_eq(store_each_refused(st, on_refused, &w, &e), 0, "%s", e.msg);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(w.calls, 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input WHERE raw IS NOT NULL"), 0);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT records FROM input WHERE status = 'stored' "
	                 "AND reports_stored = 1 ORDER BY id LIMIT 1"),
	    2);
	w.calls = 0;
	cr_assert_eq(store_each_refused(st, on_refused, &w, &e), 0, "%s", e.msg);
	cr_assert_eq(w.calls, 0);
	store_close(st);
	ts_drop_db(path);
}

/* ---- volume ---- */

static int
count_rows(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	(void)ncols;
	(void)names;
	(void)cells;
	(*(long *)ctx)++;
	return 0;
}

Test(store, hundred_thousand_records_in_one_batch, .timeout = 240)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record rec;
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct timespec t0, t1;
	int64_t id;
	size_t i;
	int n = 100000;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts_make_report(&r, "google.com", "big", "example.com", DAY0, DAY0 + DAY - 1, 1);
	ts_make_record(&rec, "192.0.2.1", 3, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	r.totals.records = (uint64_t)n;
	r.totals.messages = 3 * (uint64_t)n;
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < (size_t)n; i++) {
		snprintf(rec.source_ip, sizeof rec.source_ip, "10.%zu.%zu.%zu", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		cr_assert_eq(sink.record(sink.ctx, &r, &rec, &e), 0, "%s", e.msg);
	}
	cr_assert_eq(sink.end(sink.ctx, &r, &e), 0, "%s", e.msg);
	ts_end_input(st, id, STORE_INPUT_STORED, &c, NULL, 0);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_log_info("100k records stored in %.2f s",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	cr_assert_eq(c.records, (uint64_t)n);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record"), n);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM rollup"), n);
	t = ts_export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "300000");
	ASSERT_CELL(t, 0, "sources", "100000");
	tu_table_free(t);

	/* A time budget cuts a long query off with a clear reason, then lifts. */
	{
		struct export_filter all = { NULL, INT64_MIN, INT64_MAX };
		struct timespec pause = { 0, 5000000 };
		long rows = 0;

		store_time_budget(st, 1);
		nanosleep(&pause, NULL);
		cr_expect_eq(store_export(st, EXPORT_RECORDS, &all, count_rows, &rows, &e), -1);
		cr_expect(store_timed_out(st));
		cr_expect_not_null(strstr(e.msg, "took longer than 1 ms"), "%s", e.msg);
		store_time_budget(st, 0);
		rows = 0;
		cr_expect_eq(store_export(st, EXPORT_RECORDS, &all, count_rows, &rows, &e), 0, "%s",
		    e.msg);
		cr_expect_eq(rows, n);
		cr_expect(!store_timed_out(st));
	}
	store_close(st);
	ts_drop_db(path);
}
