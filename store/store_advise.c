/* store: the policy advisor's data (store_advise.h, schema/004_advisor.sql). */
#include "store_advise.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* Savepoints nest in an open batch and are transactions of their own otherwise. */
#define ADV_BEGIN "SAVEPOINT advise"
#define ADV_COMMIT "RELEASE advise"
#define ADV_ROLLBACK "ROLLBACK TO advise; RELEASE advise"

/* Room for one record's copied strings: domains, results, reasons. */
#define RECORD_TEXT (ADVISE_AUTH_MAX * 2 * 320 + ADVISE_REASONS_MAX * 64 + 1024)

/* Prepares sql with ?1 the domain (NULL: every domain, where sql allows it), ?2..?3 the days. */
static int
prepare_window(struct store *st, const char *sql, const char *domain, int64_t from, int64_t to,
    sqlite3_stmt **s, struct errbuf *e)
{
	if (store_prepare(st, sql, s, e) == -1)
		return -1;
	store_bind_text(*s, 1, domain);
	sqlite3_bind_int64(*s, 2, from);
	sqlite3_bind_int64(*s, 3, to);
	return 0;
}

static const char *
text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* ---- confirmed sources ---- */

static const char *const origin_names[] = { "cli", "config" };

static int
put_known(struct store *st, const char *domain, const struct known_source *k,
    enum known_origin origin, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st,
	        "INSERT INTO known_source (policy_domain, kind, value, status, label,"
	        " origin, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	        " ON CONFLICT (policy_domain, kind, value) DO UPDATE SET status = excluded.status,"
	        " label = excluded.label, origin = excluded.origin",
	        &s, e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	store_bind_text(s, 2, known_kind_name(k->kind));
	store_bind_text(s, 3, k->value);
	store_bind_text(s, 4, known_status_name(k->status));
	store_bind_text(s, 5, k->label != NULL && k->label[0] != '\0' ? k->label : NULL);
	store_bind_text(s, 6, origin_names[origin]);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	rc = store_run(st, s, "storing a known source", e);
	sqlite3_finalize(s);
	return rc;
}

int
store_known_put(struct store *st, const char *domain, const struct known_source *k,
    enum known_origin origin, struct errbuf *e)
{
	if (store_writable(st, e) == -1)
		return -1;
	return put_known(st, domain, k, origin, e);
}

