/*
 * store: the dashboard's sources (store_dash.h).
 *
 * Sorted by messages, the default, they come from the heaviest networks
 * down (the source table): a network's all-time volume bounds the window
 * volume of every address in it, so the walk stops as soon as no lighter
 * network can enter the page, after a few lookups instead of a year of
 * rollup rows. A page that ends deeper than DASH_WALK_MAX, or one that the
 * networks of fewer than ROLLUP_HEAVY messages (not in source) could still
 * enter, is answered by aggregating the window: its records, or with a
 * source filter the rollup rows of the address range.
 *
 * Any other sort orders only the DASH_SORT_TOP sources with the most
 * messages (fewer when fewer have ROLLUP_HEAVY messages), found by the same
 * walk, in memory: ordering every source of a year, millions of spoofed
 * addresses with a message or two, takes seconds.
 */
/*
 * This file builds SQL text from literals and macros, laid out by hand a
 * clause per line; clang-format would break the clauses apart.
 */
/* clang-format off */
#include "store_dash_int.h"

#include <stdlib.h>
#include <string.h>

#define RATE(num, den) \
	"CASE WHEN " den " > 0 THEN round(CAST(" num " AS REAL) / " den ", 4) END"
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(DASH_SORT_HEAVY == ROLLUP_HEAVY, "a network missing from source is lighter");
_Static_assert(DASH_TOTAL_MAX >= DASH_SORT_TOP, "total_rows tells more rows than a sort orders");

/* ---- sources ---- */

static const char *const sources_cols[] = {
	"source", "policy_domain", "messages", "dmarc_pass", "pass_rate", "dkim_aligned",
	"spf_aligned", "disposition_none", "disposition_quarantine", "disposition_reject",
	"header_from", "reporters", "first_seen", "last_seen", "total_rows",
};

/*
 * A group's figures in the window, in the order every query here selects
 * them (after the group's key: its address or network).
 */
enum figure {
	FIG_MESSAGES, FIG_PASS, FIG_DKIM, FIG_SPF, FIG_NONE, FIG_QUARANTINE, FIG_REJECT,
	FIG_FIRST_DAY, FIG_LAST_DAY, FIG_COUNT
};

/* What a sources page sorts on: a figure, or the source, domain or pass rate. */
enum sort_key { KEY_FIGURE, KEY_SOURCE, KEY_DOMAIN, KEY_RATE };

static const struct sources_sort {
	const char *name;
	enum sort_key key;
	enum figure fig;             /* of KEY_FIGURE */
} sources_sort[] = {
	{ "source", KEY_SOURCE, FIG_COUNT }, { "policy_domain", KEY_DOMAIN, FIG_COUNT },
	{ "messages", KEY_FIGURE, FIG_MESSAGES }, { "dmarc_pass", KEY_FIGURE, FIG_PASS },
	{ "pass_rate", KEY_RATE, FIG_COUNT }, { "dkim_aligned", KEY_FIGURE, FIG_DKIM },
	{ "spf_aligned", KEY_FIGURE, FIG_SPF }, { "disposition_none", KEY_FIGURE, FIG_NONE },
	{ "disposition_quarantine", KEY_FIGURE, FIG_QUARANTINE },
	{ "disposition_reject", KEY_FIGURE, FIG_REJECT },
	{ "first_seen", KEY_FIGURE, FIG_FIRST_DAY }, { "last_seen", KEY_FIGURE, FIG_LAST_DAY },
};

/* The sort a page asks for: NULL for the default, messages descending. */
static const struct sources_sort *
sources_order(const struct dash_page *page)
{
	size_t i;

	if (page == NULL || page->sort == NULL)
		return NULL;
	for (i = 0; i < NCOLS(sources_sort); i++)
		if (strcmp(page->sort, sources_sort[i].name) == 0)
			return sources_sort[i].fig == FIG_MESSAGES && page->descending ? NULL :
			    &sources_sort[i];
	return NULL;
}

