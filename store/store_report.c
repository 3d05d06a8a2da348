/*
 * store: the report sink. Deduplicates each report (FORMATS.md "Duplicates and
 * conflicts"), stores its records with one prepared insert per row (the first
 * DKIM and SPF results inline), splits the counts of long reports over days
 * (FORMATS.md "Time attribution"), and sums the rollups in memory
 * (store_rollup.c), added at the report's end.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "days.h"

/* Reports longer than this are split over the days they overlap. */
#define SPAN_SPLIT (36 * 3600)

static const char *
auth_text(enum auth_result r)
{
	const char *name = auth_result_name(r);

	return name != NULL ? name : "unknown";
}

/* Binds 'r', 's', 'y', 'n' as a one-letter string, or NULL for 0. */
static int
bind_letter(sqlite3_stmt *s, int i, char c)
{
	if (c == 0)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, &c, 1, SQLITE_TRANSIENT);
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Decides the days a report is attributed to, and each day's share of it. */
static int
attribute(struct sink_state *k, const struct agg_report *r, struct errbuf *e)
{
	int64_t b = r->begin_ts, en = r->end_ts, last, d, lo, hi;
	size_t i;

	/* the producer refuses implausible periods (report.h): these guard against its bugs */
	if (b < 0 || b > BOUND_TS_MAX || en < b || en > BOUND_TS_MAX) {
		errbuf_set(e, "store: report period %lld..%lld out of range (a parser bug)",
		    (long long)b, (long long)en);
		return -1;
	}
	k->begin_ts = b;
	k->end_ts = en;
	k->mid_day = days_of(b + (en - b) / 2);
	if (en - b <= SPAN_SPLIT) {
		k->day_first = k->mid_day;
		k->ndays = 1;
		return 0;
	}
	k->day_first = days_of(b);
	last = days_of(en);
	if (last - k->day_first >= BOUND_REPORT_DAYS) {
		errbuf_set(e, "store: report spans %lld days (at most %d; a parser bug)",
		    (long long)(last - k->day_first + 1), BOUND_REPORT_DAYS);
		return -1;
	}
	k->ndays = (size_t)(last - k->day_first + 1);
	k->span = (uint64_t)(en - b) + 1; /* both ends are inclusive seconds */
	for (i = 0; i < k->ndays; i++) {
		d = k->day_first + (int64_t)i;
		lo = max64(b, d * 86400);
		hi = min64(en, d * 86400 + 86399);
		k->overlap[i] = (uint32_t)(hi - lo + 1);
	}
	return 0;
}

static int
by_remainder(const void *a, const void *b)
{
	const struct day_share *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->day < y->day ? -1 : x->day > y->day;
}

/*
 * Splits count (> 0) over the report's days in proportion to their seconds,
 * exactly: floor shares first, then one more to the days with the largest
 * remainders until the parts add up. count * overlap can exceed 64 bits,
 * so each share is (count / span) * overlap + (count % span) * overlap / span.
 */
static void
split_count(struct sink_state *k, int64_t count)
{
	uint64_t c = (uint64_t)count, q, r, prod, left = c;
	size_t i;

	q = c / k->span;
	r = c % k->span;
	for (i = 0; i < k->ndays; i++) {
		prod = r * k->overlap[i];
		k->parts[i] = (int64_t)(q * k->overlap[i] + prod / k->span);
		k->shares[i].rem = prod % k->span;
		k->shares[i].day = i;
		left -= (uint64_t)k->parts[i];
	}
	if (left == 0)
		return;
	qsort(k->shares, k->ndays, sizeof k->shares[0], by_remainder);
	for (i = 0; i < left; i++)
		k->parts[k->shares[i].day]++;
}

/* Returns 1 and enters SINK_SKIPPING when the key is stored, 0 when not, -1. */
static int
find_by_key(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REPORT_BY_KEY];
	struct sink_state *k = &st->w->sink;
	const void *sha;
	int rc;

	if ((store_bind_text(s, 1, r->org_key) | store_bind_text(s, 2, r->report_id) |
	        store_bind_text(s, 3, r->policy_domain) | sqlite3_bind_int64(s, 4, r->begin_ts)) !=
	    SQLITE_OK)
		return store_fail(st, "looking up a report", e);
	if ((rc = store_step(st, s, "looking up a report", e)) == -1)
		return -1;
	if (rc == SQLITE_ROW) {
		k->row = sqlite3_column_int64(s, 0);
		sha = sqlite3_column_blob(s, 1);
		k->found_has_sha256 = sha != NULL && sqlite3_column_bytes(s, 1) == 32;
		if (k->found_has_sha256)
			memcpy(k->found_sha256, sha, 32);
		k->phase = SINK_SKIPPING;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW;
}

