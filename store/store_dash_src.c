/*
 * store: the dashboard's sources and records (store_dash.h), and source
 * filters as address ranges.
 *
 * Sources sorted by messages, the default, come from the heaviest networks
 * down (the source table): a network's all-time volume bounds the window
 * volume of every address in it, so the walk stops as soon as no lighter
 * network can enter the page, after a few lookups instead of a year of
 * rollup rows. Any other sort, a page deep in the list, or a page that
 * reaches the networks of fewer than ROLL_HEAVY messages (not in source) is
 * answered by aggregating the window: its records, or with a source filter
 * the rollup rows of the address range.
 */
#include "store_dash_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
#define DATE(col) "date(" col ", 'unixepoch')"
#define RATE(num, den) \
	"CASE WHEN " den " > 0 THEN round(CAST(" num " AS REAL) / " den ", 4) END"
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* Deepest page end (offset + limit) walked from the heaviest networks. */
#define WALK_MAX 1000
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

void
dash_source_reports(struct sqlb *b, const struct dash_args *a)
{
	sqlb_add(b, "r.id IN (SELECT rp.id FROM rollup g JOIN report rp ON"
	    " rp.policy_domain = g.policy_domain AND rp.org_key = g.org_key"
	    " AND rp.day_first BETWEEN g.day - 400 AND g.day AND rp.day_last >= g.day"
	    " WHERE g.ip BETWEEN :iplo AND :iphi AND g.day BETWEEN :lo AND :hi");
	if (a->domain != NULL)
		sqlb_add(b, " AND g.policy_domain = :domain");
	else
		sqlb_add(b, " AND g.policy_domain IN (SELECT DISTINCT policy_domain"
		    " FROM rollup_day)");
	if (a->org != NULL)
		sqlb_add(b, " AND g.org_key = :org");
	sqlb_add(b, ")");
}

/* ---- records ---- */

const char *const dash_record_names[DASH_RECORD_NCOLS + 1] = {
	"report", "org_name", "report_id", "policy_domain", "begin", "end", "source_ip",
	"count", "disposition", "dkim_aligned", "spf_aligned", "dmarc_pass", "header_from",
	"envelope_from", "reasons", "dkim_results", "spf_results", "total_rows",
};

void
dash_record_cols(struct sqlb *b)
{
	sqlb_add(b, "SELECT r.id, r.org_name, r.report_id, r.policy_domain, " ISO("r.begin_ts")
	    ", " ISO("r.end_ts") ", a.source_ip, a.count, a.disposition, a.pe_dkim, a.pe_spf,"
	    " a.dmarc_pass, a.header_from, a.envelope_from, " STORE_SQL_REASONS ", "
	    STORE_SQL_DKIM_RESULTS ", " STORE_SQL_SPF_RESULTS);
}

int
store_dash_records(struct store *st, const struct dash_filter *f,
    const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct sqlb w = { .n = 0 }, b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	sqlite3_stmt *s;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	sqlb_add(&w, " FROM report r CROSS JOIN record a ON a.id BETWEEN r.record_first AND"
	    " r.record_last WHERE ");
	dash_report_window(&w);
	if (a.domain != NULL)
		sqlb_add(&w, " AND r.policy_domain = :domain");
	if (a.org != NULL)
		sqlb_add(&w, " AND r.org_key = :org");
	if (f->result == DASH_RESULT_PASS)
		sqlb_add(&w, " AND +a.dmarc_pass = 1");
	else if (f->result == DASH_RESULT_FAIL)
		sqlb_add(&w, " AND +a.dmarc_pass = 0");
	if (a.has_source) {
		sqlb_add(&w, " AND ");
		dash_source_reports(&w, &a);
		sqlb_add(&w, " AND a.ip BETWEEN :iplo AND :iphi");
	}
	if (w.full) {
		errbuf_set(e, "store: dashboard query too long");
		return -1;
	}
	if (dash_count(st, w.s, &a, &total.i, e) == -1)
		return -1;
	dash_record_cols(&b);
	sqlb_add(&b, w.s);
	sqlb_add(&b, " ORDER BY r.begin_ts DESC, r.id DESC, a.id LIMIT :limit OFFSET :offset");
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		return -1;
	return dash_emit(st, s, DASH_RECORD_NCOLS, dash_record_names, -1, &total, row, ctx, e);
}