/* A row with no message of the result adds nothing, not even its day, header_from or reporter. */
void
dash_source_rows(struct sqlb *b, const struct dash_args *a, enum dash_result result, bool domains)
{
	sqlb_add(b, "day BETWEEN :lo AND :hi");
	if (result == DASH_RESULT_PASS)
		sqlb_add(b, " AND dmarc_pass > 0");
	else if (result == DASH_RESULT_FAIL)
		sqlb_add(b, " AND messages > dmarc_pass");
	if (!domains) {
		/*
		 * The caller names the domain and an address range: a names filter
		 * looks each row's address up, where an IN list would be built again
		 * at every run of the statement (once per network walked).
		 */
		dash_names_exists(b, a, "rollup.ip");
		if (a->org != NULL)
			sqlb_add(b, " AND org_key = :org");
		if (a->has_source)
			sqlb_add(b, " AND ip BETWEEN :iplo AND :iphi");
		return;
	} else if (a->domain != NULL) {
		sqlb_add(b, " AND policy_domain = :domain");
	} else if (dash_by_address(a)) {
		sqlb_add(b, " AND policy_domain IN (SELECT DISTINCT policy_domain FROM rollup_day)");
	}
	if (a->org != NULL)
		sqlb_add(b, " AND org_key = :org");
	if (a->has_source)
		sqlb_add(b, " AND ip BETWEEN :iplo AND :iphi");
	dash_names_in(b, a, "ip", false);
}

/* The columns of a sources answer over the groups g (the subquery that follows). */
static void
sources_outer(struct sqlb *b, enum dash_group g)
{
	sqlb_add(b, g == DASH_GROUP_PREFIX ? "SELECT dmarcd_ip_text(g.glo, 1)" :
	    "SELECT dmarcd_ip_text(g.glo)");
	sqlb_add(b, ", g.policy_domain, g.messages, g.dmarc_pass, "
	    RATE("g.dmarc_pass", "g.messages") ", g.dkim_aligned, g.spf_aligned,"
	    " g.disposition_none, g.disposition_quarantine, g.disposition_reject, g.hf,"
	    " g.orgs, " DATE("g.first_day * 86400") ", " DATE("g.last_day * 86400") " FROM ");
}

/* The domain, key and figures (enum figure) of the groups g, to be sorted in memory. */
static void
sources_figures(struct sqlb *b)
{
	sqlb_add(b, "SELECT g.policy_domain, g.glo, g.messages, g.dmarc_pass, g.dkim_aligned,"
	    " g.spf_aligned, g.disposition_none, g.disposition_quarantine, g.disposition_reject,"
	    " g.first_day, g.last_day FROM ");
}

/*
 * The groups g from the rollup: every group of the window, or with one
 * set, only the group of domain :cdom in :clo..:chi (a walked row).
 */
static void
groups_by_rollup(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g, bool one)
{
	const struct dash_sums *x = dash_sums(result);

	sqlb_add(b, g == DASH_GROUP_PREFIX ? "(SELECT policy_domain, dmarcd_net(ip) AS glo, " :
	    "(SELECT policy_domain, ip AS glo, ");
	dash_sums_as(b, x);
	sqlb_add(b, ", dmarcd_list(header_from) AS hf, dmarcd_list(org_key) AS orgs,"
	    " min(day) AS first_day, max(day) AS last_day FROM rollup WHERE ");
	dash_source_rows(b, a, result, !one);
	if (one)
		sqlb_add(b, " AND policy_domain = :cdom AND ip BETWEEN :clo AND :chi");
	sqlb_add(b, " GROUP BY policy_domain, glo) g");
}

void
dash_window_records(struct sqlb *b, const struct dash_args *a, enum dash_result result)
{
	sqlb_add(b, " FROM report r CROSS JOIN record a ON a.id BETWEEN r.record_first AND"
	    " r.record_last WHERE ");
	dash_report_filter(b, a);
	if (result == DASH_RESULT_PASS)
		sqlb_add(b, " AND +a.dmarc_pass = 1");
	else if (result == DASH_RESULT_FAIL)
		sqlb_add(b, " AND +a.dmarc_pass = 0");
}

