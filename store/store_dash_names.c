/*
 * store: the names of the dashboard's sources (store_dash.h), from the
 * sender and service tables (schema/006_sender.sql): the columns a page of
 * addresses or networks gets, and the sources grouped by service, network
 * owner (AS) or country.
 *
 * The columns are looked up as each row of a page is written (at most 500
 * primary-key lookups), never joined to the groups before the page is
 * chosen: the fast paths of store_dash_src.c keep their cost.
 *
 * A group of named addresses is summed from the rollup by class (kept by
 * the enricher: store_class.h), or with a source or names filter from the
 * heavy networks (source), their sender rows (sender_net) and those
 * addresses' rollup rows: the names exist for these only. The messages of every other address, the
 * window's total (rollup_day, a row per domain, day and reporter) less
 * the named ones, make the "" row, so that every message is in one row
 * without reading the millions of rollup rows of the spoofed addresses.
 */
/*
 * This file builds SQL text from literals and macros, laid out by hand a
 * clause per line; clang-format would break the clauses apart.
 */
/* clang-format off */
#include "store_dash_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE(num, den) \
	"CASE WHEN " den " > 0 THEN round(CAST(" num " AS REAL) / " den ", 4) END"
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The columns of a sources row: the figures, the names, total_rows. Static:
 * a row writer may keep the names (tests/tu_table.c does).
 */
static const char *const named_cols[] = {
	"source", "policy_domain", "messages", "dmarc_pass", "pass_rate", "dkim_aligned",
	"spf_aligned", "disposition_none", "disposition_quarantine", "disposition_reject",
	"header_from", "reporters", "first_seen", "last_seen", "host", "dns_status", "service",
	"service_name", "category", "evidence", "asn", "as_org", "country", "ptr", "total_rows",
};
#define NAMES_FIRST 14 /* host */
#define NAMES_NCOLS 10

/* A confirmed PTR name only: any other is the address owner's unchecked claim. */
#define HOST "CASE WHEN n.dns_status = 'confirmed' THEN n.ptr END"

/* The names of one address :lo. */
static const char names_of_ip[] =
	"SELECT " HOST ", n.dns_status, n.service, v.name, v.category,"
	" CASE WHEN n.evidence IS NOT NULL THEN n.evidence || ':' || coalesce(n.evidence_value, '')"
	" END, n.asn, n.as_org, n.country, n.ptr"
	" FROM sender n LEFT JOIN service v ON v.key = n.service WHERE n.ip = :lo";

/*
 * The names of a network :lo..:hi, as rows that net_names sums up: its
 * first 3 services in key order (the index sender_net, which holds only
 * the network's named rows in that order: no temporary table, a file here
 * with temp_store = FILE), then the AS and the country of its first address
 * that has one (the addresses of a /24 almost always agree). The unary +
 * keeps SQLite on the primary key's address range, not on a partial index
 * on asn or country scanned whole.
 */
static const char names_of_net[] =
	"SELECT * FROM (SELECT n.service, v.name, v.category, NULL, NULL, NULL"
	"  FROM sender n LEFT JOIN service v ON v.key = n.service"
	"  WHERE n.net = :lo AND n.service IS NOT NULL GROUP BY n.service ORDER BY n.service"
	"  LIMIT 3)"
	" UNION ALL SELECT * FROM (SELECT NULL, NULL, NULL, n.asn, n.as_org, NULL FROM sender n"
	"  WHERE n.ip BETWEEN :lo AND :hi AND +n.asn IS NOT NULL ORDER BY n.ip LIMIT 1)"
	" UNION ALL SELECT * FROM (SELECT NULL, NULL, NULL, NULL, NULL, n.country FROM sender n"
	"  WHERE n.ip BETWEEN :lo AND :hi AND +n.country IS NOT NULL ORDER BY n.ip LIMIT 1)";

_Static_assert(NAMES_FIRST + NAMES_NCOLS + 1 == NCOLS(named_cols), "the names, then total_rows");

/* The names a record of the records lists and the report view gets, from its address. */
static const char names_of_record[] =
	"SELECT " HOST ", v.name, n.asn, n.as_org, n.country"
	" FROM sender n LEFT JOIN service v ON v.key = n.service WHERE n.ip = :lo";