/* Inserts the report row (totals 0). Returns 0, 1 when its key exists, or -1. */
static int
insert_report(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REPORT_INSERT];
	struct sink_state *k = &st->w->sink;
	int rc;

	rc = sqlite3_bind_int64(s, 1, k->input_id) |
	    store_bind_text(s, 2, dialect_name(r->dialect)) |
	    store_bind_text(s, 3, r->xml_namespace) | store_bind_text(s, 4, r->xml_version) |
	    store_bind_text(s, 5, r->org_name) | store_bind_text(s, 6, r->org_key) |
	    store_bind_text(s, 7, r->org_email) | store_bind_text(s, 8, r->extra_contact) |
	    store_bind_text(s, 9, r->generator) | store_bind_text(s, 10, r->report_id) |
	    sqlite3_bind_int64(s, 11, r->begin_ts) | sqlite3_bind_int64(s, 12, r->end_ts) |
	    sqlite3_bind_int64(s, 13, k->day_first) |
	    sqlite3_bind_int64(s, 14, k->day_first + (int64_t)k->ndays - 1) |
	    store_bind_text(s, 15, r->errors) | store_bind_text(s, 16, r->policy_domain) |
	    store_bind_text(s, 17, policy_name(r->p)) | store_bind_text(s, 18, policy_name(r->sp)) |
	    store_bind_text(s, 19, policy_name(r->np)) | bind_letter(s, 20, r->adkim) |
	    bind_letter(s, 21, r->aspf) | bind_letter(s, 22, r->testing) |
	    (r->pct < 0 ? sqlite3_bind_null(s, 23) : sqlite3_bind_int(s, 23, r->pct)) |
	    store_bind_text(s, 24, r->fo) | store_bind_text(s, 25, r->discovery_method) |
	    sqlite3_bind_int64(s, 26, (int64_t)r->flags) |
	    sqlite3_bind_int64(s, 27, (int64_t)time(NULL));
	if (rc != SQLITE_OK)
		return store_fail(st, "storing a report", e);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		k->row = sqlite3_last_insert_rowid(st->db);
		rc = 0;
	} else if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE) {
		rc = 1;
	} else {
		rc = store_fail(st, "storing a report", e);
	}
	sqlite3_reset(s);
	return rc;
}

static void
rollback_report(struct store *st)
{
	sums_clear(&st->w->report_sums);
	if (st->w->sink.phase == SINK_STORING) {
		store_run_quiet(st->w->stmt[SQ_REPORT_ROLLBACK]);
		store_run_quiet(st->w->stmt[SQ_REPORT_RELEASE]);
	}
	st->w->sink.phase = SINK_IDLE;
}

static int
sink_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct store *st = ctx;
	struct sink_state *k;
	int rc;

	if (store_writable(st, e) == -1)
		return -1;
	k = &st->w->sink;
	if (!st->w->in_input || k->phase != SINK_IDLE) {
		errbuf_set(e, "store: report begun %s",
		    st->w->in_input ? "inside another" : "outside an input");
		return -1;
	}
	if ((rc = find_by_key(st, r, e)) != 0)
		return rc;
	if (attribute(k, r, e) == -1)
		return -1;
	if (store_run(st, st->w->stmt[SQ_REPORT_SAVEPOINT], "storing a report", e) == -1)
		return -1;
	k->phase = SINK_STORING;
	k->ordinal = 0;
	k->records = 0;
	if (rollup_report_begin(st, r, e) == -1) {
		rollback_report(st);
		return -1;
	}
	if ((rc = insert_report(st, r, e)) == 0)
		return 0;
	rollback_report(st);
	if (rc == -1)
		return -1;
	/* Stored meanwhile by another writer: now a duplicate or a conflict. */
	if ((rc = find_by_key(st, r, e)) == 0)
		errbuf_set(e, "store: report key taken but not found");
	return rc == 0 ? -1 : rc;
}

