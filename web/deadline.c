#include "deadline.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct deadline_slot {
	int fd;     /* -1: free */
	bool busy;  /* a request is being answered: no deadline */
	bool shut;  /* past its deadline: shut down, the server closes it */
	time_t due; /* CLOCK_MONOTONIC seconds */
};

struct deadlines {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t watcher;
	bool stopping;
	unsigned head_s;
	unsigned n;
	struct deadline_slot slots[];
};

static time_t
monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Once a second, shuts down the connections whose request head is overdue. */
static void *
watch(void *arg)
{
	struct deadlines *d = arg;
	struct timespec wake;
	time_t now;
	unsigned i;

	pthread_mutex_lock(&d->mu);
	while (!d->stopping) {
		now = monotonic_s();
		for (i = 0; i < d->n; i++) {
			struct deadline_slot *s = &d->slots[i];

			if (s->fd != -1 && !s->busy && !s->shut && now >= s->due) {
				shutdown(s->fd, SHUT_RDWR);
				s->shut = true;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &wake);
		wake.tv_sec++;
		pthread_cond_timedwait(&d->cv, &d->mu, &wake);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

struct deadlines *
deadlines_new(unsigned n, unsigned head_s)
{
	struct deadlines *d = calloc(1, sizeof *d + n * sizeof d->slots[0]);
	pthread_condattr_t ca;
	unsigned i;

	if (d == NULL)
		return NULL;
	d->n = n;
	d->head_s = head_s;
	for (i = 0; i < n; i++)
		d->slots[i].fd = -1;
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&d->watcher, NULL, watch, d) != 0) {
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		free(d);
		return NULL;
	}
	return d;
}

void
deadlines_free(struct deadlines *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->watcher, NULL);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

struct deadline_slot *
deadlines_open(struct deadlines *d, int fd)
{
	struct deadline_slot *found = NULL;
	unsigned i;

	pthread_mutex_lock(&d->mu);
	for (i = 0; i < d->n && found == NULL; i++) {
		if (d->slots[i].fd == -1) {
			found = &d->slots[i];
			found->fd = fd;
			found->busy = found->shut = false;
			found->due = monotonic_s() + d->head_s;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return found;
}

void
deadlines_close(struct deadlines *d, struct deadline_slot *s)
{
	if (s == NULL)
		return;
	/* before the descriptor is closed: the watcher never shuts a reused one */
	pthread_mutex_lock(&d->mu);
	s->fd = -1;
	pthread_mutex_unlock(&d->mu);
}

void
deadlines_arm(struct deadlines *d, struct deadline_slot *s, bool busy)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	s->busy = busy;
	s->due = monotonic_s() + d->head_s;
	pthread_mutex_unlock(&d->mu);
}
