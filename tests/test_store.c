/* Tests for store/: migrations, the report sink, inputs, batches, exports. */
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
#include "testutil.h"

#define DAY0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY (INT64_C(86400))

/* ---- helpers ---- */

static char *
new_db_path(void)
{
	char *dir = tu_scratch_dir(), *path;
	size_t n = strlen(dir) + sizeof "/dmarcd.db";

	path = malloc(n);
	cr_assert_not_null(path);
	snprintf(path, n, "%s/dmarcd.db", dir);
	free(dir);
	return path;
}

/* Removes the database, its WAL files and its scratch directory; frees path. */
static void
drop_db(char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char name[4096];
	size_t i;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
		unlink(name);
	}
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

static struct store *
open_store(const char *path, enum store_mode mode)
{
	struct store *st = NULL;
	struct errbuf e = { "" };

	cr_assert_eq(store_open(path, mode, &st, &e), 0, "store_open: %s", e.msg);
	return st;
}

/* Runs one scalar query on a separate connection (what a reader would see). */
static int64_t
scalar(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
sha_fill(uint8_t sha[32], unsigned seed)
{
	size_t i;

	for (i = 0; i < 32; i++)
		sha[i] = (uint8_t)(seed * 31 + i);
}

static void
make_report(struct agg_report *r, const char *org, const char *id, const char *domain,
    int64_t begin, int64_t end, unsigned hash_seed)
{
	memset(r, 0, sizeof *r);
	r->dialect = DIALECT_RFC7489;
	r->org_name = (char *)org;
	r->org_key = (char *)org;
	r->org_email = (char *)"noreply-dmarc@example.net";
	r->report_id = (char *)id;
	r->begin_ts = begin;
	r->end_ts = end;
	r->policy_domain = (char *)domain;
	r->p = POLICY_REJECT;
	r->sp = POLICY_QUARANTINE;
	r->adkim = 'r';
	r->aspf = 's';
	r->pct = 100;
	sha_fill(r->xml_sha256, hash_seed);
}

static void
make_record(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
    enum dmarc_result spf, enum disposition disp)
{
	memset(rec, 0, sizeof *rec);
	snprintf(rec->source_ip, sizeof rec->source_ip, "%s", ip);
	rec->source_ip_raw = (char *)(ip[0] != '\0' ? ip : "999.1.2.3");
	rec->ip_family = ip[0] == '\0' ? 0 : strchr(ip, ':') != NULL ? 6 : 4;
	rec->count = count;
	rec->disposition = disp;
	rec->pe_dkim = dkim;
	rec->pe_spf = spf;
	rec->header_from = (char *)"example.com";
	rec->n_dkim = 1;
	rec->dkim[0].domain = (char *)"example.com";
	rec->dkim[0].selector = (char *)"s1";
	rec->dkim[0].result = dkim == DMARC_PASS ? AUTH_PASS : AUTH_FAIL;
	rec->n_spf = 1;
	rec->spf[0].domain = (char *)"bounce.example.com";
	rec->spf[0].scope = SPF_SCOPE_MFROM;
	rec->spf[0].result = spf == DMARC_PASS ? AUTH_PASS : AUTH_SOFTFAIL;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void
compute_totals(struct agg_report *r, const struct agg_record *recs, size_t n)
{
	size_t i;

	memset(&r->totals, 0, sizeof r->totals);
	for (i = 0; i < n; i++) {
		uint64_t c = (uint64_t)recs[i].count;

		r->totals.records++;
		r->totals.messages = sat_add(r->totals.messages, c);
		if (agg_record_dmarc_pass(&recs[i]))
			r->totals.dmarc_pass = sat_add(r->totals.dmarc_pass, c);
		if (recs[i].pe_dkim == DMARC_PASS)
			r->totals.dkim_aligned = sat_add(r->totals.dkim_aligned, c);
		if (recs[i].pe_spf == DMARC_PASS)
			r->totals.spf_aligned = sat_add(r->totals.spf_aligned, c);
	}
}

/* Streams one report through the sink; the caller holds an input open. */
static void
stream(struct store *st, int64_t input_id, struct agg_report *r, const struct agg_record *recs,
    size_t n, struct store_counts *counts)
{
	struct report_sink sink;
	struct errbuf e = { "" };
	size_t i;
	int rc;

	compute_totals(r, recs, n);
	store_report_sink(st, input_id, counts, &sink);
	rc = sink.begin(sink.ctx, r, &e);
	cr_assert_neq(rc, -1, "begin: %s", e.msg);
	for (i = 0; i < n; i++)
		cr_assert_eq(sink.record(sink.ctx, r, &recs[i], &e), 0, "record: %s", e.msg);
	cr_assert_eq(sink.end(sink.ctx, r, &e), 0, "end: %s", e.msg);
}

static int64_t
begin_input(struct store *st, unsigned seed)
{
	uint8_t sha[32];
	struct input_meta m = { sha, 1234, "file", "/tmp/report.eml" };
	struct errbuf e = { "" };
	int64_t id = 0;

	sha_fill(sha, seed + 1000);
	cr_assert_eq(store_input_begin(st, &m, &id, &e), 0, "input_begin: %s", e.msg);
	return id;
}

static void
end_input(struct store *st, int64_t id, enum input_status status, const struct store_counts *c,
    const void *raw, size_t len)
{
	struct input_outcome o = { 0 };
	struct errbuf e = { "" };

	o.status = status;
	o.kind = "aggregate";
	o.subject = "Report Domain: example.com";
	o.refusal_code = status == INPUT_REFUSED ? "E_XML_MALFORMED" : "";
	o.reason = status == INPUT_REFUSED ? "bad XML" : "";
	o.reports_stored = c != NULL ? c->reports_stored : 0;
	o.reports_duplicate = c != NULL ? c->reports_duplicate : 0;
	o.records = c != NULL ? c->records : 0;
	cr_assert_eq(store_input_end(st, id, &o, raw, len, &e), 0, "input_end: %s", e.msg);
}

/* One input carrying one report, in its own batch. */
static struct store_counts
ingest(struct store *st, unsigned input_seed, struct agg_report *r, const struct agg_record *recs,
    size_t n)
{
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	cr_assert_eq(store_batch_begin(st, &e), 0, "batch: %s", e.msg);
	id = begin_input(st, input_seed);
	stream(st, id, r, recs, n, &c);
	end_input(st, id, INPUT_STORED, &c, "raw", 3);
	cr_assert_eq(store_batch_commit(st, &e), 0, "commit: %s", e.msg);
	return c;
}

static struct tu_table *export(struct store *st, enum export_kind kind, const char *domain,
    int64_t since, int64_t until)
{
	struct export_filter f = { domain, since, until };
	struct tu_table *t = tu_table_new();
	struct errbuf e = { "" };

	cr_assert_not_null(t);
	cr_assert_eq(store_export(st, kind, &f, tu_table_collect, t, &e), 0, "export: %s", e.msg);
	return t;
}

static struct tu_table *
export_all(struct store *st, enum export_kind kind)
{
	return export(st, kind, NULL, INT64_MIN, INT64_MAX);
}

/* ---- opening and migrations ---- */

Test(store, open_creates_and_migrates)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	int64_t version;

	store_close(st);
	version = scalar(path, "PRAGMA user_version");
	cr_assert_geq(version, 1);
	cr_assert_eq(
	    scalar(path,
	        "SELECT count(*) FROM sqlite_schema WHERE name IN "
	        "('input', 'report', 'record', 'record_dkim', 'record_spf', 'record_reason', "
	        "'record_day', 'report_conflict', 'rollup')"),
	    9);
	/* Reopening applies nothing and keeps the data. */
	st = open_store(path, STORE_READWRITE);
	store_close(st);
	cr_assert_eq(scalar(path, "PRAGMA user_version"), version);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input"), 0);
	drop_db(path);
}

Test(store, uses_wal)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	sqlite3 *db;
	sqlite3_stmt *s;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	store_close(st);
	drop_db(path);
}

