#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned n, nfree;
	struct store **all, **free;
};

int
pool_open(const char *path, unsigned n, struct pool **out, struct errbuf *e)
{
	struct pool *p;
	pthread_condattr_t ca;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((p->all = calloc(n, sizeof *p->all)) == NULL ||
	    (p->free = calloc(n, sizeof *p->free)) == NULL) {
		errbuf_set(e, "out of memory");
		goto fail;
	}
	for (; p->n < n; p->n++) {
		if (store_open(path, STORE_READONLY, &p->all[p->n], e) == -1)
			goto fail;
		p->free[p->nfree++] = p->all[p->n];
	}
	*out = p;
	return 0;
fail:
	pool_close(p);
	return -1;
}

struct store *
pool_acquire(struct pool *p, unsigned wait_ms)
{
	struct timespec deadline;
	struct store *st = NULL;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0)
		if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT)
			break;
	if (p->nfree > 0)
		st = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	return st;
}

void
pool_release(struct pool *p, struct store *st)
{
	pthread_mutex_lock(&p->mu);
	p->free[p->nfree++] = st;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
pool_close(struct pool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		store_close(p->all[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->all);
	free(p->free);
	free(p);
}
