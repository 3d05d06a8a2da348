/*
 * rdns: forward-confirmed reverse DNS with c-ares (rdns.h). Each address in
 * progress holds a slot, a small state machine: its PTR query, then one
 * A/AAAA query per PTR name kept, until one contains the address. The loop
 * polls the sockets c-ares reports through its socket-state callback, so
 * that no descriptor number is too large for it (select's FD_SETSIZE).
 * The answers' bytes are read by rdns_answer.c alone.
 */
#include "rdns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "rdns_answer.h"

enum {
	DNS_CLASS_IN = 1,
	DNS_TYPE_A = 1,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
};

#define RDNS_FAIL_TTL 300 /* a failure is asked again soon */
#define RDNS_DEFAULT_TIMEOUT_MS 2000
#define RDNS_DEFAULT_TRIES 2
#define RDNS_DEFAULT_INFLIGHT 256
#define RDNS_RCVBUF (1024 * 1024)

struct rdns;

struct slot {
	struct rdns *r;
	size_t idx; /* into the caller's ips and out */
	bool v4;
	uint8_t ip[16];
	struct rdns_answer_ptr ptr; /* the PTR names */
	unsigned cur;               /* the PTR name whose A/AAAA is asked */
	uint32_t ttl;               /* the smallest TTL of the answers used so far */
	enum rdns_status fail;      /* what no confirmation means: mismatch, or the first failure */
};

struct rdns {
	ares_channel ch;
	struct pollfd *pfds,
	    *ready; /* c-ares' sockets; a copy polled while callbacks change them */
	size_t npfds, cap;
	struct slot *slots;
	unsigned nslots, *free, nfree;
	struct rdns_answer *out; /* the batch being resolved */
	bool nomem;
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status = ARES_SUCCESS;

static void
library_init(void)
{
	library_status = ares_library_init(ARES_LIB_INIT_ALL);
}

const char *
rdns_status_name(enum rdns_status s)
{
	switch (s) {
	case RDNS_CONFIRMED:
		return "confirmed";
	case RDNS_MISMATCH:
		return "mismatch";
	case RDNS_NONE:
		return "none";
	case RDNS_BAD_NAME:
		return "bad_name";
	case RDNS_SERVFAIL:
		return "servfail";
	case RDNS_TIMEOUT:
		return "timeout";
	case RDNS_STATUS_COUNT:
		break;
	}
	return "";
}

/* c-ares opens and closes sockets as it needs them; the loop polls this set. */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct rdns *r = data;
	size_t i;

