/*
 * Gates: the conditions of FORMATS.md "Readiness gates" that judge a step
 * (gate A: none -> quarantine, gate B: quarantine -> reject, the parked
 * path, the regression guard at an enforcing policy, and the data behind
 * them all), with the fixes to make first. step.c chooses the step and
 * gives the verdict.
 */
#include "advise_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "days.h"

/* Authorized mail: the sources the domain owner sends through, aligned or not. */
bool
advise_authorized(enum source_class c)
{
	return c == CLASS_ALIGNED || c == CLASS_MISALIGNED;
}

/* 12,345 */
static const char *
count_text(int64_t n, char *buf, size_t size)
{
	char digits[24];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%" PRId64, n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "97.3 %", with one more digit when it would show 100 or hide a threshold */
static const char *
pct_text(double r, char *buf, size_t size)
{
	if (r >= 0.9995 && r < 1.0)
		snprintf(buf, size, "%.2f %%", r * 100.0 - 0.005);
	else if ((r > 0.99 && r < 1.0) || (r > 0.0 && r < 0.01))
		snprintf(buf, size, "%.2f %%", r * 100.0);
	else
		snprintf(buf, size, "%.1f %%", r * 100.0);
	return buf;
}

static struct advise_condition *
condition(struct advice *out, const char *id, const char *title, bool data)
{
	struct advise_condition *c;

	if (out->n_cond == ADVISE_CONDITIONS_MAX)
		return &out->cond[ADVISE_CONDITIONS_MAX - 1];
	c = &out->cond[out->n_cond++];
	memset(c, 0, sizeof *c);
	c->id = id;
	c->title = title;
	c->data = data;
	return c;
}

void
advise_fix(struct advice *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n_fixes == ADVISE_FIXES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(out->fixes[out->n_fixes++], ADVISE_TEXT_MAX, fmt, ap);
	va_end(ap);
}

void
advise_note(struct advice *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n_notes == sizeof out->notes / sizeof out->notes[0])
		return;
	va_start(ap, fmt);
	vsnprintf(out->notes[out->n_notes++], ADVISE_TEXT_MAX, fmt, ap);
	va_end(ap);
}

/* The authorized senders' counts of one period. */
struct auth_sums {
	struct advise_counts c;
	int64_t indirect_fail; /* forwarders' failing mail + authorized mail broken in transit */
	int64_t list_fail;     /* of which the receivers said it came through a mailing list */
};

/*
 * review: the senders awaiting the owner's word count as authorized too
 * (the regression guard: a new server of the owner's that fails at reject
 * is a regression, whether or not anyone has classified it yet).
 */
static void
sums(const struct advisor *a, enum advise_period p, struct auth_sums *s, bool review)
{
	size_t i;

	memset(s, 0, sizeof *s);
	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *x = &a->senders[i];
		const struct advise_counts *c = &x->c[p];

		if (x->cls == CLASS_FORWARDER) {
			advise_add(&s->indirect_fail, c->messages - c->pass);
			advise_add(&s->list_fail, c->fail_list);
		}
		if (!advise_authorized(x->cls) && !(review && x->needs_review))
			continue;
		advise_add(&s->list_fail, c->fail_list);
		advise_add(&s->c.messages, c->messages);
		advise_add(&s->c.pass, c->pass);
		advise_add(&s->c.dkim_aligned, c->dkim_aligned);
		advise_add(&s->c.fail_enforced, c->fail_enforced);
		advise_add(&s->indirect_fail, c->fail_indirect);
	}
}

/*
 * The sp= the owner published, or POLICY_UNSET: their record's, else the
 * reports' when it differs from p= (receivers often fill in sp = p when the
 * record has none, so an equal one tells nothing).
 */
enum policy
advise_published_sp(const struct advisor *a)
{
	enum policy sp = advise_record_policy(a, "sp");

	if (sp != POLICY_UNSET || advise_record_policy(a, "p") != POLICY_UNSET)
		return sp;
	return a->pol.last.sp != a->pol.last.p ? a->pol.last.sp : POLICY_UNSET;
}

