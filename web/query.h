/*
 * query: the API's query-string parameters, checked and turned into the
 * store's filters. Every parameter is optional; a bad one is refused with
 * a message naming it (the server answers 400 with it). Unknown
 * parameters are ignored.
 */
#ifndef DMARCD_QUERY_H
#define DMARCD_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"
#include "store.h"
#include "store_dash.h"

#define QUERY_LIMIT_DEFAULT 100
#define QUERY_LIMIT_MAX 500
#define QUERY_OFFSET_MAX 100000000u
#define QUERY_DAYS_MAX 3660
#define QUERY_TEXT_MAX 255
#define QUERY_SERVICE_MAX 63 /* a catalogue key (sender.service) */

/* Returns the value of parameter key, or NULL when absent. */
typedef const char *(*query_arg_fn)(void *ctx, const char *key);

struct query {
	struct dash_filter filter; /* day_from/day_to 0 when open */
	struct dash_page page;
	enum dash_group group;
	const char *status; /* ingest log status filter, or NULL */
	bool csv;           /* format=csv */
};

/*
 * Parses domain, from, to, days, reporter, result, source, service, asn,
 * country, sort, dir, limit, offset, group, status and format. days=N is the N days ending at
 * `to`, or at today (a UTC day number) without it. Strings in *q point
 * into what arg returned. Returns 0, or -1 with the reason in e.
 */
int query_parse(query_arg_fn arg, void *ctx, int64_t today, struct query *q, struct errbuf *e);

/* Parses YYYY-MM-DD (1971 to 9999, a real date) into a day number. 0, or -1. */
int query_parse_day(const char *s, int64_t *day);

/* The window as an export filter: what `dmarcd export --since FROM --until TO` uses. */
void query_export_filter(const struct query *q, struct export_filter *f);

/* Writes day (days since 1970-01-01) as YYYY-MM-DD into buf. */

#endif
