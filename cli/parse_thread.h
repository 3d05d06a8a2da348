/*
 * parse_thread: parses inputs on a second thread while the caller's thread stores
 * what was parsed before, so that parsing and storing use two cores.
 *
 * The caller submits jobs in order. The parser thread runs extract_input on
 * each, and every sink call it makes travels back, in order, as bytes in a
 * chunk (report_pack.h); the caller's thread replays them into the sinks
 * its job_begin handler returns, between job_begin and job_end. So the
 * store is only ever touched by the caller's thread, and memory stays
 * bounded whatever the input: at most PARSE_THREAD_CHUNKS chunks wait, each of
 * PARSE_THREAD_CHUNK_SIZE bytes or one record's size when a record needs more.
 * A failure report is handed over by pointer and the parser waits until
 * it is stored (they are rare).
 *
 * Replaying happens inside parse_thread_submit (while it waits for the parser to
 * take the job) and parse_thread_finish. A -1 from a handler or a sink stops the
 * parse_thread: the parser stops at its next sink call, and every later call
 * returns -1 with that error.
 */
#ifndef DMARCD_RELAY_H
#define DMARCD_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "errbuf.h"
#include "extract.h"

#define PARSE_THREAD_CHUNK_SIZE (64 * 1024)
#define PARSE_THREAD_CHUNKS 8

struct parse_thread;

struct parse_thread_job {
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

struct parse_thread_handlers {
	void *ctx;
	/*
	 * The job's reports follow: *sink and *failures receive them, or are
	 * set to NULL to drop them. Returns 0, or -1 (e).
	 */
	int (*job_begin)(void *ctx, struct parse_thread_job *job, const struct report_sink **sink,
	    const struct failure_sink **failures, struct errbuf *e);
	/* Every report of the job has been replayed. Returns 0, or -1 (e). */
	int (*job_end)(void *ctx, struct parse_thread_job *job, struct errbuf *e);
};

/* Starts the parser thread. Returns 0 and *out, or -1 (e). */
int parse_thread_start(const struct bounds *b, const struct parse_thread_handlers *h,
    struct parse_thread **out, struct errbuf *e);

/* Hands job to the parser thread, replaying what comes back while it waits. */
int parse_thread_submit(struct parse_thread *r, struct parse_thread_job *job, struct errbuf *e);

/* Replays until every submitted job has ended. */
int parse_thread_finish(struct parse_thread *r, struct errbuf *e);

/* Stops and joins the parser thread. Jobs that did not end are the caller's to free. */
void parse_thread_free(struct parse_thread *r);

#endif