/* Stores the auth results after the first (inline in the record) and the reasons. */
static int
insert_children(struct store *st, int64_t id, const struct agg_record *rec, struct errbuf *e)
{
	sqlite3_stmt *s;
	size_t i, n;
	int rc;

	s = st->w->stmt[SQ_DKIM_INSERT];
	n = rec->n_dkim < BOUND_RECORD_DKIM ? rec->n_dkim : BOUND_RECORD_DKIM;
	for (i = 1; i < n; i++) {
		const struct dkim_result *d = &rec->dkim[i];

		rc = sqlite3_bind_int64(s, 1, id) | sqlite3_bind_int64(s, 2, (int64_t)i) |
		    store_bind_text(s, 3, d->domain) | store_bind_text(s, 4, d->selector) |
		    store_bind_text(s, 5, auth_text(d->result)) |
		    store_bind_text(s, 6, d->result_raw) | store_bind_text(s, 7, d->human_result);
		if (rc != SQLITE_OK)
			return store_fail(st, "storing a DKIM result", e);
		if (store_run(st, s, "storing a DKIM result", e) == -1)
			return -1;
	}
	s = st->w->stmt[SQ_SPF_INSERT];
	n = rec->n_spf < BOUND_RECORD_SPF ? rec->n_spf : BOUND_RECORD_SPF;
	for (i = 1; i < n; i++) {
		const struct spf_result *p = &rec->spf[i];

		rc = sqlite3_bind_int64(s, 1, id) | sqlite3_bind_int64(s, 2, (int64_t)i) |
		    store_bind_text(s, 3, p->domain) |
		    store_bind_text(s, 4, spf_scope_name(p->scope)) |
		    store_bind_text(s, 5, auth_text(p->result)) |
		    store_bind_text(s, 6, p->result_raw) | store_bind_text(s, 7, p->human_result);
		if (rc != SQLITE_OK)
			return store_fail(st, "storing an SPF result", e);
		if (store_run(st, s, "storing an SPF result", e) == -1)
			return -1;
	}
	s = st->w->stmt[SQ_REASON_INSERT];
	n = rec->n_reasons < BOUND_RECORD_REASONS ? rec->n_reasons : BOUND_RECORD_REASONS;
	for (i = 0; i < n; i++) {
		const struct override_reason *o = &rec->reasons[i];

		rc = sqlite3_bind_int64(s, 1, id) | sqlite3_bind_int64(s, 2, (int64_t)i) |
		    store_bind_text(s, 3, override_name(o->type)) |
		    store_bind_text(s, 4, o->type_raw) | store_bind_text(s, 5, o->comment);
		if (rc != SQLITE_OK)
			return store_fail(st, "storing an override reason", e);
		if (store_run(st, s, "storing an override reason", e) == -1)
			return -1;
	}
	return 0;
}

static int
insert_day(struct store *st, int64_t id, int64_t day, int64_t count, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_DAY_INSERT];

	if ((sqlite3_bind_int64(s, 1, id) | sqlite3_bind_int64(s, 2, day) |
	        sqlite3_bind_int64(s, 3, count)) != SQLITE_OK)
		return store_fail(st, "storing a day share", e);
	return store_run(st, s, "storing a day share", e);
}

/*
 * Stores a long report's record count split over its days, skipping zero
 * parts, and adds the parts to the rollup sums; a record of zero messages
 * gets one row on the midpoint's day, so that its source still shows.
 */
static int
insert_days(struct store *st, const struct agg_report *r, int64_t id, const struct agg_record *rec,
    const uint8_t ip[16], size_t iplen, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	int64_t day;
	size_t i;

	if (rec->count <= 0) {
		if (insert_day(st, id, k->mid_day, 0, e) == -1)
			return -1;
		return rollup_add(st, r, rec, ip, iplen, k->mid_day, 0, e);
	}
	split_count(k, rec->count);
	for (i = 0; i < k->ndays; i++) {
		if (k->parts[i] == 0)
			continue;
		day = k->day_first + (int64_t)i;
		if (insert_day(st, id, day, k->parts[i], e) == -1 ||
		    rollup_add(st, r, rec, ip, iplen, day, k->parts[i], e) == -1)
			return -1;
	}
	return 0;
}

