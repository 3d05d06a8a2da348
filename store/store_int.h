/*
 * store_int: what the files of store/ share: the handle (the connection
 * and, read-write only, the writer's state: its prepared statements, the
 * report sink's progress, the rollup sums), and small SQLite helpers.
 */
#ifndef DMARCD_STORE_INT_H
#define DMARCD_STORE_INT_H

#include <sqlite3.h>
#include <time.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "embedded.h"
#include "store.h"
#include "store_sketch.h"
#include "store_sums.h"

/* Migrations compiled in from schema/ by cmake/embed.cmake, sorted by name. */
extern const struct embedded_file schema_files[];
extern const size_t schema_files_count;

/* The writer's statements, prepared once at open (read-write mode only). */
enum store_stmt {
	SQ_BEGIN,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_INPUT_SAVEPOINT,
	SQ_INPUT_RELEASE,
	SQ_INPUT_ROLLBACK,
	SQ_REPORT_SAVEPOINT,
	SQ_REPORT_RELEASE,
	SQ_REPORT_ROLLBACK,
	SQ_INPUT_SEEN,
	SQ_INPUT_INSERT,
	SQ_INPUT_END,
	SQ_INPUT_EXISTS,
	SQ_REFUSED_IDS,
	SQ_REFUSED_RAW,
	SQ_REPORT_BY_KEY,
	SQ_REPORT_BY_HASH,
	SQ_REPORT_INSERT,
	SQ_REPORT_FINISH,
	SQ_CONFLICT_INSERT,
	SQ_RECORD_INSERT,
	SQ_DKIM_INSERT,
	SQ_SPF_INSERT,
	SQ_REASON_INSERT,
	SQ_DAY_INSERT,
	SQ_ROLLUP_UPSERT,
	SQ_ROLLUP_DAY_UPSERT,
	SQ_SOURCE_ADD,
	SQ_SOURCE_ROWS,
	SQ_SOURCE_INSERT,
	SQ_REPORTER_UPSERT,
	SQ_SUSPECT_CARRIER,
	SQ_SUSPECT_REPORTER_SEEN,
	SQ_SUSPECT_HISTORY,
	SQ_SUSPECT_SET,
	SQ_CROSS_SOURCE,
	SQ_CROSS_OTHERS,
	SQ_CROSS_PUT,
	SQ_INPUT_REPORTS,
	SQ_ORIGIN_SET,
	SQ_ORIGIN_SIGNS,
	SQ_SUSPECT_IF_NOT,
	SQ_COUNT
};

/* SQL text of each enum store_stmt (store_sql.c). */
extern const char *const store_sql[SQ_COUNT];

/*
 * A record a's override reasons ("type: comment; ..."), DKIM results
 * ("domain/selector=result; ...") and SPF results ("domain/scope=result;
 * ..."), NULL when it has none: the inline first result, then the others.
 */
/* clang-format off */
#define STORE_SQL_CHILDREN(expr, table) \
	"(SELECT group_concat(t, '; ') FROM (SELECT " expr " AS t FROM " table \
	" WHERE record_id = a.id ORDER BY ordinal))"
#define STORE_SQL_AUTH(p, more, mid) \
	"CASE WHEN a." p "_result IS NOT NULL THEN coalesce(a." p "_domain, '') || '/' ||" \
	" coalesce(a." p "_" mid ", '') || '=' || a." p "_result ||" \
	" CASE WHEN a.n_" p " > 1 THEN '; ' || " \
	STORE_SQL_CHILDREN("coalesce(domain, '') || '/' || coalesce(" mid ", '') || '=' ||" \
	    " result", more) " ELSE '' END END"
#define STORE_SQL_REASONS \
	"CASE WHEN a.n_reasons > 0 THEN " \
	STORE_SQL_CHILDREN("CASE WHEN comment IS NULL OR comment = '' THEN type" \
	    " ELSE type || ': ' || comment END", "record_reason") " END"
/* An epoch-seconds column as "2024-03-01T00:00:00Z", and as its UTC date. */
#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
#define DATE(col) "date(" col ", 'unixepoch')"
/* clang-format on */
/*
 * The names of record a's source (schema/006_sender.sql), as five columns:
 * host (the PTR name only when the reverse DNS was confirmed: any other
 * name is the address owner's claim), service_name, asn, as_org, country.
 * Each a primary-key lookup, for the rows shown only.
 */
/* clang-format off */
#define STORE_SQL_SENDER(col) "(SELECT " col " FROM sender n WHERE n.ip = a.ip)"
#define STORE_SQL_RECORD_NAMES \
	STORE_SQL_SENDER("CASE WHEN n.dns_status = 'confirmed' THEN n.ptr END") ", " \
	STORE_SQL_SENDER("(SELECT v.name FROM service v WHERE v.key = n.service)") ", " \
	STORE_SQL_SENDER("n.asn") ", " STORE_SQL_SENDER("n.as_org") ", " \
	STORE_SQL_SENDER("n.country")
