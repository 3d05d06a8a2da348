/*
 * The parser thread fills a chunk with messages (a head, then the payload
 * pack() wrote) and publishes it when it is full, when a job ends, or
 * before it waits on a failure report; the caller's thread (the writer)
 * takes full chunks in order and replays them. One mutex guards the
 * hand-over (the inbox, the full and free chunks, the stop flag and
 * error, the failure hand-over); everything else belongs to one thread.
 */
#include "parse_thread.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_pack.h"

enum msg_type {
	M_JOB_BEGIN,
	M_JOB_END,
	M_REPORT_BEGIN,
	M_RECORD,
	M_REPORT_END,
	M_REPORT_ABORT,
	M_FAILURE
};

struct msg_head {
	enum msg_type type;
	size_t len; /* payload bytes */
};

struct chunk {
	struct chunk *next;
	size_t cap, used;
	unsigned char data[];
};

struct parse_thread {
	const struct bounds *bounds;
	struct parse_thread_handlers h;
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t to_parser, to_writer;
	/* under lock */
	struct parse_thread_job *inbox;
	struct chunk *full_head, *full_tail;
	size_t n_full;
	struct chunk *free_chunks;
	bool stop;
	struct errbuf err;   /* why it stopped */
	bool failure_stored; /* the writer has replayed the failure report */

	/* the parser thread's */
	struct chunk *cur;
	struct report_sink report_relay;
	struct failure_sink failure_relay;

	/* the writer's */
	unsigned submitted, ended;
	const struct report_sink *sink;
	const struct failure_sink *failures;
	unsigned char *report_copy;
	size_t report_copy_cap;
	struct agg_report report;
	struct agg_record record;
};

/* Stops the parse thread with the first error given. Called with the lock held. */
static void
stop_locked(struct parse_thread *r, const char *why)
{
	if (!r->stop) {
		r->stop = true;
		errbuf_set(&r->err, "%s", why);
	}
	pthread_cond_broadcast(&r->to_parser);
	pthread_cond_broadcast(&r->to_writer);
}

static void
stop(struct parse_thread *r, const char *why)
{
	pthread_mutex_lock(&r->lock);
	stop_locked(r, why);
	pthread_mutex_unlock(&r->lock);
}

static int
stopped(struct parse_thread *r, struct errbuf *e)
{
	pthread_mutex_lock(&r->lock);
	errbuf_set(e, "%s", r->err.msg);
	pthread_mutex_unlock(&r->lock);
	return -1;
}

/* ---- the parser thread ---- */

/* Sends the current chunk to the writer, waiting while PARSE_THREAD_CHUNKS wait. */
static int
publish(struct parse_thread *r)
{
	struct chunk *c = r->cur;

	if (c == NULL || c->used == 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	while (r->n_full >= PARSE_THREAD_CHUNKS && !r->stop)
		pthread_cond_wait(&r->to_parser, &r->lock);
	if (r->stop) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	c->next = NULL;
	if (r->full_tail != NULL)
		r->full_tail->next = c;
	else
		r->full_head = c;
	r->full_tail = c;
	r->n_full++;
	pthread_cond_signal(&r->to_writer);
	pthread_mutex_unlock(&r->lock);
	r->cur = NULL;
	return 0;
}

/* Makes r->cur an empty chunk of at least size bytes. */
static int
new_chunk(struct parse_thread *r, size_t size)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&r->lock);
	if (size <= PARSE_THREAD_CHUNK_SIZE && r->free_chunks != NULL) {
		c = r->free_chunks;
		r->free_chunks = c->next;
	}
	pthread_mutex_unlock(&r->lock);
	if (c == NULL) {
		size = size > PARSE_THREAD_CHUNK_SIZE ? size : PARSE_THREAD_CHUNK_SIZE;
		if ((c = malloc(sizeof *c + size)) == NULL) {
			stop(r, "out of memory");
			return -1;
		}
		c->cap = size;
	}
	c->used = 0;
	free(r->cur); /* NULL, or empty: publish() sends every chunk holding a message */
	r->cur = c;
	return 0;
}

/*
 * Appends one message whose payload pack(obj) writes. Returns -1 once the
 * parse thread has stopped, seen when a chunk is published.
 */
static int
emit(struct parse_thread *r, enum msg_type type,
    size_t (*pack)(const void *obj, void *buf, size_t cap), const void *obj)
{
	struct msg_head head = { type, 0 };
	struct chunk *c;
	bool fits;
	size_t room;

	for (;;) {
		c = r->cur;
		fits = c != NULL && c->cap - c->used >= sizeof head; /* the head, at least */
		room = fits ? c->cap - c->used - sizeof head : 0;
		head.len = pack(obj, fits ? c->data + c->used + sizeof head : NULL, room);
		if (fits && head.len <= room) {
			memcpy(c->data + c->used, &head, sizeof head);
			c->used += sizeof head + head.len;
			return 0;
		}
		if (publish(r) == -1 || new_chunk(r, sizeof head + head.len) == -1)
			return -1;
	}
}

