/*
 * store: a report's origin (schema/007_origin.sql) and the suspect rules
 * that follow from it (FORMATS.md "Reports that may be forged"): a failed
 * signature of the reporter's domain; an unverified report from a reporter
 * that signs its reports for the domain (a key that could not be fetched
 * is not held against it); with require_verified, any unverified report.
 * What decides the origin is ingest/carrier.c's; the pipeline hands it here
 * for each report of the input, before the input ends.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int
store_input_reports(struct store *st, int64_t input_id,
    int (*fn)(void *ctx, int64_t report, const char *org_email, const char *org_name,
        struct errbuf *e),
    void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_writable(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_INPUT_REPORTS];
	if (sqlite3_bind_int64(s, 1, input_id) != SQLITE_OK)
		return store_fail(st, "listing an input's reports", e);
	while ((rc = store_step(st, s, "listing an input's reports", e)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		        (const char *)sqlite3_column_text(s, 2), e) == -1) {
			sqlite3_reset(s);
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

/* How many verified reports the report's reporter has for its domain, or -1. */
static int64_t
signs(struct store *st, int64_t report, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_ORIGIN_SIGNS];
	int64_t n = 0;
	int rc;

	if (sqlite3_bind_int64(s, 1, report) != SQLITE_OK)
		return store_fail(st, "reading a reporter's signed reports", e);
	if ((rc = store_step(st, s, "reading a reporter's signed reports", e)) == -1)
		return -1;
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

static int
suspect(struct store *st, int64_t report, const char *why, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_IF_NOT];

	if ((sqlite3_bind_int64(s, 1, report) | store_bind_text(s, 2, why)) != SQLITE_OK)
		return store_fail(st, "marking a suspect report", e);
	return store_run(st, s, "marking a suspect report", e);
}

int
store_report_origin(struct store *st, int64_t report, const struct store_origin *o,
    struct errbuf *e)
{
	sqlite3_stmt *s;
	char why[512];
	int64_t n;

	if (store_writable(st, e) == -1)
		return -1;
	s = st->w->stmt[SQ_ORIGIN_SET];
	if ((sqlite3_bind_int64(s, 1, report) | store_bind_text(s, 2, o->origin) |
	        store_bind_text(s, 3, o->detail)) != SQLITE_OK)
		return store_fail(st, "recording a report's origin", e);
	if (store_run(st, s, "recording a report's origin", e) == -1)
		return -1;
	if (o->origin == NULL)
		return o->require ? suspect(st, report,
		                        "not verified, and require_verified is set: its mail's "
		                        "signatures were not verified",
		                        e) :
		                    0;
	if (strcmp(o->origin, "failed") == 0) {
		snprintf(why, sizeof why, "its mail's signature does not verify: %s", o->detail);
		return suspect(st, report, why, e);
	}
	if (strcmp(o->origin, "unverified") != 0)
		return 0;
	if (o->require) {
		snprintf(why, sizeof why, "not verified, and require_verified is set: %s",
		    o->detail);
		return suspect(st, report, why, e);
	}
	if (o->temporary)
		return 0;
	if ((n = signs(st, report, e)) <= 0)
		return n == -1 ? -1 : 0;
	snprintf(why, sizeof why,
	    "this reporter signs its reports for the domain (%lld verified); this one is not "
	    "signed by it: %s",
	    (long long)n, o->detail);
	return suspect(st, report, why, e);
}