int
store_known_forget(struct store *st, const char *domain, enum known_kind kind, const char *value,
    bool *found, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_writable(st, e) == -1 ||
	    store_prepare(st,
	        "DELETE FROM known_source"
	        " WHERE policy_domain = ?1 AND kind = ?2 AND value = ?3",
	        &s, e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	store_bind_text(s, 2, known_kind_name(kind));
	store_bind_text(s, 3, value);
	rc = store_run(st, s, "removing a known source", e);
	*found = rc == 0 && sqlite3_changes(st->db) > 0;
	sqlite3_finalize(s);
	return rc;
}

int
store_known_load_config(struct store *st, size_t n, const char *const *domains,
    const struct known_source *known, struct errbuf *e)
{
	size_t i;

	if (store_writable(st, e) == -1 ||
	    store_exec(st, ADV_BEGIN, "loading known sources", e) == -1)
		return -1;
	if (store_exec(st, "DELETE FROM known_source WHERE origin = 'config'",
	        "loading known sources", e) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (put_known(st, domains[i], &known[i], KNOWN_FROM_CONFIG, e) == -1)
			goto fail;
	return store_exec(st, ADV_COMMIT, "loading known sources", e);
fail:
	sqlite3_exec(st->db, ADV_ROLLBACK, NULL, NULL, NULL);
	return -1;
}

int
store_known_each(struct store *st, const char *domain,
    int (*fn)(void *ctx, const char *domain, const struct known_source *k, const char *origin),
    void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st,
	        "SELECT id, policy_domain, kind, value, status, label, origin"
	        " FROM known_source WHERE ?1 IS NULL OR policy_domain = ?1"
	        " ORDER BY policy_domain, kind, value",
	        &s, e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	while ((rc = store_step(st, s, "reading known sources", e)) == SQLITE_ROW) {
		struct known_source k = { .id = sqlite3_column_int64(s, 0),
			.value = text(s, 3),
			.label = text(s, 5) };

		if (known_kind_parse(text(s, 2), &k.kind) == -1 ||
		    known_status_parse(text(s, 4), &k.status) == -1)
			continue;
		if (fn(ctx, text(s, 1), &k, text(s, 6)) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/* ---- domain settings ---- */

int
store_advise_domain_set(struct store *st, const char *domain, const char *record,
    int no_mailing_lists, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_writable(st, e) == -1 ||
	    store_prepare(st,
	        "INSERT INTO advise_domain"
	        " (policy_domain, record, no_mailing_lists) VALUES (?1, nullif(?2, ''), coalesce(?3, 0))"
	        " ON CONFLICT (policy_domain) DO UPDATE SET"
	        " record = CASE WHEN ?2 IS NULL THEN record ELSE nullif(?2, '') END,"
	        " no_mailing_lists = coalesce(?3, no_mailing_lists)",
	        &s, e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	store_bind_text(s, 2, record);
	if (no_mailing_lists >= 0)
		sqlite3_bind_int(s, 3, no_mailing_lists ? 1 : 0);
	rc = store_run(st, s, "storing a domain's advisor settings", e);
	sqlite3_finalize(s);
	return rc;
}

int
store_advise_domain_get(struct store *st, const char *domain, char **record, bool *no_mailing_lists,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*record = NULL;
	*no_mailing_lists = false;
	if (store_prepare(st,
	        "SELECT record, no_mailing_lists FROM advise_domain"
	        " WHERE policy_domain = ?1",
	        &s, e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	rc = store_step(st, s, "reading a domain's advisor settings", e);
	if (rc == SQLITE_ROW) {
		if (text(s, 0) != NULL && (*record = strdup(text(s, 0))) == NULL) {
			errbuf_set(e, "out of memory");
			rc = -1;
		}
		*no_mailing_lists = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/* ---- readers ---- */

int
store_advise_domains(struct store *st, int (*fn)(void *ctx, const char *domain), void *ctx,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st,
	        "SELECT DISTINCT policy_domain FROM rollup_day ORDER BY policy_domain", &s,
	        e) == -1)
		return -1;
	while ((rc = store_step(st, s, "listing domains", e)) == SQLITE_ROW)
		if (fn(ctx, text(s, 0)) == -1) {
			rc = -1;
			break;
		}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_advise_last_day(struct store *st, const char *domain, int64_t *day, bool *found,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*found = false;
	if (store_prepare(st, "SELECT max(day) FROM rollup_day WHERE policy_domain = ?1", &s, e) ==
	    -1)
		return -1;
	store_bind_text(s, 1, domain);
	rc = store_step(st, s, "reading a domain's last day", e);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*day = sqlite3_column_int64(s, 0);
		*found = true;
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_advise_policies(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct advise_policy_obs *o), void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	/* begin_ts bounds the days a report is attributed to within a day or two */
	if (prepare_window(st,
	        "SELECT day_first, day_last, dialect, p, sp, np, pct, testing, adkim,"
	        " aspf, fo, org_key FROM report WHERE policy_domain = ?1 AND suspect IS NULL"
	        " AND begin_ts BETWEEN (?2 - 2) * 86400 AND (?3 + 1) * 86400"
	        " AND day_last >= ?2 AND day_first <= ?3 ORDER BY begin_ts, id",
	        domain, from, to, &s, e) == -1)
		return -1;
	while ((rc = store_step(st, s, "reading published policies", e)) == SQLITE_ROW) {
		const char *dialect = text(s, 2), *t = text(s, 7), *dk = text(s, 8),
		           *sf = text(s, 9);
		struct advise_policy_obs o = {
			.reporter = text(s, 11),
			.day_first = sqlite3_column_int64(s, 0),
			.day_last = sqlite3_column_int64(s, 1),
			.dialect = dialect == NULL          ? DIALECT_RFC7489 :
			    strcmp(dialect, "rfc9990") == 0 ? DIALECT_RFC9990 :
			    strcmp(dialect, "draft") == 0   ? DIALECT_DRAFT :
			                                      DIALECT_RFC7489,
			.p = policy_parse(text(s, 3)),
			.sp = policy_parse(text(s, 4)),
			.np = policy_parse(text(s, 5)),
			.pct = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 :
			                                                  sqlite3_column_int(s, 6),
			.testing = t != NULL ? t[0] : 0,
			.adkim = dk != NULL ? dk[0] : 0,
			.aspf = sf != NULL ? sf[0] : 0,
			.fo = text(s, 10),
		};

		if (fn(ctx, &o) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/*
 * The messages of the domain's suspect reports on each day of [from, to]:
 * a record's count on its report's day, or its parts on the days of a long
 * report (record_day).
 */
static int
suspect_days(struct store *st, const char *domain, int64_t from, int64_t to, int64_t *per_day,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare_window(st,
	        "SELECT coalesce(d.day, r.day_first) AS day, total(coalesce(d.count, a.count))"
	        " FROM report r JOIN record a ON a.id BETWEEN r.record_first AND r.record_last"
	        " LEFT JOIN record_day d ON d.record_id = a.id"
	        " WHERE r.policy_domain = ?1 AND r.suspect IS NOT NULL"
	        " AND r.day_last >= ?2 AND r.day_first <= ?3 GROUP BY 1",
	        domain, from, to, &s, e) == -1)
		return -1;
	while ((rc = store_step(st, s, "reading suspect reports", e)) == SQLITE_ROW) {
		int64_t day = sqlite3_column_int64(s, 0);
		double m = sqlite3_column_double(s, 1);

		if (day >= from && day <= to)
			per_day[day - from] += m >= 9.2e18 ? INT64_MAX / 2 : (int64_t)m;
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_advise_days(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, int64_t day, int64_t messages), void *ctx, unsigned *reporters,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int64_t *suspect;
	int rc;

	*reporters = 0;
	if (to < from || to - from >= BOUND_REPORT_DAYS) {
		errbuf_set(e, "store: %lld days of volume asked (at most %d)",
		    (long long)(to - from + 1), BOUND_REPORT_DAYS);
		return -1;
	}
	if ((suspect = calloc((size_t)(to - from + 1), sizeof *suspect)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if (suspect_days(st, domain, from, to, suspect, e) == -1) {
		free(suspect);
		return -1;
	}
	if (prepare_window(st,
	        "SELECT day, total(messages) FROM rollup_day WHERE policy_domain = ?1"
	        " AND day BETWEEN ?2 AND ?3 GROUP BY day ORDER BY day",
	        domain, from, to, &s, e) == -1) {
		free(suspect);
		return -1;
	}
	while ((rc = store_step(st, s, "reading daily volume", e)) == SQLITE_ROW) {
		int64_t day = sqlite3_column_int64(s, 0);
		double m = sqlite3_column_double(s, 1);
		int64_t messages = (m >= 9.2e18 ? INT64_MAX : (int64_t)m) - suspect[day - from];

		if (messages > 0 && fn(ctx, day, messages) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	free(suspect);
	if (rc == -1 ||
	    prepare_window(st,
	        "SELECT count(DISTINCT org_key) FROM report WHERE policy_domain = ?1"
	        " AND suspect IS NULL AND xml_sha256 IS NOT NULL AND day_last >= ?2"
	        " AND day_first <= ?3",
	        domain, from, to, &s, e) == -1)
		return -1;
	rc = store_step(st, s, "counting reporters", e);
	if (rc == SQLITE_ROW)
		*reporters = (unsigned)sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/* The statements of one records walk. */
enum { RS_MAIN, RS_DAYS, RS_DKIM, RS_SPF, RS_REASON, RS_COUNT_STMTS };

static const char *const record_sql[RS_COUNT_STMTS] = {
	"SELECT a.id, a.ip, a.ip_family, a.count, a.pe_dkim, a.pe_spf, a.disposition,"
	" a.header_from, a.dkim_domain, a.dkim_result, a.spf_domain, a.spf_scope, a.spf_result,"
	" a.n_dkim, a.n_spf, a.n_reasons, r.day_first, r.day_last,"
	" (SELECT service FROM sender s WHERE s.ip = a.ip)"
	" FROM report r JOIN record a ON a.id BETWEEN r.record_first AND r.record_last"
	" WHERE r.policy_domain = ?1 AND r.day_last >= ?2 AND r.day_first <= ?3"
	" AND r.suspect IS NULL",
	"SELECT day, count FROM record_day WHERE record_id = ?1 AND day BETWEEN ?2 AND ?3",
	"SELECT domain, result FROM record_dkim_more WHERE record_id = ?1 ORDER BY ordinal",
	"SELECT domain, result, scope FROM record_spf_more WHERE record_id = ?1 ORDER BY ordinal",
	"SELECT type FROM record_reason WHERE record_id = ?1 ORDER BY ordinal"
};

/* Copies of the strings of one record, which outlive the statements' rows. */
struct strings {
	char buf[RECORD_TEXT];
	size_t used;
};

static const char *
keep(struct strings *k, const char *s)
{
	size_t n;
	char *out;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (n > sizeof k->buf - k->used)
		return NULL;
	out = k->buf + k->used;
	memcpy(out, s, n);
	k->used += n;
	return out;
}

static bool
is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

/* Adds a record's further DKIM and SPF results and its override reasons. */
static int
children(struct store *st, sqlite3_stmt **q, int64_t id, struct advise_record *r, struct strings *k,
    int n_dkim, int n_spf, int n_reasons, struct errbuf *e)
{
	int rc = SQLITE_DONE;

	if (n_dkim > 1) {
		sqlite3_bind_int64(q[RS_DKIM], 1, id);
		while (r->n_dkim < ADVISE_AUTH_MAX &&
		    (rc = store_step(st, q[RS_DKIM], "reading DKIM results", e)) == SQLITE_ROW) {
			r->dkim[r->n_dkim].domain = keep(k, text(q[RS_DKIM], 0));
			r->dkim[r->n_dkim++].result = keep(k, text(q[RS_DKIM], 1));
		}
		sqlite3_reset(q[RS_DKIM]);
	}
	if (rc != -1 && n_spf > 1) {
		sqlite3_bind_int64(q[RS_SPF], 1, id);
		while (r->n_spf < ADVISE_AUTH_MAX &&
		    (rc = store_step(st, q[RS_SPF], "reading SPF results", e)) == SQLITE_ROW) {
			r->spf[r->n_spf].domain = keep(k, text(q[RS_SPF], 0));
			r->spf[r->n_spf].result = keep(k, text(q[RS_SPF], 1));
			r->spf[r->n_spf++].helo = is(text(q[RS_SPF], 2), "helo");
		}
		sqlite3_reset(q[RS_SPF]);
	}
	if (rc != -1 && n_reasons > 0) {
		sqlite3_bind_int64(q[RS_REASON], 1, id);
		while (r->n_reasons < ADVISE_REASONS_MAX &&
		    (rc = store_step(st, q[RS_REASON], "reading reasons", e)) == SQLITE_ROW)
			r->reasons[r->n_reasons++] = keep(k, text(q[RS_REASON], 0));
		sqlite3_reset(q[RS_REASON]);
	}
	return rc == -1 ? -1 : 0;
}

/* Reads the main row into r (strings copied into k). */
static void
record_row(sqlite3_stmt *m, struct advise_record *r, struct strings *k)
{
	const void *ip = sqlite3_column_blob(m, 1);

	memset(r, 0, sizeof *r);
	k->used = 0;
	if (ip != NULL && sqlite3_column_bytes(m, 1) == 16)
		memcpy(r->ip, ip, 16);
	r->family = ip != NULL ? sqlite3_column_int(m, 2) : 0;
	r->count = sqlite3_column_int64(m, 3);
	r->dkim_aligned = is(text(m, 4), "pass");
	r->spf_aligned = is(text(m, 5), "pass");
	r->disposition = keep(k, text(m, 6));
	r->header_from = keep(k, text(m, 7));
	if (text(m, 9) != NULL) {
		r->dkim[0].domain = keep(k, text(m, 8));
		r->dkim[0].result = keep(k, text(m, 9));
		r->n_dkim = 1;
	}
	if (text(m, 12) != NULL) {
		r->spf[0].domain = keep(k, text(m, 10));
		r->spf[0].result = keep(k, text(m, 12));
		r->spf[0].helo = is(text(m, 11), "helo");
		r->n_spf = 1;
	}
	r->service = keep(k, text(m, 18));
}

/* Calls fn once per attributed day of the current record. */
static int
each_day(struct store *st, sqlite3_stmt **q, int64_t id, int64_t first, int64_t last, int64_t from,
    int64_t to, struct advise_record *r, int (*fn)(void *ctx, const struct advise_record *r),
    void *ctx, struct errbuf *e)
{
	int rc;

	if (first == last) {
		r->day = first;
		return fn(ctx, r);
	}
	sqlite3_bind_int64(q[RS_DAYS], 1, id);
	sqlite3_bind_int64(q[RS_DAYS], 2, from);
	sqlite3_bind_int64(q[RS_DAYS], 3, to);
	while ((rc = store_step(st, q[RS_DAYS], "reading a record's days", e)) == SQLITE_ROW) {
		r->day = sqlite3_column_int64(q[RS_DAYS], 0);
		r->count = sqlite3_column_int64(q[RS_DAYS], 1);
		if (fn(ctx, r) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_reset(q[RS_DAYS]);
	return rc == -1 ? -1 : 0;
}

int
store_advise_records(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct advise_record *r), void *ctx, struct errbuf *e)
{
	sqlite3_stmt *q[RS_COUNT_STMTS] = { NULL };
	struct strings *k = malloc(sizeof *k);
	struct advise_record r;
	int rc = -1, i;

	if (k == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	for (i = 0; i < RS_COUNT_STMTS; i++)
		if (store_prepare(st, record_sql[i], &q[i], e) == -1)
			goto done;
	store_bind_text(q[RS_MAIN], 1, domain);
	sqlite3_bind_int64(q[RS_MAIN], 2, from);
	sqlite3_bind_int64(q[RS_MAIN], 3, to);
	while ((rc = store_step(st, q[RS_MAIN], "reading records", e)) == SQLITE_ROW) {
		sqlite3_stmt *m = q[RS_MAIN];
		int64_t id = sqlite3_column_int64(m, 0);
		int64_t first = sqlite3_column_int64(m, 16), last = sqlite3_column_int64(m, 17);

		if (first == last && (first < from || first > to))
			continue;
		record_row(m, &r, k);
		if (children(st, q, id, &r, k, sqlite3_column_int(m, 13), sqlite3_column_int(m, 14),
		        sqlite3_column_int(m, 15), e) == -1 ||
		    each_day(st, q, id, first, last, from, to, &r, fn, ctx, e) == -1) {
			rc = -1;
			break;
		}
	}
done:
	for (i = 0; i < RS_COUNT_STMTS; i++)
		sqlite3_finalize(q[i]);
	free(k);
	return rc == -1 ? -1 : 0;
}

int64_t
store_advise_first_day(struct store *st, const char *domain, const uint8_t net[16], unsigned prefix)
{
	sqlite3_stmt *s = NULL;
	struct errbuf e;
	int64_t day = -1;

	if (prefix != 120 && prefix != 48)
		return -1;
	if (store_prepare(st, "SELECT first_day FROM source WHERE policy_domain = ?1 AND ip = ?2",
	        &s, &e) == -1)
		return -1;
	store_bind_text(s, 1, domain);
	sqlite3_bind_blob(s, 2, net, 16, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		day = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return day;
}

/* ---- reports that may be forged (store_suspect.c marks them) ---- */

int
store_suspects_each(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct store_suspect *s), void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare_window(st,
	        "SELECT id, policy_domain, org_name, report_id, begin_ts, end_ts, messages, suspect"
	        " FROM report WHERE suspect IS NOT NULL AND (?1 IS NULL OR policy_domain = ?1)"
	        " AND day_last >= ?2 AND day_first <= ?3 ORDER BY policy_domain, begin_ts, id",
	        domain, from, to, &s, e) == -1)
		return -1;
	while ((rc = store_step(st, s, "listing suspect reports", e)) == SQLITE_ROW) {
		struct store_suspect x = {
			.id = sqlite3_column_int64(s, 0),
			.policy_domain = text(s, 1),
			.org_name = text(s, 2),
			.report_id = text(s, 3),
			.begin_ts = sqlite3_column_int64(s, 4),
			.end_ts = sqlite3_column_int64(s, 5),
			.messages = sqlite3_column_int64(s, 6),
			.why = text(s, 7),
		};

		if (fn(ctx, &x) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_suspect_accept(struct store *st, int64_t id, bool *found, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*found = false;
	if (store_prepare(st,
	        "UPDATE report SET suspect = NULL WHERE id = ?1 AND suspect IS NOT NULL", &s,
	        e) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = store_step(st, s, "accepting a suspect report", e);
	if (rc != -1)
		*found = sqlite3_changes(st->db) > 0;
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_advise_services(struct store *st,
    int (*fn)(void *ctx, const char *key, const char *name, const char *fix, const char *doc),
    void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st, "SELECT key, name, fix, doc FROM service ORDER BY key", &s, e) == -1)
		return -1;
	while ((rc = store_step(st, s, "reading the known services", e)) == SQLITE_ROW)
		if (fn(ctx, text(s, 0), text(s, 1), text(s, 2), text(s, 3)) == -1) {
			rc = -1;
			break;
		}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}