/* ---- sources ---- */

static const char *const sources_cols[] = {
	"source", "policy_domain", "messages", "dmarc_pass", "pass_rate", "dkim_aligned",
	"spf_aligned", "disposition_none", "disposition_quarantine", "disposition_reject",
	"header_from", "reporters", "first_seen", "last_seen", "total_rows",
};

static const struct dash_sort sources_sort[] = {
	{ "source", "g.glo" }, { "policy_domain", "g.policy_domain" },
	{ "messages", "g.messages" }, { "dmarc_pass", "g.dmarc_pass" },
	{ "pass_rate", "CAST(g.dmarc_pass AS REAL) / nullif(g.messages, 0)" },
	{ "dkim_aligned", "g.dkim_aligned" }, { "spf_aligned", "g.spf_aligned" },
	{ "disposition_none", "g.disposition_none" },
	{ "disposition_quarantine", "g.disposition_quarantine" },
	{ "disposition_reject", "g.disposition_reject" },
	{ "first_seen", "g.first_day" }, { "last_seen", "g.last_day" },
};

#define SOURCES_ORDER "g.messages DESC"
#define SOURCES_TIEBREAK "g.policy_domain, g.glo"

/*
 * The rollup rows of the window and the filters (u: "u." or ""), after
 * "WHERE "; with domains, the domain filter too (else the caller has one).
 */
static void
source_rows(struct sqlb *b, const struct dash_args *a, const char *u, bool domains)
{
	sqlb_add(b, u);
	sqlb_add(b, "day BETWEEN :lo AND :hi");
	if (!domains) {
		/* the caller names the domain */
	} else if (a->domain != NULL) {
		sqlb_add(b, " AND ");
		sqlb_add(b, u);
		sqlb_add(b, "policy_domain = :domain");
	} else if (a->has_source) {
		sqlb_add(b, " AND ");
		sqlb_add(b, u);
		sqlb_add(b, "policy_domain IN (SELECT DISTINCT policy_domain FROM rollup_day)");
	}
	if (a->org != NULL) {
		sqlb_add(b, " AND ");
		sqlb_add(b, u);
		sqlb_add(b, "org_key = :org");
	}
	if (a->has_source) {
		sqlb_add(b, " AND ");
		sqlb_add(b, u);
		sqlb_add(b, "ip BETWEEN :iplo AND :iphi");
	}
}

/* The outer columns of a sources query over g (glo, ghi, the sums, hf, orgs, first/last day). */
static void
sources_outer(struct sqlb *b, enum dash_group g)
{
	sqlb_add(b, g == DASH_GROUP_PREFIX ? "SELECT dmarcd_ip_text(g.glo, 1)" :
	    "SELECT dmarcd_ip_text(g.glo)");
	sqlb_add(b, ", g.policy_domain, g.messages, g.dmarc_pass, "
	    RATE("g.dmarc_pass", "g.messages") ", g.dkim_aligned, g.spf_aligned,"
	    " g.disposition_none, g.disposition_quarantine, g.disposition_reject, g.hf,"
	    " g.orgs, " DATE("g.first_day * 86400") ", " DATE("g.last_day * 86400")
	    " FROM (SELECT ");
}

/* "dmarcd_sum(expr) AS name, " */
static void
sum_as(struct sqlb *b, const char *expr, const char *name)
{
	sqlb_add(b, "dmarcd_sum(");
	sqlb_add(b, expr);
	sqlb_add(b, ") AS ");
	sqlb_add(b, name);
	sqlb_add(b, ", ");
}

/*
 * The sources query from the rollup: every group of the window, or with
 * one set, only the group of domain :cdom in :clo..:chi (a walked row).
 */