/*
 * A sender whose mail is all From subdomains, while sp= keeps subdomains
 * out of the step on purpose: the step does not hit it.
 */
static bool
shielded(const struct advisor *a, int64_t sub_messages, int64_t messages)
{
	return messages > 0 && sub_messages >= messages && advise_published_sp(a) != POLICY_UNSET;
}

/*
 * The state of the data behind any verdict: A2 (coverage) and A3
 * (inventory). volume: A2 asks for min_messages too (not of a parked
 * domain, whose only mail is what spoofers send).
 */
void
advise_data_conditions(const struct advisor *a, struct advice *out, bool volume)
{
	const struct advise_config *cfg = &a->cfg;
	struct advise_condition *c;
	int64_t messages = 0;
	unsigned days = 0, review = 0, i;
	char n1[32];
	size_t k;

	for (i = 0; i < 30; i++) {
		advise_add(&messages, a->day_messages[i]);
		days += a->day_messages[i] > 0;
	}
	c = condition(out, "A2", "Enough data: reports on most days, several reporters, volume",
	    true);
	c->ok = days >= cfg->coverage_days * 30 && a->reporters >= cfg->min_reporters &&
	    (!volume || (messages >= 0 && (uint64_t)messages >= cfg->min_messages));
	snprintf(c->measured, sizeof c->measured,
	    "reports on %u of the last 30 days, %u reporters, "
	    "%s messages",
	    days, a->reporters, count_text(messages, n1, sizeof n1));
	snprintf(c->threshold, sizeof c->threshold,
	    ">= %.0f %% of days, >= %u reporters, "
	    ">= %" PRIu64 " messages",
	    cfg->coverage_days * 100, cfg->min_reporters, cfg->min_messages);
	if (!c->ok)
		advise_fix(out,
		    "Wait for more reports: the verdict needs reports on %.0f %% of 30 days from "
		    "%u reporters and %" PRIu64
		    " messages (now %u days, %u reporters, %s messages).",
		    cfg->coverage_days * 100, cfg->min_reporters, cfg->min_messages, days,
		    a->reporters, n1);

	/*
	 * Not a data condition: an unreviewed notable sender is mail the next
	 * step may hit, which more days of reports will not explain. NOT READY,
	 * with its fix, never PROVISIONAL (issue 15, finding 2).
	 */
	c = condition(out, "A3", "Every notable source is classified", false);
	for (k = 0; k < a->n_senders; k++)
		review += a->senders[k].needs_review &&
		    !shielded(a, a->senders[k].sub_messages,
		        a->senders[k].c[PERIOD_WINDOW].messages);
	c->ok = review == 0;
	snprintf(c->measured, sizeof c->measured, "%u source%s to review", review,
	    review == 1 ? "" : "s");
	snprintf(c->threshold, sizeof c->threshold,
	    "0 sources over %.1f %% of volume or %.0f "
	    "messages a day unreviewed",
	    cfg->notable_share * 100, cfg->notable_per_day);
}

/* A1 / B1: long enough at the current policy. */
static void
days_condition(const struct advisor *a, struct advice *out, const char *id, const char *title,
    unsigned min_days)
{
	struct advise_condition *c = condition(out, id, title, false);
	int64_t days = a->as_of - a->pol.since_day + 1;
	char d[16];

	c->wait = true;
	c->ok = days >= (int64_t)min_days;
	snprintf(c->measured, sizeof c->measured, "%" PRId64 " day%s (since %s)", days,
	    days == 1 ? "" : "s", days_text(a->pol.since_day, d));
	snprintf(c->threshold, sizeof c->threshold, ">= %u days", min_days);
	if (!c->ok)
		advise_fix(out,
		    "Keep the current policy %" PRId64 " more day%s before the next step.",
		    (int64_t)min_days - days, (int64_t)min_days - days == 1 ? "" : "s");
}

/* The rates the gates hold authorized mail to, and what raises each. */
enum rate { RATE_PASS, RATE_DKIM };

/*
 * A rate condition over the authorized senders. Its fix names the rate
 * that fell short: a DKIM shortfall is not a pass-rate one (mail can pass
 * DMARC by aligned SPF alone and still lack the DKIM that survives
 * forwarding).
 */