Test(store, readonly_reads_but_cannot_write)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE), *ro;
	struct agg_report r;
	struct agg_record rec;
	struct errbuf e = { "" };
	struct tu_table *t;
	bool seen;
	uint8_t sha[32] = { 0 };

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	make_record(&rec, "192.0.2.1", 5, DMARC_PASS, DMARC_PASS, DISP_NONE);
	ingest(st, 1, &r, &rec, 1);
	ro = open_store(path, STORE_READONLY);
	t = export_all(ro, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "5");
	tu_table_free(t);
	cr_assert_eq(store_batch_begin(ro, &e), -1);
	cr_assert(strstr(e.msg, "read-only") != NULL, "%s", e.msg);
	cr_assert_eq(store_input_seen(ro, sha, &seen, &e), -1);
	store_close(ro);
	store_close(st);
	drop_db(path);
}

Test(store, readonly_refuses_missing_or_old_database)
{
	char *path = new_db_path();
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
	drop_db(path);
}

Test(store, export_kinds_and_columns)
{
	static const struct {
		const char *name;
		enum export_kind kind;
		size_t ncols;
		const char *first, *last;
	} cases[] = {
		{ "reports", EXPORT_REPORTS, 18, "org_name", "flags" },
		{ "records", EXPORT_RECORDS, 18, "org_name", "flags" },
		{ "sources", EXPORT_SOURCES, 12, "policy_domain", "last_seen" },
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
	make_record(&recs[0], "192.0.2.1", 10, DMARC_PASS, DMARC_PASS, DISP_NONE);
	make_record(&recs[1], "192.0.2.1", 5, DMARC_FAIL, DMARC_PASS, DISP_PASS);
	make_record(&recs[2], "2001:db8::1", 4, DMARC_FAIL, DMARC_FAIL, DISP_QUARANTINE);
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
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	r.flags = W_ORG_FALLBACK;
	three_records(recs);
	c = ingest(st, 1, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.reports_duplicate + c.reports_conflict, 0);
	cr_assert_eq(c.records, 3);

	t = export_all(st, EXPORT_REPORTS);
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

	t = export_all(st, EXPORT_RECORDS);
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

	t = export_all(st, EXPORT_SOURCES);
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

	t = export(st, EXPORT_DOMAINS, "example.com", INT64_MIN, INT64_MAX);
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
	t = export(st, EXPORT_RECORDS, "example.com", DAY0, DAY0);
	cr_assert_eq(t->nrows, 3);
	ASSERT_CELL(t, 2, "count", "4");
	tu_table_free(t);
	t = export(st, EXPORT_RECORDS, "example.org", INT64_MIN, INT64_MAX);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	t = export(st, EXPORT_SOURCES, NULL, INT64_MIN, DAY0 - 1);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

Test(store, domains_show_latest_policy)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record rec;
	struct tu_table *t;

	make_record(&rec, "192.0.2.1", 1, DMARC_PASS, DMARC_PASS, DISP_NONE);
	make_report(&r, "google.com", "r2", "example.com", DAY0 + DAY, DAY0 + 2 * DAY - 1, 2);
	r.p = POLICY_QUARANTINE;
	r.testing = 'y';
	ingest(st, 2, &r, &rec, 1);
	make_report(&r, "yahoo.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	r.p = POLICY_NONE;
	ingest(st, 1, &r, &rec, 1);

	t = export_all(st, EXPORT_DOMAINS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "reports", "2");
	ASSERT_CELL(t, 0, "p", "quarantine");
	ASSERT_CELL(t, 0, "testing", "y");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	/* As of the first day, the policy then published shows. */
	t = export(st, EXPORT_DOMAINS, NULL, DAY0, DAY0 + DAY - 1);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "reports", "1");
	ASSERT_CELL(t, 0, "p", "none");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

/* ---- duplicates and conflicts (spec 6.5) ---- */

Test(store, same_report_again_is_duplicate)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ingest(st, 1, &r, recs, 3);
	c = ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(c.reports_conflict, 0);
	cr_assert_eq(c.records, 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record"), 3);
	t = export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "19");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

Test(store, same_key_other_content_is_conflict)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ingest(st, 1, &r, recs, 3);
	sha_fill(r.xml_sha256, 2);
	recs[0].count = 1000;
	c = ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_conflict, 1);
	cr_assert_eq(c.reports_duplicate, 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report_conflict"), 1);
	cr_assert_eq(scalar(path, "SELECT messages FROM report_conflict"), 1009);
	t = export_all(st, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "19");
	tu_table_free(t);
	/* The same newcomer again: still a conflict, noted once. */
	c = ingest(st, 3, &r, recs, 3);
	cr_assert_eq(c.reports_conflict, 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report_conflict"), 1);
	store_close(st);
	drop_db(path);
}

Test(store, same_content_other_key_is_duplicate)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ingest(st, 1, &r, recs, 3);
	r.org_name = (char *)"Google Inc.";
	r.org_key = (char *)"google inc.";
	c = ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 0);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record"), 3);
	cr_assert_eq(scalar(path, "SELECT sum(messages) FROM rollup"), 19);
	store_close(st);
	drop_db(path);
}

