/*
 * store_advise: the policy advisor's data (schema/004_advisor.sql): the
 * sources the owner confirmed, each domain's record and mailing-list
 * answer, and the readers that feed advise/ (common/advise_input.h) from
 * the reports, records and rollups of one policy domain.
 *
 * Writers work on a read-write store, each call its own transaction (or a
 * savepoint inside an open batch). Readers call fn once per item; a -1
 * from fn stops the walk and is returned.
 */
#ifndef DMARCD_STORE_ADVISE_H
#define DMARCD_STORE_ADVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "advise_input.h"
#include "store.h"

/* Where a confirmed source came from: kept until removed, or reloaded with the config. */
enum known_origin { KNOWN_FROM_CLI, KNOWN_FROM_CONFIG };

/*
 * Adds or replaces (same domain, kind and value) a confirmed source;
 * k->value must be canonical (known_value_canonical). 0 or -1 (e).
 */
int store_known_put(struct store *st, const char *domain, const struct known_source *k,
    enum known_origin origin, struct errbuf *e);

/* Removes one; *found says whether it existed. 0 or -1 (e). */
int store_known_forget(struct store *st, const char *domain, enum known_kind kind,
    const char *value, bool *found, struct errbuf *e);

/*
 * Replaces every source from the config with the n given (domains[i] for
 * known[i]) in one transaction. 0 or -1 (e), nothing changed then.
 */
int store_known_load_config(struct store *st, size_t n, const char *const *domains,
    const struct known_source *known, struct errbuf *e);

/* Every confirmed source of domain (NULL: of all domains), by domain, kind, value. */
int store_known_each(struct store *st, const char *domain,
    int (*fn)(void *ctx, const char *domain, const struct known_source *k, const char *origin),
    void *ctx, struct errbuf *e);

/*
 * A domain's settings: record (NULL keeps it, "" clears it) and
 * no_mailing_lists (-1 keeps it, 0 or 1). 0 or -1 (e).
 */
int store_advise_domain_set(struct store *st, const char *domain, const char *record,
    int no_mailing_lists, struct errbuf *e);

/*
 * The known services (schema/006_sender.sql) for the senders' names and
 * fixes: fn(ctx, key, name, fix, doc) for each, in key order.
 */
int store_advise_services(struct store *st,
    int (*fn)(void *ctx, const char *key, const char *name, const char *fix, const char *doc),
    void *ctx, struct errbuf *e);

/* Reads them; *record is malloc'd (NULL when unset), the caller frees it. 0 or -1 (e). */
int store_advise_domain_get(struct store *st, const char *domain, char **record,
    bool *no_mailing_lists, struct errbuf *e);

/* Every policy domain with aggregate data, in order. */
int store_advise_domains(struct store *st, int (*fn)(void *ctx, const char *domain), void *ctx,
    struct errbuf *e);

/* The last day with data for domain; *found false when it has none. 0 or -1 (e). */
int store_advise_last_day(struct store *st, const char *domain, int64_t *day, bool *found,
    struct errbuf *e);

/* The policy of every report attributed to [from, to], in begin order; suspect ones left out. */
int store_advise_policies(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct advise_policy_obs *o), void *ctx, struct errbuf *e);

/*
 * Messages per day in [from, to] (at most BOUND_REPORT_DAYS days; days
 * without any left out), and distinct reporters, suspect reports left out.
 */
int store_advise_days(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, int64_t day, int64_t messages), void *ctx, unsigned *reporters,
    struct errbuf *e);

/*
 * Every record of the domain's reports with messages attributed to a day in
 * [from, to], once per such day (a long report's split, FORMATS.md "Time
 * attribution"); the records of suspect reports are left out. The record and
 * its strings are valid during the call only.
 */
int store_advise_records(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct advise_record *r), void *ctx, struct errbuf *e);

/*
 * The first day the heavy network net (a /24 or /48, as in the source
 * table: prefix 120 or 48 of the 16-byte form) sent mail for domain, or -1
 * when it is not a heavy network or on error.
 */
int64_t store_advise_first_day(struct store *st, const char *domain, const uint8_t net[16],
    unsigned prefix);

/* ---- reports that may be forged (store_suspect.c marks them) ---- */

/* A suspect report; its strings are valid during the call only. */
struct store_suspect {
	int64_t id; /* what store_suspect_accept takes */
	const char *policy_domain, *org_name, *report_id;
	int64_t begin_ts, end_ts; /* UTC epoch seconds */
	int64_t messages;
	const char *why;
};

/*
 * Every suspect report of domain (NULL: of all domains) attributed to a day
 * in [from, to], by domain, then begin. 0 or -1 (e, or fn's -1).
 */
int store_suspects_each(struct store *st, const char *domain, int64_t from, int64_t to,
    int (*fn)(void *ctx, const struct store_suspect *s), void *ctx, struct errbuf *e);

/*
 * The owner says report id is genuine: it stops being suspect and the
 * advisor counts it. *found false when no suspect report has that id.
 */
int store_suspect_accept(struct store *st, int64_t id, bool *found, struct errbuf *e);

#endif