static void
rate_condition(const struct advisor *a, struct advice *out, const char *id, const char *title,
    enum rate rate, int64_t num, int64_t den, double min, const char *period)
{
	struct advise_condition *c = condition(out, id, title, false);
	char r[32], t[32];

	c->ok = den > 0 && advise_ratio(num, den) >= min;
	if (den == 0)
		snprintf(c->measured, sizeof c->measured, "no authorized mail in the %s", period);
	else
		snprintf(c->measured, sizeof c->measured, "%s over the %s",
		    pct_text(advise_ratio(num, den), r, sizeof r), period);
	snprintf(c->threshold, sizeof c->threshold, ">= %s", pct_text(min, t, sizeof t));
	if (!c->ok && den > 0 && rate == RATE_PASS)
		advise_fix(out,
		    "Raise the authorized pass rate from %s to %s: the sources listed below "
		    "with the most failing messages come first.",
		    r, t);
	else if (!c->ok && den > 0)
		advise_fix(out,
		    "Raise the authorized DKIM-aligned rate from %s to %s: sign with DKIM d=%s "
		    "(or a subdomain of it) at the sources listed below that pass by SPF alone.",
		    r, t, a->domain);
}

/*
 * Adds the known service's own way to align its mail, and its documentation,
 * to the fix just written for sender s.
 */
static void
service_words(const struct advisor *a, struct advice *out, const struct advise_sender *s)
{
	const struct advise_service *sv = advise_service_find(a, s->service);
	char *last;
	size_t len;

	if (sv == NULL || sv->fix[0] == '\0' || out->n_fixes == 0)
		return;
	last = out->fixes[out->n_fixes - 1];
	len = strlen(last);
	snprintf(last + len, ADVISE_TEXT_MAX - len, " In %s: %s%s%s%s", sv->name, sv->fix,
	    sv->doc[0] != '\0' ? " (" : "", sv->doc, sv->doc[0] != '\0' ? ")" : "");
}

/* What to do about one sender that fails too often, in plain words. */
static void
sender_fix(const struct advisor *a, struct advice *out, const struct advise_sender *s)
{
	const struct advise_counts *c = &s->c[PERIOD_WINDOW];
	int64_t fail = c->messages - c->pass;
	char share[32], rate[32], n[32];

	pct_text(s->share, share, sizeof share);
	pct_text(advise_ratio(c->pass, c->messages), rate, sizeof rate);
	if (s->needs_review && s->cls == CLASS_MISALIGNED && s->identity[0] != '\0') {
		/* a guess: the owner must say whether it sends for them (issue 15, finding 1) */
		char how[ADVISE_TEXT_MAX];

		if (s->identity_dkim)
			snprintf(how, sizeof how,
			    "signs it with DKIM d=%s, not as %s. If it sends for you, set up "
			    "DKIM signing with d=%s (a custom signing domain) at that service",
			    s->identity, a->domain, a->domain);
		else
			snprintf(how, sizeof how,
			    "passes SPF for %s, not for your domain. If it sends for you, set up "
			    "DKIM signing with d=%s at that service (or a custom MAIL FROM under %s)",
			    s->identity, a->domain, a->domain);
		advise_fix(out,
		    "%s%s sends %s of your mail (%s messages from %u network%s) and %s; if not, "
		    "say so: dmarcd classify %s %s %s unauthorized.",
		    s->service[0] != '\0' ? "" : "Find out who this is: ", s->label, share,
		    count_text(c->messages, n, sizeof n), s->n_networks,
		    s->n_networks == 1 ? "" : "s", how, a->domain,
		    s->identity_dkim ? "dkim" : "spf", s->identity);
	} else if (s->needs_review && s->cls == CLASS_MISALIGNED && s->service[0] != '\0') {
		advise_fix(out,
		    "%s sent %s messages (%s of your mail) that fail DMARC. If you send through "
		    "%s, get its mail aligned; if not, confirm its networks as not yours: dmarcd "
		    "classify %s cidr %.*s unauthorized.",
		    s->label, count_text(c->messages, n, sizeof n), share, s->service_name,
		    a->domain, (int)strcspn(s->networks, ","), s->networks);
	} else if (s->cls == CLASS_MISALIGNED && s->identity[0] != '\0' &&
	    c->fail_unaligned * 2 >= fail) {
		if (s->identity_dkim)
			advise_fix(out,
			    "%s sends %s of your mail and signs it with DKIM d=%s but not as %s: "
			    "set up DKIM signing with d=%s (a custom signing domain) at that service.",
			    s->label, share, s->identity, a->domain, a->domain);
		else
			advise_fix(out,
			    "%s sends %s of your mail and passes SPF for %s but not for your "
			    "domain: set up DKIM signing with d=%s at that service (or a custom "
			    "MAIL FROM under %s).",
			    s->label, share, s->identity, a->domain, a->domain);
	} else if (s->cls == CLASS_UNAUTHORIZED) {
		advise_fix(out,
		    "%s sent %s messages (%s of your mail) with no valid authentication for "
		    "your domain. If it is yours (a server, an application, a printer), add it to "
		    "SPF and sign with DKIM d=%s; if not, confirm it: dmarcd classify %s cidr %.*s "
		    "unauthorized.",
		    s->label, count_text(c->messages, n, sizeof n), share, a->domain, a->domain,
		    (int)strcspn(s->networks, ","), s->networks);
	} else {
		advise_fix(out,
		    "%s passes DMARC for only %s of its %s messages (%s of your mail): check "
		    "that it signs with DKIM d=%s and that its addresses are in your SPF record.",
		    s->label, rate, count_text(c->messages, n, sizeof n), share, a->domain);
	}
	if (s->cls != CLASS_UNAUTHORIZED)
		service_words(a, out, s);
}