static void
sources_sql(struct sqlb *b, const struct dash_args *a, const struct dash_sums *x,
    enum dash_result result, enum dash_group g, bool one)
{
	sources_outer(b, g);
	sqlb_add(b, g == DASH_GROUP_PREFIX ? "policy_domain, dmarcd_net(ip) AS glo" :
	    "policy_domain, ip AS glo");
	sqlb_add(b, ", ");
	sum_as(b, x->messages, "messages");
	sum_as(b, x->dmarc_pass, "dmarc_pass");
	sum_as(b, x->dkim_aligned, "dkim_aligned");
	sum_as(b, x->spf_aligned, "spf_aligned");
	sum_as(b, x->none, "disposition_none");
	sum_as(b, x->quarantine, "disposition_quarantine");
	sum_as(b, x->reject, "disposition_reject");
	sqlb_add(b, "dmarcd_list(header_from) AS hf, dmarcd_list(org_key) AS orgs,"
	    " min(day) AS first_day, max(day) AS last_day FROM rollup WHERE ");
	source_rows(b, a, "", !one);
	if (one)
		sqlb_add(b, " AND policy_domain = :cdom AND ip BETWEEN :clo AND :chi");
	sqlb_add(b, " GROUP BY policy_domain, glo");
	if (result != DASH_RESULT_ALL) {
		sqlb_add(b, " HAVING dmarcd_sum(");
		sqlb_add(b, x->messages);
		sqlb_add(b, ") > 0");
	}
	sqlb_add(b, ") g");
}

/*
 * A record's messages in the window: its count, or for a long report the
 * parts of its days in the window (record_day); and its first and last day
 * in the window. NULL days: none of its parts is in the window.
 */
#define REC_COUNT \
	"CASE WHEN r.day_first = r.day_last THEN a.count ELSE (SELECT dmarcd_sum(d.count)" \
	" FROM record_day d WHERE d.record_id = a.id AND d.day BETWEEN :lo AND :hi) END"
#define REC_DAY(f) \
	"CASE WHEN r.day_first = r.day_last THEN r.day_first ELSE (SELECT " f "(d.day)" \
	" FROM record_day d WHERE d.record_id = a.id AND d.day BETWEEN :lo AND :hi) END"

/* The records of the window and the filters, without a source filter (a: record, r: report). */
static void
window_records(struct sqlb *b, const struct dash_args *a, enum dash_result result)
{
	sqlb_add(b, " FROM report r CROSS JOIN record a ON a.id BETWEEN r.record_first AND"
	    " r.record_last WHERE ");
	dash_report_window(b);
	if (a->domain != NULL)
		sqlb_add(b, " AND r.policy_domain = :domain");
	if (a->org != NULL)
		sqlb_add(b, " AND r.org_key = :org");
	if (result == DASH_RESULT_PASS)
		sqlb_add(b, " AND +a.dmarc_pass = 1");
	else if (result == DASH_RESULT_FAIL)
		sqlb_add(b, " AND +a.dmarc_pass = 0");
}

/*
 * The sources query from the records of the window's reports, which lie
 * together: for a window without a source filter, this reads the window's
 * records only, where the rollup's address order would read every day.
 * The figures are the rollup's (schema/001_init.sql).
 */
static void
sources_by_records(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    enum dash_group g)
{
	sources_outer(b, g);
	sqlb_add(b, "policy_domain, glo, ");
	sum_as(b, "c", "messages");
	sum_as(b, "CASE WHEN pass = 1 THEN c END", "dmarc_pass");
	sum_as(b, "CASE WHEN dk = 'pass' THEN c END", "dkim_aligned");
	sum_as(b, "CASE WHEN sp = 'pass' THEN c END", "spf_aligned");
	sum_as(b, "CASE WHEN disp IN ('none', 'pass') THEN c END", "disposition_none");
	sum_as(b, "CASE WHEN disp = 'quarantine' THEN c END", "disposition_quarantine");
	sum_as(b, "CASE WHEN disp = 'reject' THEN c END", "disposition_reject");
	sqlb_add(b, "dmarcd_list(hf) AS hf, dmarcd_list(org) AS orgs, min(fd) AS first_day,"
	    " max(ld) AS last_day FROM (SELECT r.policy_domain AS policy_domain, ");
	sqlb_add(b, g == DASH_GROUP_PREFIX ? "dmarcd_net(coalesce(a.ip, X''))" :
	    "coalesce(a.ip, X'')");
	sqlb_add(b, " AS glo, " REC_COUNT " AS c, a.dmarc_pass AS pass, a.pe_dkim AS dk,"
	    " a.pe_spf AS sp, a.disposition AS disp, a.header_from AS hf, r.org_key AS org, "
	    REC_DAY("min") " AS fd, " REC_DAY("max") " AS ld");
	window_records(b, a, result);
	sqlb_add(b, ") GROUP BY policy_domain, glo HAVING first_day IS NOT NULL");
	if (result != DASH_RESULT_ALL)
		sqlb_add(b, " AND messages > 0");
	sqlb_add(b, ") g");
}

