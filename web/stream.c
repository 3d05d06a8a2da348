#include "stream.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "export.h"
#include "log.h"

#define STREAM_BUFFER (256 * 1024) /* produced but not yet sent */
#define STREAM_STDIO (64 * 1024)
#define STREAM_POOL_MS 30000     /* waiting for a store handle */
#define STREAM_BLOCK (32 * 1024) /* MHD's read size */
#define STREAM_DOMAIN 256

struct stream {
	struct stream_set *set;
	struct MHD_Connection *conn;
	struct stream *next;
	enum export_kind kind;
	bool json;
	struct export_filter filter;
	char domain[STREAM_DOMAIN];
	char *buf;
	size_t head, len; /* unread bytes: buf[head .. head+len) */
	bool done, failed, cancelled, suspended;
	int refs; /* the response and the thread */
};

struct stream_set {
	pthread_mutex_t mu; /* guards the set and every stream in it */
	pthread_cond_t cv;  /* buffer space, threads ending */
	struct pool *pool;
	struct stream *live;
	unsigned max, running;
	bool closing;
};

struct stream_set *
stream_set_new(struct pool *pool, unsigned max)
{
	struct stream_set *s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->pool = pool;
	s->max = max;
	return s;
}

/*
 * Called with the lock held: returns the connection to resume (after the
 * unlock: libmicrohttpd is never called back into under our lock) when the
 * reader parked it, else NULL.
 */
static struct MHD_Connection *
wake_reader(struct stream *st)
{
	if (!st->suspended)
		return NULL;
	st->suspended = false;
	return st->conn;
}

void
stream_set_cancel(struct stream_set *s)
{
	struct MHD_Connection *c;
	struct stream *st;

	do {
		c = NULL;
		pthread_mutex_lock(&s->mu);
		s->closing = true;
		for (st = s->live; st != NULL && c == NULL; st = st->next) {
			st->cancelled = true;
			c = wake_reader(st);
		}
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (c != NULL)
			MHD_resume_connection(c);
	} while (c != NULL);
}

void
stream_set_free(struct stream_set *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	while (s->running > 0)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Drops one reference, with the lock held; the last one unlinks and frees. */
static void
unref(struct stream *st)
{
	struct stream **pp;

	if (--st->refs > 0)
		return;
	for (pp = &st->set->live; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	free(st->buf);
	free(st);
}

/* fopencookie write: copies everything into the buffer, waiting for room. */
static ssize_t
cookie_write(void *cookie, const char *data, size_t n)
{
	struct stream *st = cookie;
	struct stream_set *s = st->set;
	struct MHD_Connection *c = NULL;
	size_t done = 0, room, k;

	pthread_mutex_lock(&s->mu);
	while (done < n && !st->cancelled) {
		if (st->head > 0 && st->head + st->len == STREAM_BUFFER) {
			memmove(st->buf, st->buf + st->head, st->len);
			st->head = 0;
		}
		room = STREAM_BUFFER - st->head - st->len;
		if (room == 0) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		k = n - done < room ? n - done : room;
		memcpy(st->buf + st->head + st->len, data + done, k);
		st->len += k;
		done += k;
		if (c == NULL)
			c = wake_reader(st);
	}
	pthread_mutex_unlock(&s->mu);
	if (c != NULL)
		MHD_resume_connection(c);
	return done == n ? (ssize_t)n : 0;
}

static void *
produce(void *arg)
{
	static const cookie_io_functions_t io = { NULL, cookie_write, NULL, NULL };
	struct stream *st = arg;
	struct stream_set *s = st->set;
	struct MHD_Connection *c;
	struct store *db;
	struct errbuf e;
	FILE *out = NULL;
	int rc = -1;

	errbuf_set(&e, "no database handle free");
	if ((db = pool_acquire(s->pool, STREAM_POOL_MS)) == NULL)
		goto done;
	if ((out = fopencookie(st, "w", io)) != NULL) {
		setvbuf(out, NULL, _IOFBF, STREAM_STDIO);
		rc = export_write(out, db, st->kind, st->json, &st->filter, &e);
		if (fclose(out) != 0)
			rc = -1;
	} else
		errbuf_set(&e, "out of memory");
	pool_release(s->pool, db);
done:
	pthread_mutex_lock(&s->mu);
	if (rc == -1 && !st->cancelled)
		log_error("web: export: %s", e.msg);
	st->done = true;
	st->failed = rc == -1;
	c = wake_reader(st);
	unref(st);
	s->running--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (c != NULL)
		MHD_resume_connection(c);
	return NULL;
}

static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	struct stream_set *s = st->set;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&s->mu);
	if (st->cancelled)
		n = MHD_CONTENT_READER_END_WITH_ERROR;
	else if (st->len > 0) {
		n = (ssize_t)(st->len < max ? st->len : max);
		memcpy(buf, st->buf + st->head, (size_t)n);
		st->head += (size_t)n;
		st->len -= (size_t)n;
		if (st->len == 0)
			st->head = 0;
		pthread_cond_broadcast(&s->cv);
	} else if (st->done)
		n = st->failed ? MHD_CONTENT_READER_END_WITH_ERROR :
		                 MHD_CONTENT_READER_END_OF_STREAM;
	else {
		st->suspended = true;
		MHD_suspend_connection(st->conn);
		n = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void
release(void *cls)
{
	struct stream *st = cls;
	struct stream_set *s = st->set;

	pthread_mutex_lock(&s->mu);
	st->cancelled = true;
	pthread_cond_broadcast(&s->cv);
	unref(st);
	pthread_mutex_unlock(&s->mu);
}

struct MHD_Response *
stream_export(struct stream_set *s, struct MHD_Connection *c, enum export_kind kind, bool json,
    const struct export_filter *f, bool *busy, struct errbuf *e)
{
	struct MHD_Response *resp = NULL;
	struct stream *st;
	pthread_attr_t attr;
	pthread_t tid;

	*busy = false;
	if ((st = calloc(1, sizeof *st)) == NULL || (st->buf = malloc(STREAM_BUFFER)) == NULL) {
		if (st != NULL)
			free(st);
		errbuf_set(e, "out of memory");
		return NULL;
	}
	st->set = s;
	st->conn = c;
	st->kind = kind;
	st->json = json;
	st->filter = *f;
	if (f->domain != NULL) {
		snprintf(st->domain, sizeof st->domain, "%s", f->domain);
		st->filter.domain = st->domain;
	}
	st->refs = 2;
	resp =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, reader, st, release);
	if (resp == NULL) {
		free(st->buf);
		free(st);
		errbuf_set(e, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	if (s->closing || s->running >= s->max) {
		*busy = true;
		goto refuse;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, produce, st) != 0) {
		pthread_attr_destroy(&attr);
		errbuf_set(e, "cannot start the export thread");
		goto refuse;
	}
	pthread_attr_destroy(&attr);
	s->running++;
	st->next = s->live;
	s->live = st;
	pthread_mutex_unlock(&s->mu);
	return resp;
refuse:
	/* No thread: destroying the response drops both references. */
	st->refs = 1;
	st->cancelled = true;
	pthread_mutex_unlock(&s->mu);
	MHD_destroy_response(resp);
	return NULL;
}
