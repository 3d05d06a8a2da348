/* store: the ingest log (one row per input) and the reprocessing walk. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
status_name(enum store_input_status s)
{
	switch (s) {
	case STORE_INPUT_STORED:
		return "stored";
	case STORE_INPUT_DUPLICATE:
		return "duplicate";
	case STORE_INPUT_PARTIAL:
		return "partial";
	case STORE_INPUT_REFUSED:
		return "refused";
	case STORE_INPUT_PENDING:
		break;
	}
	return "pending";
}

int
store_input_seen(struct store *st, const uint8_t sha256[32], bool *seen, struct errbuf *e)
{
	sqlite3_stmt *s;

	*seen = false;
	if (store_writable(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_INPUT_SEEN];
	if ((sqlite3_bind_blob(s, 1, sha256, 32, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 2, (int64_t)time(NULL))) != SQLITE_OK)
		return store_fail(st, "looking up an input", e);
	if (store_run(st, s, "looking up an input", e) == -1)
		return -1;
	*seen = sqlite3_changes(st->db) > 0;
	return 0;
}

/* Opens the input savepoint; the caller then owns it until end or abort. */
static int
open_input(struct store *st, struct errbuf *e)
{
	if (store_writable(st, e) == -1)
		return -1;
	if (st->w->in_input) {
		errbuf_set(e, "store: an input is already open");
		return -1;
	}
	if (store_run(st, st->w->stmt[SQ_INPUT_SAVEPOINT], "opening an input", e) == -1)
		return -1;
	st->w->in_input = true;
	st->w->sink.phase = SINK_IDLE;
	return 0;
}

int
store_input_begin(struct store *st, const struct input_meta *m, int64_t *input_id, struct errbuf *e)
{
	sqlite3_stmt *s;
	int rc;

	if (open_input(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_INPUT_INSERT];
	if ((sqlite3_bind_blob(s, 1, m->raw_sha256, 32, SQLITE_STATIC) |
	        store_bind_count(s, 2, m->raw_size) |
	        store_bind_text(s, 3, m->source != NULL ? m->source : "") |
	        store_bind_text(s, 4, m->location) |
	        sqlite3_bind_int64(s, 5, (int64_t)time(NULL))) != SQLITE_OK) {
		store_fail(st, "recording an input", e);
		goto fail;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT)
		errbuf_set(e, "store: input already recorded (same raw bytes)");
	else if (rc != SQLITE_DONE)
		store_fail(st, "recording an input", e);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	*input_id = sqlite3_last_insert_rowid(st->db);
	return 0;
fail:
	store_input_abort(st);
	return -1;
}

int
store_input_reopen(struct store *st, int64_t input_id, struct errbuf *e)
{
	sqlite3_stmt *s;
	int rc;

	if (open_input(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_INPUT_EXISTS];
	if (sqlite3_bind_int64(s, 1, input_id) != SQLITE_OK) {
		store_fail(st, "reopening an input", e);
		goto fail;
	}
	rc = store_step(st, s, "reopening an input", e);
	sqlite3_reset(s);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		errbuf_set(e, "store: no input %lld to reopen", (long long)input_id);
		goto fail;
	}
	return 0;
fail:
	store_input_abort(st);
	return -1;
}

int
store_input_end(struct store *st, int64_t input_id, const struct input_outcome *o, const void *raw,
    size_t len, struct errbuf *e)
{
	bool keep = o->status == STORE_INPUT_REFUSED || o->status == STORE_INPUT_PARTIAL;
	sqlite3_stmt *s;
	int rc;

	if (store_writable(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_INPUT_END];
	if (!st->w->in_input) {
		errbuf_set(e, "store: no input open");
		return -1;
	}
	rc = sqlite3_bind_int64(s, 1, input_id) | store_bind_text(s, 2, status_name(o->status)) |
	    store_bind_text(s, 3, o->kind) | store_bind_text(s, 4, o->subject) |
	    store_bind_text(s, 5, o->from) | store_bind_text(s, 6, o->message_id) |
	    store_bind_text(s, 7, o->refusal_code) | store_bind_text(s, 8, o->reason) |
	    sqlite3_bind_int64(s, 9, o->reports_stored) |
	    sqlite3_bind_int64(s, 10, o->reports_duplicate) | store_bind_count(s, 11, o->records);
	/* An empty input is kept as an empty blob, not as NULL. */
	if (keep)
		rc |= sqlite3_bind_blob64(s, 12, raw != NULL ? raw : "", len, SQLITE_STATIC);
	else
		rc |= sqlite3_bind_null(s, 12);
	rc |= store_bind_text(s, 13, o->carrier_dmarc);
	if (rc != SQLITE_OK)
		return store_fail(st, "recording an input's outcome", e);
	if (store_run(st, s, "recording an input's outcome", e) == -1)
		return -1;
	/* Drop the reference to the caller's bytes. */
	sqlite3_bind_null(s, 12);
	if (sqlite3_changes(st->db) != 1) {
		errbuf_set(e, "store: no input %lld", (long long)input_id);
		return -1;
	}
	if (o->carrier_dmarc != NULL && strcmp(o->carrier_dmarc, "fail") == 0 &&
	    suspect_carrier(st, input_id, e) == -1)
		return -1;
	if (store_run(st, st->w->stmt[SQ_INPUT_RELEASE], "releasing an input", e) == -1)
		return -1;
	st->w->in_input = false;
	return rollup_input_end(st, e);
}

void
store_input_abort(struct store *st)
{
	if (st == NULL || st->w == NULL || !st->w->in_input)
		return;
	store_run_quiet(st->w->stmt[SQ_INPUT_ROLLBACK]);
	store_run_quiet(st->w->stmt[SQ_INPUT_RELEASE]);
	rollup_input_abort(st);
	st->w->in_input = false;
	st->w->sink.phase = SINK_IDLE;
}

/* The ids of the inputs to retry, oldest first, in a malloc'd array. */
static int
refused_ids(struct store *st, int64_t **out, size_t *n, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REFUSED_IDS];
	int64_t *ids = NULL, *grown;
	size_t cap = 0;
	int rc;

	*n = 0;
	while ((rc = store_step(st, s, "listing refused inputs", e)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = reallocarray(ids, cap, sizeof *ids)) == NULL) {
				errbuf_set(e, "store: out of memory");
				sqlite3_reset(s);
				goto fail;
			}
			ids = grown;
		}
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (rc == -1)
		goto fail;
	sqlite3_reset(s);
	*out = ids;
	return 0;
fail:
	free(ids);
	return -1;
}