/* A5 / B4 / R2: every authorized source big enough to judge on its own. */
static void
worst_source(const struct advisor *a, struct advice *out, const char *id, bool dkim,
    enum advise_period p)
{
	struct advise_condition *c = condition(out, id,
	    dkim ? "Every authorized source signs with aligned DKIM" :
	           "Every authorized source passes",
	    false);
	const struct sender_acc *worst = NULL;
	struct advise_sender d;
	double worst_rate = 2.0;
	unsigned bad = 0;
	char r[32], t[32];
	size_t i;

	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *s = &a->senders[i];
		const struct advise_counts *sc = &s->c[p];
		double rate = advise_ratio(dkim ? sc->dkim_aligned : sc->pass, sc->messages);

		if (!advise_authorized(s->cls) || sc->messages < 0 ||
		    (uint64_t)sc->messages < a->cfg.source_min_messages)
			continue;
		if (rate < a->cfg.source_pass) {
			bad++;
			if (dkim) {
				advise_sender_describe(a, s, &d);
				advise_fix(out,
				    "%s is DKIM-aligned for only %s of its mail: sign it with DKIM "
				    "d=%s before p=reject, since forwarding breaks SPF.",
				    d.label, pct_text(rate, r, sizeof r), a->domain);
			}
		}
		if (rate < worst_rate) {
			worst_rate = rate;
			worst = s;
		}
	}
	c->ok = bad == 0;
	snprintf(c->threshold, sizeof c->threshold,
	    ">= %s for each source of >= %" PRIu64 " messages",
	    pct_text(a->cfg.source_pass, t, sizeof t), a->cfg.source_min_messages);
	if (worst == NULL) {
		snprintf(c->measured, sizeof c->measured, "no authorized source of that size");
		return;
	}
	advise_sender_describe(a, worst, &d);
	snprintf(c->measured, sizeof c->measured, "worst: %s at %s", d.label,
	    pct_text(worst_rate, r, sizeof r));
	if (bad > 1) {
		size_t len = strlen(c->measured);

		snprintf(c->measured + len, sizeof c->measured - len, " (%u sources below)", bad);
	}
}