Test(store, reused_report_id_other_period_is_stored)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c;
	struct tu_table *t;

	make_report(&r, "mimecast", "same-id", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	ingest(st, 1, &r, recs, 3);
	make_report(&r, "mimecast", "same-id", "example.com", DAY0 + DAY, DAY0 + 2 * DAY - 1, 2);
	c = ingest(st, 2, &r, recs, 3);
	cr_assert_eq(c.reports_stored, 1);
	t = export_all(st, EXPORT_REPORTS);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "begin", "2024-01-01T00:00:00Z");
	ASSERT_CELL(t, 1, "begin", "2024-01-02T00:00:00Z");
	tu_table_free(t);
	t = export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "38");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

Test(store, duplicate_within_one_input)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	stream(st, id, &r, recs, 3, &c);
	stream(st, id, &r, recs, 3, &c);
	end_input(st, id, INPUT_STORED, &c, NULL, 0);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.reports_duplicate, 1);
	cr_assert_eq(c.records, 3);
	cr_assert_eq(scalar(path, "SELECT records FROM input"), 3);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input WHERE raw IS NULL"), 1);
	store_close(st);
	drop_db(path);
}

/* ---- atomicity ---- */

Test(store, sink_abort_leaves_nothing)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct errbuf e = { "" };
	int64_t id;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + 3 * DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(sink.record(sink.ctx, &r, &recs[0], &e), 0, "%s", e.msg);
	cr_assert_eq(sink.record(sink.ctx, &r, &recs[2], &e), 0, "%s", e.msg);
	sink.abort(sink.ctx);
	/* The input goes on: a later report in it is stored normally. */
	make_report(&r, "google.com", "r2", "example.com", DAY0, DAY0 + DAY - 1, 2);
	stream(st, id, &r, recs, 1, &c);
	end_input(st, id, INPUT_PARTIAL, &c, "xml", 3);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(c.records, 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record_dkim"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record_reason"), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record_day"), 0);
	cr_assert_eq(scalar(path, "SELECT sum(messages) FROM rollup"), 10);
	store_close(st);
	drop_db(path);
}