/* Binds the record's first DKIM and SPF results (NULLs when it has none). */
static int
bind_first_auth(sqlite3_stmt *s, const struct agg_record *rec)
{
	const struct dkim_result *d = rec->n_dkim > 0 ? &rec->dkim[0] : NULL;
	const struct spf_result *p = rec->n_spf > 0 ? &rec->spf[0] : NULL;
	size_t nd = rec->n_dkim < BOUND_RECORD_DKIM ? rec->n_dkim : BOUND_RECORD_DKIM;
	size_t np = rec->n_spf < BOUND_RECORD_SPF ? rec->n_spf : BOUND_RECORD_SPF;
	size_t nr = rec->n_reasons < BOUND_RECORD_REASONS ? rec->n_reasons : BOUND_RECORD_REASONS;

	return sqlite3_bind_int64(s, 17, (int64_t)nd) |
	    store_bind_text(s, 18, d != NULL ? d->domain : NULL) |
	    store_bind_text(s, 19, d != NULL ? d->selector : NULL) |
	    store_bind_text(s, 20, d != NULL ? auth_text(d->result) : NULL) |
	    store_bind_text(s, 21, d != NULL ? d->result_raw : NULL) |
	    store_bind_text(s, 22, d != NULL ? d->human_result : NULL) |
	    sqlite3_bind_int64(s, 23, (int64_t)np) |
	    store_bind_text(s, 24, p != NULL ? p->domain : NULL) |
	    store_bind_text(s, 25, p != NULL ? spf_scope_name(p->scope) : NULL) |
	    store_bind_text(s, 26, p != NULL ? auth_text(p->result) : NULL) |
	    store_bind_text(s, 27, p != NULL ? p->result_raw : NULL) |
	    store_bind_text(s, 28, p != NULL ? p->human_result : NULL) |
	    sqlite3_bind_int64(s, 29, (int64_t)nr);
}

static int
sink_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct store *st = ctx;
	struct sink_state *k;
	sqlite3_stmt *s;
	uint8_t ip[16];
	size_t iplen;
	int64_t id;
	int rc;

	if (store_writable(st, e) == -1)
		return -1;
	k = &st->w->sink;
	s = st->w->stmt[SQ_RECORD_INSERT];
	if (k->phase == SINK_SKIPPING)
		return 0;
	if (k->phase != SINK_STORING) {
		errbuf_set(e, "store: record outside a report");
		return -1;
	}
	iplen = rec->ip_family != 0 ? store_ip_parse(rec->source_ip, ip) : 0;
	rc = sqlite3_bind_int64(s, 1, k->row) | sqlite3_bind_int64(s, 2, k->ordinal) |
	    sqlite3_bind_text(s, 3, rec->source_ip,
	        (int)strnlen(rec->source_ip, sizeof rec->source_ip), SQLITE_STATIC) |
	    store_bind_text(s, 4, rec->source_ip_raw) | sqlite3_bind_int(s, 5, rec->ip_family) |
	    (iplen == 16 ? sqlite3_bind_blob(s, 6, ip, 16, SQLITE_STATIC) :
	                   sqlite3_bind_null(s, 6)) |
	    sqlite3_bind_int64(s, 7, rec->count) |
	    store_bind_text(s, 8, disposition_name(rec->disposition)) |
	    store_bind_text(s, 9, rec->disposition_raw) |
	    store_bind_text(s, 10, dmarc_result_name(rec->pe_dkim)) |
	    store_bind_text(s, 11, dmarc_result_name(rec->pe_spf)) |
	    sqlite3_bind_int(s, 12, agg_record_dmarc_pass(rec) ? 1 : 0) |
	    store_bind_text(s, 13, rec->header_from) | store_bind_text(s, 14, rec->envelope_from) |
	    store_bind_text(s, 15, rec->envelope_to) |
	    sqlite3_bind_int64(s, 16, (int64_t)rec->flags) | bind_first_auth(s, rec);
	if (rc != SQLITE_OK)
		return store_fail(st, "storing a record", e);
	if (store_run(st, s, "storing a record", e) == -1)
		return -1;
	id = sqlite3_last_insert_rowid(st->db);
	if (k->records == 0)
		k->record_first = id;
	else if (id != k->record_first + (int64_t)k->records) {
		errbuf_set(e, "store: record ids of a report do not follow each other");
		return -1;
	}
	if ((rec->n_dkim > 1 || rec->n_spf > 1 || rec->n_reasons > 0) &&
	    insert_children(st, id, rec, e) == -1)
		return -1;
	if (k->ndays > 1) {
		if (insert_days(st, r, id, rec, ip, iplen, e) == -1)
			return -1;
	} else if (rollup_add(st, r, rec, ip, iplen, k->day_first, rec->count, e) == -1) {
		return -1;
	}
	k->ordinal++;
	k->records++;
	return 0;
}

/* Returns 1 when a stored report has this canonical hash, 0 when none, -1. */
static int
hash_known(struct store *st, const uint8_t sha[32], struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REPORT_BY_HASH];
	int rc;

	if (sqlite3_bind_blob(s, 1, sha, 32, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, "looking up a report hash", e);
	if ((rc = store_step(st, s, "looking up a report hash", e)) == -1)
		return -1;
	sqlite3_reset(s);
	return rc == SQLITE_ROW;
}