/* clang-format on */
#define STORE_SQL_DKIM_RESULTS STORE_SQL_AUTH("dkim", "record_dkim_more", "selector")
#define STORE_SQL_SPF_RESULTS STORE_SQL_AUTH("spf", "record_spf_more", "scope")

/* Export queries: one per kind, with and without a domain filter. */
#define STORE_EXPORT_STMTS 8

/* Largest value a count or a sum may take in storage. */
#define STORE_COUNT_MAX INT64_MAX

enum sink_phase { SINK_IDLE, SINK_STORING, SINK_SKIPPING };

/* One day's rounding remainder while splitting a count. */
struct day_share {
	uint64_t rem;
	size_t day;
};

#define ROLLUP_HEAVY 10 /* messages that make a network heavy (table source) */

/* A report in progress inside the sink. */
struct sink_state {
	int64_t input_id;
	struct store_counts *counts;
	enum sink_phase phase;
	int64_t row;              /* report row being stored, or the one found */
	uint8_t found_sha256[32]; /* when skipping: the stored report's hash */
	bool found_has_sha256;
	int64_t ordinal;  /* next record's ordinal */
	uint64_t records; /* records stored for this report */
	int64_t begin_ts, end_ts;
	int64_t mid_day;                     /* the day of the period's midpoint */
	int64_t day_first;                   /* attributed days (see schema/001_init.sql) */
	int64_t record_first;                /* the id of the report's first record */
	size_t ndays;                        /* 1, or the days a long report is split over */
	uint64_t span;                       /* seconds in [begin_ts, end_ts] when split */
	uint32_t overlap[BOUND_REPORT_DAYS]; /* seconds of the span in each day */
	int64_t parts[BOUND_REPORT_DAYS];    /* one record's count, split */
	struct day_share shares[BOUND_REPORT_DAYS];
	uint32_t dom, org;                /* the report's sums_names ids */
	struct sketch sketch[2];          /* sources with failing [0] and passing [1] records */
	bool day_used[BOUND_REPORT_DAYS]; /* by day - day_first */
	uint64_t day_sums[BOUND_REPORT_DAYS][SUMS_COLS];
};

/*
 * What only a read-write handle has: the writer's statements, the input
 * and report in progress, and the rollup sums not written yet. About 50 KB,
 * so store_open allocates it in STORE_READWRITE mode only and store_close
 * frees it: the dashboard's pool of read-only handles does without.
 */
struct store_writer {
	sqlite3_stmt *stmt[SQ_COUNT]; /* prepared at open */
	bool in_input;                /* the input savepoint is open */
	struct sink_state sink;
	/*
	 * Rollup sums not written yet: the report's, and the input's (its
	 * stored reports). The report's move to the input's when its savepoint
	 * is released; the input's are written when the input's is, outside any
	 * savepoint, so that no savepoint rollback has to undo them.
	 */
	struct sums_names names;
	struct sums report_sums, input_sums;
	char warning[ERRBUF_SIZE]; /* store_warning: "" when none */
};

/*
 * A handle: the connection, the read statements it prepares on use, and
 * its time budget, in both modes; the writer's state only when opened
 * read-write (w is NULL on a read-only handle: store_writable says so).
 */
struct store {
	sqlite3 *db;
	enum store_mode mode;
	sqlite3_stmt *export_stmt[STORE_EXPORT_STMTS]; /* prepared on first use */
	unsigned budget_ms;                            /* store_time_budget: 0 when none */
	struct timespec deadline;                      /* when the budget runs out */
	bool timed_out;                                /* a statement was interrupted by it */
	struct store_writer *w;                        /* read-write mode only, else NULL */
};

/* Sets e to "store: what: <sqlite message>" and returns -1. */
int store_fail(struct store *st, const char *what, struct errbuf *e);

/* Steps s once; returns SQLITE_ROW or SQLITE_DONE, or -1 (s reset, e set). */
int store_step(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e);

/*
 * Prepares sql (constant text) for a statement that runs once, which the
 * caller finalizes; *s is NULL on failure. 0 or -1 (e).
 */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **s, struct errbuf *e);

/* Runs sql (constant text, no parameters); a failure is "store: what: ...". 0 or -1 (e). */
int store_exec(struct store *st, const char *sql, const char *what, struct errbuf *e);

/* Runs a statement that returns no row, then resets it. 0 or -1 (e). */
int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e);

/* Runs a statement whose failure is not reported (a cleanup path). */
void store_run_quiet(sqlite3_stmt *s);

/* Refuses a write on a read-only store (st->w is NULL). 0 or -1 (e). */
int store_writable(const struct store *st, struct errbuf *e);