#define RECORD_NAMES_N 5

#define NET_LIST_SIZE 400 /* 3 items of up to 127 bytes, and their separators */

struct dash_names {
	struct store *st;
	sqlite3_stmt *s;             /* names_of_ip, names_of_net or names_of_record */
	size_t first, src;           /* records: the first name column, the address column */
	bool net;                    /* names_of_net: a network's names, summed in net_names */
	char svc[NET_LIST_SIZE], svc_name[NET_LIST_SIZE], svc_cat[NET_LIST_SIZE];
	char as_org[256], country[8];
	int64_t asn;
	store_row_fn row;
	void *ctx;
	struct errbuf *e;
	bool failed;                 /* the lookup failed (e says why), not the writer */
};

struct dash_names *
dash_names_new(struct store *st, enum dash_group g, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	struct dash_names *n;

	if ((n = calloc(1, sizeof *n)) == NULL) {
		errbuf_set(e, "store: out of memory");
		return NULL;
	}
	n->st = st;
	n->net = g == DASH_GROUP_PREFIX;
	n->row = row;
	n->ctx = ctx;
	n->e = e;
	if (sqlite3_prepare_v2(st->db, g == DASH_GROUP_PREFIX ? names_of_net : names_of_ip, -1,
	    &n->s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing the names of the sources", e);
		free(n);
		return NULL;
	}
	return n;
}

struct dash_names *
dash_record_names_new(struct store *st, size_t first, size_t src, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	struct dash_names *n;

	if ((n = calloc(1, sizeof *n)) == NULL) {
		errbuf_set(e, "store: out of memory");
		return NULL;
	}
	*n = (struct dash_names){ .st = st, .first = first, .src = src, .row = row, .ctx = ctx,
		.e = e };
	if (sqlite3_prepare_v2(st->db, names_of_record, -1, &n->s, NULL) != SQLITE_OK) {
		store_fail(st, "preparing the names of the records", e);
		free(n);
		return NULL;
	}
	return n;
}

int
dash_record_names_row(void *ctx, size_t ncols, const char *const *names,
    const struct cell *cells)
{
	struct dash_names *n = ctx;
	struct cell oc[DASH_MAX_COLS];
	uint8_t ip[16];
	size_t i;
	int step = SQLITE_DONE, rc;

	if (ncols > DASH_MAX_COLS || n->first + RECORD_NAMES_N > ncols || n->src >= ncols)
		return -1;
	memcpy(oc, cells, ncols * sizeof *oc);
	if (cells[n->src].type == CELL_TEXT && store_ip_parse(cells[n->src].s, ip) == 16) {
		if (sqlite3_bind_blob(n->s, 1, ip, 16, SQLITE_TRANSIENT) != SQLITE_OK) {
			store_fail(n->st, "naming a record's source", n->e);
			return -1;
		}
		if ((step = store_step(n->st, n->s, "naming a record's source", n->e)) == -1) {
			sqlite3_reset(n->s);
			return -1;
		}
	}
	for (i = 0; i < RECORD_NAMES_N && step == SQLITE_ROW; i++)
		store_fill_cell(n->s, (int)i, NULL, NULL, &oc[n->first + i]);
	rc = n->row(n->ctx, ncols, names, oc);
	sqlite3_reset(n->s);
	return rc;
}

void
dash_names_free(struct dash_names *n)
{
	if (n == NULL)
		return;
	sqlite3_finalize(n->s);
	free(n);
}

/* A network's services (names_of_net gives them distinct, in key order): key, name, category. */
#define NET_SERVICES 3
struct net_list {
	char item[NET_SERVICES][3][128];
	unsigned n;
};

/* Adds the service of the current row (columns 0..2) unless known or the list is full. */
static void
net_service(struct dash_names *n, struct net_list *l)
{
	const char *key = (const char *)sqlite3_column_text(n->s, 0), *t;
	unsigned i;
	int c;

	if (key == NULL || l->n == NET_SERVICES)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->item[i][0], key) == 0)
			return;
	for (c = 0; c < 3; c++) {
		t = (const char *)sqlite3_column_text(n->s, c);
		snprintf(l->item[l->n][c], sizeof l->item[0][0], "%s", t != NULL ? t : "");
	}
	l->n++;
}

