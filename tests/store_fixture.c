/* The store tests' helpers (store_fixture.h). */
#include "store_fixture.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_table.h"

char *
ts_db_path(void)
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
void
ts_drop_db(char *path)
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

struct store *
ts_open(const char *path, enum store_mode mode)
{
	struct store *st = NULL;
	struct errbuf e = { "" };

	cr_assert_eq(store_open(path, mode, &st, &e), 0, "store_open: %s", e.msg);
	return st;
}

/* Runs one scalar query on a separate connection (what a reader would see). */
int64_t
ts_scalar(const char *path, const char *sql)
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

void
ts_sha_fill(uint8_t sha[32], unsigned seed)
{
	size_t i;

	for (i = 0; i < 32; i++)
		sha[i] = (uint8_t)(seed * 31 + i);
}

void
ts_make_report(struct agg_report *r, const char *org, const char *id, const char *domain,
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
	ts_sha_fill(r->xml_sha256, hash_seed);
}

void
ts_make_record(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
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

void
ts_compute_totals(struct agg_report *r, const struct agg_record *recs, size_t n)
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
void
ts_stream(struct store *st, int64_t input_id, struct agg_report *r, const struct agg_record *recs,
    size_t n, struct store_counts *counts)
{
	struct report_sink sink;
	struct errbuf e = { "" };
	size_t i;
	int rc;

	ts_compute_totals(r, recs, n);
	store_report_sink(st, input_id, counts, &sink);
	rc = sink.begin(sink.ctx, r, &e);
	cr_assert_neq(rc, -1, "begin: %s", e.msg);
	for (i = 0; i < n; i++)
		cr_assert_eq(sink.record(sink.ctx, r, &recs[i], &e), 0, "record: %s", e.msg);
	cr_assert_eq(sink.end(sink.ctx, r, &e), 0, "end: %s", e.msg);
}

int64_t
ts_begin_input(struct store *st, unsigned seed)
{
	uint8_t sha[32];
	struct input_meta m = { sha, 1234, "file", "/tmp/report.eml" };
	struct errbuf e = { "" };
	int64_t id = 0;

	ts_sha_fill(sha, seed + 1000);
	cr_assert_eq(store_input_begin(st, &m, &id, &e), 0, "input_begin: %s", e.msg);
	return id;
}

void
ts_end_input(struct store *st, int64_t id, enum store_input_status status,
    const struct store_counts *c, const void *raw, size_t len)
{
	struct input_outcome o = { 0 };
	struct errbuf e = { "" };

	o.status = status;
	o.kind = "aggregate";
	o.subject = "Report Domain: example.com";
	o.refusal_code = status == STORE_INPUT_REFUSED ? "E_XML_MALFORMED" : "";
	o.reason = status == STORE_INPUT_REFUSED ? "bad XML" : "";
	o.reports_stored = c != NULL ? c->reports_stored : 0;
	o.reports_duplicate = c != NULL ? c->reports_duplicate : 0;
	o.records = c != NULL ? c->records : 0;
	cr_assert_eq(store_input_end(st, id, &o, raw, len, &e), 0, "input_end: %s", e.msg);
}

/* One input carrying one report, in its own batch. */
struct store_counts
ts_ingest(struct store *st, unsigned input_seed, struct agg_report *r,
    const struct agg_record *recs, size_t n)
{
	struct store_counts c = { 0 };
	struct errbuf e = { "" };
	int64_t id;

	cr_assert_eq(store_batch_begin(st, &e), 0, "batch: %s", e.msg);
	id = ts_begin_input(st, input_seed);
	ts_stream(st, id, r, recs, n, &c);
	ts_end_input(st, id, STORE_INPUT_STORED, &c, "raw", 3);
	cr_assert_eq(store_batch_commit(st, &e), 0, "commit: %s", e.msg);
	return c;
}

struct tu_table *
ts_export(struct store *st, enum export_kind kind, const char *domain, int64_t since, int64_t until)
{
	struct export_filter f = { domain, since, until };
	struct tu_table *t = tu_table_new();
	struct errbuf e = { "" };

	cr_assert_not_null(t);
	cr_assert_eq(store_export(st, kind, &f, tu_table_collect, t, &e), 0, "export: %s", e.msg);
	return t;
}

struct tu_table *
ts_export_all(struct store *st, enum export_kind kind)
{
	return ts_export(st, kind, NULL, INT64_MIN, INT64_MAX);
}
