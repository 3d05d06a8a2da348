/*
 * store: reports that may be forged (FORMATS.md "Reports that may be
 * forged"; schema 005_forged.sql). Anyone can mail a report to a rua= address, so a forger
 * could make spoofed mail look legitimate, or a clean domain look broken,
 * and push its owner to the wrong policy. Two signs mark a report suspect
 * when it is stored:
 *
 * - its mail failed DMARC at our receiving server (the topmost
 *   Authentication-Results says dmarc=fail): real reporters sign theirs;
 * - it is its reporter's first report for the domain, and it claims at
 *   least SUSPECT_MIN_MESSAGES messages and SUSPECT_FACTOR times the daily
 *   average of the SUSPECT_HISTORY_DAYS days before it, when the domain has
 *   data on SUSPECT_HISTORY_MIN of them (no history: nothing to compare).
 *
 * A third sign, the cross-check with the other reporters, is
 * store_suspect_cross.c's.
 *
 * The advisor leaves suspect reports out and says so; the owner can accept
 * one (`dmarcd suspects --accept`; store_advise.c lists and accepts them).
 * Every other view counts them as sent.
 */
#include <inttypes.h>
#include <stdio.h>

#include "store_int.h"

#define SUSPECT_HISTORY_DAYS 30
#define SUSPECT_HISTORY_MIN 7
#define SUSPECT_MIN_MESSAGES 1000
#define SUSPECT_FACTOR 10

int
suspect_carrier(struct store *st, int64_t input_id, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_CARRIER];

	if ((sqlite3_bind_int64(s, 1, input_id) |
	        store_bind_text(s, 2,
	            "its mail failed DMARC at the receiving server "
	            "(Authentication-Results: dmarc=fail)")) != SQLITE_OK)
		return store_fail(st, "marking suspect reports", e);
	return store_run(st, s, "marking suspect reports", e);
}

/* 1 when the report's reporter sent this domain a report before, 0 when not, -1. */
static int
reporter_seen(struct store *st, const struct agg_report *r, int64_t row, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_REPORTER_SEEN];
	int rc;

	if ((store_bind_text(s, 1, r->policy_domain) | store_bind_text(s, 2, r->org_key) |
	        sqlite3_bind_int64(s, 3, row)) != SQLITE_OK)
		return store_fail(st, "looking for a reporter's reports", e);
	rc = store_step(st, s, "looking for a reporter's reports", e);
	sqlite3_reset(s);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

/* The domain's days with data before day_first, and their messages. */
static int
history(struct store *st, const char *domain, int64_t day_first, int64_t *days, double *messages,
    struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_HISTORY];
	int rc;

	if ((store_bind_text(s, 1, domain) |
	        sqlite3_bind_int64(s, 2, day_first - SUSPECT_HISTORY_DAYS) |
	        sqlite3_bind_int64(s, 3, day_first - 1)) != SQLITE_OK)
		return store_fail(st, "reading a domain's history", e);
	rc = store_step(st, s, "reading a domain's history", e);
	if (rc == SQLITE_ROW) {
		*days = sqlite3_column_int64(s, 0);
		*messages = sqlite3_column_double(s, 1);
	}
	sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

int
suspect_check(struct store *st, const struct agg_report *r, int64_t row, int64_t day_first,
    struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_SET];
	uint64_t messages = r->totals.messages;
	int64_t days = 0;
	double before = 0, per_day;
	char why[256];
	int rc;

	if (messages < SUSPECT_MIN_MESSAGES)
		return 0;
	if ((rc = reporter_seen(st, r, row, e)) != 0)
		return rc == -1 ? -1 : 0;
	if (history(st, r->policy_domain, day_first, &days, &before, e) == -1)
		return -1;
	if (days < SUSPECT_HISTORY_MIN)
		return 0;
	per_day = before / (double)days;
	if ((double)messages < SUSPECT_FACTOR * per_day)
		return 0;
	snprintf(why, sizeof why,
	    "the first report of this reporter for the domain claims %" PRIu64
	    " messages, where the domain averaged %.0f a day over its %" PRId64
	    " days with data before it",
	    messages, per_day, days);
	if ((sqlite3_bind_int64(s, 1, row) | store_bind_text(s, 2, why)) != SQLITE_OK)
		return store_fail(st, "marking a suspect report", e);
	return store_run(st, s, "marking a suspect report", e) == -1 ? -1 : 1;
}