/* A group found while walking the networks: its window volume. */
struct walk_row {
	uint64_t messages;
	char *domain;
	uint8_t lo[16];              /* the address, or the network's first one */
	int iplen;
};

/* The sort order of the default: messages descending, then domain, then address. */
static int
walk_cmp(const struct walk_row *x, const struct walk_row *y)
{
	int c;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	if ((c = strcmp(x->domain, y->domain)) != 0)
		return c;
	if (x->iplen != y->iplen)
		return x->iplen < y->iplen ? -1 : 1;
	return memcmp(x->lo, y->lo, 16);
}

/* The best rows found so far, sorted; at most cap. */
struct walk {
	struct walk_row *rows;
	size_t n, cap;
};

static void
walk_free(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->rows[i].domain);
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
 * Evaluates one network (domain, ip..end, cut to the source filter) in the
 * window: its addresses (or the network as one group) with their volume.
 */
static int
walk_network(struct store *st, sqlite3_stmt *eval, const char *domain, const uint8_t *ip,
    int iplen, const struct dash_args *a, struct walk *w, struct errbuf *e)
{
	struct walk_row r;
	uint8_t lo[16] = { 0 }, hi[16] = { 0 };
	int rc;

	if (iplen == 16) {
		store_ip_net(ip, lo, hi);
		if (a->has_source) {
			if (memcmp(a->iplo, lo, 16) > 0)
				memcpy(lo, a->iplo, 16);
			if (memcmp(a->iphi, hi, 16) < 0)
				memcpy(hi, a->iphi, 16);
		}
	}
	if ((store_bind_text(eval, sqlite3_bind_parameter_index(eval, ":cdom"), domain) |
	    sqlite3_bind_blob(eval, sqlite3_bind_parameter_index(eval, ":clo"), lo, iplen,
		SQLITE_TRANSIENT) |
	    sqlite3_bind_blob(eval, sqlite3_bind_parameter_index(eval, ":chi"), hi, iplen,
		SQLITE_TRANSIENT)) != SQLITE_OK)
		return store_fail(st, "walking the sources", e);
	while ((rc = store_step(st, eval, "walking the sources", e)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.messages = (uint64_t)sqlite3_column_int64(eval, 1);
		r.iplen = sqlite3_column_bytes(eval, 0);
		if (r.iplen == 16)
			memcpy(r.lo, sqlite3_column_blob(eval, 0), 16);
		r.domain = (char *)domain;
		if (r.iplen != 0 && r.iplen != 16)
			continue;
		if (walk_keep(w, &r) == -1) {
			sqlite3_reset(eval);
			errbuf_set(e, "store: out of memory");
			return -1;
		}
	}
	sqlite3_reset(eval);
	return rc == -1 ? -1 : 0;
}

/*
 * Walks the networks from the heaviest down, keeping the cap best groups.
 * *complete is false when the walk cannot decide the page (it reached the
 * networks under ROLL_HEAVY messages): the caller then aggregates.
 */
static int
walk_sources(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, struct walk *w, bool *complete, struct errbuf *e)
{
	struct sqlb nb = { .n = 0 }, eb = { .n = 0 };
	sqlite3_stmt *nets = NULL, *eval = NULL;
	const unsigned char *dom;
	uint64_t bound;
	const struct dash_sums *x = dash_sums(result);
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
	sqlb_add(&nb, result == DASH_RESULT_FAIL ? " ORDER BY fail DESC" :
	    " ORDER BY messages DESC");
	/* A network is one group: its key is computed once, not per row. */
	sqlb_add(&eb, g == DASH_GROUP_PREFIX ? "SELECT dmarcd_net(:clo) AS glo" :
	    "SELECT ip AS glo");
	sqlb_add(&eb, ", dmarcd_sum(");
	sqlb_add(&eb, x->messages);
	sqlb_add(&eb, ") AS m FROM rollup WHERE policy_domain = :cdom AND ip BETWEEN :clo AND"
	    " :chi AND ");
	source_rows(&eb, a, "", false);
	sqlb_add(&eb, g == DASH_GROUP_PREFIX ? " HAVING count(*) > 0" : " GROUP BY glo");
	if (result != DASH_RESULT_ALL)
		sqlb_add(&eb, g == DASH_GROUP_PREFIX ? " AND m > 0" : " HAVING m > 0");
	if ((nets = dash_prepare(st, &nb, a, e)) == NULL ||
	    (eval = dash_prepare(st, &eb, a, e)) == NULL)
		goto fail;
	while ((step = store_step(st, nets, "walking the sources", e)) == SQLITE_ROW) {
		bound = (uint64_t)sqlite3_column_int64(nets, 2);
		/* Nothing from here down can pass the page's last row. */
		if (w->n == w->cap && bound < w->rows[w->n - 1].messages) {
			*complete = true;
			break;
		}
		dom = sqlite3_column_text(nets, 0);
		if (walk_network(st, eval, dom != NULL ? (const char *)dom : "",
		    sqlite3_column_blob(nets, 1), sqlite3_column_bytes(nets, 1), a, w, e) == -1)
			goto fail;
	}
	if (step == -1)
		goto fail;
	/* The networks not in source hold less than the page's last row. */
	if (step == SQLITE_DONE && w->n == w->cap && w->rows[w->n - 1].messages >= ROLL_HEAVY)
		*complete = true;
	rc = 0;
fail:
	sqlite3_finalize(nets);
	sqlite3_finalize(eval);
	return rc;
}

/* Slots of the set of groups counted: a power of 2, over twice DASH_TOTAL_MAX + 1. */
#define GROUP_SLOTS 4096
_Static_assert(GROUP_SLOTS > 2 * (DASH_TOTAL_MAX + 1), "the group set is half empty at most");

/* The groups counted so far: a set of (domain, address or network). */
struct group_set {
	struct group_key {
		char *domain;
		uint8_t key[16];
		int len;
	} *slots;
	size_t n, cap;
};

static uint64_t
group_hash(const char *domain, const uint8_t key[16], int len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)len;
	size_t i;

	for (; *domain != '\0'; domain++)
		h = (h ^ (unsigned char)*domain) * UINT64_C(0x100000001b3);
	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * UINT64_C(0x100000001b3);
	return h ^ (h >> 31);
}

