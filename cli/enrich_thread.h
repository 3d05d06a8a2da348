/*
 * enrich_thread: `dmarcd run` names new sources in the background. A thread
 * of its own, with its own database handle, runs an enricher pass at start
 * and then every poll interval, so that ingest never waits on DNS; it stops
 * between two batches when asked.
 */
#ifndef DMARCD_ENRICH_THREAD_H
#define DMARCD_ENRICH_THREAD_H

#include "config.h"
#include "enricher.h"

/*
 * Fills o and dns from the [enrich] and [dns] sections and the catalogue
 * (the config's, else cat, the built-in one the caller loaded).
 */
void enrich_options_from_config(const struct config *c, const struct catalogue *cat,
    struct enricher_options *o, struct rdns_options *dns);

struct enrich_thread;

/*
 * Starts the thread on the database at db, with the config's settings.
 * Returns 0 and *out (NULL when [enrich] enabled = no), or -1 with e set.
 */
int enrich_thread_start(const struct config *c, const char *db, struct enrich_thread **out,
    struct errbuf *e);

/* Asks the thread to stop, waits for it, frees it. NULL is a no-op. */
void enrich_thread_stop(struct enrich_thread *t);

#endif
