#include "advice.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "days.h"
#include "num.h"
#include "store_advise.h"

/* The days read: the longer of the window and the gates' 30, plus the policy history. */
struct feed {
	struct store *st;
	struct advisor *adv;
	const char *domain;
	struct errbuf *e;
};

static int
on_known(void *ctx, const char *domain, const struct known_source *k, const char *origin)
{
	struct feed *f = ctx;

	(void)domain;
	(void)origin;
	return advisor_add_known(f->adv, k, f->e);
}

static int
on_service(void *ctx, const char *key, const char *name, const char *fix, const char *doc)
{
	struct feed *f = ctx;
	struct advise_service sv = { key, name, fix, doc };

	return advisor_add_service(f->adv, &sv, f->e);
}

static int
on_policy(void *ctx, const struct advise_policy_obs *o)
{
	struct feed *f = ctx;

	advisor_add_policy(f->adv, o);
	return 0;
}

static int
on_day(void *ctx, int64_t day, int64_t messages)
{
	struct feed *f = ctx;

	advisor_add_day(f->adv, day, messages);
	return 0;
}

static int
on_record(void *ctx, const struct advise_record *r)
{
	struct feed *f = ctx;

	return advisor_add_record(f->adv, r, f->e);
}

static int64_t
first_day(void *ctx, const uint8_t net[16], unsigned prefix)
{
	struct feed *f = ctx;

	return store_advise_first_day(f->st, f->domain, net, prefix);
}

/* The suspect reports of the window, for one note. */
struct suspects {
	size_t n;
	int64_t messages;
	char first[320]; /* the note adds its words around it */
};

static int
on_suspect(void *ctx, const struct store_suspect *s)
{
	struct suspects *x = ctx;
	char day[11];

	if (x->n++ == 0) {
		days_text(days_of(s->begin_ts), day);
		snprintf(x->first, sizeof x->first, "%s, report %s of %s (id %" PRId64 "): %s",
		    s->org_name, s->report_id, day, s->id, s->why);
	}
	x->messages = num_add_sat_i64(x->messages, s->messages);
	return 0;
}

/*
 * Says which reports the advice left out as possibly forged (FORMATS.md
 * "Reports that may be forged"), in the last note when the notes are full: the
 * owner must know.
 */
static int
note_suspects(struct store *st, const char *domain, int64_t from, int64_t to, struct advice *out,
    struct errbuf *e)
{
	struct suspects x = { 0 };
	char *note;

	if (store_suspects_each(st, domain, from, to, on_suspect, &x, e) == -1)
		return -1;
	if (x.n == 0)
		return 0;
	note = out->notes[out->n_notes < ADVISE_NOTES_MAX ? out->n_notes++ : ADVISE_NOTES_MAX - 1];
	if (x.n == 1)
		snprintf(note, ADVISE_TEXT_MAX,
		    "1 report (%" PRId64 " messages) is left out as possibly forged: %s. If it is "
		    "genuine: dmarcd suspects --accept ID",
		    x.messages, x.first);
	else
		snprintf(note, ADVISE_TEXT_MAX,
		    "%zu reports (%" PRId64
		    " messages) are left out as possibly forged, the first: "
		    "%s. See them with: dmarcd suspects %s",
		    x.n, x.messages, x.first, domain);
	return 0;
}

int
advice_compute(struct store *st, const char *domain, const struct advise_config *cfg,
    int64_t as_of_day, enum policy simulate, int simulate_pct, struct advice *out, struct errbuf *e)
{
	struct feed f = { .st = st, .domain = domain, .e = e };
	char *record = NULL;
	bool no_lists, found;
	unsigned reporters;
	int64_t scan, today;
	int rc = -1;

	memset(out, 0, sizeof *out);
	/*
	 * The windows end at the last day with data (reports come a day or two
	 * late); the data's age is judged against today, or against the day
	 * asked for.
	 */
	today = as_of_day >= 0 ? as_of_day : (int64_t)time(NULL) / 86400;
	if (as_of_day < 0) {
		if (store_advise_last_day(st, domain, &as_of_day, &found, e) == -1)
			return -1;
		if (!found || as_of_day > today)
			as_of_day = today;
	}
	f.adv = advisor_new(domain, as_of_day, cfg, simulate, simulate_pct);
	if (f.adv == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	advisor_set_today(f.adv, today);
	scan = cfg->window_days > 30 ? cfg->window_days : 30;
	if (store_known_each(st, domain, on_known, &f, e) == -1 ||
	    store_advise_services(st, on_service, &f, e) == -1 ||
	    store_advise_domain_get(st, domain, &record, &no_lists, e) == -1)
		goto done;
	advisor_set_domain(f.adv, record, no_lists);
	if (store_advise_policies(st, domain, as_of_day - ADVISE_HISTORY_DAYS, as_of_day, on_policy,
	        &f, e) == -1 ||
	    store_advise_days(st, domain, as_of_day - 29, as_of_day, on_day, &f, &reporters, e) ==
	        -1)
		goto done;
	advisor_set_reporters(f.adv, reporters);
	if (store_advise_records(st, domain, as_of_day - scan + 1, as_of_day, on_record, &f, e) ==
	    -1)
		goto done;
	rc = advisor_finish(f.adv, first_day, &f, out, e);
	if (rc == 0)
		rc = note_suspects(st, domain, as_of_day - scan + 1, as_of_day, out, e);
done:
	free(record);
	advisor_free(f.adv);
	return rc;
}
