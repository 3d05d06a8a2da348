#include "fuzz_sinks.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

/* Touches every byte of s, so ASan sees a string that is not terminated. */
static void
check_string(const char *s)
{
	if (s != NULL)
		CHECK(strlen(s) < (1u << 30));
}

static void
check_report(const struct agg_report *r)
{
	CHECK(r->org_name != NULL && r->org_key != NULL && r->report_id != NULL &&
	    r->policy_domain != NULL);
	CHECK(r->begin_ts <= r->end_ts);
	CHECK(r->pct >= -1 && r->pct <= 100);
	check_string(r->org_name);
	check_string(r->org_key);
	check_string(r->report_id);
	check_string(r->policy_domain);
	check_string(r->org_email);
	check_string(r->errors);
	check_string(r->generator);
	check_string(r->fo);
}

static int
on_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct fuzz_state *s = ctx;

	(void)e;
	CHECK(!s->begun);
	check_report(r);
	s->begun = 1;
	return 0;
}

static int
on_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct fuzz_state *s = ctx;
	size_t i;

	(void)r;
	(void)e;
	CHECK(s->begun);
	CHECK(rec->count >= 0);
	CHECK(rec->n_dkim <= BOUND_RECORD_DKIM && rec->n_spf <= BOUND_RECORD_SPF &&
	    rec->n_reasons <= BOUND_RECORD_REASONS);
	CHECK(memchr(rec->source_ip, '\0', sizeof rec->source_ip) != NULL);
	CHECK((rec->ip_family == 0) == (rec->source_ip[0] == '\0'));
	check_string(rec->header_from);
	check_string(rec->envelope_from);
	for (i = 0; i < rec->n_dkim; i++) {
		check_string(rec->dkim[i].domain);
		check_string(rec->dkim[i].selector);
	}
	for (i = 0; i < rec->n_spf; i++)
		check_string(rec->spf[i].domain);
	for (i = 0; i < rec->n_reasons; i++)
		check_string(rec->reasons[i].comment);
	s->records++;
	return 0;
}

static int
on_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct fuzz_state *s = ctx;

	(void)e;
	CHECK(s->begun);
	check_report(r);
	s->begun = 0;
	s->reports++;
	return 0;
}

static void
on_abort(void *ctx)
{
	struct fuzz_state *s = ctx;

	CHECK(s->begun);
	s->begun = 0;
}

static int
on_failure(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	struct fuzz_state *s = ctx;

	(void)e;
	CHECK(f != NULL);
	s->failures++;
	return 0;
}

struct report_sink
fuzz_report_sink(struct fuzz_state *s)
{
	struct report_sink sink = { s, on_begin, on_record, on_end, on_abort };

	return sink;
}

struct failure_sink
fuzz_failure_sink(struct fuzz_state *s)
{
	struct failure_sink sink = { s, on_failure };

	return sink;
}

void
fuzz_sinks_done(const struct fuzz_state *s)
{
	CHECK(!s->begun);
}
