/*
 * store_int: what the files of store/ share: the connection, its prepared
 * statements, the report sink's progress, and small SQLite helpers.
 */
#ifndef DMARCD_STORE_INT_H
#define DMARCD_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "embedded.h"
#include "store.h"

/* Migrations compiled in from schema/ by cmake/embed.cmake, sorted by name. */
extern const struct embedded_file schema_files[];
extern const size_t schema_files_count;

/* The writer's statements, prepared once at open (read-write mode only). */
enum store_stmt {
	SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK,
	SQ_INPUT_SAVEPOINT, SQ_INPUT_RELEASE, SQ_INPUT_ROLLBACK,
	SQ_REPORT_SAVEPOINT, SQ_REPORT_RELEASE, SQ_REPORT_ROLLBACK,
	SQ_INPUT_SEEN, SQ_INPUT_INSERT, SQ_INPUT_END, SQ_INPUT_EXISTS,
	SQ_REFUSED_IDS, SQ_REFUSED_RAW,
	SQ_REPORT_BY_KEY, SQ_REPORT_BY_HASH, SQ_REPORT_INSERT, SQ_REPORT_FINISH,
	SQ_CONFLICT_INSERT,
	SQ_RECORD_INSERT, SQ_DKIM_INSERT, SQ_SPF_INSERT, SQ_REASON_INSERT,
	SQ_DAY_INSERT, SQ_ROLLUP_DAY, SQ_ROLLUP_SPLIT,
	SQ_COUNT
};

/* SQL text of each enum store_stmt (store_sql.c). */
extern const char *const store_sql[SQ_COUNT];

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

/* A report in progress inside the sink. */
struct sink_state {
	int64_t input_id;
	struct store_counts *counts;
	enum sink_phase phase;
	int64_t row;                 /* report row being stored, or the one found */
	uint8_t found_sha256[32];    /* when skipping: the stored report's hash */
	bool found_has_sha256;
	int64_t ordinal;             /* next record's ordinal */
	uint64_t records;            /* records stored for this report */
	int64_t begin_ts, end_ts;
	int64_t mid_day;             /* the day of the period's midpoint */
	int64_t day_first;           /* attributed days (see schema/001_init.sql) */
	size_t ndays;                /* 1, or the days a long report is split over */
	uint64_t span;               /* seconds in [begin_ts, end_ts] when split */
	uint32_t overlap[BOUND_REPORT_DAYS]; /* seconds of the span in each day */
	int64_t parts[BOUND_REPORT_DAYS];    /* one record's count, split */
	struct day_share shares[BOUND_REPORT_DAYS];
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	sqlite3_stmt *stmt[SQ_COUNT];
	sqlite3_stmt *export_stmt[STORE_EXPORT_STMTS]; /* prepared on first use */
	bool in_input;               /* the input savepoint is open */
	struct sink_state sink;
};

/* Sets e to "store: what: <sqlite message>" and returns -1. */
int store_fail(struct store *st, const char *what, struct errbuf *e);

/* Steps s once; returns SQLITE_ROW or SQLITE_DONE, or -1 (s reset, e set). */
int store_step(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e);

/* Runs a statement that returns no row, then resets it. 0 or -1 (e). */
int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e);

/* Runs a statement whose failure is not reported (a cleanup path). */
void store_run_quiet(sqlite3_stmt *s);

/* Refuses a write on a read-only store. 0 or -1 (e). */
int store_writable(const struct store *st, struct errbuf *e);

/* Binds a string, or NULL when s is NULL. Returns the SQLite code. */
int store_bind_text(sqlite3_stmt *s, int i, const char *s_val);

/* Binds an unsigned count, saturated at STORE_COUNT_MAX. */
int store_bind_count(sqlite3_stmt *s, int i, uint64_t v);

/* floor(ts / 86400), for negative times too. */
int64_t store_day(int64_t ts);

/* store_export and store_export_columns for EXPORT_FAILURES (store_failure.c). */
int store_export_failures(struct store *st, const struct export_filter *f,
    int (*row)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells),
    void *ctx, struct errbuf *e);

/* The failures export's column names, for an empty result. */
void store_export_failures_columns(size_t *ncols, const char *const **names);

#endif
