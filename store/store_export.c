/*
 * store: the export queries (reports, records, sources, domains). Columns
 * are appended, never moved: a script that reads them by position keeps
 * working (the names of a source came last).
 */
#include "store_int.h"

#include <string.h>

#include "flags.h"
#include "days.h"

#define EXPORT_MAX_COLS 24

/* Each query is built twice from constant text: with the domain filter D, and without. */
/* clang-format off */
#define REPORTS_SQL(D) \
	"SELECT org_name, report_id, policy_domain, " ISO("begin_ts") ", " ISO("end_ts") "," \
	" records, messages, dmarc_pass, dkim_aligned, spf_aligned, org_email, dialect," \
	" p, sp, pct, adkim, aspf, flags, suspect FROM report" \
	" WHERE " D "begin_ts BETWEEN :since AND :until AND xml_sha256 IS NOT NULL" \
	" ORDER BY begin_ts, org_name, id"
/* clang-format on */

/* CROSS JOIN keeps report the outer loop: rows come out in index order, unsorted. */
/* clang-format off */
#define RECORDS_SQL(D) \
	"SELECT r.org_name, r.report_id, r.policy_domain, " ISO("r.begin_ts") ", " \
	ISO("r.end_ts") ", a.source_ip, a.count, a.disposition, a.pe_dkim, a.pe_spf," \
	" a.dmarc_pass, a.header_from, a.envelope_from, a.envelope_to, " \
	STORE_SQL_REASONS ", " STORE_SQL_DKIM_RESULTS ", " STORE_SQL_SPF_RESULTS ", a.flags, " \
	STORE_SQL_RECORD_NAMES \
	" FROM report r CROSS JOIN record a ON a.id BETWEEN r.record_first AND r.record_last" \
	" WHERE " D "r.begin_ts BETWEEN :since AND :until AND r.xml_sha256 IS NOT NULL" \
	" ORDER BY r.begin_ts, r.org_name, r.id, a.id"
/* clang-format on */

#define PASS_RATE "CASE WHEN messages > 0 THEN round(CAST(dmarc_pass AS REAL) / messages, 4) END"

/* clang-format off */
#define ROLLUP_SUMS \
	"dmarcd_sum(messages) AS messages, dmarcd_sum(dmarc_pass) AS dmarc_pass," \
	" dmarcd_sum(dkim_aligned) AS dkim_aligned, dmarcd_sum(spf_aligned) AS spf_aligned," \
	" dmarcd_sum(disposition_none) AS disposition_none," \
	" dmarcd_sum(disposition_quarantine) AS disposition_quarantine," \
	" dmarcd_sum(disposition_reject) AS disposition_reject," \
	" min(first_seen) AS first_seen, max(last_seen) AS last_seen"
/* clang-format on */

/* The names of a source address (sender n, service v): store_dash.h's sources columns. */
/* clang-format off */
#define SOURCES_SQL(D) \
	"SELECT x.policy_domain, dmarcd_ip_text(x.ip) AS source_ip, x.messages, x.dmarc_pass, " \
	"CASE WHEN x.messages > 0 THEN round(CAST(x.dmarc_pass AS REAL) / x.messages, 4) END," \
	" x.dkim_aligned, x.spf_aligned, x.disposition_none, x.disposition_quarantine," \
	" x.disposition_reject, " DATE("x.first_seen") ", " DATE("x.last_seen") "," \
	" CASE WHEN n.dns_status = 'confirmed' THEN n.ptr END, n.dns_status, n.service," \
	" v.name, v.category, CASE WHEN n.evidence IS NOT NULL THEN n.evidence || ':' ||" \
	" coalesce(n.evidence_value, '') END, n.asn, n.as_org, n.country" \
	" FROM (SELECT policy_domain, ip, " ROLLUP_SUMS " FROM rollup" \
	" WHERE " D "day BETWEEN :lo AND :hi GROUP BY policy_domain, ip) x" \
	" LEFT JOIN sender n ON n.ip = x.ip LEFT JOIN service v ON v.key = n.service" \
	" ORDER BY x.messages DESC, x.policy_domain, source_ip"
/* clang-format on */