	for (i = 0; i < r->npfds && r->pfds[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < r->npfds)
			r->pfds[i] = r->pfds[--r->npfds];
		return;
	}
	if (i == r->npfds) {
		if (r->npfds == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 8;
			struct pollfd *p = realloc(r->pfds, cap * sizeof *p);
			struct pollfd *q = realloc(r->ready, cap * sizeof *q);

			if (p != NULL)
				r->pfds = p;
			if (q != NULL)
				r->ready = q;
			if (p == NULL || q == NULL) {
				/* the query on this socket will time out; the batch fails */
				r->nomem = true;
				return;
			}
			r->cap = cap;
		}
		r->npfds++;
	}
	r->pfds[i].fd = fd;
	r->pfds[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	r->pfds[i].revents = 0;
}

struct rdns *
rdns_open(const struct rdns_options *o, struct errbuf *e)
{
	struct ares_options opts;
	struct rdns *r = NULL;
	int rc, mask;
	unsigned i;

	pthread_once(&library_once, library_init);
	if (library_status != ARES_SUCCESS) {
		errbuf_set(e, "rdns: c-ares: %s", ares_strerror(library_status));
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL)
		goto nomem;
	r->nslots = o->inflight ? o->inflight : RDNS_DEFAULT_INFLIGHT;
	if (r->nslots > BOUND_RDNS_INFLIGHT)
		r->nslots = BOUND_RDNS_INFLIGHT;
	r->slots = calloc(r->nslots, sizeof *r->slots);
	r->free = calloc(r->nslots, sizeof *r->free);
	if (r->slots == NULL || r->free == NULL)
		goto nomem;
	for (i = 0; i < r->nslots; i++) {
		r->slots[i].r = r;
		r->free[r->nfree++] = r->nslots - 1 - i;
	}
	memset(&opts, 0, sizeof opts);
	opts.timeout = (int)(o->timeout_ms ? o->timeout_ms : RDNS_DEFAULT_TIMEOUT_MS);
	opts.tries = (int)(o->tries ? o->tries : RDNS_DEFAULT_TRIES);
	opts.sock_state_cb = sock_state;
	opts.sock_state_cb_data = r;
	/*
	 * All answers arrive on one UDP socket: a burst of inflight answers
	 * overflows the default buffer (212 KiB here), and each one dropped
	 * costs a whole timeout.
	 */
	opts.socket_receive_buffer_size = RDNS_RCVBUF;
	mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	if ((rc = ares_init_options(&r->ch, &opts, mask)) != ARES_SUCCESS) {
		errbuf_set(e, "rdns: c-ares: %s", ares_strerror(rc));
		r->ch = NULL;
		goto fail;
	}
	if (o->servers != NULL && o->servers[0] != '\0' &&
	    (rc = ares_set_servers_ports_csv(r->ch, o->servers)) != ARES_SUCCESS) {
		errbuf_set(e, "rdns: servers \"%s\": %s", o->servers, ares_strerror(rc));
		goto fail;
	}
	return r;
nomem:
	errbuf_set(e, "rdns: out of memory");
fail:
	rdns_close(r);
	return NULL;
}

void
rdns_close(struct rdns *r)
{
	if (r == NULL)
		return;
	/* ares_destroy calls back every query still pending: out is gone by now */
	r->out = NULL;
	if (r->ch != NULL)
		ares_destroy(r->ch);
	free(r->pfds);
	free(r->ready);
	free(r->slots);
	free(r->free);
	free(r);
}

static uint32_t
min_ttl(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void
finish(struct slot *s, enum rdns_status status, const char *name, uint32_t ttl)
{
	struct rdns *r = s->r;

	if (r->out != NULL) {
		struct rdns_answer *a = &r->out[s->idx];

		a->status = status;
		a->ttl = ttl;
		snprintf(a->name, sizeof a->name, "%s", name != NULL ? name : "");
	}
	r->free[r->nfree++] = (unsigned)(s - r->slots);
}

/* What a query that got no usable answer means for the address. */
static enum rdns_status
failure_status(struct rdns *r, int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return RDNS_TIMEOUT;
	case ARES_ENOMEM:
		r->nomem = true;
		return RDNS_SERVFAIL;
	default:
		/* SERVFAIL, REFUSED, FORMERR, NOTIMP, a refused connection, a reply that does not
		 * parse */
		return RDNS_SERVFAIL;
	}
}

/* The name asked for an address's PTR: d.c.b.a.in-addr.arpa, or 32 nibbles and ip6.arpa. */
static void
ptr_name(const struct slot *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (s->v4) {
		snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", s->ip[15], s->ip[14], s->ip[13],
		    s->ip[12]);
		return;
	}
	for (i = 15; i >= 0 && o + 4 < outsz; i--) {
		out[o++] = hex[s->ip[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[s->ip[i] >> 4];
		out[o++] = '.';
	}
	snprintf(out + o, outsz - o, "ip6.arpa");
}

static void on_forward(void *arg, int status, int timeouts, unsigned char *abuf, int alen);

static void
forward(struct slot *s)
{
	ares_query(s->r->ch, s->ptr.names[s->cur], DNS_CLASS_IN, s->v4 ? DNS_TYPE_A : DNS_TYPE_AAAA,
	    on_forward, s);
}

/* The next PTR name, or the answer when none is left. */
static void
next_name(struct slot *s)
{
	if (++s->cur < s->ptr.nnames) {
		forward(s);
		return;
	}
	if (s->fail != RDNS_MISMATCH)
		s->ttl = min_ttl(s->ttl, RDNS_FAIL_TTL);
	finish(s, s->fail, s->ptr.names[0], s->ttl);
}

static void
on_forward(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct slot *s = arg;
	uint32_t ttl = UINT32_MAX;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		finish(s, RDNS_SERVFAIL, "", 0);
		return;
	}
	switch (status) {
	case ARES_SUCCESS:
		if (rdns_answer_has_addr(abuf, alen, s->v4, s->ip, &ttl)) {
			finish(s, RDNS_CONFIRMED, s->ptr.names[s->cur], min_ttl(s->ttl, ttl));
			return;
		}
		/* an answer without the address (or with only a CNAME to elsewhere) */
		if (ttl != UINT32_MAX)
			s->ttl = min_ttl(s->ttl, ttl);
		break;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		s->ttl = min_ttl(s->ttl, rdns_answer_negative_ttl(abuf, alen));
		break;
	default:
		/* the first failure decides: the address is asked again soon */
		if (s->fail == RDNS_MISMATCH)
			s->fail = failure_status(s->r, status);
		break;
	}
	next_name(s);
}

static void
on_ptr(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct slot *s = arg;
	char qname[80];

	(void)timeouts;
	switch (status) {
	case ARES_SUCCESS:
		break;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		finish(s, RDNS_NONE, "", rdns_answer_negative_ttl(abuf, alen));
		return;
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		finish(s, RDNS_SERVFAIL, "", 0);
		return;
	default:
		finish(s, failure_status(s->r, status), "", RDNS_FAIL_TTL);
		return;
	}
	ptr_name(s, qname, sizeof qname);
	if (rdns_answer_ptr(abuf, alen, qname, &s->ptr) == -1) {
		finish(s, RDNS_SERVFAIL, "", RDNS_FAIL_TTL);
		return;
	}
	s->ttl = s->ptr.ttl;
	if (s->ptr.nnames > 0) {
		s->cur = 0;
		s->fail = RDNS_MISMATCH;
		forward(s);
	} else if (s->ptr.bad) {
		finish(s, RDNS_BAD_NAME, s->ptr.bad_name, s->ttl);
	} else {
		/* only CNAMEs that lead nowhere in this answer */
		finish(s, RDNS_NONE, "", min_ttl(s->ttl, RDNS_ANSWER_NEGATIVE_TTL));
	}
}

static void
start(struct slot *s, size_t idx, const uint8_t ip[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char qname[80];

	s->idx = idx;
	memcpy(s->ip, ip, 16);
	s->v4 = memcmp(ip, mapped, sizeof mapped) == 0;
	s->cur = 0;
	s->ttl = UINT32_MAX;
	s->fail = RDNS_MISMATCH;
	ptr_name(s, qname, sizeof qname);
	ares_query(s->r->ch, qname, DNS_CLASS_IN, DNS_TYPE_PTR, on_ptr, s);
}

/* Waits for c-ares' sockets or its next timeout, and lets it process both. */
static int
step(struct rdns *r, struct errbuf *e)
{
	struct timeval tv, *tvp;
	size_t n = r->npfds, i;
	int ms, rc;

	tvp = ares_timeout(r->ch, NULL, &tv);
	ms = tvp == NULL ? 1000 : (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	/* callbacks open and close sockets: poll a copy */
	if (n > 0)
		memcpy(r->ready, r->pfds, n * sizeof *r->ready);
	rc = poll(r->ready, n, ms);
	if (rc == -1 && errno != EINTR) {
		errbuf_set(e, "rdns: poll: %s", strerror(errno));
		return -1;
	}
	if (rc <= 0) {
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return 0;
	}
	for (i = 0; i < n; i++) {
		short ev = r->ready[i].revents;

		if (ev == 0)
			continue;
		ares_process_fd(r->ch,
		    ev & (POLLIN | POLLERR | POLLHUP) ? r->ready[i].fd : ARES_SOCKET_BAD,
		    ev & POLLOUT ? r->ready[i].fd : ARES_SOCKET_BAD);
	}
	return 0;
}

int
rdns_resolve(struct rdns *r, const uint8_t (*ips)[16], size_t n, struct rdns_answer *out,
    struct errbuf *e)
{
	size_t next = 0;

	r->out = out;
	r->nomem = false;
	while (next < n || r->nfree < r->nslots) {
		while (next < n && r->nfree > 0 && !r->nomem) {
			start(&r->slots[r->free[--r->nfree]], next, ips[next]);
			next++;
		}
		if (r->nomem) {
			errbuf_set(e, "rdns: out of memory");
			goto fail;
		}
		if (r->nfree < r->nslots && step(r, e) == -1)
			goto fail;
	}
	r->out = NULL;
	return 0;
fail:
	/* the pending queries call back with ARES_ECANCELLED and free their slots */
	ares_cancel(r->ch);
	r->out = NULL;
	return -1;
}

/* ---- one TXT record (rdns_txt) ---- */

struct txt_query {
	bool done;
	enum rdns_status status;
	char *out;
	size_t size;
};

/* The strings of the answer's first TXT record, joined, into q->out (cut at q->size - 1). */
static void
on_txt(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct txt_query *q = arg;
	struct ares_txt_ext *txt = NULL, *t;
	size_t n = 0, k;

	(void)timeouts;
	q->done = true;
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		q->status = RDNS_NONE;
		return;
	}
	if (status != ARES_SUCCESS) {
		q->status = status == ARES_ETIMEOUT ? RDNS_TIMEOUT : RDNS_SERVFAIL;
		return;
	}
	if (ares_parse_txt_reply_ext(abuf, alen, &txt) != ARES_SUCCESS) {
		q->status = RDNS_SERVFAIL;
		return;
	}
	q->status = txt != NULL ? RDNS_CONFIRMED : RDNS_NONE;
	for (t = txt; t != NULL && (t == txt || !t->record_start); t = t->next) {
		k = t->length < q->size - 1 - n ? t->length : q->size - 1 - n;
		memcpy(q->out + n, t->txt, k);
		n += k;
	}
	q->out[n] = '\0';
	ares_free_data(txt);
}

int
rdns_txt(struct rdns *r, const char *name, char *out, size_t size, enum rdns_status *status,
    struct errbuf *e)
{
	struct txt_query q = { false, RDNS_SERVFAIL, out, size };

	out[0] = '\0';
	r->out = NULL;
	r->nomem = false;
	ares_query(r->ch, name, DNS_CLASS_IN, DNS_TYPE_TXT, on_txt, &q);
	while (!q.done) {
		if (r->nomem) {
			errbuf_set(e, "rdns: out of memory");
			goto fail;
		}
		if (step(r, e) == -1)
			goto fail;
	}
	*status = q.status;
	if (q.status != RDNS_CONFIRMED)
		out[0] = '\0';
	return 0;
fail:
	/* the query calls back with ARES_ECANCELLED: q is still alive here */
	ares_cancel(r->ch);
	return -1;
}