static size_t
pack_nothing(const void *obj, void *buf, size_t cap)
{
	(void)obj, (void)buf, (void)cap;
	return 0;
}

/* The payload is the pointer obj itself. */
static size_t
pack_pointer(const void *obj, void *buf, size_t cap)
{
	if (cap >= sizeof obj)
		memcpy(buf, &obj, sizeof obj);
	return sizeof obj;
}

static size_t
pack_report(const void *obj, void *buf, size_t cap)
{
	return agg_report_pack(obj, buf, cap);
}

static size_t
pack_record(const void *obj, void *buf, size_t cap)
{
	return agg_record_pack(obj, buf, cap);
}

static int
parse_thread_begin(void *ctx, const struct agg_report *rep, struct errbuf *e)
{
	if (emit(ctx, M_REPORT_BEGIN, pack_report, rep) == -1)
		return stopped(ctx, e);
	return 0;
}

static int
parse_thread_record(void *ctx, const struct agg_report *rep, const struct agg_record *rec,
    struct errbuf *e)
{
	(void)rep;
	if (emit(ctx, M_RECORD, pack_record, rec) == -1)
		return stopped(ctx, e);
	return 0;
}

static int
parse_thread_end(void *ctx, const struct agg_report *rep, struct errbuf *e)
{
	if (emit(ctx, M_REPORT_END, pack_report, rep) == -1)
		return stopped(ctx, e);
	return 0;
}

static void
parse_thread_abort(void *ctx)
{
	emit(ctx, M_REPORT_ABORT, pack_nothing, NULL);
}

/* Hands f over and waits until the writer has stored it (f is ours only during the call). */
static int
parse_thread_failure(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	struct parse_thread *r = ctx;
	bool stored;

	if (emit(r, M_FAILURE, pack_pointer, f) == -1 || publish(r) == -1)
		return stopped(r, e);
	pthread_mutex_lock(&r->lock);
	while (!r->failure_stored && !r->stop)
		pthread_cond_wait(&r->to_parser, &r->lock);
	stored = r->failure_stored;
	r->failure_stored = false;
	pthread_mutex_unlock(&r->lock);
	return stored ? 0 : stopped(r, e);
}

static void
run_job(struct parse_thread *r, struct parse_thread_job *job)
{
	if (emit(r, M_JOB_BEGIN, pack_pointer, job) == -1)
		return;
	job->rc = 0;
	if (!job->skip)
		job->rc = extract_input(job->data, job->len, job->name, r->bounds, &r->report_relay,
		    &r->failure_relay, &job->res, &job->e);
	if (emit(r, M_JOB_END, pack_pointer, job) == 0)
		publish(r);
}

static void *
parser_main(void *arg)
{
	struct parse_thread *r = arg;
	struct parse_thread_job *job;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->inbox == NULL && !r->stop)
			pthread_cond_wait(&r->to_parser, &r->lock);
		if (r->stop)
			break;
		job = r->inbox;
		r->inbox = NULL;
		pthread_cond_signal(&r->to_writer);
		pthread_mutex_unlock(&r->lock);
		run_job(r, job);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- the writer ---- */

static void *
payload_pointer(const unsigned char *payload)
{
	void *p;

	memcpy(&p, payload, sizeof p);
	return p;
}

/* Keeps the report of a begin for the records that follow (their chunks come and go). */
static int
keep_report(struct parse_thread *r, const unsigned char *payload, size_t len, struct errbuf *e)
{
	unsigned char *grown;

	if (len > r->report_copy_cap) {
		if ((grown = realloc(r->report_copy, len)) == NULL) {
			errbuf_set(e, "out of memory");
			return -1;
		}
		r->report_copy = grown;
		r->report_copy_cap = len;
	}
	memcpy(r->report_copy, payload, len);
	agg_report_unpack(r->report_copy, &r->report);
	return 0;
}

static int
replay_failure(struct parse_thread *r, const unsigned char *payload, struct errbuf *e)
{
	int rc = 0;

	if (r->failures != NULL)
		rc = r->failures->put(r->failures->ctx, payload_pointer(payload), e);
	if (rc == 0) {
		pthread_mutex_lock(&r->lock);
		r->failure_stored = true;
		pthread_cond_broadcast(&r->to_parser);
		pthread_mutex_unlock(&r->lock);
	}
	return rc;
}

static int
replay_message(struct parse_thread *r, enum msg_type type, unsigned char *payload, size_t len,
    struct errbuf *e)
{
	struct agg_report end;
	struct parse_thread_job *job;

