#include "pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "extract.h"
#include "log.h"
#include "refusal.h"
#include "relay.h"

/* A batch is committed when any of these is reached. */
#define BATCH_MAX_INPUTS   256
#define BATCH_MAX_RECORDS  500000
#define BATCH_MAX_SECONDS  2

/* Parsing ahead waits for the store when the inputs in flight hold this many bytes. */
#define AHEAD_MAX_BYTES    (64u << 20)

/* An input handed to the parser thread: its copy, and what storing it needs. */
struct ahead_job {
	struct relay_job job;       /* first: the relay hands this back */
	struct ahead_job *next;     /* in flight, oldest first */
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
	struct pending_ack *acks;
	size_t n_acks, cap_acks;
	struct pipeline_totals totals;
	/* parse_ahead: the parser thread and the inputs in flight */
	struct relay *relay;
	struct ahead_job *ahead_head, *ahead_tail;
	size_t ahead_bytes;
};

static int start_relay(struct pipeline *p, struct errbuf *e);
static void free_job(struct ahead_job *j);

int
pipeline_new(struct store *st, const struct bounds *b, const struct pipeline_options *o,
    struct pipeline **out, struct errbuf *e)
{
	struct pipeline *p = calloc(1, sizeof *p);

	if (p == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	p->st = st;
	p->bounds = *b;
	p->options = *o;
	extract_init();
	if (o->parse_ahead && start_relay(p, e) == -1) {
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static void
drop_acks(struct pipeline *p)
{
	size_t i;

	for (i = 0; i < p->n_acks; i++)
		free(p->acks[i].arg);
	p->n_acks = 0;
}

void
pipeline_free(struct pipeline *p)
{
	struct ahead_job *j;

	if (p == NULL)
		return;
	relay_free(p->relay);
	while ((j = p->ahead_head) != NULL) {
		p->ahead_head = j->next;
		free_job(j);
	}
	if (p->in_batch)
		store_batch_rollback(p->st);
	drop_acks(p);
	free(p->acks);
	free(p);
}

const struct pipeline_totals *
pipeline_totals(const struct pipeline *p)
{
	return &p->totals;
}

static int
queue_ack(struct pipeline *p, int (*ack)(const char *arg, struct errbuf *e), const char *arg,
    struct errbuf *e)
{
	struct pending_ack *grown;

	if (ack == NULL)
		return 0;
	if (p->n_acks == p->cap_acks) {
		size_t cap = p->cap_acks ? p->cap_acks * 2 : BATCH_MAX_INPUTS;

		grown = realloc(p->acks, cap * sizeof *grown);
		if (grown == NULL)
			goto nomem;
		p->acks = grown;
		p->cap_acks = cap;
	}
	p->acks[p->n_acks].ack = ack;
	if ((p->acks[p->n_acks].arg = strdup(arg)) == NULL)
		goto nomem;
	p->n_acks++;
	return 0;
nomem:
	errbuf_set(e, "out of memory");
	return -1;
}

static int
ensure_batch(struct pipeline *p, struct errbuf *e)
{
	if (p->in_batch)
		return 0;
	if (store_batch_begin(p->st, e) == -1)
		return -1;
	p->in_batch = true;
	p->batch_started = time(NULL);
	p->batch_records = 0;
	return 0;
}

/* Commits the batch durably, then runs its acknowledgements. */
static int
commit_batch(struct pipeline *p, struct errbuf *e)
{
	size_t i;
	struct errbuf ack_err;

	if (!p->in_batch)
		return 0;
	p->in_batch = false;
	if (store_batch_commit(p->st, e) == -1) {
		drop_acks(p);
		return -1;
	}
	for (i = 0; i < p->n_acks; i++) {
		/* A failed acknowledgement loses nothing: the input comes back as a duplicate. */
		if (p->acks[i].ack(p->acks[i].arg, &ack_err) == -1)
			log_warn("%s", ack_err.msg);
	}
	drop_acks(p);
	return 0;
}

int
pipeline_flush(struct pipeline *p, struct errbuf *e)
{
	if (p->relay != NULL && relay_finish(p->relay, e) == -1)
		return -1;
	return commit_batch(p, e);
}

static int
maybe_commit(struct pipeline *p, struct errbuf *e)
{
	if (p->n_acks >= BATCH_MAX_INPUTS || p->batch_records >= BATCH_MAX_RECORDS ||
	    time(NULL) - p->batch_started >= BATCH_MAX_SECONDS)
		return commit_batch(p, e);
	return 0;
}

static enum input_status
decide_status(const struct extract_result *res)
{
	if (res->documents == 0)
		return INPUT_REFUSED;
	return res->refused > 0 ? INPUT_PARTIAL : INPUT_STORED;
}

static void
count_outcome(struct pipeline *p, const struct input_outcome *o, const struct store_counts *c,
    const struct store_failure_ctx *f)
{
	p->totals.failures_stored += f->stored;
	p->totals.failures_duplicate += f->duplicate;
	p->totals.reports_stored += c->reports_stored;
	p->totals.reports_duplicate += c->reports_duplicate;
	p->totals.reports_conflict += c->reports_conflict;
	p->totals.records += c->records;
	p->batch_records += c->records;
	if (o->status == INPUT_REFUSED)
		p->totals.inputs_refused++;
	else if (o->status == INPUT_PARTIAL)
		p->totals.inputs_partial++;
}

static void
log_outcome(const struct pipeline *p, const char *location, const struct input_outcome *o)
{
	switch (o->status) {
	case INPUT_REFUSED:
		log_warn("%s: refused: %s", location, o->reason);
		break;
	case INPUT_PARTIAL:
		log_warn("%s: %u report(s) stored, some refused: %s", location,
		    o->reports_stored, o->reason);
		break;
	default:
		if (p->options.verbose)
			log_info("%s: %u report(s) stored, %u duplicate(s), %llu record(s)",
			    location, o->reports_stored, o->reports_duplicate,
			    (unsigned long long)o->records);
		break;
	}
}

/* Points the sinks at the open input row input_id; the counts and failures are theirs. */
static void
open_sinks(struct pipeline *p, int64_t input_id, struct store_counts *counts,
    struct store_failure_ctx *failures, struct report_sink *sink,
    struct failure_sink *failure_sink)
{
	*counts = (struct store_counts){ 0 };
	*failures = (struct store_failure_ctx){ p->st, input_id, p->options.keep_failure_bodies,
	    0, 0 };
	store_report_sink(p->st, input_id, counts, sink);
	store_failure_sink(failures, failure_sink);
}

/* Records the outcome of an extracted input in its row input_id (*status). */
static int
record_outcome(struct pipeline *p, int64_t input_id, const char *location,
    const unsigned char *data, size_t len, struct extract_result *res,
    const struct store_counts *counts, const struct store_failure_ctx *failures,
    enum input_status *status, struct errbuf *e)
{
	struct input_outcome o;

	o.status = decide_status(res);
	o.kind = input_kind_name(res->kind);
	o.subject = res->subject[0] != '\0' ? res->subject : NULL;
	o.from = res->from[0] != '\0' ? res->from : NULL;
	o.message_id = res->message_id[0] != '\0' ? res->message_id : NULL;
	if (o.status != INPUT_STORED && res->why == REFUSE_NONE) {
		res->why = REFUSE_NO_REPORT;
		errbuf_set(&res->reason, "no DMARC report found");
	}
	o.refusal_code = refusal_code(res->why);
	o.reason = res->reason.msg;
	if (res->why == REFUSE_NONE)
		o.reason = "";
	o.reports_stored = counts->reports_stored + failures->stored;
	o.reports_duplicate = counts->reports_duplicate + counts->reports_conflict +
	    failures->duplicate;
	o.records = counts->records;
	if (store_input_end(p->st, input_id, &o, data, len, e) == -1) {
		store_input_abort(p->st);
		return -1;
	}
	count_outcome(p, &o, counts, failures);
	log_outcome(p, location, &o);
	*status = o.status;
	return 0;
}

/* Extracts one input into the open input row input_id, then records its outcome (*status). */
static int
run_extract(struct pipeline *p, int64_t input_id, const char *location,
    const unsigned char *data, size_t len, enum input_status *status, struct errbuf *e)
{
	struct store_counts counts;
	struct store_failure_ctx failures;
	struct failure_sink failure_sink;
	struct report_sink sink;
	struct extract_result res;

	open_sinks(p, input_id, &counts, &failures, &sink, &failure_sink);
	if (extract_input(data, len, location, &p->bounds, &sink, &failure_sink, &res, e) == -1) {
		errbuf_prefix(e, "%s", location);
		store_input_abort(p->st);
		return -1;
	}
	return record_outcome(p, input_id, location, data, len, &res, &counts, &failures,
	    status, e);
}

static void
log_duplicate(const struct pipeline *p, const char *location)
{
	if (p->options.verbose)
		log_info("%s: already ingested (same bytes)", location);
}

/* ---- parse_ahead: the writer's side of the relay ---- */

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
ahead_begin(void *ctx, struct relay_job *job, const struct report_sink **sink,
    const struct failure_sink **failures, struct errbuf *e)
{
	struct pipeline *p = ctx;
	struct ahead_job *j = (struct ahead_job *)job;
	struct input_meta meta = { 0 };

	*sink = NULL;
	*failures = NULL;
	if (ensure_batch(p, e) == -1)
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
	open_sinks(p, j->input_id, &j->counts, &j->failures, &j->sink, &j->failure_sink);
	*sink = &j->sink;
	*failures = &j->failure_sink;
	return 0;
}

/* Every report of the oldest job in flight is stored: record it, queue its ack. */
static int
ahead_end(void *ctx, struct relay_job *job, struct errbuf *e)
{
	struct pipeline *p = ctx;
	struct ahead_job *j = (struct ahead_job *)job;
	enum input_status status;
	int rc;

	if (j->duplicate) {
		p->totals.inputs_duplicate++;
		log_duplicate(p, j->location);
		rc = 0;
	} else if (job->rc == -1) {
		errbuf_set(e, "%s: %s", j->location, job->e.msg);
		store_input_abort(p->st);
		rc = -1;
	} else {
		rc = record_outcome(p, j->input_id, j->location, j->data, job->len, &job->res,
		    &j->counts, &j->failures, &status, e);
	}
	if (rc == 0)
		rc = queue_ack(p, j->ack, j->ack_arg, e);
	p->ahead_head = j->next;
	if (p->ahead_head == NULL)
		p->ahead_tail = NULL;
	p->ahead_bytes -= job->len;
	free_job(j);
	return rc == 0 ? maybe_commit(p, e) : -1;
}

static int
start_relay(struct pipeline *p, struct errbuf *e)
{
	struct relay_handlers h = { p, ahead_begin, ahead_end };

	return relay_start(&p->bounds, &h, &p->relay, e);
}

/* Hands in to the parser thread; it is stored by a later call. */
static int
ingest_ahead(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e)
{
	struct ahead_job *j;

	if (in->record != NULL) {
		errbuf_set(e, "pipeline: an input with a record callback cannot be parsed ahead");
		return -1;
	}
	if (p->ahead_head != NULL && p->ahead_bytes + in->len > AHEAD_MAX_BYTES &&
	    relay_finish(p->relay, e) == -1)
		return -1;
	if (ensure_batch(p, e) == -1)
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
	return relay_submit(p->relay, &j->job, e);
}

int
pipeline_ingest(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e)
{
	uint8_t sha[32];
	struct input_meta meta = { 0 };
	enum input_status status = INPUT_DUPLICATE;
	int64_t input_id;
	bool seen;

	if (p->relay != NULL)
		return ingest_ahead(p, in, e);
	if (ensure_batch(p, e) == -1)
		return -1;
	p->totals.inputs++;
	digest_sha256(in->data, in->len, sha);
	if (store_input_seen(p->st, sha, &seen, e) == -1)
		return -1;
	if (seen) {
		p->totals.inputs_duplicate++;
		log_duplicate(p, in->location);
	} else {
		meta.raw_sha256 = sha;
		meta.raw_size = in->len;
		meta.source = in->source;
		meta.location = in->location;
		if (store_input_begin(p->st, &meta, &input_id, e) == -1)
			return -1;
		if (run_extract(p, input_id, in->location, in->data, in->len, &status, e) == -1)
			return -1;
	}
	if (in->record != NULL && in->record(in->record_arg, status, e) == -1)
		return -1;
	if (queue_ack(p, in->ack, in->ack_arg, e) == -1)
		return -1;
	return maybe_commit(p, e);
}

static int
reprocess_one(void *ctx, int64_t input_id, const char *location, const void *raw, size_t len)
{
	struct pipeline *p = ctx;
	enum input_status status;
	struct errbuf e;

	p->totals.inputs++;
	if (store_input_reopen(p->st, input_id, &e) == -1 ||
	    run_extract(p, input_id, location, raw, len, &status, &e) == -1) {
		log_error("%s", e.msg);
		return -1;
	}
	return 0;
}

int
pipeline_reprocess(struct pipeline *p, struct errbuf *e)
{
	if (p->relay != NULL && relay_finish(p->relay, e) == -1)
		return -1;
	if (ensure_batch(p, e) == -1)
		return -1;
	if (store_each_refused(p->st, reprocess_one, p, e) == -1)
		return -1;
	return pipeline_flush(p, e);
}