static int
by_key(const void *x, const void *y)
{
	return strcmp(*(const char(*)[128])x, *(const char(*)[128])y);
}

/* The three lists of l, ", "-separated, into n's buffers. */
static void
net_lists(struct dash_names *n, struct net_list *l)
{
	char *out[3] = { n->svc, n->svc_name, n->svc_cat };
	unsigned i;
	int c;

	qsort(l->item, l->n, sizeof l->item[0], by_key);
	for (c = 0; c < 3; c++) {
		size_t len = 0;

		out[c][0] = '\0';
		for (i = 0; i < l->n; i++)
			len += (size_t)snprintf(out[c] + len, len < NET_LIST_SIZE ? NET_LIST_SIZE - len : 0,
			    "%s%s", i > 0 ? ", " : "", l->item[i][c]);
	}
}

/*
 * The NAMES_NCOLS cells of a network from the rows of names_of_net (the
 * first already stepped: step), into out; their text lives in n.
 */
static int
net_names(struct dash_names *n, int step, struct cell *out)
{
	struct net_list l = { .n = 0 };
	size_t i;

	n->svc[0] = n->svc_name[0] = n->svc_cat[0] = n->as_org[0] = n->country[0] = '\0';
	n->asn = 0;
	for (; step == SQLITE_ROW; step = store_step(n->st, n->s, "naming a network", n->e)) {
		const char *t;

		net_service(n, &l);
		if (n->asn == 0 && sqlite3_column_type(n->s, 3) == SQLITE_INTEGER) {
			n->asn = sqlite3_column_int64(n->s, 3);
			t = (const char *)sqlite3_column_text(n->s, 4);
			snprintf(n->as_org, sizeof n->as_org, "%s", t != NULL ? t : "");
		}
		if (n->country[0] == '\0' && (t = (const char *)sqlite3_column_text(n->s, 5)) != NULL)
			snprintf(n->country, sizeof n->country, "%s", t);
	}
	if (step == -1)
		return -1;
	net_lists(n, &l);
	/* host, dns_status, service, service_name, category, evidence, asn, as_org, country, ptr */
	for (i = 0; i < NAMES_NCOLS; i++)
		out[i] = (struct cell){ .type = CELL_NULL };
	if (l.n > 0) {
		out[2] = (struct cell){ .type = CELL_TEXT, .s = n->svc };
		out[3] = (struct cell){ .type = CELL_TEXT, .s = n->svc_name };
		out[4] = (struct cell){ .type = CELL_TEXT, .s = n->svc_cat };
	}
	if (n->asn != 0) {
		out[6] = (struct cell){ .type = CELL_INT, .i = n->asn };
		if (n->as_org[0] != '\0')
			out[7] = (struct cell){ .type = CELL_TEXT, .s = n->as_org };
	}
	if (n->country[0] != '\0')
		out[8] = (struct cell){ .type = CELL_TEXT, .s = n->country };
	return 0;
}

/*
 * The row with the names of its source (cells[0], an address or a network
 * as text, "" for invalid addresses) inserted before its last cell, total_rows.
 */
