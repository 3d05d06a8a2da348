/* The dashboard tests' database (dash_db.h). */
#include "dash_db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_table.h"

/* The column col of every row, joined by "|". */
char *
tdb_column(const struct tu_table *t, const char *col)
{
	static char out[1024];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < t->nrows; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i > 0 ? "|" : "",
		    tu_table_cell(t, i, col));
	return out;
}

void
tdb_sha_fill(uint8_t sha[32], unsigned seed)
{
	size_t i;

	for (i = 0; i < 32; i++)
		sha[i] = (uint8_t)(seed * 37 + i);
}

void
tdb_rec_set(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
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
int64_t
tdb_put_period(struct tdb *d, const char *org, const char *id, const char *domain, int64_t begin,
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
	tdb_sha_fill(r.xml_sha256, ++d->inputs);
	for (i = 0; i < n; i++) {
		r.totals.records++;
		r.totals.messages += (uint64_t)recs[i].count;
		if (agg_record_dmarc_pass(&recs[i]))
			r.totals.dmarc_pass += (uint64_t)recs[i].count;
	}
	tdb_sha_fill(sha, 1000 + d->inputs);
	cr_assert_eq(store_batch_begin(d->st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_input_begin(d->st, &m, &input_id, &e), 0, "%s", e.msg);
	store_report_sink(d->st, input_id, &c, &sink);
	cr_assert_eq(sink.begin(sink.ctx, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < n; i++)
		cr_assert_eq(sink.record(sink.ctx, &r, &recs[i], &e), 0, "%s", e.msg);
	cr_assert_eq(sink.end(sink.ctx, &r, &e), 0, "%s", e.msg);
	o.status = STORE_INPUT_STORED;
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
int64_t
tdb_put_report(struct tdb *d, const char *org, const char *id, const char *domain, int64_t day,
    enum policy p, const struct agg_record *recs, size_t n)
{
	return tdb_put_period(d, org, id, domain, day * DAY, day * DAY + DAY - 1, p, recs, n);
}

/* An empty database. */
void
tdb_open_empty(struct tdb *d)
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
void
tdb_open(struct tdb *d)
{
	struct agg_record recs[3];

	tdb_open_empty(d);
	tdb_rec_set(&recs[0], "192.0.2.1", 10, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	tdb_rec_set(&recs[1], "192.0.2.77", 5, DMARC_FAIL, DMARC_FAIL, DISP_REJECT, "example.com");
	tdb_rec_set(&recs[2], "2001:db8:1::5", 4, DMARC_FAIL, DMARC_PASS, DISP_NONE,
	    "news.example.com");
	d->report_ids[0] =
	    tdb_put_report(d, "google.com", "g1", "example.com", D0, POLICY_REJECT, recs, 3);
	tdb_rec_set(&recs[0], "192.0.2.1", 20, DMARC_PASS, DMARC_FAIL, DISP_NONE, "example.com");
	tdb_rec_set(&recs[1], "198.51.100.9", 3, DMARC_FAIL, DMARC_FAIL, DISP_QUARANTINE,
	    "example.com");
	d->report_ids[1] =
	    tdb_put_report(d, "yahoo", "y1", "example.com", D0 + 1, POLICY_QUARANTINE, recs, 2);
	tdb_rec_set(&recs[0], "2001:db8:1:ffff::1", 7, DMARC_FAIL, DMARC_FAIL, DISP_REJECT,
	    "example.org");
	tdb_rec_set(&recs[1], "", 2, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.org");
	d->report_ids[2] =
	    tdb_put_report(d, "google.com", "g2", "example.org", D0 + 1, POLICY_REJECT, recs, 2);
	tdb_rec_set(&recs[0], "192.0.2.1", 100, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	d->report_ids[3] =
	    tdb_put_report(d, "google.com", "g0", "example.com", D0 - 2, POLICY_NONE, recs, 1);
}

void
tdb_close(struct tdb *d)
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
struct dash_filter
tdb_window(void)
{
	struct dash_filter f = { NULL, D0, D0 + 1, NULL, DASH_RESULT_ALL, NULL, NULL, 0, NULL };

	return f;
}