/*
 * The published policy shown is the one of the domain's latest report (by
 * begin_ts) attributed to the window or before it; SQLite takes the bare
 * columns of an aggregate query with max() from the row holding the max.
 * The sums come from rollup_day, the distinct sources from rollup.
 */
/* clang-format off */
#define DOMAINS_SQL(D) \
	"WITH agg AS (SELECT policy_domain, " ROLLUP_SUMS " FROM rollup_day" \
	" WHERE " D "day BETWEEN :lo AND :hi GROUP BY policy_domain)," \
	" latest AS (SELECT policy_domain, max(begin_ts), p, sp, np, pct, adkim, aspf," \
	" testing FROM report WHERE " D "day_first <= :hi AND xml_sha256 IS NOT NULL" \
	" GROUP BY policy_domain)" \
	" SELECT g.policy_domain, g.messages, g.dmarc_pass, " PASS_RATE "," \
	" g.dkim_aligned, g.spf_aligned, g.disposition_none, g.disposition_quarantine," \
	" g.disposition_reject," \
	" (SELECT count(DISTINCT u.ip) FROM rollup u WHERE u.policy_domain = g.policy_domain" \
	" AND u.day BETWEEN :lo AND :hi)," \
	" (SELECT count(*) FROM report r WHERE r.policy_domain = g.policy_domain" \
	" AND r.day_first <= :hi AND r.day_last >= :lo AND r.xml_sha256 IS NOT NULL)," \
	" " DATE("g.first_seen") ", " DATE("g.last_seen") "," \
	" l.p, l.sp, l.np, l.pct, l.adkim, l.aspf, l.testing" \
	" FROM agg g LEFT JOIN latest l ON l.policy_domain = g.policy_domain" \
	" ORDER BY g.messages DESC, g.policy_domain"
/* clang-format on */

static const char *const reports_cols[] = { "org_name", "report_id", "policy_domain", "begin",
	"end", "records", "messages", "dmarc_pass", "dkim_aligned", "spf_aligned", "org_email",
	"dialect", "p", "sp", "pct", "adkim", "aspf", "flags", "suspect" };
static const char *const records_cols[] = { "org_name", "report_id", "policy_domain", "begin",
	"end", "source_ip", "count", "disposition", "dkim_aligned", "spf_aligned", "dmarc_pass",
	"header_from", "envelope_from", "envelope_to", "reasons", "dkim_results", "spf_results",
	"flags", "host", "service_name", "asn", "as_org", "country" };
static const char *const sources_cols[] = { "policy_domain", "source_ip", "messages", "dmarc_pass",
	"pass_rate", "dkim_aligned", "spf_aligned", "disposition_none", "disposition_quarantine",
	"disposition_reject", "first_seen", "last_seen", "host", "dns_status", "service",
	"service_name", "category", "evidence", "asn", "as_org", "country" };
static const char *const domains_cols[] = { "policy_domain", "messages", "dmarc_pass", "pass_rate",
	"dkim_aligned", "spf_aligned", "disposition_none", "disposition_quarantine",
	"disposition_reject", "sources", "reports", "first_seen", "last_seen", "p", "sp", "np",
	"pct", "adkim", "aspf", "testing" };

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(NCOLS(reports_cols) <= EXPORT_MAX_COLS, "reports: too many columns");
_Static_assert(NCOLS(records_cols) <= EXPORT_MAX_COLS, "records: too many columns");
_Static_assert(NCOLS(sources_cols) <= EXPORT_MAX_COLS, "sources: too many columns");
_Static_assert(NCOLS(domains_cols) <= EXPORT_MAX_COLS, "domains: too many columns");

static const struct export_def {
	const char *name;
	const char *const *cols;
	size_t ncols;
	int flags_col;      /* the column shown as flag names, or -1 */
	const char *sql[2]; /* all domains, one domain */
} exports[] = {
	[EXPORT_REPORTS] = { "reports", reports_cols, NCOLS(reports_cols), 17,
	    { REPORTS_SQL(""), REPORTS_SQL("policy_domain = :domain AND ") } },
	[EXPORT_RECORDS] = { "records", records_cols, NCOLS(records_cols), 17,
	    { RECORDS_SQL(""), RECORDS_SQL("r.policy_domain = :domain AND ") } },
	[EXPORT_SOURCES] = { "sources", sources_cols, NCOLS(sources_cols), -1,
	    { SOURCES_SQL(""), SOURCES_SQL("policy_domain = :domain AND ") } },
	[EXPORT_DOMAINS] = { "domains", domains_cols, NCOLS(domains_cols), -1,
	    { DOMAINS_SQL(""), DOMAINS_SQL("policy_domain = :domain AND ") } },
};

