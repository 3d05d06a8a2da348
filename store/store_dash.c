/*
 * store: the dashboard's read queries (store_dash.h): source filters as
 * address ranges, the overview and the daily chart from rollup_day (rollup
 * when a source filter is given), the lists of records, reports, failure
 * reports and inputs, and one report or failure report. Sources are in
 * store_dash_src.c.
 */
/*
 * This file builds SQL text from literals and macros, laid out by hand a
 * clause per line; clang-format would break the clauses apart.
 */
/* clang-format off */
#include "store_dash_int.h"

#include <arpa/inet.h>
#include <string.h>

#include "failure.h"

#define RATE(num, den) \
	"CASE WHEN " den " > 0 THEN round(CAST(" num " AS REAL) / " den ", 4) END"

/* ---- shared helpers ---- */

void
sqlb_add(struct sqlb *b, const char *text)
{
	size_t n = strlen(text);

	if (b->full || b->n + n >= sizeof b->s) {
		b->full = true;
		return;
	}
	memcpy(b->s + b->n, text, n + 1);
	b->n += n;
}

static const struct dash_sums sums_by_result[] = {
	[DASH_RESULT_ALL] = { "messages", "dmarc_pass", "dkim_aligned", "spf_aligned",
	    "disposition_none", "disposition_quarantine", "disposition_reject",
	    "sources_pass, sources_fail" },
	[DASH_RESULT_PASS] = { "dmarc_pass", "dmarc_pass", "dkim_aligned", "spf_aligned",
	    "disposition_none - fail_none", "disposition_quarantine - fail_quarantine",
	    "disposition_reject - fail_reject", "sources_pass" },
	[DASH_RESULT_FAIL] = { "messages - dmarc_pass", "0", "0", "0", "fail_none",
	    "fail_quarantine", "fail_reject", "sources_fail" },
};

const struct dash_sums *
dash_sums(enum dash_result r)
{
	return &sums_by_result[(unsigned)r <= DASH_RESULT_FAIL ? r : DASH_RESULT_ALL];
}

/* Longest source filter text: an IPv6 address and "/128". */
#define SOURCE_TEXT (INET6_ADDRSTRLEN + 4)

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
dash_source_range(const char *source, uint8_t lo[16], uint8_t hi[16])
{
	char addr[SOURCE_TEXT];
	uint8_t a[16];
	const char *slash, *p;
	size_t n, alen, i;
	int plen, bits, keep;
	bool v6;

	if (source == NULL || (n = strnlen(source, SOURCE_TEXT)) == 0 || n == SOURCE_TEXT)
		return -1;
	slash = memchr(source, '/', n);
	alen = slash != NULL ? (size_t)(slash - source) : n;
	if (alen == 0)
		return -1;
	memcpy(addr, source, alen);
	addr[alen] = '\0';
	v6 = memchr(addr, ':', alen) != NULL;
	memcpy(a, v4_mapped, sizeof v4_mapped);
	if (v6 ? inet_pton(AF_INET6, addr, a) != 1 : inet_pton(AF_INET, addr, a + 12) != 1)
		return -1;
	plen = v6 ? 128 : 32;
	if (slash != NULL) {
		p = slash + 1;
		if (*p < '0' || *p > '9' || source + n - p > 3)
			return -1;
		for (plen = 0; p < source + n; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			plen = plen * 10 + (*p - '0');
		}
		if (plen > (v6 ? 128 : 32))
			return -1;
	}
	bits = v6 ? plen : 96 + plen;
	for (i = 0; i < 16; i++) {
		keep = bits >= (int)(8 * i + 8) ? 8 : bits > (int)(8 * i) ? bits - (int)(8 * i) : 0;
		lo[i] = (uint8_t)(a[i] & (0xff00 >> keep));
		hi[i] = (uint8_t)(a[i] | (0xff >> keep));
	}
	return 0;
}