int
dash_names_row(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	struct dash_names *n = ctx;
	struct cell oc[NCOLS(named_cols)];
	uint8_t lo[16], hi[16];
	size_t i, k;
	int step = SQLITE_DONE, rc;

	if (ncols != NAMES_FIRST + 1)
		return -1;
	for (k = 0; k < NAMES_FIRST; k++) {
		if (strcmp(names[k], named_cols[k]) != 0)
			return -1;
		oc[k] = cells[k];
	}
	if (cells[0].type == CELL_TEXT && dash_source_range(cells[0].s, lo, hi) == 0) {
		if ((sqlite3_bind_blob(n->s, sqlite3_bind_parameter_index(n->s, ":lo"), lo, 16,
		    SQLITE_TRANSIENT) | (sqlite3_bind_parameter_index(n->s, ":hi") == 0 ?
		    SQLITE_OK : sqlite3_bind_blob(n->s, sqlite3_bind_parameter_index(n->s, ":hi"),
		    hi, 16, SQLITE_TRANSIENT))) != SQLITE_OK) {
			store_fail(n->st, "naming a source", n->e);
			n->failed = true;
			return -1;
		}
		if ((step = store_step(n->st, n->s, "naming a source", n->e)) == -1) {
			n->failed = true;
			sqlite3_reset(n->s);
			return -1;
		}
	}
	if (n->net) {
		if (net_names(n, step, &oc[k]) == -1) {
			sqlite3_reset(n->s);
			return -1;
		}
		k += NAMES_NCOLS;
	} else {
		for (i = 0; i < NAMES_NCOLS; i++, k++) {
			if (step == SQLITE_ROW)
				store_fill_cell(n->s, (int)i, NULL, NULL, &oc[k]);
			else
				oc[k] = (struct cell){ .type = CELL_NULL };
		}
	}
	oc[k] = cells[ncols - 1];
	rc = n->row(n->ctx, NCOLS(named_cols), named_cols, oc);
	sqlite3_reset(n->s);
	return rc;
}

/* ---- the names filters (service=, asn=, country=) ---- */

void
dash_names_in(struct sqlb *b, const struct dash_args *a, const char *col, bool net)
{
	if (!a->has_names)
		return;
	sqlb_add(b, " AND ");
	sqlb_add(b, col);
	sqlb_add(b, net ? " IN (SELECT net FROM sender WHERE 1" : " IN (SELECT ip FROM sender WHERE 1");
	if (a->service != NULL)
		sqlb_add(b, " AND service = :service");
	if (a->asn != 0)
		sqlb_add(b, " AND asn = :asn");
	if (a->country != NULL)
		sqlb_add(b, " AND country = :country");
	sqlb_add(b, ")");
}

void
dash_names_exists(struct sqlb *b, const struct dash_args *a, const char *col)
{
	if (!a->has_names)
		return;
	sqlb_add(b, " AND EXISTS (SELECT 1 FROM sender s WHERE s.ip = ");
	sqlb_add(b, col);
	if (a->service != NULL)
		sqlb_add(b, " AND s.service = :service");
	if (a->asn != 0)
		sqlb_add(b, " AND s.asn = :asn");
	if (a->country != NULL)
		sqlb_add(b, " AND s.country = :country");
	sqlb_add(b, ")");
}

/* ---- grouped by service, AS or country ---- */

/* A group's value on sender n, and its SQL type's "none". */
static const char *
group_key(enum dash_group g)
{
	return g == DASH_GROUP_SERVICE ? "n.service" : g == DASH_GROUP_ASN ? "n.asn" :
	    "n.country";
}

/* The figures of a group (g), in the order of sources_cols, and what a sort may name. */
static const struct sort_expr {
	const char *name, *expr;
} named_sort[] = {
	{ "source", "g.gv" }, { "policy_domain", "g.policy_domain" },
	{ "messages", "g.messages" }, { "dmarc_pass", "g.dmarc_pass" },
	{ "pass_rate", "CAST(g.dmarc_pass AS REAL) / nullif(g.messages, 0)" },
	{ "dkim_aligned", "g.dkim_aligned" }, { "spf_aligned", "g.spf_aligned" },
	{ "disposition_none", "g.disposition_none" },
	{ "disposition_quarantine", "g.disposition_quarantine" },
	{ "disposition_reject", "g.disposition_reject" },
	{ "first_seen", "g.first_day" }, { "last_seen", "g.last_day" },
};

/*
 * named: the groups of the named addresses, per domain: policy_domain,
 * gv (the group's value), ao (an as_org of the AS), the sums, hf, orgs,
 * first_day, last_day. The rollup columns keep their names for dash_sums.
 */
