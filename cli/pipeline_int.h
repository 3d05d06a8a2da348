/*
 * pipeline internals, shared by pipeline.c (batches, outcomes, the inputs
 * stored as they come) and pipeline_async.c (inputs parsed ahead on the
 * parse thread). Only the caller's thread runs any of this.
 */
#ifndef DMARCD_PIPELINE_INT_H
#define DMARCD_PIPELINE_INT_H

#include <time.h>

#include "extract.h"
#include "pipeline.h"

struct ahead_job;

struct pending_ack {
	int (*ack)(const char *arg, struct errbuf *e);
	char *arg;
};

struct pipeline {
	struct store *st;
	struct bounds bounds;
	struct pipeline_options options;
	bool in_batch;
	time_t batch_started;
	uint64_t batch_records;
	uint64_t batch_bytes; /* of the inputs recorded in the batch */
	struct pending_ack *acks;
	size_t n_acks, cap_acks;
	struct pipeline_totals totals;
	/* parse_ahead: the parser thread and the inputs in flight, oldest first */
	struct parse_thread *parser;
	struct ahead_job *ahead_head, *ahead_tail;
	size_t ahead_bytes;
};

/* Opens a batch (a transaction) unless one is open. */
int pipeline_ensure_batch(struct pipeline *p, struct errbuf *e);

/* Commits the batch when it is full or old enough. */
int pipeline_maybe_commit(struct pipeline *p, struct errbuf *e);

/* Runs ack(arg) (arg copied) after the commit of the current batch; ack may be NULL. */
int pipeline_queue_ack(struct pipeline *p, int (*ack)(const char *arg, struct errbuf *e),
    const char *arg, struct errbuf *e);

/* Points the sinks at the open input row input_id; counts and failures are theirs. */
void pipeline_open_sinks(struct pipeline *p, int64_t input_id, struct store_counts *counts,
    struct store_failure_ctx *failures, struct report_sink *sink,
    struct failure_sink *failure_sink);

/*
 * Records the outcome of an extracted input in its row input_id (*status),
 * counts and logs it; on -1 the input's savepoint is rolled back.
 */
int pipeline_record_outcome(struct pipeline *p, int64_t input_id, const char *location,
    const unsigned char *data, size_t len, struct extract_result *res,
    const struct store_counts *counts, const struct store_failure_ctx *failures,
    enum store_input_status *status, struct errbuf *e);

void pipeline_log_duplicate(const struct pipeline *p, const char *location);

/* ---- pipeline_async.c: the parse_ahead option ---- */

/* Starts the parser thread. */
int pipeline_async_start(struct pipeline *p, struct errbuf *e);

/* Copies in and hands it to the parser thread; it is stored by a later call. */
int pipeline_async_ingest(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e);

/* Stores every input handed over (0 at once without parse_ahead). */
int pipeline_async_finish(struct pipeline *p, struct errbuf *e);

/* Stops the parser thread and frees the inputs not stored. */
void pipeline_async_free(struct pipeline *p);

#endif
