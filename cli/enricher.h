/*
 * enricher: names the sources of a database (schema/006_sender.sql). One
 * pass reads the records stored since the last pass for the domains that
 * passed DKIM and SPF, finds the addresses of the heavy networks not yet
 * known, then names every address that is due: its reverse DNS when the
 * cached answer expired, its network owner and country when the databases
 * changed, and its service by the catalogue. DNS waits happen outside any
 * transaction; each batch of answers is written in a short one, so ingest
 * on another handle never waits long (store_sender.h).
 *
 * Used by `dmarcd enrich` and by `dmarcd run`'s background thread
 * (enrich_thread.h); `dmarcd ingest` never asks the network.
 */
#ifndef DMARCD_ENRICHER_H
#define DMARCD_ENRICHER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalogue.h"
#include "errbuf.h"
#include "rdns.h"
#include "store.h"

/* How long an answer is kept (seconds): the DNS TTL, clamped. */
#define ENRICH_TTL_MIN 3600 /* a name */
#define ENRICH_TTL_MAX (7 * 86400)
#define ENRICH_NEGATIVE_MIN 900 /* no PTR: the zone's negative TTL, clamped */
#define ENRICH_NEGATIVE_MAX 86400
#define ENRICH_RETRY 900 /* a failure or a timeout: ask again soon */

struct enricher_options {
	const struct catalogue *catalogue;
	const struct rdns_options *dns;  /* NULL: no DNS queries at all */
	const char *asn_db, *country_db; /* .mmdb files, NULL for none */
	bool refresh;                    /* name every address again, expired or not */
	int64_t (*clock)(void);          /* NULL: time(NULL); the tests inject theirs */
	/* Called after each batch: addresses named so far, of total. May be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	const atomic_bool *stop; /* checked between batches; NULL: never stop */
};

struct enricher_counts {
	uint64_t records;    /* records read for their domains */
	uint64_t discovered; /* addresses found to name */
	uint64_t named;      /* addresses named in this pass */
	uint64_t confirmed;  /* of which with a forward-confirmed host name */
	uint64_t matched;    /* of which recognised as a known service */
};

/*
 * One pass over st (a read-write handle). Returns 0, or -1 with e set on an
 * operational error (database, memory, unreadable .mmdb). DNS failures are
 * answers, not errors: the address is asked again later.
 */
int enricher_run(struct store *st, const struct enricher_options *o, struct enricher_counts *c,
    struct errbuf *e);

#endif
