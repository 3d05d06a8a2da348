/* store: failure reports (ruf): insert with dedup, retention, the export. */
#include "store_int.h"

#include <string.h>
#include <time.h>

#include "failure.h"

#define Q5 "?, ?, ?, ?, ?, "

static const char failure_insert_sql[] =
    "INSERT INTO failure (input_id, kind, format, reporter, feedback_type, user_agent,"
    " version, auth_failure, identity_alignment, delivery_result, delivery_result_raw,"
    " arrival_ts, arrival_raw, source_ip, source_ip_raw, source_port, incidents,"
    " reported_domain, original_mail_from, original_rcpt_to, original_envelope_id,"
    " reporting_mta, auth_results, dkim_domain, dkim_identity, dkim_selector, spf_dns,"
    " spf_result, dkim_result, dmarc_result, spf_alignment, dkim_alignment, sample_kind,"
    " sample_from, header_from, sample_to, sample_subject, sample_date,"
    " sample_message_id, sample_dkim_domain, sample_dkim_selector, sample_headers,"
    " sample_body, content_sha256, flags, stored_at, ip)"
    " VALUES (" Q5 Q5 Q5 Q5 Q5 Q5 Q5 Q5 Q5 "?, dmarcd_ip(?14))"
    " ON CONFLICT (content_sha256) DO NOTHING";

static const char field_insert_sql[] =
    "INSERT INTO failure_field (failure_id, ordinal, name, value) VALUES (?1, ?2, ?3, ?4)";

static const char prune_sql[] =
    "UPDATE failure SET sample_headers = NULL, sample_body = NULL, sample_to = NULL,"
    " sample_cleared_at = ?2"
    " WHERE coalesce(arrival_ts, stored_at) < ?1 AND (sample_headers IS NOT NULL"
    " OR sample_body IS NOT NULL OR sample_to IS NOT NULL)";

#define FAILURE_TIME "coalesce(arrival_ts, stored_at)"

/* The volume the aggregate reports show for the same domain and address. */
/* clang-format off */
#define AGG_MESSAGES                                                                               \
	"CASE WHEN ip IS NULL OR reported_domain IS NULL THEN NULL ELSE"                           \
	" (SELECT dmarcd_sum(r.messages) FROM rollup r WHERE r.policy_domain ="                    \
	" failure.reported_domain AND r.ip = failure.ip) END"
/* clang-format on */

/* clang-format off */
/* clang-format off */
#define FAILURES_SQL(D) \
	"SELECT " ISO("arrival_ts") ", reporter, source_ip, reported_domain, header_from," \
	" original_mail_from, auth_failure, coalesce(dkim_domain, sample_dkim_domain)," \
	" coalesce(dkim_selector, sample_dkim_selector), spf_result, dkim_result," \
	" delivery_result, sample_subject, dmarc_result, identity_alignment, feedback_type," \
	" format, incidents, sample_kind, " AGG_MESSAGES ", flags FROM failure" \
	" WHERE kind = 'dmarc' AND " D FAILURE_TIME " BETWEEN :since AND :until" \
	" ORDER BY " FAILURE_TIME ", id"
/* clang-format on */
/* clang-format on */

static const char *const failures_sql[2] = {
	FAILURES_SQL(""),
	FAILURES_SQL("reported_domain = :domain AND "),
};

static const char *const failures_cols[] = {
	"arrival_date",
	"reporter",
	"source_ip",
	"reported_domain",
	"header_from",
	"envelope_from",
	"auth_failure",
	"dkim_domain",
	"dkim_selector",
	"spf_result",
	"dkim_result",
	"delivery_result",
	"subject",
	"dmarc_result",
	"identity_alignment",
	"feedback_type",
	"format",
	"incidents",
	"sample_kind",
	"aggregate_messages",
	"flags",
};

#define FAILURES_NCOLS (sizeof failures_cols / sizeof failures_cols[0])
#define FAILURES_FLAGS_COL (FAILURES_NCOLS - 1)

