#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "extract.h"
#include "carrier.h"
#include "log.h"
#include "pipeline_int.h"
#include "refusal.h"

/* A batch is committed when any of these is reached. */
#define BATCH_MAX_INPUTS 256
#define BATCH_MAX_RECORDS 500000
#define BATCH_MAX_SECONDS 2
/*
 * Input bytes per batch: refused inputs keep theirs in the database, so a
 * stranger's large mails would otherwise make one transaction (and the WAL,
 * and the work a crash undoes) as large as 256 inputs of 50 MiB.
 */
#define BATCH_MAX_BYTES (256u << 20)

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
	if (o->parse_ahead && pipeline_async_start(p, e) == -1) {
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
	if (p == NULL)
		return;
	pipeline_async_free(p);
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

int
pipeline_queue_ack(struct pipeline *p, int (*ack)(const char *arg, struct errbuf *e),
    const char *arg, struct errbuf *e)
{
	struct pending_ack *grown;

	if (ack == NULL)
		return 0;
	if (p->n_acks == p->cap_acks) {
		size_t cap = p->cap_acks ? p->cap_acks * 2 : BATCH_MAX_INPUTS;

		grown = reallocarray(p->acks, cap, sizeof *grown);
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

int
pipeline_ensure_batch(struct pipeline *p, struct errbuf *e)
{
	if (p->in_batch)
		return 0;
	if (store_batch_begin(p->st, e) == -1)
		return -1;
	p->in_batch = true;
	p->batch_started = time(NULL);
	p->batch_records = 0;
	p->batch_bytes = 0;
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
	if (pipeline_async_finish(p, e) == -1)
		return -1;
	return commit_batch(p, e);
}

int
pipeline_maybe_commit(struct pipeline *p, struct errbuf *e)
{
	if (p->n_acks >= BATCH_MAX_INPUTS || p->batch_records >= BATCH_MAX_RECORDS ||
	    p->batch_bytes >= BATCH_MAX_BYTES || time(NULL) - p->batch_started >= BATCH_MAX_SECONDS)
		return commit_batch(p, e);
	return 0;
}

/* ---- inputs ---- */

static enum store_input_status
decide_status(const struct extract_result *res)
{
	if (res->documents == 0)
		return STORE_INPUT_REFUSED;
	return res->refused > 0 ? STORE_INPUT_PARTIAL : STORE_INPUT_STORED;
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
	if (o->status == STORE_INPUT_REFUSED)
		p->totals.inputs_refused++;
	else if (o->status == STORE_INPUT_PARTIAL)
		p->totals.inputs_partial++;
}

static void
log_outcome(const struct pipeline *p, const char *location, const struct input_outcome *o)
{
	switch (o->status) {
	case STORE_INPUT_REFUSED:
		log_warn("%s: refused: %s", location, o->reason);
		break;
	case STORE_INPUT_PARTIAL:
		log_warn("%s: %u report(s) stored, some refused: %s", location, o->reports_stored,
		    o->reason);
		break;
	default:
		if (p->options.verbose)
			log_info("%s: %u report(s) stored, %u duplicate(s), %llu record(s)",
			    location, o->reports_stored, o->reports_duplicate,
			    (unsigned long long)o->records);
		break;
	}
}

void
pipeline_open_sinks(struct pipeline *p, int64_t input_id, struct store_counts *counts,
    struct store_failure_ctx *failures, struct report_sink *sink, struct failure_sink *failure_sink)
{
	*counts = (struct store_counts){ 0 };
	*failures =
	    (struct store_failure_ctx){ p->st, input_id, p->options.keep_failure_bodies, 0, 0 };
	store_report_sink(p->st, input_id, counts, sink);
	store_failure_sink(failures, failure_sink);
}

/* What an input's reports need to learn their origin. */
struct origin_ctx {
	struct store *st;
	const struct carrier_auth *auth;
	bool require;
};

static int
report_origin(void *ctx, int64_t report, const char *org_email, const char *org_name,
    struct errbuf *e)
{
	struct origin_ctx *o = ctx;
	char detail[CARRIER_DETAIL_MAX];
	struct store_origin so = { NULL, detail, false, o->require };
	enum carrier_origin origin;

	origin = carrier_origin(o->auth, org_email, org_name, &so.temporary, detail, sizeof detail);
	so.origin = carrier_origin_name(origin);
	if (origin == CARRIER_UNKNOWN && !o->require)
		return 0;
	return store_report_origin(o->st, report, &so, e);
}

/*
 * What authenticates the input's mail: the Authentication-Results of our
 * own receiving server only, when its authserv-id is configured (RFC 8601
 * section 5: any other's were written by whoever sent the mail), and the
 * mail's DKIM signatures when the pipeline has a verifier and the mail
 * stored reports. *dmarc: the mail's own DMARC result that counts (the
 * topmost header's without authserv_id). A mail that cannot be verified is
 * an outcome, never an error.
 */
static int
carrier_of(struct pipeline *p, const unsigned char *data, size_t len,
    const struct extract_result *res, bool stored, struct carrier_auth *auth, char *dmarc,
    size_t size, struct errbuf *e)
{
	char d[sizeof res->carrier_dmarc];
	unsigned i;

	*auth = (struct carrier_auth){ .mail = res->mail };
	snprintf(dmarc, size, "%s", res->carrier_dmarc);
	if (p->options.authserv_id != NULL) {
		dmarc[0] = '\0';
		for (i = 0; i < res->n_auth_results; i++)
			if (carrier_auth_results(auth, res->auth_results[i], p->options.authserv_id,
			        d, sizeof d) &&
			    dmarc[0] == '\0')
				snprintf(dmarc, size, "%s", d);
	}
	if (stored && res->mail && p->options.dkim != NULL &&
	    carrier_dkim_verify(p->options.dkim, data, len, auth, e) == -1)
		return -1;
	return 0;
}

int
pipeline_record_outcome(struct pipeline *p, int64_t input_id, const char *location,
    const unsigned char *data, size_t len, struct extract_result *res,
    const struct store_counts *counts, const struct store_failure_ctx *failures,
    enum store_input_status *status, struct errbuf *e)
{
	struct input_outcome o;
	struct carrier_auth auth;
	struct origin_ctx origins;
	char dmarc[sizeof res->carrier_dmarc];
	bool stored;

	o.status = decide_status(res);
	o.kind = extract_kind_name(res->kind);
	o.subject = res->subject[0] != '\0' ? res->subject : NULL;
	o.from = res->from[0] != '\0' ? res->from : NULL;
	o.message_id = res->message_id[0] != '\0' ? res->message_id : NULL;
	stored = counts->reports_stored > 0;
	if (carrier_of(p, data, len, res, stored, &auth, dmarc, sizeof dmarc, e) == -1) {
		store_input_abort(p->st);
		return -1;
	}
	o.carrier_dmarc = dmarc[0] != '\0' ? dmarc : NULL;
	if (o.status != STORE_INPUT_STORED && res->why == REFUSE_NONE) {
		res->why = REFUSE_NO_REPORT;
		errbuf_set(&res->reason, "no DMARC report found");
	}
	o.refusal_code = refusal_code(res->why);
	o.reason = res->reason.msg;
	if (res->why == REFUSE_NONE)
		o.reason = "";
	o.reports_stored = counts->reports_stored + failures->stored;
	o.reports_duplicate =
	    counts->reports_duplicate + counts->reports_conflict + failures->duplicate;
	o.records = counts->records;
	origins = (struct origin_ctx){ p->st, &auth, p->options.require_verified };
	if ((stored && store_input_reports(p->st, input_id, report_origin, &origins, e) == -1) ||
	    store_input_end(p->st, input_id, &o, data, len, e) == -1) {
		store_input_abort(p->st);
		return -1;
	}
	count_outcome(p, &o, counts, failures);
	p->batch_bytes += len;
	log_outcome(p, location, &o);
	*status = o.status;
	return 0;
}

/* Extracts one input into the open input row input_id, then records its outcome (*status). */
static int
run_extract(struct pipeline *p, int64_t input_id, const char *location, const unsigned char *data,
    size_t len, enum store_input_status *status, struct errbuf *e)
{
	struct store_counts counts;
	struct store_failure_ctx failures;
	struct failure_sink failure_sink;
	struct report_sink sink;
	struct extract_result res;

	pipeline_open_sinks(p, input_id, &counts, &failures, &sink, &failure_sink);
	if (extract_input(data, len, location, &p->bounds, &sink, &failure_sink, &res, e) == -1) {
		errbuf_prefix(e, "%s", location);
		store_input_abort(p->st);
		return -1;
	}
	return pipeline_record_outcome(p, input_id, location, data, len, &res, &counts, &failures,
	    status, e);
}

void
pipeline_log_duplicate(const struct pipeline *p, const char *location)
{
	if (p->options.verbose)
		log_info("%s: already ingested (same bytes)", location);
}

int
pipeline_ingest(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e)
{
	uint8_t sha[32];
	struct input_meta meta = { 0 };
	enum store_input_status status = STORE_INPUT_DUPLICATE;
	int64_t input_id;
	bool seen;

	if (p->options.parse_ahead)
		return pipeline_async_ingest(p, in, e);
	if (pipeline_ensure_batch(p, e) == -1)
		return -1;
	p->totals.inputs++;
	digest_sha256(in->data, in->len, sha);
	if (store_input_seen(p->st, sha, &seen, e) == -1)
		return -1;
	if (seen) {
		p->totals.inputs_duplicate++;
		pipeline_log_duplicate(p, in->location);
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
	if (pipeline_queue_ack(p, in->ack, in->ack_arg, e) == -1)
		return -1;
	return pipeline_maybe_commit(p, e);
}

static int
reprocess_one(void *ctx, int64_t input_id, const char *location, const void *raw, size_t len)
{
	struct pipeline *p = ctx;
	enum store_input_status status;
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
	if (pipeline_async_finish(p, e) == -1)
		return -1;
	if (pipeline_ensure_batch(p, e) == -1)
		return -1;
	if (store_each_refused(p->st, reprocess_one, p, e) == -1)
		return -1;
	return pipeline_flush(p, e);
}
