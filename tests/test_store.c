/*
 * Tests for store/: opening and migrations, the report sink and the
 * exports, duplicates and conflicts, atomicity. The rest: test_store_input.c.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flags.h"
#include "report.h"
#include "store.h"
#include "store_fixture.h"
#include "testutil.h"
#include "tu_table.h"

/* ---- opening and migrations ---- */

Test(store, open_creates_and_migrates)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	int64_t version;

	store_close(st);
	version = ts_scalar(path, "PRAGMA user_version");
	cr_assert_geq(version, 1);
	cr_assert_eq(
	    ts_scalar(path,
	        "SELECT count(*) FROM sqlite_schema WHERE name IN "
	        "('input', 'report', 'record', 'record_dkim', 'record_spf', 'record_reason', "
	        "'record_day', 'report_conflict', 'rollup')"),
	    9);
	/* Reopening applies nothing and keeps the data. */
	st = ts_open(path, STORE_READWRITE);
	store_close(st);
	cr_assert_eq(ts_scalar(path, "PRAGMA user_version"), version);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input"), 0);
	ts_drop_db(path);
}

/* The mode of path (its permission bits), or -1 when it does not exist. */
static int
file_mode(const char *path, const char *suffix)
{
	char name[4096];
	struct stat sb;

	snprintf(name, sizeof name, "%s%s", path, suffix);
	return stat(name, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/* It holds failure-report headers and refused mail: 0600 under the usual umask 022. */
Test(store, a_new_database_and_its_wal_and_shm_are_0600)
{
	char *path = ts_db_path();
	mode_t old = umask(022);
	struct store *st = ts_open(path, STORE_READWRITE);

	umask(old);
	cr_expect_eq(file_mode(path, ""), 0600, "the database is %04o", file_mode(path, ""));
	cr_expect_eq(file_mode(path, "-wal"), 0600, "-wal is %04o", file_mode(path, "-wal"));
	cr_expect_eq(file_mode(path, "-shm"), 0600, "-shm is %04o", file_mode(path, "-shm"));
	cr_expect_null(store_warning(st));
	store_close(st);
	ts_drop_db(path);
}

/* An existing database keeps its mode; one other users can read is a warning. */
Test(store, an_existing_database_open_to_others_gets_a_warning)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);

	store_close(st);
	cr_assert_eq(chmod(path, 0644), 0);
	st = ts_open(path, STORE_READWRITE);
	cr_assert_not_null(store_warning(st));
	cr_expect_not_null(strstr(store_warning(st), "is open to other users (mode 0644)"), "%s",
	    store_warning(st));
	cr_expect_eq(file_mode(path, ""), 0644);
	store_close(st);
	st = ts_open(path, STORE_READONLY);
	cr_expect_null(store_warning(st), "read-only opens (exports, the dashboard) stay quiet");
	store_close(st);
	cr_assert_eq(chmod(path, 0640), 0);
	st = ts_open(path, STORE_READWRITE);
	cr_expect_null(store_warning(st), "0640 is the owner's choice: %s", store_warning(st));
	store_close(st);
	ts_drop_db(path);
}

Test(store, uses_wal)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	sqlite3 *db;
	sqlite3_stmt *s;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	store_close(st);
	ts_drop_db(path);
}

Test(store, readonly_reads_but_cannot_write)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE), *ro;
	struct agg_report r;
	struct agg_record rec;
	struct errbuf e = { "" };
	struct tu_table *t;
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct input_outcome o = { .status = STORE_INPUT_STORED, .kind = "aggregate" };
	uint8_t sha[32] = { 0 };
	struct input_meta m = { sha, 1, "file", "x" };
	bool seen;
	int64_t id = 0;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	ts_make_record(&rec, "192.0.2.1", 5, DMARC_PASS, DMARC_PASS, DISP_NONE);
	ts_ingest(st, 1, &r, &rec, 1);
	ro = ts_open(path, STORE_READONLY);
	t = ts_export_all(ro, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "5");
	tu_table_free(t);
	cr_assert_eq(store_batch_begin(ro, &e), -1);
	cr_assert(strstr(e.msg, "read-only") != NULL, "%s", e.msg);
	cr_assert_eq(store_input_seen(ro, sha, &seen, &e), -1);
	/* A read-only handle has no writer's state: every write is refused, none crashes. */
	cr_assert_eq(store_input_begin(ro, &m, &id, &e), -1);
	cr_assert_eq(store_input_end(ro, id, &o, NULL, 0, &e), -1);
	cr_assert(strstr(e.msg, "read-only") != NULL, "%s", e.msg);
	store_input_abort(ro);
	store_report_sink(ro, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), -1);
	cr_assert(strstr(e.msg, "read-only") != NULL, "%s", e.msg);
	cr_assert_eq(sink.record(sink.ctx, &r, &rec, &e), -1);
	cr_assert_eq(sink.end(sink.ctx, &r, &e), -1);
	sink.abort(sink.ctx);
	store_batch_rollback(ro);
	cr_assert_null(store_warning(ro));
	store_close(ro);
	store_close(st);
	ts_drop_db(path);
}

