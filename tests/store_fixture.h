/*
 * store_fixture: for the store tests (test_store*.c), databases in scratch
 * directories, reports and records made in memory, streamed through the
 * report sink inside inputs and batches, and the exports read back as
 * tables. Every helper fails the test on an error.
 */
#ifndef DMARCD_TEST_STORE_FIXTURE_H
#define DMARCD_TEST_STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "store.h"
#include "testutil.h"

#define DAY0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY (INT64_C(86400))

/* A fresh database path in its own scratch directory (malloc'd). */
char *ts_db_path(void);

/* Removes the database, its WAL files and its scratch directory; frees path. */
void ts_drop_db(char *path);

struct store *ts_open(const char *path, enum store_mode mode);

/* Runs one scalar query on a separate connection (what a reader would see). */
int64_t ts_scalar(const char *path, const char *sql);

/* A hash made of seed. */
void ts_sha_fill(uint8_t sha[32], unsigned seed);

/* A report of org for domain over begin..end; its canonical hash is made of hash_seed. */
void ts_make_report(struct agg_report *r, const char *org, const char *id, const char *domain,
    int64_t begin, int64_t end, unsigned hash_seed);

/* A record of count messages from ip. */
void ts_make_record(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
    enum dmarc_result spf, enum disposition disp);

/* Sets r's totals as the parser would from its records. */
void ts_compute_totals(struct agg_report *r, const struct agg_record *recs, size_t n);

/* Streams one report through the sink; the caller holds an input open. */
void ts_stream(struct store *st, int64_t input_id, struct agg_report *r,
    const struct agg_record *recs, size_t n, struct store_counts *counts);

/* Opens an input whose raw hash is made of seed; returns its id. */
int64_t ts_begin_input(struct store *st, unsigned seed);

/* Records the input's outcome (raw kept when refused). */
void ts_end_input(struct store *st, int64_t id, enum store_input_status status,
    const struct store_counts *c, const void *raw, size_t len);

/* One input carrying one report, in its own batch. */
struct store_counts ts_ingest(struct store *st, unsigned input_seed, struct agg_report *r,
    const struct agg_record *recs, size_t n);

/* An export as a table (domain NULL: all; since..until in epoch seconds). */
struct tu_table *ts_export(struct store *st, enum export_kind kind, const char *domain,
    int64_t since, int64_t until);

/* An export of everything. */
struct tu_table *ts_export_all(struct store *st, enum export_kind kind);

#endif