/* Fixes for the senders that fail or need review, most volume first. */
static void
sender_fixes(const struct advisor *a, struct advice *out)
{
	size_t i;

	for (i = 0; i < out->n_senders; i++) {
		const struct advise_sender *s = &out->senders[i];
		const struct advise_counts *c = &s->c[PERIOD_WINDOW];
		bool failing = advise_authorized(s->cls) &&
		    advise_ratio(c->pass, c->messages) < a->cfg.source_pass;

		if ((failing || s->needs_review) && !shielded(a, s->sub_messages, c->messages))
			sender_fix(a, out, s);
	}
}

/* A6 / B7b: no new source to look at. */
static void
new_sources(const struct advisor *a, struct advice *out, const char *id, unsigned days,
    bool authorized_only)
{
	struct advise_condition *c = condition(out, id,
	    authorized_only ? "No new authorized source recently" :
	                      "No new unclassified source recently",
	    false);
	const struct sender_acc *found = NULL;
	struct advise_sender d;
	unsigned n = 0;
	char day[16];
	size_t i;

	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *s = &a->senders[i];
		bool counts = authorized_only ? advise_authorized(s->cls) &&
		        (s->needs_review || s->known_id > 0 || s->notable) :
		                                s->needs_review;

		if (counts && s->first_ever > a->as_of - (int64_t)days) {
			n++;
			if (found == NULL)
				found = s;
		}
	}
	c->ok = n == 0;
	if (found != NULL) {
		advise_sender_describe(a, found, &d);
		snprintf(c->measured, sizeof c->measured, "%u new: %s, first seen %s", n, d.label,
		    days_text(found->first_ever, day));
	} else {
		snprintf(c->measured, sizeof c->measured, "none");
	}
	snprintf(c->threshold, sizeof c->threshold, "none in the last %u days", days);
}

/*
 * A7 / B8: the mail From subdomains of the owner's senders, and of the ones
 * awaiting the owner's word (issue 15, finding 4): without sp= the next
 * step's p= applies to it. A published sp= keeps subdomains where they are,
 * on purpose. The fix names the subdomain sender that fails most.
 */
static void
subdomains(const struct advisor *a, struct advice *out, const char *id, double min,
    enum policy next)
{
	struct advise_condition *c =
	    condition(out, id, "Subdomain mail is covered (or sp= is set on purpose)", false);
	const struct sender_acc *worst = NULL;
	bool sp = advise_published_sp(a) != POLICY_UNSET;
	int64_t messages = 0, pass = 0;
	struct advise_sender d;
	char r[32], t[32], n[32], share[32];
	size_t i;

	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *s = &a->senders[i];

		if ((!advise_authorized(s->cls) && !s->needs_review) || s->sub_messages == 0)
			continue;
		advise_add(&messages, s->sub_messages);
		advise_add(&pass, s->sub_pass);
		if (worst == NULL ||
		    s->sub_messages - s->sub_pass > worst->sub_messages - worst->sub_pass)
			worst = s;
	}
	c->ok = messages == 0 || sp || advise_ratio(pass, messages) >= min;
	if (messages == 0)
		snprintf(c->measured, sizeof c->measured,
		    "no mail from subdomains by your senders");
	else
		snprintf(c->measured, sizeof c->measured, "%s subdomain messages pass at %s%s",
		    count_text(messages, n, sizeof n),
		    pct_text(advise_ratio(pass, messages), r, sizeof r),
		    sp ? "; sp= is published" : "; no sp= (sp = p)");
	snprintf(c->threshold, sizeof c->threshold, ">= %s, or sp= set",
	    pct_text(min, t, sizeof t));
	if (c->ok || worst == NULL)
		return;
	advise_sender_describe(a, worst, &d);
	advise_fix(out,
	    "%s sends %s messages From %s (%s of your mail) that fail DMARC, and p=%s would "
	    "apply to them since there is no sp=: authenticate that mail (DKIM d=%s or d=%s, "
	    "SPF for its envelope), or publish sp=none on purpose to keep subdomains out of "
	    "the policy, with np=%s so that names that do not exist stay covered.",
	    d.label, count_text(worst->sub_messages - worst->sub_pass, n, sizeof n), d.subdomain,
	    pct_text(advise_ratio(worst->sub_messages - worst->sub_pass, out->totals.messages),
	        share, sizeof share),
	    policy_name(next), d.subdomain, a->domain, policy_name(next));
}