static const struct export_def *
export_def(enum export_kind kind)
{
	if ((unsigned)kind >= NCOLS(exports))
		return NULL;
	return &exports[kind];
}

void
store_export_columns(enum export_kind kind, size_t *ncols, const char *const **names)
{
	const struct export_def *d = export_def(kind);

	if (kind == EXPORT_FAILURES) {
		store_export_failures_columns(ncols, names);
		return;
	}
	*ncols = d != NULL ? d->ncols : 0;
	*names = d != NULL ? d->cols : NULL;
}

int
export_kind_parse(const char *s, enum export_kind *kind)
{
	size_t i;

	for (i = 0; i < NCOLS(exports); i++) {
		if (strcmp(s, exports[i].name) == 0) {
			*kind = (enum export_kind)i;
			return 0;
		}
	}
	if (strcmp(s, "failures") == 0) {
		*kind = EXPORT_FAILURES;
		return 0;
	}
	return -1;
}

/* The export's statement, prepared on first use and kept. */
static sqlite3_stmt *
export_stmt(struct store *st, const struct export_def *d, enum export_kind kind, bool by_domain,
    struct errbuf *e)
{
	sqlite3_stmt **s = &st->export_stmt[kind * 2 + (by_domain ? 1 : 0)];

	if (*s != NULL)
		return *s;
	if (sqlite3_prepare_v3(st->db, d->sql[by_domain], -1, SQLITE_PREPARE_PERSISTENT, s, NULL) !=
	    SQLITE_OK) {
		errbuf_set(e, "store: preparing the %s export: %s", d->name,
		    sqlite3_errmsg(st->db));
		*s = NULL;
		return NULL;
	}
	if ((size_t)sqlite3_column_count(*s) != d->ncols) {
		errbuf_set(e, "store: the %s export has %d columns, not %zu", d->name,
		    sqlite3_column_count(*s), d->ncols);
		sqlite3_finalize(*s);
		*s = NULL;
		return NULL;
	}
	return *s;
}

static int
bind_named(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_int64(s, i, v);
}

static int
bind_filter(sqlite3_stmt *s, const struct export_filter *f)
{
	int i = sqlite3_bind_parameter_index(s, ":domain"), rc = SQLITE_OK;

	if (i != 0)
		rc = store_bind_text(s, i, f->domain);
	return rc | bind_named(s, ":since", f->since) | bind_named(s, ":until", f->until) |
	    bind_named(s, ":lo", days_of(f->since)) | bind_named(s, ":hi", days_of(f->until));
}

int
store_export(struct store *st, enum export_kind kind, const struct export_filter *f,
    int (*row)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells),
    void *ctx, struct errbuf *e)
{
	const struct export_def *d = export_def(kind);
	struct cell cells[EXPORT_MAX_COLS];
	char flags[STORE_FLAGS_TEXT];
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (kind == EXPORT_FAILURES)
		return store_export_failures(st, f, row, ctx, e);
	if (d == NULL) {
		errbuf_set(e, "store: unknown export %d", (int)kind);
		return -1;
	}
	if ((s = export_stmt(st, d, kind, f->domain != NULL, e)) == NULL)
		return -1;
	if (bind_filter(s, f) != SQLITE_OK)
		return store_fail(st, d->name, e);
	while ((rc = store_step(st, s, d->name, e)) == SQLITE_ROW) {
		for (i = 0; i < d->ncols; i++)
			store_fill_cell(s, (int)i, (int)i == d->flags_col ? flags_describe : NULL,
			    flags, &cells[i]);
		if (row(ctx, d->ncols, d->cols, cells) == -1) {
			errbuf_set(e, "store: %s export: the row writer failed", d->name);
			sqlite3_reset(s);
			return -1;
		}
	}
	if (rc == -1)
		return -1;
	sqlite3_reset(s);
	return 0;
}