/* Binds values in order; rc collects the SQLite codes. */
struct binder {
	sqlite3_stmt *s;
	int i;
	int rc;
};

static void
b_text(struct binder *b, const char *v)
{
	b->rc |= store_bind_text(b->s, ++b->i, v);
}

static void
b_int(struct binder *b, int64_t v)
{
	b->rc |= sqlite3_bind_int64(b->s, ++b->i, v);
}

/* v, or NULL when v is the "absent" value. */
static void
b_int_or_null(struct binder *b, int64_t v, int64_t absent)
{
	if (v == absent)
		b->rc |= sqlite3_bind_null(b->s, ++b->i);
	else
		b_int(b, v);
}

static void
b_blob(struct binder *b, const void *v, size_t n)
{
	if (v == NULL)
		b->rc |= sqlite3_bind_null(b->s, ++b->i);
	else
		b->rc |= sqlite3_bind_blob64(b->s, ++b->i, v, n, SQLITE_STATIC);
}

static int
bind_failure(sqlite3_stmt *s, int64_t input_id, const struct failure_report *f, bool keep_body)
{
	struct binder b = { s, 0, SQLITE_OK };
	const char *const texts[] = {
		f->reported_domain,
		f->original_mail_from,
		f->original_rcpt_to,
		f->original_envelope_id,
		f->reporting_mta,
		f->auth_results,
		f->dkim_domain,
		f->dkim_identity,
		f->dkim_selector,
		f->spf_dns,
		f->spf_result,
		f->dkim_result,
		f->dmarc_result,
		f->spf_alignment,
		f->dkim_alignment,
	};
	const char *const sample_texts[] = {
		f->sample_from,
		f->header_from,
		f->sample_to,
		f->sample_subject,
		f->sample_date,
		f->sample_message_id,
		f->sample_dkim_domain,
		f->sample_dkim_selector,
		f->sample_headers,
	};
	size_t i;

	b_int_or_null(&b, input_id > 0 ? input_id : 0, 0);
	b_text(&b, failure_kind_name(f->kind));
	b_text(&b, failure_format_name(f->format));
	b_text(&b, f->reporter);
	b_text(&b, f->feedback_type);
	b_text(&b, f->user_agent);
	b_text(&b, f->version);
	b_text(&b, f->auth_failure);
	b_text(&b, f->identity_alignment);
	b_text(&b, f->delivery_result);
	b_text(&b, f->delivery_result_raw);
	b_int_or_null(&b, f->arrival_ts, -1);
	b_text(&b, f->arrival_raw);
	b_text(&b, f->source_ip[0] != '\0' ? f->source_ip : NULL);
	b_text(&b, f->source_ip_raw);
	b_int_or_null(&b, f->source_port, -1);
	b_int(&b, f->incidents >= 1 ? f->incidents : 1);
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		b_text(&b, texts[i]);
	b_text(&b, failure_sample_name(f->sample_kind));
	for (i = 0; i < sizeof sample_texts / sizeof sample_texts[0]; i++)
		b_text(&b, sample_texts[i]);
	if (keep_body && f->sample_body_len > 0)
		b_blob(&b, f->sample_body, f->sample_body_len);
	else
		b_blob(&b, NULL, 0);
	b_blob(&b, f->content_sha256, sizeof f->content_sha256);
	b_int(&b, (int64_t)f->flags);
	b_int(&b, (int64_t)time(NULL));
	return b.rc;
}

static int
insert_fields(struct store *st, int64_t row, const struct failure_report *f, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, field_insert_sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing a failure field", e);
		goto fail;
	}
	for (i = 0; i < f->n_fields; i++) {
		if ((sqlite3_bind_int64(s, 1, row) | sqlite3_bind_int64(s, 2, (int64_t)i) |
		        store_bind_text(s, 3, f->fields[i].name) |
		        store_bind_text(s, 4, f->fields[i].value)) != SQLITE_OK) {
			store_fail(st, "storing a failure field", e);
			goto fail;
		}
		if (store_run(st, s, "storing a failure field", e) == -1)
			goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(s);
	return rc;
}