/* Adds a group; returns 1 when new, 0 when known, -1 when out of memory. */
static int
group_add(struct group_set *gs, const char *domain, const uint8_t key[16], int len)
{
	size_t j;
	struct group_key *k;

	for (j = group_hash(domain, key, len) & (gs->cap - 1);; j = (j + 1) & (gs->cap - 1)) {
		k = &gs->slots[j];
		if (k->domain == NULL)
			break;
		if (k->len == len && memcmp(k->key, key, 16) == 0 && strcmp(k->domain, domain) == 0)
			return 0;
	}
	if ((k->domain = strdup(domain)) == NULL)
		return -1;
	memcpy(k->key, key, 16);
	k->len = len;
	gs->n++;
	return 1;
}

/*
 * Counts the groups of the window, up to DASH_TOTAL_MAX + 1: from the
 * rollup rows of the source range, or else from the window's records.
 */
static int
count_sources(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, int64_t *total, struct errbuf *e)
{
	const struct dash_sums *x = dash_sums(result);
	struct group_set gs = { NULL, 0, GROUP_SLOTS };
	struct sqlb b = { .n = 0 };
	sqlite3_stmt *s;
	const char *d;
	uint8_t key[16], end[16];
	int len, step = SQLITE_DONE, added;
	size_t i;

	*total = 0;
	if (a->has_source) {
		sqlb_add(&b, "SELECT policy_domain, ip, ");
		sqlb_add(&b, x->messages);
		sqlb_add(&b, ", 1 FROM rollup WHERE ");
		source_rows(&b, a, "", true);
	} else {
		sqlb_add(&b, "SELECT r.policy_domain, a.ip, " REC_COUNT ", " REC_DAY("min"));
		window_records(&b, a, result);
	}
	if ((gs.slots = calloc(gs.cap, sizeof gs.slots[0])) == NULL) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	if ((s = dash_prepare(st, &b, a, e)) == NULL) {
		free(gs.slots);
		return -1;
	}
	while (gs.n <= DASH_TOTAL_MAX &&
	    (step = store_step(st, s, "counting the sources", e)) == SQLITE_ROW) {
		/* a part outside the window, or no messages of the filtered result */
		if (sqlite3_column_type(s, 3) == SQLITE_NULL ||
		    (result != DASH_RESULT_ALL && sqlite3_column_int64(s, 2) <= 0))
			continue;
		d = (const char *)sqlite3_column_text(s, 0);
		len = sqlite3_column_bytes(s, 1);
		memset(key, 0, sizeof key);
		if (len == 16) {
			memcpy(key, sqlite3_column_blob(s, 1), 16);
			if (g == DASH_GROUP_PREFIX)
				store_ip_net(key, key, end);
		} else {
			len = 0;
		}
		if ((added = group_add(&gs, d != NULL ? d : "", key, len)) == -1) {
			errbuf_set(e, "store: out of memory");
			step = -1;
			break;
		}
	}
	*total = (int64_t)gs.n;
	for (i = 0; i < gs.cap; i++)
		free(gs.slots[i].domain);
	free(gs.slots);
	sqlite3_finalize(s);
	return step == -1 ? -1 : 0;
}

