/*
 * store_dash_int: what store_dash.c (filters, the rollup queries, lists)
 * and store_dash_src.c (sources) share.
 *
 * Queries are put together from constant SQL fragments with every value a
 * named parameter, since each combination of filters wants its own index
 * use; they are prepared per call (a fraction of a millisecond).
 */
#ifndef DMARCD_STORE_DASH_INT_H
#define DMARCD_STORE_DASH_INT_H

#include "store_dash.h"
#include "store_int.h"

#define DASH_SQL_MAX 8192
#define DASH_MAX_COLS 48
#define DASH_LIMIT_DEFAULT 50
/* Window ends that stand for "open": far outside any stored day. */
#define DASH_DAY_MIN INT64_C(-1000000000)
#define DASH_DAY_MAX INT64_C(1000000000)

/* A query being put together; full is set when it did not fit. */
struct sqlb {
	char s[DASH_SQL_MAX];
	size_t n;
	bool full;
};

void sqlb_add(struct sqlb *b, const char *text);

/* The values a query may name: each is bound when the query names it. */
struct dash_args {
	const char *domain, *org;
	int64_t lo, hi;   /* the window, in days */
	int64_t plo, phi; /* the previous window (plo > phi: none) */
	bool has_source;
	uint8_t iplo[16], iphi[16];
	bool has_names; /* a service, asn or country filter */
	const char *service, *country;
	int64_t asn;
	uint8_t netlo[16]; /* the first address of iplo's network */
	int64_t limit, offset;
	int64_t id;
	const char *status;
};

/* The SQL expressions of each sum under a result filter, on rollup or rollup_day columns. */
struct dash_sums {
	const char *messages, *dmarc_pass, *dkim_aligned, *spf_aligned;
	const char *none, *quarantine, *reject;
	const char *sources; /* the sketch arguments of dmarcd_sketch_count */
};

const struct dash_sums *dash_sums(enum dash_result r);

/* Adds "dmarcd_sum(expr) AS name" to b. */
void dash_sum_as(struct sqlb *b, const char *expr, const char *name);

/*
 * Adds the sums of x (all but sources) as columns named as the rollup's:
 * "dmarcd_sum(<messages>) AS messages, ..., dmarcd_sum(<reject>) AS disposition_reject".
 */
void dash_sums_as(struct sqlb *b, const struct dash_sums *x);

/*
 * Appends " AND col IN (SELECT ip FROM sender WHERE ...)", the names filters
 * of a (nothing without one), on the addresses (net false) or, on the
 * networks of sender.net (net true). Driven by the sender indexes.
 */
void dash_names_in(struct sqlb *b, const struct dash_args *a, const char *col, bool net);

/*
 * The same condition as a lookup of each row's address (col): for a
 * statement run again and again over a few rows, where dash_names_in's
 * list would be built at every run.
 */
void dash_names_exists(struct sqlb *b, const struct dash_args *a, const char *col);

/* True when the rows come from an address set: a source or names filter. */
bool dash_by_address(const struct dash_args *a);

/*
 * Wraps a sources row writer: each row gets the names of its source
 * (store_dash_sources) before its total_rows. dash_names_free ends it.
 */
struct dash_names;
struct dash_names *dash_names_new(struct store *st, enum dash_group g, store_row_fn row, void *ctx,
    struct errbuf *e);
int dash_names_row(void *ctx, size_t ncols, const char *const *names, const struct cell *cells);
void dash_names_free(struct dash_names *n);

/*
 * The same for the rows of records (the records lists, a report's records):
 * the query selects NULL for the five names from column first (host,
 * service_name, asn, as_org, country); each row gets them from the address
 * in column src as it is written. dash_names_free ends it.
 */
struct dash_names *dash_record_names_new(struct store *st, size_t first, size_t src,
    store_row_fn row, void *ctx, struct errbuf *e);
int dash_record_names_row(void *ctx, size_t ncols, const char *const *names,
    const struct cell *cells);

/* The sources grouped by service, asn or country (store_dash_sources). */
int dash_sources_named(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, const struct dash_page *page, store_row_fn row, void *ctx, struct errbuf *e);

/* Fills a from f: -1 (e) when the source is not an address or a CIDR. */
int dash_args_init(struct dash_args *a, const struct dash_filter *f, struct errbuf *e);

/* Limit (1..500, default 50) and offset of a page. */
void dash_args_page(struct dash_args *a, const struct dash_page *page);

/* Prepares b and binds what it names from a. NULL (e) on failure. */
sqlite3_stmt *dash_prepare(struct store *st, const struct sqlb *b, const struct dash_args *a,
    struct errbuf *e);

/*
 * Steps s to its end, calling row with names[0..ncols) for each row; the
 * column flags_col (or -1) is shown as flag names. extra, when not NULL, is
 * one more cell appended to each row (named names[ncols]). Finalizes s.
 */
int dash_emit(struct store *st, sqlite3_stmt *s, size_t ncols, const char *const *names,
    int flags_col, const struct cell *extra, store_row_fn row, void *ctx, struct errbuf *e);

/* Like dash_emit, but resets s instead of finalizing it. */
int dash_emit_rows(struct store *st, sqlite3_stmt *s, size_t ncols, const char *const *names,
    int flags_col, const struct cell *extra, store_row_fn row, void *ctx, struct errbuf *e);

/*
 * Appends the conditions on report r: its days overlap :lo..:hi (index-
 * friendly), and the domain and reporter filters of a.
 */
void dash_report_filter(struct sqlb *b, const struct dash_args *a);

/*
 * A record's messages in the window: its count, or for a long report the
 * parts of its days in the window (record_day); and its first and last day
 * in the window. NULL days: none of its parts is in the window.
 */
/* clang-format off */
#define REC_COUNT \
	"CASE WHEN r.day_first = r.day_last THEN a.count ELSE (SELECT dmarcd_sum(d.count)" \
	" FROM record_day d WHERE d.record_id = a.id AND d.day BETWEEN :lo AND :hi) END"
#define REC_DAY(f) \
	"CASE WHEN r.day_first = r.day_last THEN r.day_first ELSE (SELECT " f "(d.day)" \
	" FROM record_day d WHERE d.record_id = a.id AND d.day BETWEEN :lo AND :hi) END"
/* clang-format on */

/*
 * The rollup rows of the window, the filters and the result, after
 * "WHERE "; with domains, the domain filter too (else the caller has one).
 * A row with no message of the result is left out.
 */
void dash_source_rows(struct sqlb *b, const struct dash_args *a, enum dash_result result,
    bool domains);

/*
 * Counts the sources (g: addresses or networks) of the window, up to
 * DASH_TOTAL_MAX + 1: from the rollup rows of the source range, or else
 * from the window's records (store_dash_count.c). 0 or -1 (e).
 */
int dash_count_sources(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, int64_t *total, struct errbuf *e);

/*
 * Appends " FROM report r CROSS JOIN record a ... WHERE" the records of the
 * window and a's filters, and the DMARC result's (no source filter).
 */
void dash_window_records(struct sqlb *b, const struct dash_args *a, enum dash_result result);

#endif