int
store_put_failure(struct store *st, int64_t input_id, const struct failure_report *f,
    bool keep_body, enum store_failure_outcome *out, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int64_t row;

	*out = STORE_FAILURE_STORED;
	if (store_writable(st, e) == -1)
		return -1;
	if (store_exec(st, "SAVEPOINT failure", "storing a failure report", e) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, failure_insert_sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing a failure report", e);
		goto fail;
	}
	if (bind_failure(s, input_id, f, keep_body) != SQLITE_OK) {
		store_fail(st, "storing a failure report", e);
		goto fail;
	}
	if (store_run(st, s, "storing a failure report", e) == -1)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		*out = STORE_FAILURE_DUPLICATE;
	} else {
		row = sqlite3_last_insert_rowid(st->db);
		if (insert_fields(st, row, f, e) == -1)
			goto fail;
	}
	sqlite3_finalize(s);
	return store_exec(st, "RELEASE failure", "storing a failure report", e);
fail:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK TO failure; RELEASE failure", NULL, NULL, NULL);
	return -1;
}

static int
sink_put(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	struct store_failure_ctx *c = ctx;
	enum store_failure_outcome o;

	if (store_put_failure(c->st, c->input_id, f, c->keep_body, &o, e) == -1)
		return -1;
	if (o == STORE_FAILURE_DUPLICATE)
		c->duplicate++;
	else
		c->stored++;
	return 0;
}

void
store_failure_sink(struct store_failure_ctx *ctx, struct failure_sink *sink)
{
	sink->ctx = ctx;
	sink->put = sink_put;
}

int
store_prune(struct store *st, int64_t older_than_ts, uint64_t *cleared, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	*cleared = 0;
	if (store_writable(st, e) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, prune_sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing the prune", e);
		goto fail;
	}
	if ((sqlite3_bind_int64(s, 1, older_than_ts) |
	        sqlite3_bind_int64(s, 2, (int64_t)time(NULL))) != SQLITE_OK) {
		store_fail(st, "pruning failure samples", e);
		goto fail;
	}
	if (store_run(st, s, "pruning failure samples", e) == -1)
		goto fail;
	*cleared = (uint64_t)sqlite3_changes(st->db);
	rc = 0;
fail:
	sqlite3_finalize(s);
	return rc;
}

void
store_export_failures_columns(size_t *ncols, const char *const **names)
{
	*ncols = FAILURES_NCOLS;
	*names = failures_cols;
}

int
store_export_failures(struct store *st, const struct export_filter *f,
    int (*row)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells),
    void *ctx, struct errbuf *e)
{
	struct cell cells[FAILURES_NCOLS];
	char flags[STORE_FLAGS_TEXT];
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc = -1, step;

	if (sqlite3_prepare_v2(st->db, failures_sql[f->domain != NULL], -1, &s, NULL) !=
	    SQLITE_OK) {
		store_fail(st, "preparing the failures export", e);
		goto fail;
	}
	if ((sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":since"), f->since) |
	        sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":until"), f->until) |
	        (f->domain != NULL ?
	                store_bind_text(s, sqlite3_bind_parameter_index(s, ":domain"), f->domain) :
	                SQLITE_OK)) != SQLITE_OK) {
		store_fail(st, "failures export", e);
		goto fail;
	}
	while ((step = store_step(st, s, "failures export", e)) == SQLITE_ROW) {
		for (i = 0; i < FAILURES_NCOLS; i++)
			store_fill_cell(s, (int)i,
			    i == FAILURES_FLAGS_COL ? failure_flags_describe : NULL, flags,
			    &cells[i]);
		if (row(ctx, FAILURES_NCOLS, failures_cols, cells) == -1) {
			errbuf_set(e, "store: failures export: the row writer failed");
			goto fail;
		}
	}
	if (step == -1)
		goto fail;
	rc = 0;
fail:
	sqlite3_finalize(s);
	return rc;
}