/* B5: authorized mail already hit by the policy. */
static void
collateral(const struct advisor *a, struct advice *out, const struct auth_sums *s)
{
	struct advise_condition *c =
	    condition(out, "B5", "Little authorized mail quarantined or rejected", false);
	char r[32], t[32];
	double rate = advise_ratio(s->c.fail_enforced, s->c.messages);

	c->ok = rate < a->cfg.collateral_max;
	snprintf(c->measured, sizeof c->measured, "%s of authorized mail",
	    pct_text(rate, r, sizeof r));
	snprintf(c->threshold, sizeof c->threshold, "< %s",
	    pct_text(a->cfg.collateral_max, t, sizeof t));
}

/*
 * D1: the newest report is recent. Reports that stopped (a changed rua=, a
 * mailbox no longer polled) say nothing about today's mail, whatever they
 * said then.
 */
static void
current_condition(const struct advisor *a, struct advice *out)
{
	struct advise_condition *c = condition(out, "D1", "Reports are current", false);
	int64_t age = a->today - a->pol.newest_day;
	char d[16], t[16];

	c->ok = age <= (int64_t)a->cfg.stale_days;
	snprintf(c->measured, sizeof c->measured,
	    "the newest report ends %s, %" PRId64 " day%s before %s",
	    days_text(a->pol.newest_day, d), age, age == 1 ? "" : "s", days_text(a->today, t));
	snprintf(c->threshold, sizeof c->threshold, "<= %u days old", a->cfg.stale_days);
	if (!c->ok)
		advise_fix(out,
		    "No report since %s (%" PRId64 " days before %s): reports have stopped. Check "
		    "that %s's DMARC record still has rua= pointing at the mailbox dmarcd polls, "
		    "and that polling works; no step is advised on old data.",
		    d, age, t, a->domain);
}

static void
gate_a(const struct advisor *a, struct advice *out, unsigned min_days, bool ramp)
{
	struct auth_sums s14, swin;

	sums(a, PERIOD_14, &s14, false);
	sums(a, PERIOD_WINDOW, &swin, false);
	days_condition(a, out, "A1",
	    ramp ? "Long enough at the partial quarantine" :
	           "Long enough in monitoring mode (p=none)",
	    min_days);
	rate_condition(a, out, "A4", "Authorized mail passes DMARC", RATE_PASS, s14.c.pass,
	    s14.c.messages, a->cfg.pass_quarantine, "last 14 days");
	worst_source(a, out, "A5", false, PERIOD_WINDOW);
	new_sources(a, out, "A6", a->cfg.new_source_days, false);
	subdomains(a, out, "A7", a->cfg.pass_quarantine, POLICY_QUARANTINE);
	if (ramp)
		collateral(a, out, &swin);
}