Test(store, input_abort_leaves_nothing)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	stream(st, id, &r, recs, 3, &c);
	store_input_abort(st);
	/* The batch goes on with the next input. */
	c = (struct store_counts){ 0 };
	id = begin_input(st, 2);
	end_input(st, id, INPUT_REFUSED, &c, "junk", 4);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input"), 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record"), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM rollup"), 0);
	store_close(st);
	drop_db(path);
}

Test(store, batch_rollback_leaves_nothing)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	three_records(recs);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	stream(st, id, &r, recs, 3, &c);
	end_input(st, id, INPUT_STORED, &c, NULL, 0);
	store_batch_rollback(st);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input"), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM rollup"), 0);
	/* And the store is usable again: the same input can now be stored. */
	ingest(st, 1, &r, recs, 3);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM report"), 1);
	store_close(st);
	drop_db(path);
}

/* ---- time attribution (spec 5.6) ---- */

static const char *
day_messages(struct store *st, enum export_kind kind, int64_t day_start)
{
	static char buf[32];
	struct tu_table *t = export(st, kind, "example.com", day_start, day_start + DAY - 1);

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
		char *path = new_db_path();
		struct store *st = open_store(path, STORE_READWRITE);
		struct agg_report r;
		struct agg_record rec;

		make_report(&r, "google.com", "r1", "example.com", cases[i].begin, cases[i].end, 1);
		make_record(&rec, "192.0.2.1", cases[i].count, DMARC_PASS, DMARC_FAIL, DISP_NONE);
		ingest(st, 1, &r, &rec, 1);
		for (d = 0; d < 4; d++) {
			cr_assert_str_eq(day_messages(st, EXPORT_SOURCES, DAY0 + (int64_t)d * DAY),
			    cases[i].days[d], "case %zu day %zu (sources)", i, d);
			cr_assert_str_eq(day_messages(st, EXPORT_DOMAINS, DAY0 + (int64_t)d * DAY),
			    cases[i].days[d], "case %zu day %zu (domains)", i, d);
		}
		if (cases[i].count != INT64_MAX)
			cr_assert_eq(scalar(path, "SELECT sum(messages) FROM rollup"),
			    cases[i].count);
		store_close(st);
		drop_db(path);
	}
}