int
dash_args_init(struct dash_args *a, const struct dash_filter *f, struct errbuf *e)
{
	uint8_t net_end[16];

	memset(a, 0, sizeof *a);
	a->domain = f->domain;
	a->org = f->reporter;
	a->lo = f->day_from != 0 ? f->day_from : DASH_DAY_MIN;
	a->hi = f->day_to != 0 ? f->day_to : DASH_DAY_MAX;
	/* The previous window of the same length, when the window is closed. */
	a->plo = 1;
	a->phi = 0;
	if (f->day_from != 0 && f->day_to != 0 && f->day_to >= f->day_from) {
		a->plo = f->day_from - (f->day_to - f->day_from + 1);
		a->phi = f->day_from - 1;
	}
	if (f->source != NULL && f->source[0] != '\0') {
		if (dash_source_range(f->source, a->iplo, a->iphi) == -1) {
			errbuf_set(e, "store: not an address or a CIDR: %s", f->source);
			return -1;
		}
		a->has_source = true;
		store_ip_net(a->iplo, a->netlo, net_end);
	}
	a->service = f->service != NULL && f->service[0] != '\0' ? f->service : NULL;
	a->country = f->country != NULL && f->country[0] != '\0' ? f->country : NULL;
	a->asn = f->asn;
	a->has_names = a->service != NULL || a->country != NULL || a->asn != 0;
	a->limit = -1;
	return 0;
}

void
dash_args_page(struct dash_args *a, const struct dash_page *page)
{
	a->limit = page == NULL || page->limit == 0 ? DASH_LIMIT_DEFAULT :
	    page->limit > DASH_LIMIT_MAX ? DASH_LIMIT_MAX : page->limit;
	a->offset = page != NULL ? page->offset : 0;
}

static int
bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_int64(s, i, v);
}

static int
bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return i == 0 ? SQLITE_OK : store_bind_text(s, i, v);
}

static int
bind_blob(sqlite3_stmt *s, const char *name, const uint8_t *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_blob(s, i, v, 16, SQLITE_TRANSIENT);
}