Test(store, readonly_refuses_missing_or_old_database)
{
	char *path = ts_db_path();
	struct store *st = NULL;
	struct errbuf e = { "" };
	sqlite3 *db;

	cr_assert_eq(store_open(path, STORE_READONLY, &st, &e), -1);
	cr_assert_null(st);
	/* An empty database (schema version 0) is not migrated by a reader. */
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE x (a)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(store_open(path, STORE_READONLY, &st, &e), -1);
	cr_assert(strstr(e.msg, "database needs migration") != NULL, "%s", e.msg);
	/* A newer schema than ours is refused in both modes. */
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(store_open(path, STORE_READWRITE, &st, &e), -1);
	cr_assert(strstr(e.msg, "newer") != NULL, "%s", e.msg);
	ts_drop_db(path);
}

Test(store, export_kinds_and_columns)
{
	static const struct {
		const char *name;
		enum export_kind kind;
		size_t ncols;
		const char *first, *last;
	} cases[] = {
		{ "reports", EXPORT_REPORTS, 19, "org_name", "suspect" },
		{ "records", EXPORT_RECORDS, 23, "org_name", "country" },
		{ "sources", EXPORT_SOURCES, 21, "policy_domain", "country" },
		{ "domains", EXPORT_DOMAINS, 20, "policy_domain", "testing" },
	};
	const char *const *names;
	enum export_kind kind;
	size_t i, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(export_kind_parse(cases[i].name, &kind), 0);
		cr_assert_eq(kind, cases[i].kind);
		store_export_columns(kind, &n, &names);
		cr_assert_eq(n, cases[i].ncols, "%s", cases[i].name);
		cr_assert_str_eq(names[0], cases[i].first);
		cr_assert_str_eq(names[n - 1], cases[i].last);
	}
	cr_assert_eq(export_kind_parse("Reports", &kind), -1);
	cr_assert_eq(export_kind_parse("", &kind), -1);
}

/* ---- the report sink and the exports ---- */

static void
three_records(struct agg_record recs[3])
{
	ts_make_record(&recs[0], "192.0.2.1", 10, DMARC_PASS, DMARC_PASS, DISP_NONE);
	ts_make_record(&recs[1], "192.0.2.1", 5, DMARC_FAIL, DMARC_PASS, DISP_PASS);
	ts_make_record(&recs[2], "2001:db8::1", 4, DMARC_FAIL, DMARC_FAIL, DISP_QUARANTINE);
	recs[2].n_reasons = 2;
	recs[2].reasons[0].type = OVERRIDE_FORWARDED;
	recs[2].reasons[1].type = OVERRIDE_LOCAL_POLICY;
	recs[2].reasons[1].comment = (char *)"arc=pass";
	recs[2].n_dkim = 2;
	recs[2].dkim[1].domain = (char *)"esp.example.net";
	recs[2].dkim[1].selector = NULL;
	recs[2].dkim[1].result = AUTH_PASS;
	recs[2].flags = W_DKIM_NO_SELECTOR | W_ENUM_CASE;
	recs[2].envelope_to = (char *)"example.org";
}