/* Binds a string, or NULL when s is NULL. Returns the SQLite code. */
int store_bind_text(sqlite3_stmt *s, int i, const char *s_val);

/* Binds an unsigned count, saturated at STORE_COUNT_MAX. */
int store_bind_count(sqlite3_stmt *s, int i, uint64_t v);

/* Large enough for every flag name of flags.h joined by commas. */
#define STORE_FLAGS_TEXT 1024

/* flags_describe() or failure_flags_describe(). */
typedef char *(*store_describe_fn)(uint64_t flags, char *buf, size_t size);

/*
 * Fills c from column col of s's current row; with describe, an integer is
 * shown as flag names (written to flags, STORE_FLAGS_TEXT bytes).
 */
void store_fill_cell(sqlite3_stmt *s, int col, store_describe_fn describe, char *flags,
    struct cell *c);

/* ---- the rollups (store_rollup.c), summed in memory (store_sums.h) ---- */

/* Starts a report's sums: interns its domain and reporter. 0 or -1 (e). */
int rollup_report_begin(struct store *st, const struct agg_report *r, struct errbuf *e);

/*
 * Adds one record of r to the report's sums: its count (or its part on day,
 * for a long report) under its address ip (iplen 16, or 0 when invalid) and
 * its prefix. 0 or -1 (e).
 */
int rollup_add(struct store *st, const struct agg_report *r, const struct agg_record *rec,
    const uint8_t ip[16], size_t iplen, int64_t day, int64_t count, struct errbuf *e);

/* The report is complete: writes its days to rollup_day and counts its reporter. */
int rollup_report_end(struct store *st, const struct agg_report *r, struct errbuf *e);

/* The report's savepoint is released: moves its sums to the input's. 0 or -1 (e). */
int rollup_report_kept(struct store *st, struct errbuf *e);

/* The input's savepoint is released: writes its sums. 0 or -1 (e). */
int rollup_input_end(struct store *st, struct errbuf *e);

/* Drops the report's and the input's sums (they were rolled back). */
void rollup_input_abort(struct store *st);

/* Drops every sum not written and frees the memory. */
void rollup_free(struct store *st);

/* ---- suspect reports (store_suspect.c) ---- */

/* The input's mail failed DMARC: marks every report it stored suspect. 0 or -1 (e). */
int suspect_carrier(struct store *st, int64_t input_id, struct errbuf *e);

/*
 * Marks the complete report r (row; attributed from day_first) suspect when
 * it is its reporter's first for the domain and far above the domain's
 * recent days. Call before its days reach rollup_day. 1 when it marked it,
 * 0 when not, -1 (e).
 */
int suspect_check(struct store *st, const struct agg_report *r, int64_t row, int64_t day_first,
    struct errbuf *e);

/*
 * The cross-check (store_suspect_cross.c): marks the complete report r (row,
 * its days day_first..day_last; its sums still in memory) suspect when what
 * it says of a source network contradicts what the other reporters who
 * agree among themselves saw of it on those days. 1 when it marked it, 0
 * when not, -1 (e).
 */
int suspect_cross(struct store *st, const struct agg_report *r, int64_t row, int64_t day_first,
    int64_t day_last, struct errbuf *e);

/*
 * Keeps what the report r (not suspect; its sums still in memory) saw of
 * its networks, as witnesses for the reports that come after it
 * (cross_net). 0, or -1 (e).
 */
int cross_put(struct store *st, const struct agg_report *r, int64_t day_first, int64_t day_last,
    struct errbuf *e);

/* ---- SQL functions (store_func.c; the sketch functions: store_sketch.h) ---- */

/*
 * Registers dmarcd_ip_text, dmarcd_ip, dmarcd_net, dmarcd_net_end, dmarcd_list
 * and the sketch functions.
 */
int store_functions(sqlite3 *db);

/* The 16-byte form of a canonical address; 16, or 0 when s is not one. */
size_t store_ip_parse(const char *s, uint8_t ip[16]);

/*
 * The text of a 16-byte address (len 16), or with prefix set of its /24
 * (IPv4) or /48 (IPv6) network ("192.0.2.0/24"). "" for anything else.
 * INET6_ADDRSTRLEN + 4 bytes hold any.
 */
void store_ip_text(const uint8_t *ip, int len, bool prefix, char *out, size_t size);

/* The first and last address of ip's /24 (IPv4) or /48 (IPv6) network. */
void store_ip_net(const uint8_t ip[16], uint8_t lo[16], uint8_t hi[16]);

/* store_export and store_export_columns for EXPORT_FAILURES (store_failure.c). */
int store_export_failures(struct store *st, const struct export_filter *f,
    int (*row)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells),
    void *ctx, struct errbuf *e);

/* The failures export's column names, for an empty result. */
void store_export_failures_columns(size_t *ncols, const char *const **names);

#endif