sqlite3_stmt *
dash_prepare(struct store *st, const struct sqlb *b, const struct dash_args *a,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;

	if (b->full) {
		errbuf_set(e, "store: dashboard query too long");
		return NULL;
	}
	if (sqlite3_prepare_v2(st->db, b->s, (int)b->n + 1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing a dashboard query", e);
		return NULL;
	}
	if ((bind_text(s, ":domain", a->domain) | bind_text(s, ":org", a->org) |
	    bind_int(s, ":lo", a->lo) | bind_int(s, ":hi", a->hi) |
	    bind_int(s, ":plo", a->plo) | bind_int(s, ":phi", a->phi) |
	    bind_blob(s, ":iplo", a->iplo) | bind_blob(s, ":iphi", a->iphi) |
	    bind_blob(s, ":netlo", a->netlo) |
	    bind_int(s, ":limit", a->limit) | bind_int(s, ":offset", a->offset) |
	    bind_int(s, ":id", a->id) | bind_text(s, ":status", a->status) |
	    bind_text(s, ":service", a->service) | bind_text(s, ":country", a->country) |
	    bind_int(s, ":asn", a->asn) |
	    bind_int(s, ":total_max", DASH_TOTAL_MAX + 1)) != SQLITE_OK) {
		store_fail(st, "binding a dashboard query", e);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

int
dash_emit(struct store *st, sqlite3_stmt *s, size_t ncols, const char *const *names,
    int flags_col, const struct cell *extra, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	int rc = dash_emit_rows(st, s, ncols, names, flags_col, extra, row, ctx, e);

	sqlite3_finalize(s);
	return rc;
}

int
dash_emit_rows(struct store *st, sqlite3_stmt *s, size_t ncols, const char *const *names,
    int flags_col, const struct cell *extra, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	struct cell cells[DASH_MAX_COLS];
	char flags[STORE_FLAGS_TEXT];
	size_t i;
	int rc;

	if (ncols + 1 > DASH_MAX_COLS || (size_t)sqlite3_column_count(s) != ncols) {
		errbuf_set(e, "store: dashboard query has %d columns, not %zu",
		    sqlite3_column_count(s), ncols);
		return -1;
	}
	while ((rc = store_step(st, s, "a dashboard query", e)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			store_fill_cell(s, (int)i, (int)i == flags_col ?
			    failure_flags_describe : NULL, flags, &cells[i]);
		if (extra != NULL)
			cells[ncols] = *extra;
		if (row(ctx, ncols + (extra != NULL), names, cells) == -1) {
			errbuf_set(e, "store: the row writer failed");
			rc = -1;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

bool
dash_by_address(const struct dash_args *a)
{
	return a->has_source || a->has_names;
}

/* The first result of a one-value query (finalized), or -1 (e). */
static int
scalar(struct store *st, const struct sqlb *b, const struct dash_args *a,
    int64_t *out, struct errbuf *e)
{
	sqlite3_stmt *s = dash_prepare(st, b, a, e);
	int rc;

	if (s == NULL)
		return -1;
	rc = store_step(st, s, "a dashboard count", e);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/* A column a list may be sorted on: its name in the result, its SQL. */
struct sort_col {
	const char *name, *expr;
};

/* Appends " ORDER BY <expr> ASC|DESC, tiebreak" for a page's sort, or dflt. */
static void
order_by(struct sqlb *b, const struct dash_page *page, const struct sort_col *sortable,
    size_t nsortable, const char *dflt, const char *tiebreak)
{
	size_t i;

	for (i = 0; page != NULL && page->sort != NULL && i < nsortable; i++)
		if (strcmp(page->sort, sortable[i].name) == 0)
			break;
	sqlb_add(b, " ORDER BY ");
	if (page == NULL || page->sort == NULL || i == nsortable) {
		sqlb_add(b, dflt);
	} else {
		/* NULLs (no rate) last whatever the direction */
		sqlb_add(b, sortable[i].expr);
		sqlb_add(b, " IS NULL, ");
		sqlb_add(b, sortable[i].expr);
		sqlb_add(b, page->descending ? " DESC" : " ASC");
	}
	sqlb_add(b, ", ");
	sqlb_add(b, tiebreak);
}

/* ---- the overview and the daily chart ---- */

/*
 * The FROM and WHERE of the rollup rows a filter selects, without the day
 * range: rollup_day, or rollup when a source filter is given (then every
 * domain is looked up by its rows' address range).
 */
static void
rollup_rows(struct sqlb *b, const struct dash_args *a)
{
	if (dash_by_address(a)) {
		sqlb_add(b, a->has_source ? " FROM rollup WHERE ip BETWEEN :iplo AND :iphi" :
		    " FROM rollup WHERE 1");
		dash_names_in(b, a, "ip", false);
		sqlb_add(b, " AND ");
		if (a->domain == NULL)
			sqlb_add(b, "policy_domain IN (SELECT DISTINCT policy_domain"
			    " FROM rollup_day) AND ");
	} else {
		sqlb_add(b, " FROM rollup_day WHERE ");
	}
	if (a->domain != NULL)
		sqlb_add(b, "policy_domain = :domain AND ");
	if (a->org != NULL)
		sqlb_add(b, "org_key = :org AND ");
}

void
dash_sum_as(struct sqlb *b, const char *expr, const char *name)
{
	sqlb_add(b, "dmarcd_sum(");
	sqlb_add(b, expr);
	sqlb_add(b, ") AS ");
	sqlb_add(b, name);
}

void
dash_sums_as(struct sqlb *b, const struct dash_sums *x)
{
	dash_sum_as(b, x->messages, "messages");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->dmarc_pass, "dmarc_pass");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->dkim_aligned, "dkim_aligned");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->spf_aligned, "spf_aligned");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->none, "disposition_none");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->quarantine, "disposition_quarantine");
	sqlb_add(b, ", ");
	dash_sum_as(b, x->reject, "disposition_reject");
}

static const char *const domains_cols[] = {
	"policy_domain", "messages", "dmarc_pass", "pass_rate", "dkim_aligned", "dkim_rate",
	"spf_aligned", "spf_rate", "disposition_none", "disposition_quarantine",
	"disposition_reject", "sources", "p", "sp", "pct", "testing", "prev_messages",
	"prev_pass_rate",
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

int
store_dash_domains(struct store *st, const struct dash_filter *f, store_row_fn row,
    void *ctx, struct errbuf *e)
{
	const struct dash_sums *x = dash_sums(f->result);
	struct dash_args a;
	struct sqlb b = { .n = 0 };
	sqlite3_stmt *s;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	sqlb_add(&b, "WITH cur AS (SELECT policy_domain, ");
	dash_sums_as(&b, x);
	if (dash_by_address(&a)) {
		/* exact: the address range keeps the rows few */
		sqlb_add(&b, ", count(DISTINCT CASE WHEN ");
		sqlb_add(&b, f->result == DASH_RESULT_ALL ? "1" : x->messages);
		sqlb_add(&b, " > 0 THEN ip END) AS sources");
	} else {
		sqlb_add(&b, ", dmarcd_sketch_count(");
		sqlb_add(&b, x->sources);
		sqlb_add(&b, ") AS sources");
	}
	rollup_rows(&b, &a);
	sqlb_add(&b, "day BETWEEN :lo AND :hi GROUP BY policy_domain),"
	    " prev AS (SELECT policy_domain, ");
	dash_sum_as(&b, x->messages, "messages");
	sqlb_add(&b, ", ");
	dash_sum_as(&b, x->dmarc_pass, "dmarc_pass");
	rollup_rows(&b, &a);
	sqlb_add(&b, "day BETWEEN :plo AND :phi GROUP BY policy_domain)"
	    " SELECT c.policy_domain, c.messages, c.dmarc_pass, "
	    RATE("c.dmarc_pass", "c.messages") ", c.dkim_aligned, "
	    RATE("c.dkim_aligned", "c.messages") ", c.spf_aligned, "
	    RATE("c.spf_aligned", "c.messages") ", c.disposition_none,"
	    " c.disposition_quarantine, c.disposition_reject, c.sources,"
	    " l.p, l.sp, l.pct, l.testing, v.messages, "
	    RATE("v.dmarc_pass", "v.messages")
	    " FROM cur c LEFT JOIN prev v ON v.policy_domain = c.policy_domain"
	    " LEFT JOIN report l ON l.id = (SELECT id FROM report WHERE"
	    " policy_domain = c.policy_domain AND day_first <= :hi AND xml_sha256 IS NOT NULL"
	    " ORDER BY begin_ts DESC, id DESC LIMIT 1)"
	    " ORDER BY c.messages DESC, c.policy_domain");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(domains_cols), domains_cols, -1, NULL, row, ctx, e);
}

static const char *const daily_cols[] = {
	"day", "messages", "dmarc_pass", "dmarc_fail", "pass_rate",
};

int
store_dash_daily(struct store *st, const struct dash_filter *f, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	const struct dash_sums *x = dash_sums(f->result);
	struct dash_args a;
	struct sqlb b = { .n = 0 };
	sqlite3_stmt *s;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	sqlb_add(&b, "SELECT " DATE("day * 86400") ", messages, dmarc_pass,"
	    " messages - dmarc_pass, " RATE("dmarc_pass", "messages")
	    " FROM (SELECT day, ");
	dash_sum_as(&b, x->messages, "messages");
	sqlb_add(&b, ", ");
	dash_sum_as(&b, x->dmarc_pass, "dmarc_pass");
	rollup_rows(&b, &a);
	sqlb_add(&b, "day BETWEEN :lo AND :hi GROUP BY day) ORDER BY day");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(daily_cols), daily_cols, -1, NULL, row, ctx, e);
}

/* ---- lists ---- */

/* Counts the rows of "SELECT 1 <from_where>" up to DASH_TOTAL_MAX + 1. 0 or -1 (e). */
static int
count_rows(struct store *st, const char *from_where, const struct dash_args *a,
    int64_t *out, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };

	sqlb_add(&b, "SELECT count(*) FROM (SELECT 1");
	sqlb_add(&b, from_where);
	sqlb_add(&b, " LIMIT :total_max)");
	return scalar(st, &b, a, out, e);
}

void
dash_report_filter(struct sqlb *b, const struct dash_args *a)
{
	/* begin_ts first, for the index; a report spans at most BOUND_REPORT_DAYS */
	sqlb_add(b, "r.begin_ts BETWEEN (:lo - 400) * 86400 AND (:hi + 1) * 86400 - 1"
	    " AND r.day_first <= :hi AND r.day_last >= :lo AND r.xml_sha256 IS NOT NULL");
	if (a->domain != NULL)
		sqlb_add(b, " AND r.policy_domain = :domain");
	if (a->org != NULL)
		sqlb_add(b, " AND r.org_key = :org");
}

/*
 * Appends the condition that report r may hold a record from the source
 * range or the named addresses: a rollup row of its domain and reporter on one of its days has an
 * address in the range (a superset: the records decide).
 */
static void
source_reports(struct sqlb *b, const struct dash_args *a)
{
	sqlb_add(b, "r.id IN (SELECT rp.id FROM rollup g JOIN report rp ON"
	    " rp.policy_domain = g.policy_domain AND rp.org_key = g.org_key"
	    " AND rp.day_first BETWEEN g.day - 400 AND g.day AND rp.day_last >= g.day"
	    " WHERE g.day BETWEEN :lo AND :hi");
	if (a->has_source)
		sqlb_add(b, " AND g.ip BETWEEN :iplo AND :iphi");
	dash_names_in(b, a, "g.ip", false);
	if (a->domain != NULL)
		sqlb_add(b, " AND g.policy_domain = :domain");
	else
		sqlb_add(b, " AND g.policy_domain IN (SELECT DISTINCT policy_domain"
		    " FROM rollup_day)");
	if (a->org != NULL)
		sqlb_add(b, " AND g.org_key = :org");
	sqlb_add(b, ")");
}

/* The columns of the records lists and of a report's records. */
#define RECORD_NCOLS 22
#define RECORD_NAMES_FIRST 17 /* host: record_cols selects NULL for the names */
static const char *const record_names[RECORD_NCOLS + 1] = {
	"report", "org_name", "report_id", "policy_domain", "begin", "end", "source_ip",
	"count", "disposition", "dkim_aligned", "spf_aligned", "dmarc_pass", "header_from",
	"envelope_from", "reasons", "dkim_results", "spf_results", "host", "service_name",
	"asn", "as_org", "country", "total_rows",
};

/* The record columns of the records lists (a: record, r: report), without total_rows. */
static void
record_cols(struct sqlb *b)
{
	sqlb_add(b, "SELECT r.id, r.org_name, r.report_id, r.policy_domain, " ISO("r.begin_ts")
	    ", " ISO("r.end_ts") ", a.source_ip, a.count, a.disposition, a.pe_dkim, a.pe_spf,"
	    " a.dmarc_pass, a.header_from, a.envelope_from, " STORE_SQL_REASONS ", "
	    STORE_SQL_DKIM_RESULTS ", " STORE_SQL_SPF_RESULTS ", NULL, NULL, NULL, NULL, NULL");
}

/*
 * Runs a records query (record_cols: the names NULL) and writes its rows
 * with the names of their addresses, looked up as each row is written: a
 * sort reads every record of the window, the names are for the page only.
 */
static int
emit_records(struct store *st, const struct sqlb *b, const struct dash_args *a,
    const struct cell *total, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct dash_names *nm;
	sqlite3_stmt *s;
	int rc;

	if ((nm = dash_record_names_new(st, RECORD_NAMES_FIRST, 6, row, ctx, e)) == NULL)
		return -1;
	if ((s = dash_prepare(st, b, a, e)) == NULL) {
		dash_names_free(nm);
		return -1;
	}
	rc = dash_emit(st, s, RECORD_NCOLS, record_names, -1, total, dash_record_names_row, nm,
	    e);
	dash_names_free(nm);
	return rc;
}

int
store_dash_records(struct store *st, const struct dash_filter *f,
    const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb w = { .n = 0 }, b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	dash_window_records(&w, &a, f->result);
	if (dash_by_address(&a)) {
		sqlb_add(&w, " AND ");
		source_reports(&w, &a);
		if (a.has_source)
			sqlb_add(&w, " AND a.ip BETWEEN :iplo AND :iphi");
		dash_names_in(&w, &a, "a.ip", false);
	}
	if (w.full) {
		errbuf_set(e, "store: dashboard query too long");
		return -1;
	}
	if (count_rows(st, w.s, &a, &total.i, e) == -1)
		return -1;
	record_cols(&b);
	sqlb_add(&b, w.s);
	sqlb_add(&b, " ORDER BY r.begin_ts DESC, r.id DESC, a.id LIMIT :limit OFFSET :offset");
	return emit_records(st, &b, &a, &total, row, ctx, e);
}


static const char *const reports_cols[] = {
	"id", "org_name", "report_id", "policy_domain", "begin", "end", "records", "messages",
	"dmarc_pass", "pass_rate", "p", "dialect", "flags", "suspect", "total_rows",
};

static const struct sort_col reports_sort[] = {
	{ "id", "r.id" }, { "org_name", "r.org_name" }, { "report_id", "r.report_id" },
	{ "policy_domain", "r.policy_domain" }, { "begin", "r.begin_ts" },
	{ "end", "r.end_ts" }, { "records", "r.records" }, { "messages", "r.messages" },
	{ "dmarc_pass", "r.dmarc_pass" },
	{ "pass_rate", "CAST(r.dmarc_pass AS REAL) / nullif(r.messages, 0)" },
	{ "p", "r.p" }, { "dialect", "r.dialect" },
};

int
store_dash_reports(struct store *st, const struct dash_filter *f,
    const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb w = { .n = 0 }, b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	sqlite3_stmt *s;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	sqlb_add(&w, " FROM report r WHERE ");
	dash_report_filter(&w, &a);
	if (f->result == DASH_RESULT_PASS)
		sqlb_add(&w, " AND r.dmarc_pass > 0");
	else if (f->result == DASH_RESULT_FAIL)
		sqlb_add(&w, " AND r.dmarc_pass < r.messages");
	if (dash_by_address(&a)) {
		sqlb_add(&w, " AND ");
		source_reports(&w, &a);
		sqlb_add(&w, " AND EXISTS (SELECT 1 FROM record a WHERE a.id BETWEEN"
		    " r.record_first AND r.record_last");
		if (a.has_source)
			sqlb_add(&w, " AND a.ip BETWEEN :iplo AND :iphi");
		dash_names_in(&w, &a, "a.ip", false);
		sqlb_add(&w, ")");
	}
	if (w.full) {
		errbuf_set(e, "store: dashboard query too long");
		return -1;
	}
	if (count_rows(st, w.s, &a, &total.i, e) == -1)
		return -1;
	sqlb_add(&b, "SELECT r.id, r.org_name, r.report_id, r.policy_domain, "
	    ISO("r.begin_ts") ", " ISO("r.end_ts") ", r.records, r.messages, r.dmarc_pass, "
	    RATE("r.dmarc_pass", "r.messages") ", r.p, r.dialect, r.flags, r.suspect");
	sqlb_add(&b, w.s);
	order_by(&b, page, reports_sort, NCOLS(reports_sort), "r.begin_ts DESC",
	    "r.id DESC");
	sqlb_add(&b, " LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(reports_cols) - 1, reports_cols, 12, &total, row, ctx,
	    e);
}

static const char *const report_cols[] = {
	"org_name", "org_email", "extra_contact", "report_id", "policy_domain", "begin", "end",
	"dialect", "generator", "errors", "p", "sp", "np", "pct", "adkim", "aspf", "fo",
	"testing", "discovery_method", "records", "messages", "dmarc_pass", "flags",
	"input_location", "suspect",
};

int
store_dash_report(struct store *st, int64_t id, bool *found, store_row_fn meta_row,
    store_row_fn records_row, void *ctx, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	struct dash_filter none = { 0 };
	sqlite3_stmt *s;
	int64_t n = 0;

	*found = false;
	if (dash_args_init(&a, &none, e) == -1)
		return -1;
	a.id = id;
	sqlb_add(&b, "SELECT count(*), coalesce(max(r.record_last - r.record_first + 1), 0)"
	    " FROM report r WHERE r.id = :id AND r.xml_sha256 IS NOT NULL");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	if (store_step(st, s, "reading a report", e) == -1) {
		sqlite3_finalize(s);
		return -1;
	}
	*found = sqlite3_column_int64(s, 0) > 0;
	n = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	if (!*found)
		return 0;
	b.n = 0;
	b.s[0] = '\0';
	sqlb_add(&b, "SELECT r.org_name, r.org_email, r.extra_contact, r.report_id,"
	    " r.policy_domain, " ISO("r.begin_ts") ", " ISO("r.end_ts") ", r.dialect,"
	    " r.generator, r.errors, r.p, r.sp, r.np, r.pct, r.adkim, r.aspf, r.fo, r.testing,"
	    " r.discovery_method, r.records, r.messages, r.dmarc_pass, r.flags, i.location,"
	    " r.suspect"
	    " FROM report r LEFT JOIN input i ON i.id = r.input_id WHERE r.id = :id");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL ||
	    dash_emit(st, s, NCOLS(report_cols), report_cols, 22, NULL, meta_row, ctx, e) == -1)
		return -1;
	b.n = 0;
	b.s[0] = '\0';
	record_cols(&b);
	sqlb_add(&b, " FROM report r CROSS JOIN record a ON a.id BETWEEN r.record_first AND"
	    " r.record_last WHERE r.id = :id ORDER BY a.id");
	total.i = n;
	return emit_records(st, &b, &a, &total, records_row, ctx, e);
}