Test(store, report_through_sink_shows_in_exports)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	r.flags = W_ORG_FALLBACK;
	three_records(recs);
	c = ts_ingest(st, 1, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.reports_duplicate + c.reports_conflict, 0);
	cr_assert_eq(c.records, 3);

	t = ts_export_all(st, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "org_name", "google.com");
	ASSERT_CELL(t, 0, "begin", "2024-01-01T00:00:00Z");
	ASSERT_CELL(t, 0, "end", "2024-01-01T23:59:59Z");
	ASSERT_CELL(t, 0, "records", "3");
	ASSERT_CELL(t, 0, "messages", "19");
	ASSERT_CELL(t, 0, "dmarc_pass", "15");
	ASSERT_CELL(t, 0, "dkim_aligned", "10");
	ASSERT_CELL(t, 0, "spf_aligned", "15");
	ASSERT_CELL(t, 0, "dialect", "rfc7489");
	ASSERT_CELL(t, 0, "p", "reject");
	ASSERT_CELL(t, 0, "sp", "quarantine");
	ASSERT_CELL(t, 0, "pct", "100");
	ASSERT_CELL(t, 0, "adkim", "r");
	ASSERT_CELL(t, 0, "aspf", "s");
	ASSERT_CELL(t, 0, "flags", "W_ORG_FALLBACK");
	tu_table_free(t);

	t = ts_export_all(st, EXPORT_RECORDS);
	cr_assert_eq(t->nrows, 3);
	ASSERT_CELL(t, 0, "source_ip", "192.0.2.1");
	ASSERT_CELL(t, 0, "dmarc_pass", "1");
	ASSERT_CELL(t, 0, "reasons", "NULL");
	ASSERT_CELL(t, 0, "flags", "");
	ASSERT_CELL(t, 1, "disposition", "pass");
	ASSERT_CELL(t, 1, "dkim_aligned", "fail");
	ASSERT_CELL(t, 1, "spf_aligned", "pass");
	ASSERT_CELL(t, 2, "source_ip", "2001:db8::1");
	ASSERT_CELL(t, 2, "count", "4");
	ASSERT_CELL(t, 2, "dmarc_pass", "0");
	ASSERT_CELL(t, 2, "envelope_to", "example.org");
	ASSERT_CELL(t, 2, "envelope_from", "NULL");
	ASSERT_CELL(t, 2, "reasons", "forwarded; local_policy: arc=pass");
	ASSERT_CELL(t, 2, "dkim_results", "example.com/s1=fail; esp.example.net/=pass");
	ASSERT_CELL(t, 2, "spf_results", "bounce.example.com/mfrom=softfail");
	ASSERT_CELL(t, 2, "flags", "W_ENUM_CASE,W_DKIM_NO_SELECTOR");
	tu_table_free(t);

	t = ts_export_all(st, EXPORT_SOURCES);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "source_ip", "192.0.2.1");
	ASSERT_CELL(t, 0, "messages", "15");
	ASSERT_CELL(t, 0, "dmarc_pass", "15");
	ASSERT_CELL(t, 0, "pass_rate", "1.0000");
	ASSERT_CELL(t, 0, "dkim_aligned", "10");
	ASSERT_CELL(t, 0, "disposition_none", "15");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-01");
	ASSERT_CELL(t, 1, "source_ip", "2001:db8::1");
	ASSERT_CELL(t, 1, "pass_rate", "0.0000");
	ASSERT_CELL(t, 1, "disposition_quarantine", "4");
	tu_table_free(t);

	t = ts_export(st, EXPORT_DOMAINS, "example.com", INT64_MIN, INT64_MAX);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "policy_domain", "example.com");
	ASSERT_CELL(t, 0, "messages", "19");
	ASSERT_CELL(t, 0, "dmarc_pass", "15");
	ASSERT_CELL(t, 0, "pass_rate", "0.7895");
	ASSERT_CELL(t, 0, "sources", "2");
	ASSERT_CELL(t, 0, "reports", "1");
	ASSERT_CELL(t, 0, "p", "reject");
	ASSERT_CELL(t, 0, "np", "NULL");
	ASSERT_CELL(t, 0, "testing", "NULL");
	tu_table_free(t);

	/*
	 * Filters: the report's domain and begin show it; another domain, or a
	 * window before the report, show nothing.
	 */
	t = ts_export(st, EXPORT_RECORDS, "example.com", DAY0, DAY0);
	cr_assert_eq(t->nrows, 3);
	ASSERT_CELL(t, 2, "count", "4");
	tu_table_free(t);
	t = ts_export(st, EXPORT_RECORDS, "example.org", INT64_MIN, INT64_MAX);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	t = ts_export(st, EXPORT_SOURCES, NULL, INT64_MIN, DAY0 - 1);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

Test(store, domains_show_latest_policy)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record rec;
	struct tu_table *t;

	ts_make_record(&rec, "192.0.2.1", 1, DMARC_PASS, DMARC_PASS, DISP_NONE);
	ts_make_report(&r, "google.com", "r2", "example.com", DAY0 + DAY, DAY0 + 2 * DAY - 1, 2);
	r.p = POLICY_QUARANTINE;
	r.testing = 'y';
	ts_ingest(st, 2, &r, &rec, 1);
	ts_make_report(&r, "yahoo.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	r.p = POLICY_NONE;
	ts_ingest(st, 1, &r, &rec, 1);

	t = ts_export_all(st, EXPORT_DOMAINS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "reports", "2");
	ASSERT_CELL(t, 0, "p", "quarantine");
	ASSERT_CELL(t, 0, "testing", "y");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	/* As of the first day, the policy then published shows. */
	t = ts_export(st, EXPORT_DOMAINS, NULL, DAY0, DAY0 + DAY - 1);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "reports", "1");
	ASSERT_CELL(t, 0, "p", "none");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

