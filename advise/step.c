/*
 * The step: from the published policy to the next one (the testing or the
 * pct ramp, or straight to reject for a parked domain), judged by the
 * conditions of gates.c; the verdict they give, the notes that go with the
 * step, and the impact of the stricter policy on the window's mail
 * (FORMATS.md "Readiness gates").
 */
#include "advise_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "days.h"

/* The ramp's next pct after pct (ramp_by_pct), 100 at the end. */
static int
ramp_next(const struct advise_config *cfg, int pct)
{
	unsigned i;

	for (i = 0; i < cfg->n_ramp_pct; i++)
		if ((int)cfg->ramp_pct[i] > pct)
			return (int)cfg->ramp_pct[i];
	return 100;
}

static struct advise_step
next_step(const struct advisor *a)
{
	const struct policy_track *t = &a->pol;
	struct advise_step s = { "", POLICY_QUARANTINE, 100, false, POLICY_UNSET, POLICY_UNSET };
	bool partial = (t->last_pct >= 0 && t->last_pct < 100) || t->last_testing == 'y';

	if ((t->last.p == POLICY_NONE || t->last.p == POLICY_UNSET) && a->cfg.ramp_by_pct) {
		s.pct = ramp_next(&a->cfg, 0);
		snprintf(s.text, sizeof s.text, "p=none -> p=quarantine; pct=%d (first step)",
		    s.pct);
	} else if (t->last.p == POLICY_QUARANTINE && a->cfg.ramp_by_pct && t->last_pct >= 0 &&
	    t->last_pct < 100) {
		s.pct = ramp_next(&a->cfg, t->last_pct);
		snprintf(s.text, sizeof s.text, "p=quarantine; pct=%d -> pct=%d%s", t->last_pct,
		    s.pct, s.pct == 100 ? " (full quarantine)" : "");
	} else if (t->last.p == POLICY_NONE || t->last.p == POLICY_UNSET) {
		if (a->cfg.first_pct < 100) {
			s.pct = (int)a->cfg.first_pct;
			s.testing = true;
			snprintf(s.text, sizeof s.text,
			    "p=none -> p=quarantine; pct=%u; t=y "
			    "(first step)",
			    a->cfg.first_pct);
		} else {
			snprintf(s.text, sizeof s.text, "p=none -> p=quarantine");
		}
	} else if (t->last.p == POLICY_QUARANTINE) {
		snprintf(s.text, sizeof s.text, "%s",
		    partial ? "partial quarantine -> full p=quarantine" :
		              "p=quarantine -> p=reject");
		s.p = partial ? POLICY_QUARANTINE : POLICY_REJECT;
	} else {
		snprintf(s.text, sizeof s.text, "%s",
		    partial ? "partial reject -> full p=reject" : "p=reject (final step)");
		s.p = POLICY_REJECT;
	}
	return s;
}

static int64_t
scaled(int64_t n, unsigned pct)
{
	return n / 100 * pct + n % 100 * pct / 100;
}

/* Had the simulated policy applied to the window's failing mail: who is hit. */
static void
impact(const struct advisor *a, struct advice *out, const struct advise_step *st)
{
	struct advise_impact *im = &out->impact;
	size_t i;

	im->policy = a->simulate != POLICY_UNSET ? a->simulate : st->p;
	im->pct = a->simulate_pct >= 0 ? (unsigned)a->simulate_pct : (unsigned)st->pct;
	im->messages = out->totals.messages;
	if (im->policy == POLICY_NONE)
		im->pct = 0;
	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *s = &a->senders[i];
		int64_t fail = s->c[PERIOD_WINDOW].messages - s->c[PERIOD_WINDOW].pass;

		advise_add(&im->failing, fail);
		advise_add(&im->already_enforced, s->c[PERIOD_WINDOW].fail_enforced);
		if (advise_authorized(s->cls))
			advise_add(&im->legit_at_risk, fail);
		else if (s->cls == CLASS_FORWARDER)
			advise_add(&im->indirect_at_risk, fail);
		else
			advise_add(&im->spoofing_stopped, fail);
	}
	/* the expected share under pct: each total scaled once, not each source rounded */
	im->affected = scaled(im->failing, im->pct);
	im->legit_at_risk = scaled(im->legit_at_risk, im->pct);
	im->indirect_at_risk = scaled(im->indirect_at_risk, im->pct);
	im->spoofing_stopped = scaled(im->spoofing_stopped, im->pct);
	for (i = 0; i < out->n_senders; i++) {
		struct advise_sender *s = &out->senders[i];

		s->affected =
		    scaled(s->c[PERIOD_WINDOW].messages - s->c[PERIOD_WINDOW].pass, im->pct);
	}
}

static int
by_id(const void *x, const void *y)
{
	const struct advise_condition *a = x, *b = y;

	return strcmp(a->id, b->id);
}

/*
 * The verdict of the conditions, the one named skip (or NULL) left out:
 * NOT READY when something must be done; PROVISIONAL when the data is thin
 * (A2) and there is nothing to do but wait; NOT READY when the data is
 * enough and the time at the policy is not.
 */
static enum advise_verdict
verdict(const struct advice *out, const char *skip)
{
	bool hard = false, data = false, wait = false;
	size_t i;

	for (i = 0; i < out->n_cond; i++) {
		if (out->cond[i].ok || (skip != NULL && strcmp(out->cond[i].id, skip) == 0))
			continue;
		if (out->cond[i].data)
			data = true;
		else if (out->cond[i].wait)
			wait = true;
		else
			hard = true;
	}
	return hard ? VERDICT_NOT_READY :
	    data    ? VERDICT_PROVISIONAL :
	    wait    ? VERDICT_NOT_READY :
	              VERDICT_READY;
}

