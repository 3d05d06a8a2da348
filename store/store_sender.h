/*
 * store_sender: what is known of each source address (schema/006_sender.sql)
 * for the enricher (cli/enricher.c), which alone writes it: the records it
 * has not read yet, the addresses to name, the answers, and the services of
 * the catalogue. The dashboard, the exports and the advisor only read the
 * sender and service tables, through their own queries; the one read here
 * is store_sender_owners, for the warnings of cli/source_warn.c.
 *
 * Every function here runs its writes in a short transaction of its own, so
 * that the enricher never holds the database while it waits on DNS and the
 * ingest pipeline, the other writer, waits at most one such transaction.
 */
#ifndef DMARCD_STORE_SENDER_H
#define DMARCD_STORE_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SENDER_DOMAINS_MAX 8  /* domains kept per address and kind */
#define SENDER_DOMAIN_LEN 254 /* a domain name and its NUL */
#define SENDER_TEXT_MAX 1024  /* ptr, as_org, evidence_value, and their NUL */

/* One address's row. Text fields are "" when NULL in the table. */
struct store_sender {
	uint8_t ip[16];
	char ptr[SENDER_TEXT_MAX];
	char dns_status[16];
	int64_t dns_checked, dns_expires; /* 0 when never asked */
	uint32_t asn;
	char as_org[SENDER_TEXT_MAX];
	char country[3];
	int64_t geo_built;
	char service[64];
	char evidence[8];
	char evidence_value[SENDER_TEXT_MAX];
	uint64_t match_hash;
};

/*
 * Reads at most max records stored after the last one read, and notes for
 * each address the domains of its passing DKIM signatures and SPF checks.
 * *read says how many; *more is true when records remain.
 */
int store_sender_scan(struct store *st, size_t max, size_t *read, bool *more, struct errbuf *e);

/* Adds a row for every address of a heavy network that has none; *added counts them. */
int store_sender_discover(struct store *st, uint64_t *added, struct errbuf *e);

/* Which rows store_sender_due returns. */
struct sender_due {
	bool dns; /* with DNS: rows whose answer expired by now, or never asked */
	int64_t now;
	int64_t geo_built;   /* rows named from other databases than these */
	uint64_t match_hash; /* rows matched against another catalogue */
	bool all;            /* every row (dmarcd enrich --refresh) */
};

/*
 * The next rows due after the address `after` (16 bytes; all zero to
 * start), in address order, at most max; *n says how many. after may
 * point into out (the last row of the previous call).
 */
int store_sender_due(struct store *st, const struct sender_due *q, const uint8_t after[16],
    struct store_sender *out, size_t max, size_t *n, struct errbuf *e);

/* How many rows store_sender_due would return from the start (for progress). */
int store_sender_due_count(struct store *st, const struct sender_due *q, uint64_t *count,
    struct errbuf *e);

/*
 * The domains noted for the addresses lo..hi (16 bytes each, inclusive), in
 * address order, with one query for a whole batch: fn(ctx, ip, kind, domain)
 * with kind "dkim" or "spf". A -1 from fn stops the walk and is returned.
 */
int store_sender_domains(struct store *st, const uint8_t lo[16], const uint8_t hi[16],
    int (*fn)(void *ctx, const uint8_t ip[16], const char *kind, const char *domain), void *ctx,
    struct errbuf *e);

/* Writes the rows given (found by their ip), in one transaction. */
int store_sender_put(struct store *st, const struct store_sender *rows, size_t n, struct errbuf *e);

/*
 * The network owners (AS) of the named addresses lo..hi (16 bytes each,
 * inclusive), the most addresses first, at most max: fn(ctx, asn, as_org,
 * addresses), as_org "" when unknown. Addresses without an AS are left
 * out. A -1 from fn stops the walk and is returned.
 */
int store_sender_owners(struct store *st, const uint8_t lo[16], const uint8_t hi[16], size_t max,
    int (*fn)(void *ctx, uint32_t asn, const char *as_org, uint64_t addresses), void *ctx,
    struct errbuf *e);

/* A service of the catalogue, as the service table holds it. */
struct store_service {
	const char *key, *name, *category, *fix, *doc;
};

/* Replaces the service table with these, in one transaction. */
int store_service_sync(struct store *st, const struct store_service *sv, size_t n,
    struct errbuf *e);

#endif