/*
 * The groups g from the records of the window's reports, which lie
 * together: for a window without a source filter, this reads the window's
 * records only, where the rollup's address order would read every day.
 * The figures are the rollup's (schema/001_init.sql).
 */
static void
groups_by_records(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g)
{
	/* the sums of the inner query's columns, as dash_sums gives them on the rollup's */
	static const struct dash_sums of_records = {
		.messages = "c",
		.dmarc_pass = "CASE WHEN pass = 1 THEN c END",
		.dkim_aligned = "CASE WHEN dk = 'pass' THEN c END",
		.spf_aligned = "CASE WHEN sp = 'pass' THEN c END",
		.none = "CASE WHEN disp IN ('none', 'pass') THEN c END",
		.quarantine = "CASE WHEN disp = 'quarantine' THEN c END",
		.reject = "CASE WHEN disp = 'reject' THEN c END",
	};

	sqlb_add(b, "(SELECT policy_domain, glo, ");
	dash_sums_as(b, &of_records);
	sqlb_add(b, ", dmarcd_list(hf) AS hf, dmarcd_list(org) AS orgs, min(fd) AS first_day,"
	    " max(ld) AS last_day FROM (SELECT r.policy_domain AS policy_domain, ");
	sqlb_add(b, g == DASH_GROUP_PREFIX ? "dmarcd_net(coalesce(a.ip, X''))" :
	    "coalesce(a.ip, X'')");
	sqlb_add(b, " AS glo, " REC_COUNT " AS c, a.dmarc_pass AS pass, a.pe_dkim AS dk,"
	    " a.pe_spf AS sp, a.disposition AS disp, a.header_from AS hf, r.org_key AS org, "
	    REC_DAY("min") " AS fd, " REC_DAY("max") " AS ld");
	dash_window_records(b, a, result);
	sqlb_add(b, ") GROUP BY policy_domain, glo HAVING first_day IS NOT NULL");
	if (result != DASH_RESULT_ALL)
		sqlb_add(b, " AND messages > 0");
	sqlb_add(b, ") g");
}

/*
 * Every group g of the window: from the rollup rows of the source range or
 * the named addresses, else from the records.
 */
static void
groups_of_window(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g)
{
	if (dash_by_address(a))
		groups_by_rollup(b, a, result, g, false);
	else
		groups_by_records(b, a, result, g);
}

/* A group with its figures in the window. */
struct walk_row {
	int64_t fig[FIG_COUNT];
	char *domain;
	uint8_t lo[16];              /* the address, or the network's first one */
	int iplen;
};

/* The order of the group keys as SQLite orders their blobs: X'' first. */
static int
glo_cmp(const struct walk_row *x, const struct walk_row *y)
{
	if (x->iplen != y->iplen)
		return x->iplen < y->iplen ? -1 : 1;
	return memcmp(x->lo, y->lo, 16);
}

/* The sort order of the default: messages descending, then domain, then address. */
static int
walk_cmp(const struct walk_row *x, const struct walk_row *y)
{
	int c;

	if (x->fig[FIG_MESSAGES] != y->fig[FIG_MESSAGES])
		return x->fig[FIG_MESSAGES] > y->fig[FIG_MESSAGES] ? -1 : 1;
	if ((c = strcmp(x->domain, y->domain)) != 0)
		return c;
	return glo_cmp(x, y);
}

/* The best rows found so far, sorted; at most cap. */
struct walk {
	struct walk_row *rows;
	size_t n, cap;
};

/* Keeps the first n rows of w (n <= w->n), and its room. */
static void
walk_cut(struct walk *w, size_t n)
{
	size_t i;

	for (i = n; i < w->n; i++)
		free(w->rows[i].domain);
	w->n = n;
}

static void
walk_free(struct walk *w)
{
	walk_cut(w, 0);
	free(w->rows);
}