/* ---- duplicates and conflicts (FORMATS.md "Duplicates and conflicts") ---- */

Test(store, same_report_again_is_duplicate)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ts_ingest(st, 1, &r, recs, 3);
	c = ts_ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(c.reports_conflict, 0);
	cr_assert_eq(c.records, 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record"), 3);
	t = ts_export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "19");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

Test(store, same_key_other_content_is_conflict)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ts_ingest(st, 1, &r, recs, 3);
	ts_sha_fill(r.xml_sha256, 2);
	recs[0].count = 1000;
	c = ts_ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_conflict, 1);
	cr_assert_eq(c.reports_duplicate, 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report_conflict"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT messages FROM report_conflict"), 1009);
	t = ts_export_all(st, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "19");
	tu_table_free(t);
	/* The same newcomer again: still a conflict, noted once. */
	c = ts_ingest(st, 3, &r, recs, 3);
	cr_assert_eq(c.reports_conflict, 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report_conflict"), 1);
	store_close(st);
	ts_drop_db(path);
}

Test(store, same_content_other_key_is_duplicate)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ts_ingest(st, 1, &r, recs, 3);
	r.org_name = (char *)"Google Inc.";
	r.org_key = (char *)"google inc.";
	c = ts_ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record"), 3);
	cr_assert_eq(ts_scalar(path, "SELECT sum(messages) FROM rollup"), 19);
	store_close(st);
	ts_drop_db(path);
}

Test(store, reused_report_id_other_period_is_stored)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	ts_make_report(&r, "mimecast", "same-id", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ts_ingest(st, 1, &r, recs, 3);
	ts_make_report(&r, "mimecast", "same-id", "example.com", DAY0 + DAY, DAY0 + 2 * DAY - 1, 2);
	c = ts_ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 1);
	t = ts_export_all(st, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "begin", "2024-01-01T00:00:00Z");
	ASSERT_CELL(t, 1, "begin", "2024-01-02T00:00:00Z");
	tu_table_free(t);
	t = ts_export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "38");
	tu_table_free(t);
	store_close(st);
	ts_drop_db(path);
}

Test(store, duplicate_within_one_input)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	ts_stream(st, id, &r, recs, 3, &c);
	ts_stream(st, id, &r, recs, 3, &c);
	ts_end_input(st, id, STORE_INPUT_STORED, &c, NULL, 0);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(c.records, 3);
	cr_assert_eq(ts_scalar(path, "SELECT records FROM input"), 3);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input WHERE raw IS NULL"), 1);
	store_close(st);
	ts_drop_db(path);
}

/* ---- atomicity ---- */

Test(store, sink_abort_leaves_nothing)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct errbuf e = { "" };
	int64_t id;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + 3 * DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(sink.record(sink.ctx, &r, &recs[0], &e), 0, "%s", e.msg);
	cr_assert_eq(sink.record(sink.ctx, &r, &recs[2], &e), 0, "%s", e.msg);
	sink.abort(sink.ctx);
	/* The input goes on: a later report in it is stored normally. */
	ts_make_report(&r, "google.com", "r2", "example.com", DAY0, DAY0 + DAY - 1, 2);
	ts_stream(st, id, &r, recs, 1, &c);
	ts_end_input(st, id, STORE_INPUT_PARTIAL, &c, "xml", 3);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.records, 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record_dkim"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record_reason"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record_day"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT sum(messages) FROM rollup"), 10);
	store_close(st);
	ts_drop_db(path);
}

Test(store, input_abort_leaves_nothing)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	ts_stream(st, id, &r, recs, 3, &c);
	store_input_abort(st);
	/* The batch goes on with the next input. */
	c = (struct store_counts){ 0 };
	id = ts_begin_input(st, 2);
	ts_end_input(st, id, STORE_INPUT_REFUSED, &c, "junk", 4);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input"), 1);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM record"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM rollup"), 0);
	store_close(st);
	ts_drop_db(path);
}

Test(store, batch_rollback_leaves_nothing)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = ts_begin_input(st, 1);
	ts_stream(st, id, &r, recs, 3, &c);
	ts_end_input(st, id, STORE_INPUT_STORED, &c, NULL, 0);
	store_batch_rollback(st);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM input"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 0);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM rollup"), 0);
	/* And the store is usable again: the same input can now be stored. */
	ts_ingest(st, 1, &r, recs, 3);
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM report"), 1);
	store_close(st);
	ts_drop_db(path);
}