/*
 * Copies an input's location and raw bytes out of the database, so that fn
 * may rewrite that row while it holds them. Returns 1, 0 when the row has
 * no raw bytes any more, or -1.
 */
static int
fetch_raw(struct store *st, int64_t id, char **location, unsigned char **raw, size_t *len,
    struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_REFUSED_RAW];
	const unsigned char *loc;
	const void *blob;
	int rc;

	*location = NULL;
	*raw = NULL;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK)
		return store_fail(st, "reading a refused input", e);
	rc = store_step(st, s, "reading a refused input", e);
	if (rc == -1)
		return -1;
	if (rc == SQLITE_DONE || sqlite3_column_type(s, 1) == SQLITE_NULL) {
		sqlite3_reset(s);
		return 0;
	}
	loc = sqlite3_column_text(s, 0);
	blob = sqlite3_column_blob(s, 1);
	*len = (size_t)sqlite3_column_bytes(s, 1);
	*location = strdup(loc != NULL ? (const char *)loc : "");
	*raw = malloc(*len > 0 ? *len : 1);
	if (*location == NULL || *raw == NULL) {
		sqlite3_reset(s);
		free(*location);
		free(*raw);
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	if (*len > 0)
		memcpy(*raw, blob, *len);
	sqlite3_reset(s);
	return 1;
}

int
store_each_refused(struct store *st,
    int (*fn)(void *ctx, int64_t input_id, const char *location, const void *raw, size_t len),
    void *ctx, struct errbuf *e)
{
	int64_t *ids = NULL;
	unsigned char *raw;
	char *location;
	size_t n, i, len = 0;
	int rc = -1, got;

	if (store_writable(st, e) == -1)
		return -1;
	if (refused_ids(st, &ids, &n, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((got = fetch_raw(st, ids[i], &location, &raw, &len, e)) == -1)
			goto fail;
		if (got == 0)
			continue;
		got = fn(ctx, ids[i], location, raw, len);
		free(location);
		free(raw);
		if (got == -1) {
			errbuf_set(e, "store: reprocessing stopped at input %lld",
			    (long long)ids[i]);
			goto fail;
		}
	}
	rc = 0;
fail:
	free(ids);
	return rc;
}