/* Keeps r (its domain copied) when it ranks among the cap best. -1 when out of memory. */
static int
walk_keep(struct walk *w, const struct walk_row *r)
{
	size_t i;
	char *d;

	if (w->n == w->cap && walk_cmp(r, &w->rows[w->n - 1]) >= 0)
		return 0;
	if ((d = strdup(r->domain)) == NULL)
		return -1;
	if (w->n == w->cap)
		free(w->rows[--w->n].domain);
	for (i = w->n; i > 0 && walk_cmp(r, &w->rows[i - 1]) < 0; i--)
		w->rows[i] = w->rows[i - 1];
	w->rows[i] = *r;
	w->rows[i].domain = d;
	w->n++;
	return 0;
}

/*
 * Reads a group from a row of s: its key in column col, its figures in the
 * columns after it; domain is borrowed. 0, or 1 for a malformed key (skipped).
 */
static int
walk_row_read(sqlite3_stmt *s, int col, const char *domain, struct walk_row *r)
{
	const void *key = sqlite3_column_blob(s, col);
	int i;

	memset(r, 0, sizeof *r);
	r->iplen = sqlite3_column_bytes(s, col);
	if (r->iplen != 0 && r->iplen != 16)
		return 1;
	if (r->iplen == 16)
		memcpy(r->lo, key, 16);
	for (i = 0; i < FIG_COUNT; i++)
		r->fig[i] = sqlite3_column_int64(s, col + 1 + i);
	r->domain = (char *)domain;
	return 0;
}

/* The SQL of a figure, on rollup columns, under the result filter x. */
static const char *
fig_expr(const struct dash_sums *x, enum figure f)
{
	const char *const exprs[FIG_COUNT] = { x->messages, x->dmarc_pass, x->dkim_aligned,
		x->spf_aligned, x->none, x->quarantine, x->reject, "day", "day" };

	return exprs[f];
}

/* A walk: the rollup rows of one network at a time, summed into groups here. */
struct walk_eval {
	sqlite3_stmt *s;             /* ip, messages, and the key figure's value when any */
	enum dash_group g;
	enum figure key;             /* the figure a sort needs besides messages, or FIG_COUNT */
};

/* Adds v to a sum as dmarcd_sum does: saturated, counts are never negative. */
static void
fig_add(int64_t *sum, int64_t v)
{
	if (v > 0)
		*sum = *sum > STORE_COUNT_MAX - v ? STORE_COUNT_MAX : *sum + v;
}

/* Adds a rollup row (messages m, key figure value v) to its group r. */
static void
walk_add(const struct walk_eval *ev, struct walk_row *r, int64_t m, int64_t v)
{
	fig_add(&r->fig[FIG_MESSAGES], m);
	if (ev->key == FIG_FIRST_DAY || ev->key == FIG_LAST_DAY) {
		if (v < r->fig[FIG_FIRST_DAY])
			r->fig[FIG_FIRST_DAY] = v;
		if (v > r->fig[FIG_LAST_DAY])
			r->fig[FIG_LAST_DAY] = v;
	} else if (ev->key != FIG_COUNT) {
		fig_add(&r->fig[ev->key], v);
	}
}

/* Starts the group of key (len bytes: 16, or 0 for invalid addresses) in domain. */
static void
walk_open(struct walk_row *r, const char *domain, const void *key, int len)
{
	memset(r, 0, sizeof *r);
	r->domain = (char *)domain;
	r->iplen = len;
	if (len == 16)
		memcpy(r->lo, key, 16);
	r->fig[FIG_FIRST_DAY] = INT64_MAX;
	r->fig[FIG_LAST_DAY] = INT64_MIN;
}

/*
 * Evaluates one network (domain, ip..end, cut to the source filter) in the
 * window: its addresses (or the network as one group) with their figures.
 * An address's rows come together and are summed here: SQLite's GROUP BY
 * with its aggregates costs about twice as much on a year's rows.
 */