int
store_dash_sources(struct store *st, const struct dash_filter *f, enum dash_group g,
    const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e)
{
	const struct dash_sums *x = dash_sums(f->result);
	struct sqlb b = { .n = 0 };
	struct dash_args a;
	struct cell total = { .type = CELL_INT };
	struct walk w = { NULL, 0, 0 };
	sqlite3_stmt *s;
	bool complete = false, by_messages = true;
	size_t i;
	int rc = -1;

	if (dash_args_init(&a, f, e) == -1)
		return -1;
	dash_args_page(&a, page);
	if (count_sources(st, &a, f->result, g, &total.i, e) == -1)
		return -1;
	for (i = 0; page != NULL && page->sort != NULL && i < NCOLS(sources_sort); i++)
		if (strcmp(page->sort, sources_sort[i].name) == 0)
			by_messages = i == 2 && page->descending;
	if (by_messages && a.offset + a.limit <= WALK_MAX) {
		w.cap = (size_t)(a.offset + a.limit);
		if ((w.rows = calloc(w.cap, sizeof w.rows[0])) == NULL) {
			errbuf_set(e, "store: out of memory");
			return -1;
		}
		if (walk_sources(st, &a, f->result, g, &w, &complete, e) == -1)
			goto done;
	}
	if (complete || a.has_source)
		sources_sql(&b, &a, x, f->result, g, complete);
	else
		sources_by_records(&b, &a, f->result, g);
	if (!complete) {
		dash_order(&b, page, sources_sort, NCOLS(sources_sort), SOURCES_ORDER,
		    SOURCES_TIEBREAK);
		sqlb_add(&b, " LIMIT :limit OFFSET :offset");
	}
	if ((s = dash_prepare(st, &b, &a, e)) == NULL)
		goto done;
	if (!complete) {
		rc = dash_emit(st, s, NCOLS(sources_cols) - 1, sources_cols, -1, &total, row,
		    ctx, e);
		goto done;
	}
	/* The walked page, one group at a time. */
	for (i = (size_t)a.offset; i < w.n; i++) {
		const struct walk_row *r = &w.rows[i];
		uint8_t lo[16], hi[16];

		memcpy(lo, r->lo, 16);
		memcpy(hi, r->lo, 16);
		if (g == DASH_GROUP_PREFIX && r->iplen == 16)
			store_ip_net(r->lo, lo, hi);
		if ((store_bind_text(s, sqlite3_bind_parameter_index(s, ":cdom"), r->domain) |
		    sqlite3_bind_blob(s, sqlite3_bind_parameter_index(s, ":clo"), lo, r->iplen,
			SQLITE_TRANSIENT) |
		    sqlite3_bind_blob(s, sqlite3_bind_parameter_index(s, ":chi"), hi, r->iplen,
			SQLITE_TRANSIENT)) != SQLITE_OK) {
			store_fail(st, "listing the sources", e);
			sqlite3_finalize(s);
			goto done;
		}
		if (dash_emit_rows(st, s, NCOLS(sources_cols) - 1, sources_cols, -1, &total, row,
		    ctx, e) == -1) {
			sqlite3_finalize(s);
			goto done;
		}
	}
	sqlite3_finalize(s);
	rc = 0;
done:
	walk_free(&w);
	return rc;
}