Test(store, split_report_counts_in_window_and_first_seen)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record rec;
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0 + DAY / 2, DAY0 + 3 * DAY - 1, 1);
	make_record(&rec, "192.0.2.1", 7, DMARC_PASS, DMARC_FAIL, DISP_REJECT);
	ingest(st, 1, &r, &rec, 1);
	t = export(st, EXPORT_DOMAINS, NULL, DAY0 + DAY, DAY0 + 2 * DAY - 1);
	ASSERT_CELL(t, 0, "messages", "3");
	ASSERT_CELL(t, 0, "dmarc_pass", "3");
	ASSERT_CELL(t, 0, "dkim_aligned", "3");
	ASSERT_CELL(t, 0, "spf_aligned", "0");
	ASSERT_CELL(t, 0, "disposition_reject", "3");
	ASSERT_CELL(t, 0, "reports", "1");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-02");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-02");
	tu_table_free(t);
	t = export_all(st, EXPORT_SOURCES);
	cr_assert_eq(t->nrows, 1);
	ASSERT_CELL(t, 0, "messages", "7");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 0, "last_seen", "2024-01-03");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

Test(store, report_spanning_too_many_days_fails)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct store_counts c = { 0 };
	struct report_sink sink;
	struct errbuf e = { "" };
	int64_t id;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + 400 * DAY, 1);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), -1);
	cr_assert(strstr(e.msg, "401 days") != NULL, "%s", e.msg);
	store_input_abort(st);
	store_batch_rollback(st);
	store_close(st);
	drop_db(path);
}

/* ---- odd values ---- */