static int
walk_network(struct store *st, const struct walk_eval *ev, const char *domain,
    const uint8_t *ip, int iplen, const struct dash_args *a, struct walk *w,
    struct errbuf *e)
{
	struct walk_row r;
	uint8_t lo[16] = { 0 }, hi[16] = { 0 }, net[16], end[16];
	const void *rip;
	bool open = false;
	int rc, len;

	if (iplen == 16) {
		store_ip_net(ip, lo, hi);
		if (a->has_source) {
			if (memcmp(a->iplo, lo, 16) > 0)
				memcpy(lo, a->iplo, 16);
			if (memcmp(a->iphi, hi, 16) < 0)
				memcpy(hi, a->iphi, 16);
		}
	}
	if ((store_bind_text(ev->s, sqlite3_bind_parameter_index(ev->s, ":cdom"), domain) |
	    sqlite3_bind_blob(ev->s, sqlite3_bind_parameter_index(ev->s, ":clo"), lo, iplen,
		SQLITE_TRANSIENT) |
	    sqlite3_bind_blob(ev->s, sqlite3_bind_parameter_index(ev->s, ":chi"), hi, iplen,
		SQLITE_TRANSIENT)) != SQLITE_OK)
		return store_fail(st, "walking the sources", e);
	/* A network is one group: its key is its first address. */
	store_ip_net(lo, net, end);
	while ((rc = store_step(st, ev->s, "walking the sources", e)) == SQLITE_ROW) {
		rip = sqlite3_column_blob(ev->s, 0);
		len = sqlite3_column_bytes(ev->s, 0);
		if (len != 0 && len != 16)
			continue;
		if (open && ev->g == DASH_GROUP_IP && (len != r.iplen ||
		    (len == 16 && memcmp(rip, r.lo, 16) != 0))) {
			if (walk_keep(w, &r) == -1)
				break;
			open = false;
		}
		if (!open)
			walk_open(&r, domain, ev->g == DASH_GROUP_IP ? rip : net,
			    ev->g == DASH_GROUP_IP ? len : iplen);
		open = true;
		walk_add(ev, &r, sqlite3_column_int64(ev->s, 1),
		    ev->key != FIG_COUNT ? sqlite3_column_int64(ev->s, 2) : 0);
	}
	sqlite3_reset(ev->s);
	/* stopped on a group not kept, or the last one not kept: out of memory */
	if (rc == SQLITE_ROW || (rc == SQLITE_DONE && open && walk_keep(w, &r) == -1)) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	return rc == -1 ? -1 : 0;
}

/*
 * The rows of one network (:cdom, :clo..:chi) in the window for walk_network:
 * ip, messages and the key figure (when not FIG_COUNT) of every rollup row in
 * address order; or for a network that is one group, the same summed by
 * SQLite into one row (none when it has no row), cheaper than in memory then.
 */
static void
walk_sql(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g, enum figure key)
{
	const struct dash_sums *x = dash_sums(result);

	if (g == DASH_GROUP_IP) {
		sqlb_add(b, "SELECT ip, ");
		sqlb_add(b, x->messages);
		if (key != FIG_COUNT) {
			sqlb_add(b, ", ");
			sqlb_add(b, fig_expr(x, key));
		}
	} else {
		sqlb_add(b, "SELECT :clo, dmarcd_sum(");
		sqlb_add(b, x->messages);
		sqlb_add(b, ")");
		if (key == FIG_FIRST_DAY || key == FIG_LAST_DAY) {
			sqlb_add(b, key == FIG_FIRST_DAY ? ", min(day)" : ", max(day)");
		} else if (key != FIG_COUNT) {
			sqlb_add(b, ", dmarcd_sum(");
			sqlb_add(b, fig_expr(x, key));
			sqlb_add(b, ")");
		}
	}
	sqlb_add(b, " FROM rollup WHERE policy_domain = :cdom AND ip BETWEEN :clo AND :chi AND ");
	dash_source_rows(b, a, result, false);
	sqlb_add(b, g == DASH_GROUP_IP ? " ORDER BY ip" : " HAVING count(*) > 0");
}