/* The arrival time of a failure report, as the failures export has it. */
#define FAILURE_TIME "coalesce(arrival_ts, stored_at)"

static const char *const failures_cols[] = {
	"id", "arrival_date", "reporter", "source_ip", "reported_domain", "header_from",
	"auth_failure", "delivery_result", "subject", "aggregate_messages", "total_rows",
};

int
store_dash_failures(struct store *st, const struct dash_filter *f,
    const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb w = { .n = 0 }, b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	sqlite3_stmt *s;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	sqlb_add(&w, " FROM failure WHERE kind = 'dmarc' AND " FAILURE_TIME
	    " BETWEEN :lo * 86400 AND :hi * 86400 + 86399");
	if (a.domain != NULL)
		sqlb_add(&w, " AND reported_domain = :domain");
	if (a.has_source)
		sqlb_add(&w, " AND ip BETWEEN :iplo AND :iphi");
	dash_names_in(&w, &a, "ip", false);
	if (w.full) {
		errbuf_set(e, "store: dashboard query too long");
		return -1;
	}
	if (count_rows(st, w.s, &a, &total.i, e) == -1)
		return -1;
	sqlb_add(&b, "SELECT id, " ISO(FAILURE_TIME) ", reporter, source_ip, reported_domain,"
	    " header_from, auth_failure, delivery_result, sample_subject,"
	    " CASE WHEN ip IS NULL OR reported_domain IS NULL THEN NULL ELSE"
	    " (SELECT dmarcd_sum(u.messages) FROM rollup u WHERE u.policy_domain ="
	    " failure.reported_domain AND u.ip = failure.ip) END");
	sqlb_add(&b, w.s);
	sqlb_add(&b, " ORDER BY " FAILURE_TIME " DESC, id DESC LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(failures_cols) - 1, failures_cols, -1, &total, row, ctx,
	    e);
}