static void
named_groups(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g)
{
	const char *key = group_key(g);

	sqlb_add(b, "named AS MATERIALIZED (SELECT policy_domain, gv, min(ao) AS ao, ");
	dash_sums_as(b, dash_sums(result));
	sqlb_add(b, ", dmarcd_list(header_from) AS hf, dmarcd_list(org_key) AS orgs,"
	    " min(day) AS first_day, max(day) AS last_day FROM (SELECT"
	    " u.policy_domain AS policy_domain, u.day AS day, u.org_key AS org_key,"
	    " u.header_from AS header_from, u.messages AS messages, u.dmarc_pass AS dmarc_pass,"
	    " u.dkim_aligned AS dkim_aligned, u.spf_aligned AS spf_aligned,"
	    " u.disposition_none AS disposition_none,"
	    " u.disposition_quarantine AS disposition_quarantine,"
	    " u.disposition_reject AS disposition_reject, u.fail_none AS fail_none,"
	    " u.fail_quarantine AS fail_quarantine, u.fail_reject AS fail_reject, ");
	sqlb_add(b, key);
	sqlb_add(b, " AS gv, n.as_org AS ao"
	    " FROM source so CROSS JOIN sender n ON n.net = so.ip"
	    " CROSS JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = n.ip"
	    " AND u.day BETWEEN :lo AND :hi WHERE ");
	sqlb_add(b, key);
	sqlb_add(b, " IS NOT NULL");
	if (a->domain != NULL)
		sqlb_add(b, " AND so.policy_domain = :domain");
	if (result == DASH_RESULT_PASS)
		sqlb_add(b, " AND u.dmarc_pass > 0");
	else if (result == DASH_RESULT_FAIL)
		/* a network that never failed holds no failing row */
		sqlb_add(b, " AND so.fail > 0 AND u.messages > u.dmarc_pass");
	if (a->org != NULL)
		sqlb_add(b, " AND u.org_key = :org");
	if (a->has_source)
		sqlb_add(b, " AND so.ip BETWEEN :netlo AND :iphi AND n.ip BETWEEN :iplo AND :iphi");
	if (a->service != NULL)
		sqlb_add(b, " AND n.service = :service");
	if (a->asn != 0)
		sqlb_add(b, " AND n.asn = :asn");
	if (a->country != NULL)
		sqlb_add(b, " AND n.country = :country");
	sqlb_add(b, ") GROUP BY policy_domain, gv)");
}

/*
 * named, from the rollup by class (schema/006_sender.sql): a few rows per
 * day, domain and reporter, whatever the number of addresses. Its rows are
 * exactly the named addresses' of folded heavy networks (store_class.h),
 * which named_groups reads address by address; without a source or names
 * filter the two agree, and this one reads the window's class rows only.
 */
static void
class_groups(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g)
{
	const char *key = g == DASH_GROUP_SERVICE ? "nullif(c.service, '')" :
	    g == DASH_GROUP_ASN ? "nullif(c.asn, 0)" : "nullif(c.country, '')";

	sqlb_add(b, "named AS MATERIALIZED (SELECT policy_domain, gv, min(ao) AS ao, ");
	dash_sums_as(b, dash_sums(result));
	sqlb_add(b, ", NULL AS hf, dmarcd_list(org_key) AS orgs, min(day) AS first_day,"
	    " max(day) AS last_day FROM (SELECT u.*, ");
	sqlb_add(b, key);
	sqlb_add(b, " AS gv, c.as_org AS ao FROM rollup_class u JOIN sender_class c ON c.id = u.class"
	    " WHERE u.day BETWEEN :lo AND :hi");
	if (a->domain != NULL)
		sqlb_add(b, " AND u.policy_domain = :domain");
	if (a->org != NULL)
		sqlb_add(b, " AND u.org_key = :org");
	if (result == DASH_RESULT_PASS)
		sqlb_add(b, " AND u.dmarc_pass > 0");
	else if (result == DASH_RESULT_FAIL)
		sqlb_add(b, " AND u.messages > u.dmarc_pass");
	sqlb_add(b, ") WHERE gv IS NOT NULL GROUP BY policy_domain, gv)");
}

/*
 * rest: per domain, the window's messages of the addresses without a value
 * (the window's total less the named groups'), as a group "" in named's
 * columns.
 */