	switch (type) {
	case M_JOB_BEGIN:
		job = payload_pointer(payload);
		return r->h.job_begin(r->h.ctx, job, &r->sink, &r->failures, e);
	case M_JOB_END:
		r->ended++;
		job = payload_pointer(payload);
		r->sink = NULL;
		r->failures = NULL;
		return r->h.job_end(r->h.ctx, job, e);
	case M_REPORT_BEGIN:
		if (r->sink == NULL)
			return 0;
		if (keep_report(r, payload, len, e) == -1)
			return -1;
		return r->sink->begin(r->sink->ctx, &r->report, e) == -1 ? -1 : 0;
	case M_RECORD:
		if (r->sink == NULL)
			return 0;
		agg_record_unpack(payload, &r->record);
		return r->sink->record(r->sink->ctx, &r->report, &r->record, e);
	case M_REPORT_END:
		if (r->sink == NULL)
			return 0;
		agg_report_unpack(payload, &end);
		return r->sink->end(r->sink->ctx, &end, e);
	case M_REPORT_ABORT:
		if (r->sink != NULL)
			r->sink->abort(r->sink->ctx);
		return 0;
	case M_FAILURE:
		return replay_failure(r, payload, e);
	}
	return 0;
}

/* Replays every message of c, then gives c back. Returns 0, or -1 (the parse thread stops). */
static int
replay_chunk(struct parse_thread *r, struct chunk *c)
{
	struct msg_head head;
	struct errbuf e;
	size_t at = 0;
	int rc = 0;

	while (at < c->used && rc == 0) {
		memcpy(&head, c->data + at, sizeof head);
		at += sizeof head;
		rc = replay_message(r, head.type, c->data + at, head.len, &e);
		at += head.len;
	}
	pthread_mutex_lock(&r->lock);
	if (rc == -1)
		stop_locked(r, e.msg);
	if (c->cap == PARSE_THREAD_CHUNK_SIZE) {
		c->next = r->free_chunks;
		r->free_chunks = c;
		c = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	free(c);
	return rc;
}

/*
 * Replays chunks while more is expected: until the inbox is free (submit)
 * or every job has ended (finish). Called and returns with the lock held.
 */
static int
replay_while(struct parse_thread *r, bool submitting)
{
	struct chunk *c;

	while (!r->stop && (submitting ? r->inbox != NULL : r->ended < r->submitted)) {
		if ((c = r->full_head) == NULL) {
			pthread_cond_wait(&r->to_writer, &r->lock);
			continue;
		}
		if ((r->full_head = c->next) == NULL)
			r->full_tail = NULL;
		r->n_full--;
		pthread_cond_signal(&r->to_parser);
		pthread_mutex_unlock(&r->lock);
		replay_chunk(r, c);
		pthread_mutex_lock(&r->lock);
	}
	return r->stop ? -1 : 0;
}

int
parse_thread_submit(struct parse_thread *r, struct parse_thread_job *job, struct errbuf *e)
{
	pthread_mutex_lock(&r->lock);
	if (replay_while(r, true) == -1) {
		errbuf_set(e, "%s", r->err.msg);
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	r->inbox = job;
	r->submitted++;
	pthread_cond_signal(&r->to_parser);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

int
parse_thread_finish(struct parse_thread *r, struct errbuf *e)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	if ((rc = replay_while(r, false)) == -1)
		errbuf_set(e, "%s", r->err.msg);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int
parse_thread_start(const struct bounds *b, const struct parse_thread_handlers *h,
    struct parse_thread **out, struct errbuf *e)
{
	struct parse_thread *r = calloc(1, sizeof *r);
	sigset_t all, old;
	int rc;

	if (r == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	r->bounds = b;
	r->h = *h;
	r->report_relay = (struct report_sink){ r, parse_thread_begin, parse_thread_record,
		parse_thread_end, parse_thread_abort };
	r->failure_relay = (struct failure_sink){ r, parse_thread_failure };
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->to_parser, NULL);
	pthread_cond_init(&r->to_writer, NULL);
	/* Signals stay with the caller's thread: the parser thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, parser_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errbuf_set(e, "cannot start the parser thread: %s", strerror(rc));
		pthread_cond_destroy(&r->to_writer);
		pthread_cond_destroy(&r->to_parser);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static void
free_chunks(struct chunk *c)
{
	struct chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
parse_thread_free(struct parse_thread *r)
{
	if (r == NULL)
		return;
	stop(r, "the parse thread was stopped");
	pthread_join(r->thread, NULL);
	free(r->cur);
	free_chunks(r->full_head);
	free_chunks(r->free_chunks);
	free(r->report_copy);
	pthread_cond_destroy(&r->to_writer);
	pthread_cond_destroy(&r->to_parser);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