static const char *const failure_cols[] = {
	"id", "input_id", "kind", "format", "reporter", "feedback_type", "user_agent",
	"version", "auth_failure", "identity_alignment", "delivery_result",
	"delivery_result_raw", "arrival_date", "arrival_raw", "source_ip", "source_ip_raw",
	"source_port", "incidents", "reported_domain", "original_mail_from",
	"original_rcpt_to", "original_envelope_id", "reporting_mta", "auth_results",
	"dkim_domain", "dkim_identity", "dkim_selector", "spf_dns", "spf_result",
	"dkim_result", "dmarc_result", "spf_alignment", "dkim_alignment", "sample_kind",
	"sample_from", "header_from", "sample_to", "sample_subject", "sample_date",
	"sample_message_id", "sample_dkim_domain", "sample_dkim_selector", "sample_headers",
	"sample_body", "sample_cleared_at", "flags", "stored_at",
};

int
store_dash_failure(struct store *st, int64_t id, bool *found, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct dash_filter none = { 0 };
	sqlite3_stmt *s;
	int64_t n;

	*found = false;
	if (dash_args_init(&a, &none, e) == -1)
		return -1;
	a.id = id;
	sqlb_add(&b, "SELECT count(*) FROM failure WHERE id = :id");
	if (scalar(st, &b, &a, &n, e) == -1)
		return -1;
	if ((*found = n > 0) == false)
		return 0;
	b.n = 0;
	b.s[0] = '\0';
	sqlb_add(&b, "SELECT id, input_id, kind, format, reporter, feedback_type, user_agent,"
	    " version, auth_failure, identity_alignment, delivery_result, delivery_result_raw, "
	    ISO("arrival_ts") ", arrival_raw, source_ip, source_ip_raw, source_port, incidents,"
	    " reported_domain, original_mail_from, original_rcpt_to, original_envelope_id,"
	    " reporting_mta, auth_results, dkim_domain, dkim_identity, dkim_selector, spf_dns,"
	    " spf_result, dkim_result, dmarc_result, spf_alignment, dkim_alignment,"
	    " sample_kind, sample_from, header_from, sample_to, sample_subject, sample_date,"
	    " sample_message_id, sample_dkim_domain, sample_dkim_selector, sample_headers,"
	    " CAST(sample_body AS TEXT), " ISO("sample_cleared_at") ", flags, "
	    ISO("stored_at") " FROM failure WHERE id = :id");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(failure_cols), failure_cols, 45, NULL, row, ctx, e);
}

