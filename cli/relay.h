/*
 * relay: parses inputs on a second thread while the caller's thread stores
 * what was parsed before, so that parsing and storing use two cores.
 *
 * The caller submits jobs in order. The parser thread runs extract_input on
 * each, and every sink call it makes travels back, in order, as bytes in a
 * chunk (report_pack.h); the caller's thread replays them into the sinks
 * its job_begin handler returns, between job_begin and job_end. So the
 * store is only ever touched by the caller's thread, and memory stays
 * bounded whatever the input: at most RELAY_CHUNKS chunks wait, each of
 * RELAY_CHUNK_SIZE bytes or one record's size when a record needs more.
 * A failure report is handed over by pointer and the parser waits until
 * it is stored (they are rare).
 *
 * Replaying happens inside relay_submit (while it waits for the parser to
 * take the job) and relay_finish. A -1 from a handler or a sink stops the
 * relay: the parser stops at its next sink call, and every later call
 * returns -1 with that error.
 */
#ifndef DMARCD_RELAY_H
#define DMARCD_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "errbuf.h"
#include "extract.h"

#define RELAY_CHUNK_SIZE (64 * 1024)
#define RELAY_CHUNKS 8

struct relay;

struct relay_job {
	/* set by the caller, unchanged until job_end */
	const unsigned char *data;
	size_t len;
	const char *name; /* for extract_input's messages */
	bool skip;        /* do not parse: only job_begin and job_end come back */
	/* set by the parser thread before job_end */
	int rc; /* extract_input's */
	struct extract_result res;
	struct errbuf e;
};

struct relay_handlers {
	void *ctx;
	/*
	 * The job's reports follow: *sink and *failures receive them, or are
	 * set to NULL to drop them. Returns 0, or -1 (e).
	 */
	int (*job_begin)(void *ctx, struct relay_job *job, const struct report_sink **sink,
	    const struct failure_sink **failures, struct errbuf *e);
	/* Every report of the job has been replayed. Returns 0, or -1 (e). */
	int (*job_end)(void *ctx, struct relay_job *job, struct errbuf *e);
};

/* Starts the parser thread. Returns 0 and *out, or -1 (e). */
int relay_start(const struct bounds *b, const struct relay_handlers *h, struct relay **out,
    struct errbuf *e);

/* Hands job to the parser thread, replaying what comes back while it waits. */
int relay_submit(struct relay *r, struct relay_job *job, struct errbuf *e);

/* Replays until every submitted job has ended. */
int relay_finish(struct relay *r, struct errbuf *e);

/* Stops and joins the parser thread. Jobs that did not end are the caller's to free. */
void relay_free(struct relay *r);

#endif
