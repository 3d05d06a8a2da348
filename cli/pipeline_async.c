/*
 * pipeline_async: the parse_ahead option of the pipeline. Each input is
 * copied into a job and handed to the parse thread (parse_thread.h); this
 * thread (the writer) opens its input row when the parse thread says its
 * parse begins, stores its reports as they are replayed, and records its
 * outcome and queues its acknowledgement when it ends, exactly as an input
 * stored straight away. Jobs end in the order they were handed over.
 *
 * Why two threads are worth about 900 lines (this file, parse_thread.c,
 * report_pack.c): parsing (MIME, gunzip, XML) and storing (SQLite) each take
 * about half of an ingest's CPU, and SQLite allows one writer. Overlapping
 * them is the only way past one core: 1.2 to 1.5 times the records/s of one
 * thread on the benchmark corpora (bench/README.md "Ingest": 98,000 against
 * 65,700 records/s on a Maildir of 1,000 reports), which is what brings
 * `dmarcd ingest` above its targets. The cost is kept in three files, and
 * the stored result is identical by construction: the writer replays the
 * parser's sink calls in order, and test_parse_thread compares the two
 * paths call for call. IMAP polls and `reprocess` stay on one thread: the
 * server, not the CPU, bounds an IMAP poll.
 */
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "pipeline_int.h"
#include "parse_thread.h"

/* Parsing ahead waits for the store when the inputs in flight hold this many bytes. */
#define AHEAD_MAX_BYTES (64u << 20)

/* An input handed to the parser thread: its copy, and what storing it needs. */
struct ahead_job {
	struct parse_thread_job job; /* first: the parse thread hands this back */
	struct ahead_job *next;      /* in flight, oldest first */
	char *source, *location, *ack_arg;
	int (*ack)(const char *ack_arg, struct errbuf *e);
	unsigned char *data;
	uint8_t sha[32];
	bool duplicate;
	int64_t input_id;
	struct store_counts counts;
	struct store_failure_ctx failures;
	struct report_sink sink;
	struct failure_sink failure_sink;
};

static void
free_job(struct ahead_job *j)
{
	free(j->source);
	free(j->location);
	free(j->ack_arg);
	free(j->data);
	free(j);
}

/* A copy of in, with its hash. */
static struct ahead_job *
new_job(const struct pipeline_input *in)
{
	struct ahead_job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return NULL;
	j->source = strdup(in->source);
	j->location = strdup(in->location);
	j->ack_arg = in->ack_arg != NULL ? strdup(in->ack_arg) : NULL;
	j->data = malloc(in->len > 0 ? in->len : 1);
	if (j->source == NULL || j->location == NULL || j->data == NULL ||
	    (in->ack_arg != NULL && j->ack_arg == NULL)) {
		free_job(j);
		return NULL;
	}
	memcpy(j->data, in->data, in->len);
	j->ack = in->ack;
	j->job.data = j->data;
	j->job.len = in->len;
	j->job.name = j->location;
	digest_sha256(in->data, in->len, j->sha);
	return j;
}

/* The parser thread starts on j: open its input row, unless its bytes are known. */
static int
ahead_begin(void *ctx, struct parse_thread_job *job, const struct report_sink **sink,
    const struct failure_sink **failures, struct errbuf *e)
{
	struct pipeline *p = ctx;
	struct ahead_job *j = (struct ahead_job *)job;
	struct input_meta meta = { 0 };

	*sink = NULL;
	*failures = NULL;
	if (pipeline_ensure_batch(p, e) == -1)
		return -1;
	/* Known when submitted, or the same bytes as an input submitted before it. */
	if (!j->duplicate && store_input_seen(p->st, j->sha, &j->duplicate, e) == -1)
		return -1;
	if (j->duplicate)
		return 0;
	meta.raw_sha256 = j->sha;
	meta.raw_size = j->job.len;
	meta.source = j->source;
	meta.location = j->location;
	if (store_input_begin(p->st, &meta, &j->input_id, e) == -1)
		return -1;
	pipeline_open_sinks(p, j->input_id, &j->counts, &j->failures, &j->sink, &j->failure_sink);
	*sink = &j->sink;
	*failures = &j->failure_sink;
	return 0;
}

/* Every report of the oldest job in flight is stored: record it, queue its ack. */
static int
ahead_end(void *ctx, struct parse_thread_job *job, struct errbuf *e)
{
	struct pipeline *p = ctx;
	struct ahead_job *j = (struct ahead_job *)job;
	enum store_input_status status;
	int rc;

	if (j->duplicate) {
		p->totals.inputs_duplicate++;
		pipeline_log_duplicate(p, j->location);
		rc = 0;
	} else if (job->rc == -1) {
		errbuf_set(e, "%s: %s", j->location, job->e.msg);
		store_input_abort(p->st);
		rc = -1;
	} else {
		rc = pipeline_record_outcome(p, j->input_id, j->location, j->data, job->len,
		    &job->res, &j->counts, &j->failures, &status, e);
	}
	if (rc == 0)
		rc = pipeline_queue_ack(p, j->ack, j->ack_arg, e);
	p->ahead_head = j->next;
	if (p->ahead_head == NULL)
		p->ahead_tail = NULL;
	p->ahead_bytes -= job->len;
	free_job(j);
	return rc == 0 ? pipeline_maybe_commit(p, e) : -1;
}

int
pipeline_async_start(struct pipeline *p, struct errbuf *e)
{
	struct parse_thread_handlers h = { p, ahead_begin, ahead_end };

	return parse_thread_start(&p->bounds, &h, &p->parser, e);
}

int
pipeline_async_ingest(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e)
{
	struct ahead_job *j;

	if (in->record != NULL) {
		errbuf_set(e, "pipeline: an input with a record callback cannot be parsed ahead");
		return -1;
	}
	if (p->ahead_head != NULL && p->ahead_bytes + in->len > AHEAD_MAX_BYTES &&
	    parse_thread_finish(p->parser, e) == -1)
		return -1;
	if (pipeline_ensure_batch(p, e) == -1)
		return -1;
	if ((j = new_job(in)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if (store_input_seen(p->st, j->sha, &j->duplicate, e) == -1) {
		free_job(j);
		return -1;
	}
	j->job.skip = j->duplicate;
	if (p->ahead_tail != NULL)
		p->ahead_tail->next = j;
	else
		p->ahead_head = j;
	p->ahead_tail = j;
	p->ahead_bytes += in->len;
	p->totals.inputs++;
	return parse_thread_submit(p->parser, &j->job, e);
}

int
pipeline_async_finish(struct pipeline *p, struct errbuf *e)
{
	return p->parser != NULL ? parse_thread_finish(p->parser, e) : 0;
}

void
pipeline_async_free(struct pipeline *p)
{
	struct ahead_job *j;

	parse_thread_free(p->parser);
	p->parser = NULL;
	while ((j = p->ahead_head) != NULL) {
		p->ahead_head = j->next;
		free_job(j);
	}
	p->ahead_tail = NULL;
}