static const char *const inputs_cols[] = {
	"id", "received", "source", "location", "kind", "status", "refusal_code", "reason",
	"reports_stored", "reports_duplicate", "records", "times_seen", "subject",
	"total_rows",
};

int
store_dash_inputs(struct store *st, const char *status, const struct dash_page *page,
    store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct dash_filter none = { 0 };
	struct cell total = { .type = CELL_INT };
	const char *where = status != NULL ? " FROM input WHERE status = :status" :
	    " FROM input";
	sqlite3_stmt *s;

	if (dash_args_init(&a, &none, e) == -1)
		return -1;
	dash_args_page(&a, page);
	a.status = status;
	if (count_rows(st, where, &a, &total.i, e) == -1)
		return -1;
	sqlb_add(&b, "SELECT id, " ISO("first_seen_at") ", source, location, kind, status,"
	    " refusal_code, reason, reports_stored, reports_duplicate, records, times_seen,"
	    " subject");
	sqlb_add(&b, where);
	sqlb_add(&b, " ORDER BY id DESC LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(inputs_cols) - 1, inputs_cols, -1, &total, row, ctx, e);
}

static const char *const reporters_cols[] = { "org_key", "org_name", "reports" };

int
store_dash_reporters(struct store *st, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct dash_filter none = { 0 };
	sqlite3_stmt *s;

	if (dash_args_init(&a, &none, e) == -1)
		return -1;
	sqlb_add(&b, "SELECT org_key, org_name, reports FROM reporter"
	    " ORDER BY reports DESC, org_key");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(reporters_cols), reporters_cols, -1, NULL, row, ctx, e);
}
/* clang-format on */