/*
 * Walks the networks from the heaviest down, keeping the cap best groups
 * with their messages and the figure key (FIG_COUNT: none). *complete is
 * false when that does not decide them, as a network missing from source
 * (under ROLLUP_HEAVY messages) could still enter.
 */
static int
walk_sources(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, enum figure key, struct walk *w, bool *complete, struct errbuf *e)
{
	struct sqlb nb = { .n = 0 }, eb = { .n = 0 };
	struct walk_eval ev = { NULL, g, key };
	sqlite3_stmt *nets = NULL;
	const unsigned char *dom;
	int64_t bound;
	int rc = -1, step;

	*complete = false;
	/* A network's failing messages bound its addresses' failing messages. */
	sqlb_add(&nb, result == DASH_RESULT_FAIL ? "SELECT policy_domain, ip, fail FROM source" :
	    "SELECT policy_domain, ip, messages FROM source");
	sqlb_add(&nb, " WHERE 1");
	if (a->domain != NULL)
		sqlb_add(&nb, " AND policy_domain = :domain");
	if (a->has_source)
		sqlb_add(&nb, " AND ip BETWEEN :netlo AND :iphi");
	/* only the networks that hold a named address: a handful of the thousands */
	dash_names_in(&nb, a, "ip", true);
	sqlb_add(&nb, result == DASH_RESULT_FAIL ? " ORDER BY fail DESC" :
	    " ORDER BY messages DESC");
	walk_sql(&eb, a, result, g, key);
	if ((nets = dash_prepare(st, &nb, a, e)) == NULL ||
	    (ev.s = dash_prepare(st, &eb, a, e)) == NULL)
		goto fail;
	while ((step = store_step(st, nets, "walking the sources", e)) == SQLITE_ROW) {
		bound = sqlite3_column_int64(nets, 2);
		/* No network from here down can pass the last row kept. */
		if (w->n == w->cap && bound < w->rows[w->n - 1].fig[FIG_MESSAGES])
			break;
		dom = sqlite3_column_text(nets, 0);
		if (walk_network(st, &ev, dom != NULL ? (const char *)dom : "",
		    sqlite3_column_blob(nets, 1), sqlite3_column_bytes(nets, 1), a, w, e) == -1)
			goto fail;
	}
	if (step == -1)
		goto fail;
	/*
	 * Nor can a network missing from source, with fewer than ROLLUP_HEAVY
	 * messages (a failing bound may be lower: it does not say that).
	 */
	*complete = w->n == w->cap && w->rows[w->n - 1].fig[FIG_MESSAGES] >= ROLLUP_HEAVY;
	rc = 0;
fail:
	sqlite3_finalize(nets);
	sqlite3_finalize(ev.s);
	return rc;
}

/*
 * Fills w (empty) with the w->cap groups of the window with the most
 * messages by aggregating the window: what the walk could not decide.
 */
