/* store: failure reports (ruf): insert with dedup, retention, the export. */
#include "store_int.h"

#include <string.h>
#include <time.h>

#include "failure.h"

/*
 * The columns the insert fills, each from the parameter of its own name
 * (":reporter"), which bind_failure binds by name: a column added here
 * cannot shift the others, and one left unbound fails the insert. The
 * last column, ip, is computed from :source_ip.
 */
/* clang-format off */
#define FAILURE_COLUMNS(X) \
	X(input_id) X(kind) X(format) X(reporter) X(feedback_type) X(user_agent) X(version) \
	X(auth_failure) X(identity_alignment) X(delivery_result) X(delivery_result_raw) \
	X(arrival_ts) X(arrival_raw) X(source_ip) X(source_ip_raw) X(source_port) X(incidents) \
	X(reported_domain) X(original_mail_from) X(original_rcpt_to) X(original_envelope_id) \
	X(reporting_mta) X(auth_results) X(dkim_domain) X(dkim_identity) X(dkim_selector) \
	X(spf_dns) X(spf_result) X(dkim_result) X(dmarc_result) X(spf_alignment) \
	X(dkim_alignment) X(sample_kind) X(sample_from) X(header_from) X(sample_to) \
	X(sample_subject) X(sample_date) X(sample_message_id) X(sample_dkim_domain) \
	X(sample_dkim_selector) X(sample_headers) X(sample_body) X(content_sha256) X(flags) \
	X(stored_at)
#define COLUMN(c) #c ", "
#define PARAMETER(c) ":" #c ", "

static const char failure_insert_sql[] =
    "INSERT INTO failure (" FAILURE_COLUMNS(COLUMN) "ip)"
    " VALUES (" FAILURE_COLUMNS(PARAMETER) "dmarcd_ip(:source_ip))"
    " ON CONFLICT (content_sha256) DO NOTHING";
/* clang-format on */

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

/*
 * Binds values by parameter name; rc collects the SQLite codes, n counts
 * the values bound and missing keeps the first name the statement lacks.
 */
struct binder {
	sqlite3_stmt *s;
	int rc, n;
	const char *missing;
};

/* The index of parameter name, or 0 (noted in b) when s has none. */
static int
param(struct binder *b, const char *name)
{
	int i = sqlite3_bind_parameter_index(b->s, name);

	if (i == 0 && b->missing == NULL)
		b->missing = name;
	b->n++;
	return i;
}

static void
b_null(struct binder *b, const char *name)
{
	b->rc |= sqlite3_bind_null(b->s, param(b, name));
}

static void
b_text(struct binder *b, const char *name, const char *v)
{
	b->rc |= store_bind_text(b->s, param(b, name), v);
}

static void
b_int(struct binder *b, const char *name, int64_t v)
{
	b->rc |= sqlite3_bind_int64(b->s, param(b, name), v);
}

/* v, or NULL when v is the "absent" value. */
static void
b_int_or_null(struct binder *b, const char *name, int64_t v, int64_t absent)
{
	if (v == absent)
		b_null(b, name);
	else
		b_int(b, name, v);
}

/* n bytes at v, or NULL when v is NULL. */
static void
b_blob(struct binder *b, const char *name, const void *v, size_t n)
{
	if (v == NULL)
		b_null(b, name);
	else
		b->rc |= sqlite3_bind_blob64(b->s, param(b, name), v, n, SQLITE_STATIC);
}

/* Binds every parameter of failure_insert_sql. 0, or -1 (e). */
static int
bind_failure(struct store *st, sqlite3_stmt *s, int64_t input_id, const struct failure_report *f,
    bool keep_body, struct errbuf *e)
{
	struct binder b = { s, SQLITE_OK, 0, NULL };

	b_int_or_null(&b, ":input_id", input_id > 0 ? input_id : 0, 0);
	b_text(&b, ":kind", failure_kind_name(f->kind));
	b_text(&b, ":format", failure_format_name(f->format));
	b_text(&b, ":reporter", f->reporter);
	b_text(&b, ":feedback_type", f->feedback_type);
	b_text(&b, ":user_agent", f->user_agent);
	b_text(&b, ":version", f->version);
	b_text(&b, ":auth_failure", f->auth_failure);
	b_text(&b, ":identity_alignment", f->identity_alignment);
	b_text(&b, ":delivery_result", f->delivery_result);
	b_text(&b, ":delivery_result_raw", f->delivery_result_raw);
	b_int_or_null(&b, ":arrival_ts", f->arrival_ts, -1);
	b_text(&b, ":arrival_raw", f->arrival_raw);
	b_text(&b, ":source_ip", f->source_ip[0] != '\0' ? f->source_ip : NULL);
	b_text(&b, ":source_ip_raw", f->source_ip_raw);
	b_int_or_null(&b, ":source_port", f->source_port, -1);
	b_int(&b, ":incidents", f->incidents >= 1 ? f->incidents : 1);
	b_text(&b, ":reported_domain", f->reported_domain);
	b_text(&b, ":original_mail_from", f->original_mail_from);
	b_text(&b, ":original_rcpt_to", f->original_rcpt_to);
	b_text(&b, ":original_envelope_id", f->original_envelope_id);
	b_text(&b, ":reporting_mta", f->reporting_mta);
	b_text(&b, ":auth_results", f->auth_results);
	b_text(&b, ":dkim_domain", f->dkim_domain);
	b_text(&b, ":dkim_identity", f->dkim_identity);
	b_text(&b, ":dkim_selector", f->dkim_selector);
	b_text(&b, ":spf_dns", f->spf_dns);
	b_text(&b, ":spf_result", f->spf_result);
	b_text(&b, ":dkim_result", f->dkim_result);
	b_text(&b, ":dmarc_result", f->dmarc_result);
	b_text(&b, ":spf_alignment", f->spf_alignment);
	b_text(&b, ":dkim_alignment", f->dkim_alignment);
	b_text(&b, ":sample_kind", failure_sample_name(f->sample_kind));
	b_text(&b, ":sample_from", f->sample_from);
	b_text(&b, ":header_from", f->header_from);
	b_text(&b, ":sample_to", f->sample_to);
	b_text(&b, ":sample_subject", f->sample_subject);
	b_text(&b, ":sample_date", f->sample_date);
	b_text(&b, ":sample_message_id", f->sample_message_id);
	b_text(&b, ":sample_dkim_domain", f->sample_dkim_domain);
	b_text(&b, ":sample_dkim_selector", f->sample_dkim_selector);
	b_text(&b, ":sample_headers", f->sample_headers);
	b_blob(&b, ":sample_body", keep_body && f->sample_body_len > 0 ? f->sample_body : NULL,
	    f->sample_body_len);
	b_blob(&b, ":content_sha256", f->content_sha256, sizeof f->content_sha256);
	b_int(&b, ":flags", (int64_t)f->flags);
	b_int(&b, ":stored_at", (int64_t)time(NULL));
	if (b.missing != NULL || b.n != sqlite3_bind_parameter_count(s)) {
		errbuf_set(e,
		    "store: storing a failure report: %d values for %d parameters%s%s (a bug)", b.n,
		    sqlite3_bind_parameter_count(s), b.missing != NULL ? ", none named " : "",
		    b.missing != NULL ? b.missing : "");
		return -1;
	}
	if (b.rc != SQLITE_OK)
		return store_fail(st, "storing a failure report", e);
	return 0;
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
	if (bind_failure(st, s, input_id, f, keep_body, e) == -1)
		goto fail;
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