static void
gate_b(const struct advisor *a, struct advice *out, unsigned min_days)
{
	struct auth_sums s30;
	struct advise_condition *c;
	int64_t fail_all = 0, handled = 0, waived;
	char r[32], t[32], n[32];
	size_t i;

	sums(a, PERIOD_30, &s30, false);
	days_condition(a, out, "B1", "Long enough at full quarantine", min_days);
	for (i = 0; i < a->n_senders; i++) {
		advise_add(&fail_all,
		    a->senders[i].c[PERIOD_30].messages - a->senders[i].c[PERIOD_30].pass);
		advise_add(&handled, a->senders[i].c[PERIOD_30].fail_handled);
	}
	c = condition(out, "B2", "Receivers enforce the policy", false);
	c->ok = fail_all == 0 || advise_ratio(handled, fail_all) >= a->cfg.enforced_share;
	snprintf(c->measured, sizeof c->measured, "%s of failing mail quarantined or explained",
	    pct_text(advise_ratio(handled, fail_all), r, sizeof r));
	snprintf(c->threshold, sizeof c->threshold, ">= %s",
	    pct_text(a->cfg.enforced_share, t, sizeof t));
	rate_condition(a, out, "B3", "Authorized mail passes DMARC", RATE_PASS, s30.c.pass,
	    s30.c.messages, a->cfg.pass_reject, "last 30 days");
	rate_condition(a, out, "B4a", "Authorized mail is DKIM-aligned", RATE_DKIM,
	    s30.c.dkim_aligned, s30.c.messages, a->cfg.dkim_reject, "last 30 days");
	worst_source(a, out, "B4b", true, PERIOD_30);
	collateral(a, out, &s30);
	/*
	 * The owner's "nobody posts to mailing lists" waives the mailing-list
	 * mail only: mail forwarded by a recipient's own rule would still be lost.
	 */
	waived = a->no_mailing_lists ? s30.list_fail : 0;
	c = condition(out, "B6", "Little forwarded or mailing-list mail would be rejected", false);
	c->ok = advise_ratio(s30.indirect_fail - waived, s30.c.messages) < a->cfg.indirect_max;
	snprintf(c->measured, sizeof c->measured, "%s messages (%s of authorized mail)%s",
	    count_text(s30.indirect_fail - waived, n, sizeof n),
	    pct_text(advise_ratio(s30.indirect_fail - waived, s30.c.messages), r, sizeof r),
	    a->no_mailing_lists ? "; mailing-list mail left out: the owner says nobody posts to "
	                          "mailing lists" :
	                          "");
	snprintf(c->threshold, sizeof c->threshold, "< %s, or no mailing-list users",
	    pct_text(a->cfg.indirect_max, t, sizeof t));
	if (!c->ok && a->no_mailing_lists &&
	    advise_ratio(s30.c.dkim_aligned, s30.c.messages) >= a->cfg.dkim_reject)
		advise_fix(out,
		    "%s messages forwarded by their recipients (not through mailing lists) failed "
		    "DMARC in 30 days although %s's mail is DKIM-signed: the forwarders change it "
		    "on the way. p=reject would lose them: stay at quarantine, or move on knowing "
		    "that.",
		    n, a->domain);
	else if (!c->ok && a->no_mailing_lists)
		advise_fix(out,
		    "%s messages forwarded by their recipients (not through mailing lists) failed "
		    "DMARC in 30 days and would be rejected: sign all of %s's mail with DKIM "
		    "d=%s, which survives plain forwarding, then look again.",
		    n, a->domain, a->domain);
	else if (!c->ok)
		advise_fix(out,
		    "%s forwarded or mailing-list messages failed DMARC in 30 days and would be "
		    "rejected: if people post to mailing lists from %s, stay at quarantine; if not, "
		    "say so with: dmarcd advise %s --no-mailing-lists yes.",
		    n, a->domain, a->domain);
	c = condition(out, "B7a", "No policy change recently", false);
	c->ok =
	    a->pol.changed_day < 0 || a->pol.changed_day <= a->as_of - (int64_t)a->cfg.stable_days;
	if (a->pol.changed_day < 0)
		snprintf(c->measured, sizeof c->measured, "no change seen");
	else
		snprintf(c->measured, sizeof c->measured, "last change %s",
		    days_text(a->pol.changed_day, n));
	snprintf(c->threshold, sizeof c->threshold, "none in the last %u days", a->cfg.stable_days);
	new_sources(a, out, "B7b", a->cfg.stable_days, true);
	subdomains(a, out, "B8", a->cfg.pass_reject, POLICY_REJECT);
}

/*
 * A parked domain (issue 15, finding 3): every message of the window is
 * unauthorized: nothing passes DMARC, no sender is or looks authorized, and
 * the owner confirmed no source as theirs. Such a domain goes straight to
 * p=reject once it has been watched long enough; the ramp is for
 * legitimate mail, and there is none to protect.
 */
