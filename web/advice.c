#include "advice.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "num.h"
#include "query.h"
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
		query_day_text(s->begin_ts / 86400, day);
		snprintf(x->first, sizeof x->first, "%s, report %s of %s (id %" PRId64 "): %s",
		    s->org_name, s->report_id, day, s->id, s->why);
	}
	x->messages = num_add_sat_i64(x->messages, s->messages);
	return 0;
}

/*
 * Says which reports the advice left out as possibly forged (spec 5.7), in
 * the last note when the notes are full: the owner must know.
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
	int64_t scan;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (as_of_day < 0) {
		if (store_advise_last_day(st, domain, &as_of_day, &found, e) == -1)
			return -1;
		if (!found)
			as_of_day = (int64_t)time(NULL) / 86400;
	}
	f.adv = advisor_new(domain, as_of_day, cfg, simulate, simulate_pct);
	if (f.adv == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	scan = cfg->window_days > 30 ? cfg->window_days : 30;
	if (store_known_each(st, domain, on_known, &f, e) == -1 ||
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

/* ---- JSON ---- */

/* "name": "string" (or null when s is NULL or empty) */
static void
field_str(FILE *out, const char *name, const char *s, bool comma)
{
	fprintf(out, "%s\"%s\":", comma ? "," : "", name);
	if (s == NULL || s[0] == '\0')
		fputs("null", out);
	else
		json_write_string(out, s);
}

static void
field_day(FILE *out, const char *name, int64_t day)
{
	char d[11] = "";

	if (day >= 0)
		query_day_text(day, d);
	field_str(out, name, d, true);
}

static void
counts(FILE *out, const char *name, const struct advise_counts *c)
{
	fprintf(out,
	    ",\"%s\":{\"messages\":%" PRId64 ",\"dmarc_pass\":%" PRId64 ",\"dkim_aligned\":%" PRId64
	    ",\"spf_aligned\":%" PRId64 ",\"fail\":%" PRId64 ",\"fail_enforced\":%" PRId64
	    ",\"fail_handled\":%" PRId64 ",\"fail_indirect\":%" PRId64
	    ",\"fail_unaligned\":%" PRId64 ",\"fail_noauth\":%" PRId64 "}",
	    name, c->messages, c->pass, c->dkim_aligned, c->spf_aligned, c->messages - c->pass,
	    c->fail_enforced, c->fail_handled, c->fail_indirect, c->fail_unaligned, c->fail_noauth);
}

static void
sender(FILE *out, const struct advise_sender *s, bool comma)
{
	fputs(comma ? ",{" : "{", out);
	field_str(out, "label", s->label, false);
	field_str(out, "networks", s->networks, true);
	fprintf(out, ",\"network_count\":%u", s->n_networks);
	field_str(out, "identity", s->identity, true);
	field_str(out, "identity_via",
	    s->identity[0] == '\0' ? NULL :
	        s->identity_dkim   ? "dkim" :
	                             "spf",
	    true);
	field_str(out, "class", source_class_name(s->cls), true);
	fprintf(out,
	    ",\"confirmed\":%s,\"needs_review\":%s,\"new\":%s,\"share\":%.6f"
	    ",\"affected\":%" PRId64,
	    s->confirmed ? "true" : "false", s->needs_review ? "true" : "false",
	    s->is_new ? "true" : "false", s->share, s->affected);
	if (s->known_id > 0)
		fprintf(out, ",\"known_id\":%" PRId64, s->known_id);
	field_day(out, "first_seen", s->first_day);
	field_day(out, "last_seen", s->last_day);
	counts(out, "window", &s->c[PERIOD_WINDOW]);
	counts(out, "last_30_days", &s->c[PERIOD_30]);
	fputc('}', out);
}

static const char *
policy_text(enum policy p)
{
	const char *s = policy_name(p);

	return s != NULL ? s : "none";
}

int
advice_write_json(FILE *out, const struct advice *a)
{
	static const char *const classes[] = { "aligned", "misaligned", "forwarder",
		"unauthorized" };
	const struct advise_impact *im = &a->impact;
	size_t i;

	fputc('{', out);
	field_str(out, "domain", a->domain, false);
	field_day(out, "as_of", a->as_of_day);
	fprintf(out, ",\"window_days\":%u,\"has_data\":%s", a->window_days,
	    a->has_data ? "true" : "false");
	fputs(",\"policy\":{", out);
	field_str(out, "p", a->has_data ? policy_text(a->p) : NULL, false);
	field_str(out, "sp", policy_name(a->sp), true);
	fprintf(out, ",\"pct\":%d,\"testing\":%s,\"partial\":%s", a->pct,
	    a->testing ? "true" : "false", a->partial ? "true" : "false");
	field_day(out, "since", a->policy_since_day);
	field_day(out, "last_change", a->last_change_day);
	fputc('}', out);
	field_str(out, "step", a->step, true);
	field_str(out, "verdict", advise_verdict_name(a->verdict), true);
	fputs(",\"conditions\":[", out);
	for (i = 0; i < a->n_cond; i++) {
		const struct advise_condition *c = &a->cond[i];

		fputs(i ? ",{" : "{", out);
		field_str(out, "id", c->id, false);
		field_str(out, "title", c->title, true);
		fprintf(out, ",\"ok\":%s,\"data\":%s", c->ok ? "true" : "false",
		    c->data ? "true" : "false");
		field_str(out, "measured", c->measured, true);
		field_str(out, "threshold", c->threshold, true);
		fputc('}', out);
	}
	fputs("],\"fixes\":[", out);
	for (i = 0; i < a->n_fixes; i++) {
		if (i)
			fputc(',', out);
		json_write_string(out, a->fixes[i]);
	}
	fputs("],\"notes\":[", out);
	for (i = 0; i < a->n_notes; i++) {
		if (i)
			fputc(',', out);
		json_write_string(out, a->notes[i]);
	}
	fputc(']', out);
	counts(out, "totals", &a->totals);
	fprintf(out, ",\"subdomain_messages\":%" PRId64, a->subdomain_messages);
	fputs(",\"impact\":{", out);
	field_str(out, "p", policy_text(im->policy), false);
	fprintf(out,
	    ",\"pct\":%u,\"messages\":%" PRId64 ",\"failing\":%" PRId64 ",\"affected\":%" PRId64
	    ",\"legit_at_risk\":%" PRId64 ",\"indirect_at_risk\":%" PRId64
	    ",\"spoofing_stopped\":%" PRId64 ",\"already_enforced\":%" PRId64 "}",
	    im->pct, im->messages, im->failing, im->affected, im->legit_at_risk,
	    im->indirect_at_risk, im->spoofing_stopped, im->already_enforced);
	field_str(out, "next_record", a->next_record, true);
	fprintf(out, ",\"record_complete\":%s", a->record_complete ? "true" : "false");
	fprintf(out, ",\"senders_total\":%zu,\"senders\":[", a->n_senders_total);
	for (i = 0; i < a->n_senders; i++)
		sender(out, &a->senders[i], i > 0);
	fputs("],\"others\":{", out);
	for (i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		fprintf(out, "%s\"%s\":{\"messages\":%" PRId64 ",\"fail\":%" PRId64 "}",
		    i ? "," : "", classes[i], a->others[i].messages,
		    a->others[i].messages - a->others[i].pass);
	}
	fputs("}}", out);
	return ferror(out) ? -1 : 0;
}