static int
note_conflict(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_CONFLICT_INSERT];
	struct sink_state *k = &st->w->sink;

	if ((sqlite3_bind_int64(s, 1, k->row) | sqlite3_bind_int64(s, 2, k->input_id) |
	        sqlite3_bind_blob(s, 3, r->xml_sha256, 32, SQLITE_STATIC) |
	        store_bind_text(s, 4, r->org_name) | sqlite3_bind_int64(s, 5, r->end_ts) |
	        store_bind_count(s, 6, r->totals.records) |
	        store_bind_count(s, 7, r->totals.messages) |
	        sqlite3_bind_int64(s, 8, (int64_t)r->flags) |
	        sqlite3_bind_int64(s, 9, (int64_t)time(NULL))) != SQLITE_OK)
		return store_fail(st, "noting a conflict", e);
	return store_run(st, s, "noting a conflict", e);
}

static int
finish_report(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REPORT_FINISH];
	const struct sink_state *k = &st->w->sink;
	int marked;

	if ((sqlite3_bind_int64(s, 1, k->row) |
	        sqlite3_bind_blob(s, 2, r->xml_sha256, 32, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 3, (int64_t)r->flags) |
	        store_bind_count(s, 4, r->totals.records) |
	        store_bind_count(s, 5, r->totals.messages) |
	        store_bind_count(s, 6, r->totals.dmarc_pass) |
	        store_bind_count(s, 7, r->totals.dkim_aligned) |
	        store_bind_count(s, 8, r->totals.spf_aligned) |
	        store_bind_count(s, 9, r->totals.records_dropped) |
	        (k->records > 0 ? sqlite3_bind_int64(s, 10, k->record_first) |
	                    sqlite3_bind_int64(s, 11, k->record_first + (int64_t)k->records - 1) :
	                          sqlite3_bind_null(s, 10) | sqlite3_bind_null(s, 11))) !=
	    SQLITE_OK)
		return store_fail(st, "finishing a report", e);
	if (store_run(st, s, "finishing a report", e) == -1 ||
	    (marked = suspect_check(st, r, k->row, k->day_first, e)) == -1)
		return -1;
	/*
	 * one reason is enough; the cross-check reads the report's sums before
	 * rollup_report_end, and rollups this report is not in yet
	 */
	if (marked == 0 && k->records > 0 &&
	    ((marked = suspect_cross(st, r, k->row, k->day_first,
	          k->day_first + (int64_t)k->ndays - 1, e)) == -1 ||
	        (marked == 0 &&
	            cross_put(st, r, k->day_first, k->day_first + (int64_t)k->ndays - 1, e) == -1)))
		return -1;
	return rollup_report_end(st, r, e);
}

static int
sink_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct store *st = ctx;
	struct sink_state *k;
	int rc;

	if (store_writable(st, e) == -1)
		return -1;
	k = &st->w->sink;
	switch (k->phase) {
	case SINK_SKIPPING:
		k->phase = SINK_IDLE;
		if (k->found_has_sha256 && memcmp(k->found_sha256, r->xml_sha256, 32) == 0) {
			k->counts->reports_duplicate++;
			return 0;
		}
		if (note_conflict(st, r, e) == -1)
			return -1;
		k->counts->reports_conflict++;
		return 0;
	case SINK_STORING:
		break;
	case SINK_IDLE:
		errbuf_set(e, "store: report ended but not begun");
		return -1;
	}
	/* The same document under another key (another org_name spelling). */
	if ((rc = hash_known(st, r->xml_sha256, e)) == -1)
		goto fail;
	if (rc == 1) {
		rollback_report(st);
		k->counts->reports_duplicate++;
		return 0;
	}
	if (finish_report(st, r, e) == -1 ||
	    store_run(st, st->w->stmt[SQ_REPORT_RELEASE], "storing a report", e) == -1)
		goto fail;
	k->phase = SINK_IDLE;
	if (rollup_report_kept(st, e) == -1)
		return -1;
	k->counts->reports_stored++;
	k->counts->records += k->records;
	return 0;
fail:
	rollback_report(st);
	return -1;
}

static void
sink_abort(void *ctx)
{
	struct store *st = ctx;

	if (st->w != NULL)
		rollback_report(st);
}

void
store_report_sink(struct store *st, int64_t input_id, struct store_counts *counts,
    struct report_sink *sink)
{
	/* On a read-only store the sink's calls fail (store_writable). */
	if (st->w != NULL) {
		st->w->sink.input_id = input_id;
		st->w->sink.counts = counts;
		st->w->sink.phase = SINK_IDLE;
	}
	sink->ctx = st;
	sink->begin = sink_begin;
	sink->record = sink_record;
	sink->end = sink_end;
	sink->abort = sink_abort;
}