/*
 * No report at all: nothing to judge, so the only advice is to start
 * monitoring: p=none with rua= (or the owner's own p when it is already
 * stricter: never a step up on no data).
 */
static void
no_data(const struct advisor *a, struct advice *out, struct advise_step *st)
{
	enum policy p = advise_record_policy(a, "p");

	snprintf(out->step, sizeof out->step, "no reports yet");
	if (p == POLICY_UNSET || p == POLICY_NONE)
		advise_fix(out,
		    "No aggregate report for %s yet: publish the record below (p=none, with rua= "
		    "pointing at the mailbox dmarcd polls) and wait for %u days of reports "
		    "before any stricter step.",
		    a->domain, a->cfg.min_days_none);
	else
		advise_fix(out,
		    "No aggregate report for %s yet, although its record has p=%s: check that "
		    "rua= points at the mailbox dmarcd polls; nothing can be judged without "
		    "reports.",
		    a->domain, policy_name(p));
	advise_data_conditions(a, out, true);
	out->verdict = VERDICT_NOT_READY;
	st->p = p == POLICY_UNSET ? POLICY_NONE : p;
	st->pct = 100;
	st->testing = false;
	impact(a, out, st);
	advise_next_record(a, st, out);
}

void
advise_judge(const struct advisor *a, struct advice *out)
{
	const struct policy_track *t = &a->pol;
	struct advise_step st = next_step(a);
	bool parked;
	char d[16];

	out->p = t->last.p;
	out->sp = t->last.sp;
	out->pct = t->last_pct >= 0 ? t->last_pct : 100;
	out->testing = t->last_testing == 'y';
	out->partial = out->pct < 100 || out->testing;
	out->policy_since_day = t->since_day;
	out->last_change_day = t->changed_day;
	snprintf(out->step, sizeof out->step, "%s", st.text);
	if (!t->seen) {
		no_data(a, out, &st);
		return;
	}
	parked = (t->last.p != POLICY_REJECT || out->partial) && advise_is_parked(a);
	if (parked) {
		st = (struct advise_step){ "", POLICY_REJECT, 100, false, POLICY_REJECT,
			POLICY_UNSET };
		snprintf(st.text, sizeof st.text, "parked domain: %s -> p=reject; sp=reject",
		    out->partial                       ? "partial policy" :
		        t->last.p == POLICY_QUARANTINE ? "p=quarantine" :
		                                         "p=none");
		snprintf(out->step, sizeof out->step, "%s", st.text);
	}
	advise_gates(a, out, &st, parked);
	qsort(out->cond, out->n_cond, sizeof out->cond[0], by_id);
	out->verdict = verdict(out, NULL);
	/* at reject, stale data is said (D1 and its fix) but is no regression of the mail */
	if (t->last.p == POLICY_REJECT && !out->partial)
		out->verdict = verdict(out, "D1") == VERDICT_NOT_READY ? VERDICT_REGRESSION :
		                                                         VERDICT_AT_REJECT;
	if (a->as_of < t->last.day_last)
		advise_note(out, "the latest report ends after %s", days_text(a->as_of, d));
	/*
	 * sp= weaker than the step keeps subdomains out of it, on purpose; names
	 * that do not exist send no legitimate mail, so np= (RFC 9989) takes the
	 * step's policy when the owner has not set one.
	 */
	if (!parked && advise_published_sp(a) != POLICY_UNSET && advise_published_sp(a) < st.p) {
		if (t->last.np == POLICY_UNSET && advise_record_policy(a, "np") == POLICY_UNSET)
			st.np = st.p;
		advise_note(out,
		    "sp=%s keeps mail From subdomains of %s out of this step; once it passes "
		    "(see A7/B8), raise sp= or remove it.",
		    policy_name(advise_published_sp(a)), a->domain);
	}
	if (a->cfg.ramp_by_pct && st.p == POLICY_QUARANTINE && st.pct < 100)
		advise_note(out,
		    "pct= paces only the receivers that follow RFC 7489; those that follow RFC "
		    "9989 ignore it and quarantine all failing mail at once (ramp = testing, the "
		    "t=y route, paces both).");
	/*
	 * BIMI asks DMARC for an enforcing policy on all mail: p=quarantine or
	 * reject, no pct below 100, and sp= not none.
	 */
	if (!parked &&
	    ((st.p == POLICY_REJECT && out->verdict == VERDICT_READY) ||
	        out->verdict == VERDICT_AT_REJECT)) {
		if (advise_published_sp(a) == POLICY_NONE)
			advise_note(out,
			    "BIMI (a logo in the inbox) also needs sp= other than none: raise "
			    "sp= before publishing a BIMI record for %s.",
			    a->domain);
		else
			advise_note(out,
			    "BIMI: at p=reject, %s meets DMARC's part of BIMI (a logo in the "
			    "inbox); the rest is a BIMI record at default._bimi.%s and, for most "
			    "mailbox providers, a mark certificate (VMC or CMC).",
			    a->domain, a->domain);
	}
	if (parked)
		advise_note(out,
		    "A domain that sends no mail: publish with this record, at %s, an SPF record "
		    "\"v=spf1 -all\" (no server may send as it), a null MX \"MX 0 .\" (RFC "
		    "7505: it receives no mail), and no DKIM keys (remove any selector records). "
		    "If some server of yours does send as %s after all, confirm it first "
		    "(dmarcd classify): this record would have its mail rejected.",
		    a->domain, a->domain);
	impact(a, out, &st);
	advise_next_record(a, &st, out);
}