Test(store, invalid_ip_rolls_up_under_empty_source)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[3];
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	make_record(&recs[0], "", 3, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	make_record(&recs[1], "", 2, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	make_record(&recs[2], "192.0.2.9", 1, DMARC_FAIL, DMARC_FAIL, DISP_REJECT);
	recs[0].flags = recs[1].flags = W_IP_INVALID;
	ingest(st, 1, &r, recs, 3);
	t = export_all(st, EXPORT_SOURCES);
	cr_assert_eq(t->nrows, 2);
	ASSERT_CELL(t, 0, "source_ip", "");
	ASSERT_CELL(t, 0, "messages", "5");
	ASSERT_CELL(t, 0, "disposition_reject", "5");
	tu_table_free(t);
	t = export_all(st, EXPORT_RECORDS);
	ASSERT_CELL(t, 0, "source_ip", "");
	ASSERT_CELL(t, 0, "flags", "W_IP_INVALID");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

Test(store, counts_near_int64_max_saturate)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[2];
	struct store_counts c;
	struct tu_table *t;

	make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	make_record(&recs[0], "192.0.2.1", INT64_MAX, DMARC_PASS, DMARC_PASS, DISP_NONE);
	make_record(&recs[1], "192.0.2.1", INT64_MAX - 1, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	c = ingest(st, 1, &r, recs, 2);
	cr_assert_eq(c.reports_stored, 1);
	/* A second report adds to the same rollup row. */
	make_report(&r, "yahoo.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 2);
	c = ingest(st, 2, &r, recs, 1);
	cr_assert_eq(c.reports_stored, 1);
	t = export_all(st, EXPORT_REPORTS);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	tu_table_free(t);
	t = export_all(st, EXPORT_SOURCES);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	ASSERT_CELL(t, 0, "spf_aligned", "9223372036854775807");
	ASSERT_CELL(t, 0, "pass_rate", "1.0000");
	tu_table_free(t);
	t = export_all(st, EXPORT_DOMAINS);
	ASSERT_CELL(t, 0, "messages", "9223372036854775807");
	tu_table_free(t);
	store_close(st);
	drop_db(path);
}

/* ---- inputs ---- */

Test(store, input_seen_counts_again)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct errbuf e = { "" };
	uint8_t sha[32];
	bool seen = true;
	int64_t id;

	sha_fill(sha, 1 + 1000);
	cr_assert_eq(store_batch_begin(st, &e), 0);
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert_not(seen);
	id = begin_input(st, 1);
	end_input(st, id, INPUT_STORED, NULL, NULL, 0);
	/* Seen inside the same batch, before the commit. */
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert(seen);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(store_input_seen(st, sha, &seen, &e), 0, "%s", e.msg);
	cr_assert(seen);
	cr_assert_eq(scalar(path, "SELECT times_seen FROM input"), 3);
	cr_assert_eq(scalar(path,
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
	drop_db(path);
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
		end_input(w->st, input_id, INPUT_STORED, &c, raw, len);
	}
	return 0;
}

Test(store, refused_input_keeps_raw_for_reprocessing)
{
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
	struct refused_walk w = { .st = st };
	struct errbuf e = { "" };
	int64_t refused, stored;

	cr_assert_eq(store_batch_begin(st, &e), 0);
	refused = begin_input(st, 1);
	end_input(st, refused, INPUT_REFUSED, NULL, "<feedback>", 10);
	stored = begin_input(st, 2);
	end_input(st, stored, INPUT_STORED, NULL, "<feedback/>", 11);
	cr_assert_eq(store_batch_commit(st, &e), 0);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input WHERE raw IS NOT NULL"), 1);
	cr_assert_eq(scalar(path,
	                 "SELECT count(*) FROM input WHERE refusal_code = "
	                 "'E_XML_MALFORMED' AND reason = 'bad XML'"),
	    1);
	cr_assert_eq(scalar(path,
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
	cr_assert_eq(scalar(path, "SELECT count(*) FROM input WHERE raw IS NOT NULL"), 0);
	cr_assert_eq(scalar(path,
	                 "SELECT records FROM input WHERE status = 'stored' "
	                 "AND reports_stored = 1 ORDER BY id LIMIT 1"),
	    2);
	w.calls = 0;
	cr_assert_eq(store_each_refused(st, on_refused, &w, &e), 0, "%s", e.msg);
	cr_assert_eq(w.calls, 0);
	store_close(st);
	drop_db(path);
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
	char *path = new_db_path();
	struct store *st = open_store(path, STORE_READWRITE);
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
	make_report(&r, "google.com", "big", "example.com", DAY0, DAY0 + DAY - 1, 1);
	make_record(&rec, "192.0.2.1", 3, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	r.totals.records = (uint64_t)n;
	r.totals.messages = 3 * (uint64_t)n;
	cr_assert_eq(store_batch_begin(st, &e), 0);
	id = begin_input(st, 1);
	store_report_sink(st, id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < (size_t)n; i++) {
		snprintf(rec.source_ip, sizeof rec.source_ip, "10.%zu.%zu.%zu", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		cr_assert_eq(sink.record(sink.ctx, &r, &rec, &e), 0, "%s", e.msg);
	}
	cr_assert_eq(sink.end(sink.ctx, &r, &e), 0, "%s", e.msg);
	end_input(st, id, INPUT_STORED, &c, NULL, 0);
	cr_assert_eq(store_batch_commit(st, &e), 0, "%s", e.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_log_info("100k records stored in %.2f s",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	cr_assert_eq(c.records, (uint64_t)n);
	cr_assert_eq(c.reports_stored, 1);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM record"), n);
	cr_assert_eq(scalar(path, "SELECT count(*) FROM rollup"), n);
	t = export_all(st, EXPORT_DOMAINS);
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
	drop_db(path);
}