bool
advise_is_parked(const struct advisor *a)
{
	int64_t messages = 0;
	size_t i;

	for (i = 0; i < a->n_known; i++)
		if (a->known[i].status != KNOWN_UNAUTHORIZED)
			return false;
	for (i = 0; i < a->n_senders; i++) {
		const struct advise_counts *c = &a->senders[i].c[PERIOD_WINDOW];

		if (c->pass > 0 || (a->senders[i].cls != CLASS_UNAUTHORIZED && c->messages > 0))
			return false;
		advise_add(&messages, c->messages);
	}
	return messages > 0;
}

static void
gate_parked(const struct advisor *a, struct advice *out)
{
	struct advise_condition *c;
	int64_t days = a->as_of - a->pol.first_day + 1;
	char n[32], d[16];

	c = condition(out, "P1", "No legitimate mail: nothing passes, no source is authorized",
	    false);
	c->ok = true; /* is_parked chose this gate */
	snprintf(c->measured, sizeof c->measured,
	    "%s messages in the window, none passing, from %zu unauthorized source%s",
	    count_text(out->totals.messages, n, sizeof n), a->n_senders,
	    a->n_senders == 1 ? "" : "s");
	snprintf(c->threshold, sizeof c->threshold, "no mail passes DMARC");
	c = condition(out, "A1", "Watched long enough to be sure nothing legitimate sends", false);
	c->wait = true;
	c->ok = days >= (int64_t)a->cfg.min_days_none;
	snprintf(c->measured, sizeof c->measured, "%" PRId64 " day%s of reports (since %s)", days,
	    days == 1 ? "" : "s", days_text(a->pol.first_day, d));
	snprintf(c->threshold, sizeof c->threshold, ">= %u days", a->cfg.min_days_none);
	if (!c->ok)
		advise_fix(out,
		    "No mail of %s passes: it looks parked. Watch it %" PRId64 " more day%s "
		    "before p=reject.",
		    a->domain, (int64_t)a->cfg.min_days_none - days,
		    (int64_t)a->cfg.min_days_none - days == 1 ? "" : "s");
	new_sources(a, out, "A6", a->cfg.new_source_days, false);
}

/* The regression guard at an enforcing policy: the last 3 days against 30. */
static void
guard(const struct advisor *a, struct advice *out)
{
	struct auth_sums s3, s30;
	struct advise_condition *c;
	double r3, r30;
	char x[32], y[32];

	sums(a, PERIOD_3, &s3, true);
	sums(a, PERIOD_30, &s30, true);
	r3 = advise_ratio(s3.c.pass, s3.c.messages);
	r30 = advise_ratio(s30.c.pass, s30.c.messages);
	c = condition(out, "R1", "Pass rate holds (last 3 days against 30)", false);
	c->ok = s3.c.messages == 0 || r3 >= r30 - a->cfg.regression_points;
	snprintf(c->measured, sizeof c->measured, "%s (3 days) against %s (30 days)",
	    pct_text(r3, x, sizeof x), pct_text(r30, y, sizeof y));
	snprintf(c->threshold, sizeof c->threshold, "no drop over %.1f points",
	    a->cfg.regression_points * 100);
	if (!c->ok)
		advise_fix(out,
		    "The authorized pass rate fell from %s to %s in the last 3 days: find the "
		    "source that broke (below) and consider going back one step meanwhile.",
		    y, x);
	worst_source(a, out, "R2", false, PERIOD_30);
}

void
advise_gates(const struct advisor *a, struct advice *out, const struct advise_step *st, bool parked)
{
	const struct policy_track *t = &a->pol;

	current_condition(a, out);
	sender_fixes(a, out);
	if (parked) {
		gate_parked(a, out);
	} else if (t->last.p == POLICY_NONE || t->last.p == POLICY_UNSET) {
		gate_a(a, out, a->cfg.min_days_none, false);
	} else if (st->p == POLICY_QUARANTINE) {
		gate_a(a, out, a->cfg.min_days_ramp, true);
		guard(a, out);
	} else if (t->last.p == POLICY_QUARANTINE) {
		gate_b(a, out, a->cfg.min_days_quarantine);
		guard(a, out);
	} else if (out->partial) {
		gate_b(a, out, a->cfg.min_days_ramp);
		guard(a, out);
	} else {
		guard(a, out);
	}
	advise_data_conditions(a, out, !parked);
}
