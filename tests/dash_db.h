/*
 * dash_db: for the dashboard tests (test_store_dash*.c), a small database
 * built through the report sink, the same in every test, and helpers to
 * read what the queries return. tdb_open documents its reports.
 */
#ifndef DMARCD_TEST_DASH_DB_H
#define DMARCD_TEST_DASH_DB_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "store.h"
#include "store_dash.h"
#include "testutil.h"
#include "tu_table.h"

#define DAY0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY (INT64_C(86400))
#define D0 (DAY0 / DAY) /* day 19723 */

struct tdb {
	char *dir, *path;
	struct store *st;
	int64_t report_ids[4];
	unsigned inputs;
};

/* The column col of every row of t, joined by "|" (a static buffer). */
char *tdb_column(const struct tu_table *t, const char *col);

/* A raw hash made of seed. */
void tdb_sha_fill(uint8_t sha[32], unsigned seed);

/* A record of count messages from ip ("" for an invalid address) with one DKIM and one SPF result.
 */
void tdb_rec_set(struct agg_record *rec, const char *ip, int64_t count, enum dmarc_result dkim,
    enum dmarc_result spf, enum disposition disp, const char *hf);

/* Stores one report (one input, one batch) and returns its id. */
int64_t tdb_put_period(struct tdb *d, const char *org, const char *id, const char *domain,
    int64_t begin, int64_t end, enum policy p, const struct agg_record *recs, size_t n);

/* Stores one report covering one day. */
int64_t tdb_put_report(struct tdb *d, const char *org, const char *id, const char *domain,
    int64_t day, enum policy p, const struct agg_record *recs, size_t n);

/* An empty database in a scratch directory. */
void tdb_open_empty(struct tdb *d);

/* The database every test reads (its reports: dash_db.c). */
void tdb_open(struct tdb *d);

/* Closes and removes it. */
void tdb_close(struct tdb *d);

/* The window D0..D0+1 with no other filter. */
struct dash_filter tdb_window(void);

#endif
