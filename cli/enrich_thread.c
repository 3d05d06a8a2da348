/* enrich_thread: naming new sources in the background of dmarcd run (enrich_thread.h). */
#include "enrich_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "log.h"

struct enrich_thread {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
	struct store *st;
	struct catalogue *builtin; /* when the config has no catalogue of its own */
	struct rdns_options dns;
	struct enricher_options o;
	uint64_t interval; /* seconds */
};

void
enrich_options_from_config(const struct config *c, const struct catalogue *cat,
    struct enricher_options *o, struct rdns_options *dns)
{
	*dns = (struct rdns_options){
		.servers = c->enrich.dns_servers,
		.timeout_ms = (unsigned)(c->enrich.dns_timeout * 1000),
		.tries = (unsigned)c->enrich.dns_tries,
		.inflight = (unsigned)c->enrich.dns_inflight,
	};
	*o = (struct enricher_options){
		.catalogue = c->catalogue != NULL ? c->catalogue : cat,
		.dns = c->enrich.dns ? dns : NULL,
		.asn_db = c->enrich.asn_db,
		.country_db = c->enrich.country_db,
	};
}

static void
one_pass(struct enrich_thread *t)
{
	struct enricher_counts n;
	struct errbuf e;

	if (enricher_run(t->st, &t->o, &n, &e) == -1) {
		log_error("%s", e.msg);
		return;
	}
	if (n.named > 0 || n.discovered > 0)
		log_info("enrich: %llu new sources, %llu named (%llu host names confirmed, %llu"
		         " known services)",
		    (unsigned long long)n.discovered, (unsigned long long)n.named,
		    (unsigned long long)n.confirmed, (unsigned long long)n.matched);
}

static void *
loop(void *arg)
{
	struct enrich_thread *t = arg;
	struct timespec until;

	while (!atomic_load(&t->stop)) {
		one_pass(t);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)t->interval;
		pthread_mutex_lock(&t->lock);
		while (!atomic_load(&t->stop) &&
		    pthread_cond_timedwait(&t->wake, &t->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&t->lock);
	}
	return NULL;
}

static void
release(struct enrich_thread *t)
{
	store_close(t->st);
	catalogue_free(t->builtin);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int
enrich_thread_start(const struct config *c, const char *db, struct enrich_thread **out,
    struct errbuf *e)
{
	struct enrich_thread *t;

	*out = NULL;
	if (!c->enrich.enabled)
		return 0;
	if ((t = calloc(1, sizeof *t)) == NULL) {
		errbuf_set(e, "enrich: out of memory");
		return -1;
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	atomic_init(&t->stop, false);
	t->interval = c->interval;
	if ((c->catalogue == NULL && (t->builtin = catalogue_builtin(e)) == NULL) ||
	    cli_store_open(db, STORE_READWRITE, &t->st, e) == -1) {
		release(t);
		return -1;
	}
	enrich_options_from_config(c, t->builtin, &t->o, &t->dns);
	t->o.stop = &t->stop;
	if (pthread_create(&t->thread, NULL, loop, t) != 0) {
		errbuf_set(e, "enrich: cannot start its thread");
		release(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
enrich_thread_stop(struct enrich_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	atomic_store(&t->stop, true);
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	release(t);
}