static int
top_by_aggregate(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, struct walk *w, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	struct dash_args top = *a;
	struct walk_row r;
	sqlite3_stmt *s;
	const unsigned char *dom;
	int rc;

	top.limit = (int64_t)w->cap;
	sources_figures(&b);
	groups_of_window(&b, a, result, g);
	sqlb_add(&b, " ORDER BY g.messages DESC, g.policy_domain, g.glo LIMIT :limit");
	if ((s = dash_prepare(st, &b, &top, e)) == NULL)
		return -1;
	while ((rc = store_step(st, s, "listing the sources", e)) == SQLITE_ROW) {
		dom = sqlite3_column_text(s, 0);
		if (walk_row_read(s, 1, dom != NULL ? (const char *)dom : "", &r) == 0 &&
		    walk_keep(w, &r) == -1) {
			errbuf_set(e, "store: out of memory");
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/*
 * The order of a sort other than the default: by its column, NULL pass
 * rates last either way, then by domain and address: what SQL's
 * "ORDER BY col IS NULL, col ASC|DESC, policy_domain, glo" gives.
 */
static int
order_cmp(const struct walk_row *x, const struct walk_row *y, const struct sources_sort *by,
    bool descending)
{
	double xr, yr;
	int c = 0;

	switch (by->key) {
	case KEY_FIGURE:
		c = (x->fig[by->fig] > y->fig[by->fig]) - (x->fig[by->fig] < y->fig[by->fig]);
		break;
	case KEY_SOURCE:
		c = glo_cmp(x, y);
		break;
	case KEY_DOMAIN:
		c = strcmp(x->domain, y->domain);
		break;
	case KEY_RATE:
		if ((x->fig[FIG_MESSAGES] == 0) != (y->fig[FIG_MESSAGES] == 0))
			return x->fig[FIG_MESSAGES] == 0 ? 1 : -1;
		if (x->fig[FIG_MESSAGES] == 0)
			break;
		/* as SQLite divides CAST(dmarc_pass AS REAL) by messages */
		xr = (double)x->fig[FIG_PASS] / (double)x->fig[FIG_MESSAGES];
		yr = (double)y->fig[FIG_PASS] / (double)y->fig[FIG_MESSAGES];
		c = (xr > yr) - (xr < yr);
		break;
	}
	if (c != 0)
		return descending ? -c : c;
	if ((c = strcmp(x->domain, y->domain)) != 0)
		return c;
	return glo_cmp(x, y);
}

/* The figure besides messages that order_cmp needs for a sort (FIG_COUNT: none). */
static enum figure
sort_figure(const struct sources_sort *by)
{
	if (by == NULL || by->key == KEY_SOURCE || by->key == KEY_DOMAIN)
		return FIG_COUNT;
	if (by->key == KEY_RATE)
		return FIG_PASS;
	return by->fig == FIG_MESSAGES ? FIG_COUNT : by->fig;
}

/* Sorts rows[0..n) by order_cmp: a merge sort through tmp (room for n rows). */
static void
order_sort(struct walk_row *rows, struct walk_row *tmp, size_t n,
    const struct sources_sort *by, bool descending)
{
	size_t half = n / 2, i = 0, j = half, k = 0;

	if (n < 2)
		return;
	order_sort(rows, tmp, half, by, descending);
	order_sort(rows + half, tmp, n - half, by, descending);
	while (i < half && j < n)
		tmp[k++] = order_cmp(&rows[j], &rows[i], by, descending) < 0 ? rows[j++] :
		    rows[i++];
	while (i < half)
		tmp[k++] = rows[i++];
	memcpy(rows, tmp, k * sizeof rows[0]);
}

/*
 * Writes rows from..to of w, each figured afresh from the rollup by one
 * group query (so that every path shows the same columns the same way).
 */
static int
emit_groups(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, const struct walk *w, size_t from, size_t to,
    const struct cell *total, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb b = { .n = 0 };
	sqlite3_stmt *s;
	uint8_t lo[16], hi[16];
	size_t i;
	int rc = 0;

	sources_outer(&b, g);
	groups_by_rollup(&b, a, result, g, true);
	if ((s = dash_prepare(st, &b, a, e)) == NULL)
		return -1;
	for (i = from; i < to && rc == 0; i++) {
		const struct walk_row *r = &w->rows[i];

		memcpy(lo, r->lo, 16);
		memcpy(hi, r->lo, 16);
		if (g == DASH_GROUP_PREFIX && r->iplen == 16)
			store_ip_net(r->lo, lo, hi);
		if ((store_bind_text(s, sqlite3_bind_parameter_index(s, ":cdom"), r->domain) |
		    sqlite3_bind_blob(s, sqlite3_bind_parameter_index(s, ":clo"), lo, r->iplen,
			SQLITE_TRANSIENT) |
		    sqlite3_bind_blob(s, sqlite3_bind_parameter_index(s, ":chi"), hi, r->iplen,
			SQLITE_TRANSIENT)) != SQLITE_OK)
			rc = store_fail(st, "listing the sources", e);
		else
			rc = dash_emit_rows(st, s, NCOLS(sources_cols) - 1, sources_cols, -1, total,
			    row, ctx, e);
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * Makes w the groups a sort other than the default orders, once walked:
 * the DASH_SORT_TOP with the most messages when the walk decided them; else
 * every group (total of them) when the walk found them all; else, beyond
 * DASH_SORT_TOP groups, those of DASH_SORT_HEAVY messages or more (every
 * group of a network missing from source has fewer); else every group, by
 * aggregating the window.
 */
static int
scope_groups(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, int64_t total, bool complete, struct walk *w, struct errbuf *e)
{
	size_t n = 0;

	if (complete || (int64_t)w->n == total)
		return 0;
	if (total > DASH_SORT_TOP) {
		while (n < w->n && w->rows[n].fig[FIG_MESSAGES] >= DASH_SORT_HEAVY)
			n++;
		walk_cut(w, n);
		return 0;
	}
	walk_cut(w, 0);
	return top_by_aggregate(st, a, result, g, w, e);
}

/*
 * The default order pages through every group: from the walk when it
 * decides the page, else by aggregating the window. Any other sort orders
 * the groups scope_groups chose, in memory.
 */
int
store_dash_sources(struct store *st, const struct dash_filter *f, enum dash_group g,
    const struct dash_page *page, struct dash_sort_scope *scope, store_row_fn row,
    void *ctx, struct errbuf *e)
{
	const struct sources_sort *by = sources_order(page);
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	struct walk w = { NULL, 0, 0 };
	struct walk_row *tmp = NULL;
	struct dash_names *nm = NULL;
	sqlite3_stmt *s;
	bool complete = false;
	size_t end;
	int rc = -1;

	if (scope != NULL)
		memset(scope, 0, sizeof *scope);
	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	if (g != DASH_GROUP_IP && g != DASH_GROUP_PREFIX)
		return dash_sources_named(st, &a, f->result, g, page, row, ctx, e);
	/* the names are looked up for the rows of the page only, as they are written */
	if ((nm = dash_names_new(st, g, row, ctx, e)) == NULL)
		return -1;
	row = dash_names_row;
	ctx = nm;
	if (dash_count_sources(st, &a, f->result, g, &total.i, e) == -1)
		goto done;
	if (by != NULL)
		w.cap = DASH_SORT_TOP;
	else if (a.offset + a.limit <= DASH_WALK_MAX)
		w.cap = (size_t)(a.offset + a.limit);
	if (w.cap > 0) {
		if ((w.rows = calloc(w.cap, sizeof w.rows[0])) == NULL) {
			errbuf_set(e, "store: out of memory");
			goto done;
		}
		if (walk_sources(st, &a, f->result, g, sort_figure(by), &w, &complete, e) == -1)
			goto done;
	}
	if (by != NULL) {
		if (scope_groups(st, &a, f->result, g, total.i, complete, &w, e) == -1)
			goto done;
		if ((tmp = calloc(w.cap, sizeof tmp[0])) == NULL) {
			errbuf_set(e, "store: out of memory");
			goto done;
		}
		order_sort(w.rows, tmp, w.n, by, page->descending);
		complete = true;
		if (scope != NULL && (int64_t)w.n < total.i) {
			scope->partial = true;
			scope->rows = (unsigned)w.n;
		}
	}
	if (complete) {
		end = (size_t)(a.offset + a.limit) < w.n ? (size_t)(a.offset + a.limit) : w.n;
		rc = emit_groups(st, &a, f->result, g, &w, (size_t)a.offset, end, &total, row,
		    ctx, e);
		goto done;
	}
	sources_outer(&b, g);
	groups_of_window(&b, &a, f->result, g);
	sqlb_add(&b, " ORDER BY g.messages DESC, g.policy_domain, g.glo"
	    " LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, &a, e)) != NULL)
		rc = dash_emit(st, s, NCOLS(sources_cols) - 1, sources_cols, -1, &total, row, ctx,
		    e);
done:
	free(tmp);
	walk_free(&w);
	dash_names_free(nm);
	return rc;
}
/* clang-format on */