static void
rest_group(struct sqlb *b, const struct dash_args *a, enum dash_result result)
{
	static const char *const figs[] = { "messages", "dmarc_pass", "dkim_aligned",
		"spf_aligned", "disposition_none", "disposition_quarantine", "disposition_reject" };
	size_t i;

	sqlb_add(b, ", tot AS (SELECT policy_domain, ");
	dash_sums_as(b, dash_sums(result));
	sqlb_add(b, ", dmarcd_list(org_key) AS orgs, min(day) AS first_day,"
	    " max(day) AS last_day FROM ");
	sqlb_add(b, a->has_source ? "rollup WHERE " : "rollup_day WHERE ");
	dash_source_rows(b, a, result, true);
	sqlb_add(b, " GROUP BY policy_domain), nd AS (SELECT policy_domain");
	for (i = 0; i < NCOLS(figs); i++) {
		sqlb_add(b, ", ");
		dash_sum_as(b, figs[i], figs[i]);
	}
	sqlb_add(b, " FROM named GROUP BY policy_domain), rest AS (SELECT t.policy_domain,"
	    " '' AS gv, NULL AS ao");
	for (i = 0; i < NCOLS(figs); i++) {
		sqlb_add(b, ", t.");
		sqlb_add(b, figs[i]);
		sqlb_add(b, " - coalesce(d.");
		sqlb_add(b, figs[i]);
		sqlb_add(b, ", 0) AS ");
		sqlb_add(b, figs[i]);
	}
	sqlb_add(b, ", NULL AS hf, t.orgs, t.first_day, t.last_day FROM tot t"
	    " LEFT JOIN nd d ON d.policy_domain = t.policy_domain)");
}

int
dash_sources_named(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, const struct dash_page *page, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	const struct sort_expr *by = NULL;
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; page != NULL && page->sort != NULL && i < NCOLS(named_sort); i++)
		if (strcmp(page->sort, named_sort[i].name) == 0)
			by = &named_sort[i];
	sqlb_add(&b, "WITH ");
	if (a->has_source || a->has_names)
		named_groups(&b, a, result, g);
	else
		class_groups(&b, a, result, g);
	/* a names filter leaves out every address without a value */
	if (!a->has_names)
		rest_group(&b, a, result);
	sqlb_add(&b, " SELECT CASE WHEN g.gv = '' THEN '' ELSE CAST(g.gv AS TEXT) END,"
	    " g.policy_domain, g.messages, g.dmarc_pass, " RATE("g.dmarc_pass", "g.messages")
	    ", g.dkim_aligned, g.spf_aligned, g.disposition_none, g.disposition_quarantine,"
	    " g.disposition_reject, g.hf, g.orgs, " DATE("g.first_day * 86400") ", "
	    DATE("g.last_day * 86400") ", NULL, NULL, ");
	sqlb_add(&b, g == DASH_GROUP_SERVICE ? "nullif(g.gv, ''), v.name, v.category" :
	    "NULL, NULL, NULL");
	sqlb_add(&b, ", NULL, ");
	sqlb_add(&b, g == DASH_GROUP_ASN ? "nullif(g.gv, ''), g.ao" : "NULL, NULL");
	sqlb_add(&b, g == DASH_GROUP_COUNTRY ? ", nullif(g.gv, '')" : ", NULL");
	sqlb_add(&b, ", NULL, min(count(*) OVER (), :total_max) FROM (SELECT * FROM named");
	if (!a->has_names)
		sqlb_add(&b, " UNION ALL SELECT * FROM rest WHERE messages > 0");
	sqlb_add(&b, ") g");
	if (g == DASH_GROUP_SERVICE)
		sqlb_add(&b, " LEFT JOIN service v ON v.key = g.gv");
	sqlb_add(&b, " ORDER BY ");
	if (by == NULL) {
		sqlb_add(&b, "g.messages DESC");
	} else {
		/* NULLs (no rate) last whatever the direction */
		sqlb_add(&b, by->expr);
		sqlb_add(&b, " IS NULL, ");
		sqlb_add(&b, by->expr);
		sqlb_add(&b, page->descending ? " DESC" : " ASC");
	}
	sqlb_add(&b, ", g.policy_domain, g.gv LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, a, e)) == NULL)
		return -1;
	return dash_emit(st, s, NCOLS(named_cols), named_cols, -1, NULL, row, ctx, e);
}
/* clang-format on */
