/*
 * Tests for advise/: the advisor fed directly with records, policies and days
 * (no database): canonical known-source values, the suggestion rules of
 * FORMATS.md "Source classes", confirmed sources, the gates and verdicts of
 * FORMATS.md "Readiness gates", the impact simulation and the next record.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "advise.h"

#define AS_OF 20000 /* the last day of data */
#define DOMAIN "example.com"

/* ---- feeding ---- */

struct rec {
	const char *ip;
	int64_t count;
	bool dkim_aligned, spf_aligned;
	const char *disposition;
	const char *dkim_domain, *dkim_result;
	const char *spf_domain, *spf_result;
	const char *reason;
	const char *header_from;
};

/* A record of x on day, its address matched to a known service (NULL: none). */
static void
add_rec_service(struct advisor *a, const struct rec *x, int64_t day, const char *service)
{
	struct advise_record r = { 0 };
	struct errbuf e;

	if (inet_pton(AF_INET, x->ip, r.ip + 12) == 1) {
		r.ip[10] = r.ip[11] = 0xff;
		r.family = 4;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, x->ip, r.ip), 1, "%s", x->ip);
		r.family = 6;
	}
	r.day = day;
	r.count = x->count;
	r.dkim_aligned = x->dkim_aligned;
	r.spf_aligned = x->spf_aligned;
	r.disposition = x->disposition != NULL ? x->disposition : "none";
	r.header_from = x->header_from != NULL ? x->header_from : DOMAIN;
	if (x->dkim_domain != NULL) {
		r.dkim[0] = (struct advise_auth){ x->dkim_domain, x->dkim_result, false };
		r.n_dkim = 1;
	}
	if (x->spf_domain != NULL) {
		r.spf[0] = (struct advise_auth){ x->spf_domain, x->spf_result, false };
		r.n_spf = 1;
	}
	if (x->reason != NULL) {
		r.reasons[0] = x->reason;
		r.n_reasons = 1;
	}
	r.service = service;
	cr_assert_eq(advisor_add_record(a, &r, &e), 0, "%s", e.msg);
}

static void
add_rec(struct advisor *a, const struct rec *x, int64_t day)
{
	add_rec_service(a, x, day, NULL);
}

/* Own servers, aligned: the bulk of a healthy domain's mail. */
static const struct rec own = { "192.0.2.10", 400, true, true, NULL, DOMAIN, "pass", DOMAIN, "pass",
	NULL, NULL };
/* A newsletter service passing SPF for its own domain only. */
static const struct rec service = { "198.51.100.7", 60, false, false, NULL, NULL, NULL,
	"mailer.example.net", "pass", NULL, NULL };
/* A mailing list: our DKIM broken, the list's SPF passing, the receiver says why. */
static const struct rec list = { "203.0.113.9", 6, false, false, NULL, DOMAIN, "fail",
	"lists.example.org", "pass", "mailing_list", NULL };

/* Feeds days [AS_OF - days + 1, AS_OF] with p (pct 100) and the records each day. */
static struct advisor *
scenario(enum policy p, int days, unsigned reporters, const struct rec *const *recs, size_t n,
    const struct advise_config *cfg)
{
	struct advise_config def;
	struct advisor *a;
	int64_t d;
	size_t i;

	if (cfg == NULL) {
		advise_config_default(&def);
		cfg = &def;
	}
	a = advisor_new(DOMAIN, AS_OF, cfg, POLICY_UNSET, -1);
	cr_assert_not_null(a);
	for (d = AS_OF - days + 1; d <= AS_OF; d++) {
		struct advise_policy_obs o = { .day_first = d,
			.day_last = d,
			.dialect = DIALECT_RFC7489,
			.p = p,
			.pct = 100 };
		int64_t total = 0;

		advisor_add_policy(a, &o);
		for (i = 0; i < n; i++) {
			add_rec(a, recs[i], d);
			total += recs[i]->count;
		}
		advisor_add_day(a, d, total);
	}
	advisor_set_reporters(a, reporters);
	return a;
}

/* A spoofer a day: scattered addresses, one message each, nothing passes. */
static void
add_spoofers(struct advisor *a, int days, int per_day)
{
	char ip[32];
	int d, i;

	for (d = 0; d < days; d++)
		for (i = 0; i < per_day; i++) {
			struct rec x = { ip, 1, false, false, NULL, NULL, NULL, DOMAIN, "softfail",
				NULL, NULL };

			snprintf(ip, sizeof ip, "100.%d.%d.%d", 64 + d % 60, i, 1 + d);
			add_rec(a, &x, AS_OF - d);
		}
}

static void
finish(struct advisor *a, struct advice *out)
{
	struct errbuf e;

	cr_assert_eq(advisor_finish(a, NULL, NULL, out, &e), 0, "%s", e.msg);
	advisor_free(a);
}

static const struct advise_condition *
cond(const struct advice *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->n_cond; i++)
		if (strcmp(a->cond[i].id, id) == 0)
			return &a->cond[i];
	cr_assert_fail("no condition %s", id);
	return NULL;
}

static const struct advise_sender *
sender(const struct advice *a, const char *label_part)
{
	size_t i;

	for (i = 0; i < a->n_senders; i++)
		if (strstr(a->senders[i].label, label_part) != NULL)
			return &a->senders[i];
	cr_assert_fail("no sender like %s", label_part);
	return NULL;
}

/* ---- known sources ---- */

Test(advise, known_values_are_canonical)
{
	static const struct {
		enum known_kind kind;
		const char *in, *out;
	} ok[] = {
		{ KNOWN_CIDR, "192.0.2.77/24", "192.0.2.0/24" },
		{ KNOWN_CIDR, "192.0.2.77", "192.0.2.77/32" },
		{ KNOWN_CIDR, "2001:DB8:1:2::5/48", "2001:db8:1::/48" },
		{ KNOWN_CIDR, "10.0.0.0/0", "0.0.0.0/0" },
		{ KNOWN_DKIM_DOMAIN, "Mailer.Example.NET", "mailer.example.net" },
		{ KNOWN_SPF_DOMAIN, "bounce.esp.example", "bounce.esp.example" },
	};
	static const struct {
		enum known_kind kind;
		const char *in;
	} bad[] = {
		{ KNOWN_CIDR, "192.0.2.0/33" },
		{ KNOWN_CIDR, "192.0.2/24" },
		{ KNOWN_CIDR, "x" },
		{ KNOWN_CIDR, "192.0.2.0/" },
		{ KNOWN_CIDR, "::1/129" },
		{ KNOWN_DKIM_DOMAIN, "" },
		{ KNOWN_DKIM_DOMAIN, ".example.com" },
		{ KNOWN_DKIM_DOMAIN, "exa mple.com" },
		{ KNOWN_SPF_DOMAIN, "<script>.com" },
	};
	char out[256];
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_assert_eq(known_value_canonical(ok[i].kind, ok[i].in, out, sizeof out, &e), 0,
		    "%s: %s", ok[i].in, e.msg);
		cr_assert_str_eq(out, ok[i].out);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(known_value_canonical(bad[i].kind, bad[i].in, out, sizeof out, &e), -1,
		    "%s accepted", bad[i].in);
}

/* ---- classification ---- */

Test(advise, sources_are_classified_by_what_their_mail_shows)
{
	const struct rec *recs[] = { &own, &service, &list };
	struct advisor *a = scenario(POLICY_NONE, 40, 4, recs, 3, NULL);
	struct advice out;
	const struct advise_sender *s;

	add_spoofers(a, 30, 3);
	finish(a, &out);
	s = sender(&out, "192.0.2.0/24");
	cr_assert_eq(s->cls, CLASS_ALIGNED);
	cr_assert_not(s->needs_review);
	cr_assert_eq(s->c[PERIOD_WINDOW].messages, 400 * 30);
	s = sender(&out, "mailer.example.net");
	cr_assert_eq(s->cls, CLASS_MISALIGNED);
	cr_assert_str_eq(s->networks, "198.51.100.0/24");
	cr_assert_not(s->identity_dkim, "the service authenticates with SPF");
	cr_assert(s->needs_review);
	s = sender(&out, "lists.example.org");
	cr_assert_eq(s->cls, CLASS_FORWARDER);
	cr_assert_eq(s->c[PERIOD_WINDOW].fail_indirect, 6 * 30);
	/* 90 scattered spoofers: each its own unauthorized sender */
	s = sender(&out, "100.64.0.0/24");
	cr_assert_eq(s->cls, CLASS_UNAUTHORIZED);
	cr_assert_not(s->needs_review, "one message is not notable");
	cr_assert_eq(out.totals.messages, (400 + 60 + 6) * 30 + 90);
	advice_free(&out);
}

/* Issue 15, finding 8: a confirmed SPF or DKIM domain names only mail where it passed. */
Test(advise, a_confirmed_domain_takes_only_the_mail_it_authenticated)
{
	const struct rec spoof = { "203.0.113.7", 50, false, false, NULL, DOMAIN, "fail", DOMAIN,
		"fail", NULL, NULL };
	const struct rec *recs[] = { &own, &spoof };
	struct advisor *a = scenario(POLICY_NONE, 40, 4, NULL, 0, NULL);
	struct known_source spf = { .id = 8,
		.kind = KNOWN_SPF_DOMAIN,
		.value = "example.com",
		.status = KNOWN_AUTHORIZED };
	struct known_source dkim = { .id = 9,
		.kind = KNOWN_DKIM_DOMAIN,
		.value = "example.com",
		.status = KNOWN_AUTHORIZED };
	const struct advise_sender *s;
	struct advice out;
	struct errbuf e;
	int64_t day;

	cr_assert_eq(advisor_add_known(a, &spf, &e), 0, "%s", e.msg);
	cr_assert_eq(advisor_add_known(a, &dkim, &e), 0, "%s", e.msg);
	for (day = AS_OF - 29; day <= AS_OF; day++) {
		add_rec(a, recs[0], day);
		add_rec(a, recs[1], day);
	}
	finish(a, &out);
	s = sender(&out, "(dkim_domain example.com)");
	cr_assert_eq(s->c[PERIOD_WINDOW].messages, 400 * 30, "the owner's own mail only");
	cr_assert_eq(s->cls, CLASS_ALIGNED);
	s = sender(&out, "203.0.113.0/24");
	cr_assert_not(s->confirmed, "the spoofer is not pulled into the confirmed entry");
	cr_assert_eq(s->c[PERIOD_WINDOW].messages, 50 * 30);
	advice_free(&out);
}

Test(advise, a_confirmed_source_takes_precedence_over_the_suggestion)
{
	const struct rec *recs[] = { &own, &service };
	struct advisor *a = scenario(POLICY_NONE, 40, 4, NULL, 0, NULL);
	struct known_source k = { .id = 7,
		.kind = KNOWN_CIDR,
		.value = "198.51.100.0/24",
		.label = "old newsletter",
		.status = KNOWN_UNAUTHORIZED };
	struct known_source d = { .id = 8,
		.kind = KNOWN_SPF_DOMAIN,
		.value = "example.com",
		.status = KNOWN_AUTHORIZED };
	struct advice out;
	struct errbuf e;
	const struct advise_sender *s;
	int64_t day;

	cr_assert_eq(advisor_add_known(a, &k, &e), 0, "%s", e.msg);
	cr_assert_eq(advisor_add_known(a, &d, &e), 0, "%s", e.msg);
	for (day = AS_OF - 29; day <= AS_OF; day++) {
		add_rec(a, recs[0], day);
		add_rec(a, recs[1], day);
	}
	finish(a, &out);
	s = sender(&out, "old newsletter (cidr 198.51.100.0/24)");
	cr_assert_eq(s->cls, CLASS_UNAUTHORIZED);
	cr_assert(s->confirmed);
	cr_assert_eq(s->known_id, 7);
	cr_assert_not(s->needs_review);
	/* the CIDR entry wins over the SPF domain entry; own mail matches the SPF entry */
	s = sender(&out, "authorized (spf_domain example.com)");
	cr_assert_eq(s->cls, CLASS_ALIGNED);
	cr_assert_eq(s->c[PERIOD_WINDOW].messages, 400 * 30);
	advice_free(&out);
}

/* ---- verdicts ---- */

Test(advise, a_clean_monitored_domain_is_ready_for_quarantine)
{
	const struct rec *recs[] = { &own, &list };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 2, NULL);
	struct advice out;
	size_t i;

	add_spoofers(a, 30, 5);
	finish(a, &out);
	for (i = 0; i < out.n_cond; i++)
		cr_assert(out.cond[i].ok, "%s: %s", out.cond[i].id, out.cond[i].measured);
	cr_assert_eq(out.verdict, VERDICT_READY);
	cr_assert_str_eq(out.step, "p=none -> p=quarantine; pct=10; t=y (first step)");
	cr_assert_str_eq(cond(&out, "A1")->measured, "45 days (since 2024-08-21)");
	cr_assert_eq(out.n_fixes, 0);
	advice_free(&out);
}

Test(advise, an_unconfigured_service_is_named_with_the_fix)
{
	const struct rec *recs[] = { &own, &service, &list };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 3, NULL);
	struct advice out;

	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert_not(cond(&out, "A4")->ok);
	cr_assert_str_eq(cond(&out, "A4")->measured, "87.0 % over the last 14 days");
	cr_assert_not(cond(&out, "A3")->ok);
	cr_assert_str_eq(out.fixes[0],
	    "Find out who this is: mailer.example.net (198.51.100.0/24) sends 12.9 % of "
	    "your mail (1,800 messages from 1 network) and passes SPF for mailer.example.net, "
	    "not for your domain. If it sends for you, set up DKIM signing with d=example.com "
	    "at that service (or a custom MAIL FROM under example.com); if not, say so: "
	    "dmarcd classify example.com spf mailer.example.net unauthorized.");
	advice_free(&out);
}

Test(advise, thin_data_is_provisional)
{
	const struct rec small = { "192.0.2.10", 10, true, true, NULL, DOMAIN, "pass", DOMAIN,
		"pass", NULL, NULL };
	const struct rec *recs[] = { &small };
	struct advisor *a = scenario(POLICY_NONE, 45, 1, recs, 1, NULL);
	struct advice out;

	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_PROVISIONAL);
	cr_assert_not(cond(&out, "A2")->ok);
	cr_assert(cond(&out, "A2")->data);
	cr_assert_str_eq(cond(&out, "A2")->measured,
	    "reports on 30 of the last 30 days, 1 reporters, 300 messages");
	advice_free(&out);
}

/*
 * 12 days at p=none: thin data (A2) with nothing to do but wait is
 * PROVISIONAL; with enough data and too few days (the owner's 60), NOT
 * READY, since only the days are missing.
 */
Test(advise, too_short_a_monitoring_period_is_provisional)
{
	const struct rec *recs[] = { &own };
	struct advise_config cfg;
	struct advisor *a = scenario(POLICY_NONE, 12, 4, recs, 1, NULL);
	struct advice out;

	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_PROVISIONAL);
	cr_assert(cond(&out, "A1")->wait);
	cr_assert_not(cond(&out, "A2")->ok);
	cr_assert_str_eq(out.fixes[0],
	    "Keep the current policy 18 more days before the next step.");
	advice_free(&out);

	advise_config_default(&cfg);
	cfg.min_days_none = 60;
	a = scenario(POLICY_NONE, 45, 4, recs, 1, &cfg);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert(cond(&out, "A2")->ok);
	cr_assert_not(cond(&out, "A1")->ok);
	advice_free(&out);
}

Test(advise, gate_b_wants_dkim_and_little_forwarded_mail)
{
	const struct rec spf_only = { "192.0.2.20", 100, false, true, NULL, NULL, NULL, DOMAIN,
		"pass", NULL, NULL };
	const struct rec list_q = { "203.0.113.9", 6, false, false, "quarantine", DOMAIN, "fail",
		"lists.example.org", "pass", NULL, NULL };
	const struct rec *recs[] = { &own, &spf_only, &list_q };
	struct advisor *a = scenario(POLICY_QUARANTINE, 45, 4, recs, 3, NULL);
	struct advice out;

	finish(a, &out);
	cr_assert_str_eq(out.step, "p=quarantine -> p=reject");
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert(cond(&out, "B1")->ok);
	cr_assert(cond(&out, "B2")->ok, "%s", cond(&out, "B2")->measured);
	cr_assert_not(cond(&out, "B4a")->ok);
	cr_assert_str_eq(cond(&out, "B4b")->measured, "worst: 192.0.2.0/24 at 80.0 %");
	cr_assert_not_null(strstr(out.fixes[1],
	                       "192.0.2.0/24 is DKIM-aligned for only 80.0 % of "
	                       "its mail: sign it with DKIM d=example.com"),
	    "%s", out.fixes[1]);
	cr_assert_not(cond(&out, "B6")->ok);
	cr_assert_str_eq(cond(&out, "B6")->measured, "180 messages (1.2 % of authorized mail)");
	advice_free(&out);
}

/*
 * Issue 15, finding 5: t=y seen once does not stick. RFC 9990 reports said
 * testing=y during the ramp, then left the element out (the schema allows it):
 * the domain is at full quarantine, and the next step is reject.
 */
Test(advise, a_testing_flag_left_out_later_ends_the_test_mode)
{
	const struct rec *recs[] = { &own };
	struct advise_config cfg;
	struct advisor *a;
	struct advice out;
	int64_t d;

	advise_config_default(&cfg);
	a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
	cr_assert_not_null(a);
	for (d = AS_OF - 89; d <= AS_OF; d++) {
		struct advise_policy_obs o = { .day_first = d,
			.day_last = d,
			.dialect = DIALECT_RFC9990,
			.p = POLICY_QUARANTINE,
			.pct = -1,
			.testing = d < AS_OF - 44 ? 'y' : 0 };

		advisor_add_policy(a, &o);
		add_rec(a, recs[0], d);
		advisor_add_day(a, d, recs[0]->count);
	}
	advisor_set_reporters(a, 4);
	finish(a, &out);
	cr_assert_not(out.testing);
	cr_assert_not(out.partial);
	cr_assert_str_eq(out.step, "p=quarantine -> p=reject");
	cr_assert_eq(out.policy_since_day, AS_OF - 44, "full quarantine since the test mode ended");
	advice_free(&out);
}

/*
 * pct as the reporters report it now (issue 15, finding 5): an RFC 7489
 * reporter saw pct=10 during the ramp, then stopped reporting; the RFC 9990
 * reporter that stayed sees full quarantine. The old pct does not stick; a
 * reporter still reporting pct=50 keeps the policy partial.
 */
Test(advise, pct_is_what_the_current_reporters_see)
{
	const struct rec *recs[] = { &own };
	struct advise_config cfg;
	struct advisor *a;
	struct advice out;
	int64_t d;

	advise_config_default(&cfg);
	for (int still = 0; still < 2; still++) {
		a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
		for (d = AS_OF - 89; d <= AS_OF; d++) {
			struct advise_policy_obs gone = { .reporter = "old-receiver",
				.day_first = d,
				.day_last = d,
				.dialect = DIALECT_RFC7489,
				.p = POLICY_QUARANTINE,
				.pct = still && d >= AS_OF - 44 ? 50 : 10 };
			struct advise_policy_obs new = { .reporter = "new-receiver",
				.day_first = d,
				.day_last = d,
				.dialect = DIALECT_RFC9990,
				.p = POLICY_QUARANTINE,
				.pct = -1,
				.testing = d < AS_OF - 44 ? 'y' : 0 };

			if (still || d < AS_OF - 44)
				advisor_add_policy(a, &gone);
			advisor_add_policy(a, &new);
			add_rec(a, recs[0], d);
			advisor_add_day(a, d, recs[0]->count);
		}
		advisor_set_reporters(a, 4);
		finish(a, &out);
		if (still) {
			cr_assert(out.partial);
			cr_assert_eq(out.pct, 50);
			cr_assert_str_eq(out.step, "partial quarantine -> full p=quarantine");
		} else {
			cr_assert_not(out.partial,
			    "pct=10 of a reporter gone quiet does not stick");
			cr_assert_eq(out.pct, 100);
			cr_assert_str_eq(out.step, "p=quarantine -> p=reject");
			cr_assert_eq(out.policy_since_day, AS_OF - 44 + 14,
			    "full since the quiet reporter's view aged out");
		}
		advice_free(&out);
	}
}

/* Issue 15, finding 9: "nobody posts to mailing lists" waives mailing-list mail only. */
Test(advise, no_mailing_lists_waives_mailing_list_mail_only)
{
	const struct rec fwd = { "203.0.113.9", 6, false, false, "quarantine", DOMAIN, "fail",
		"forwarder.example.net", "pass", "forwarded", NULL };
	const struct rec listed = { "203.0.113.9", 6, false, false, "quarantine", DOMAIN, "fail",
		"lists.example.org", "pass", "mailing_list", NULL };
	const struct rec *by_fwd[] = { &own, &fwd }, *by_list[] = { &own, &listed };
	struct advisor *a;
	struct advice out;

	a = scenario(POLICY_QUARANTINE, 45, 4, by_list, 2, NULL);
	advisor_set_domain(a, NULL, true);
	finish(a, &out);
	cr_assert(cond(&out, "B6")->ok, "%s", cond(&out, "B6")->measured);
	cr_assert_str_eq(cond(&out, "B6")->measured,
	    "0 messages (0.0 % of authorized mail); mailing-list mail left out: the owner says "
	    "nobody posts to mailing lists");
	advice_free(&out);

	a = scenario(POLICY_QUARANTINE, 45, 4, by_fwd, 2, NULL);
	advisor_set_domain(a, NULL, true);
	finish(a, &out);
	cr_assert_not(cond(&out, "B6")->ok, "plain forwarding is not waived: %s",
	    cond(&out, "B6")->measured);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	/* the owner's mail is DKIM-signed already: the fix says what breaks it, not "sign" */
	cr_assert_not_null(strstr(out.fixes[0],
	                       "although example.com's mail is DKIM-signed: the "
	                       "forwarders change it on the way"),
	    "%s", out.fixes[0]);
	advice_free(&out);
}

/* Issue 15, finding 7: the fix names the rate that fell short. */
Test(advise, a_dkim_shortfall_asks_for_dkim_not_for_passing_mail)
{
	const struct rec spf_only = { "192.0.2.20", 100, false, true, NULL, NULL, NULL, DOMAIN,
		"pass", NULL, NULL };
	const struct rec *recs[] = { &own, &spf_only };
	struct advisor *a = scenario(POLICY_QUARANTINE, 45, 4, recs, 2, NULL);
	struct advice out;
	size_t i;

	finish(a, &out);
	cr_assert_str_eq(out.step, "p=quarantine -> p=reject");
	cr_assert(cond(&out, "B3")->ok, "every authorized message passes: %s",
	    cond(&out, "B3")->measured);
	cr_assert_not(cond(&out, "B4a")->ok);
	cr_assert_str_eq(cond(&out, "B4a")->measured, "80.0 % over the last 30 days");
	for (i = 0; i < out.n_fixes; i++)
		cr_assert_null(strstr(out.fixes[i], "pass rate"), "fix %zu: %s", i, out.fixes[i]);
	cr_assert_str_eq(out.fixes[0],
	    "Raise the authorized DKIM-aligned rate from 80.0 % to 98.0 %: sign with DKIM "
	    "d=example.com (or a subdomain of it) at the sources listed below that pass by SPF "
	    "alone.");
	advice_free(&out);
}

Test(advise, a_domain_at_reject_is_guarded_against_regressions)
{
	const struct rec broken = { "192.0.2.10", 400, false, false, "reject", DOMAIN, "fail",
		DOMAIN, "fail", NULL, NULL };
	const struct rec *recs[] = { &own };
	struct advisor *a = scenario(POLICY_REJECT, 45, 4, recs, 1, NULL);
	struct advice out;
	int64_t d;

	for (d = AS_OF - 2; d <= AS_OF; d++)
		add_rec(a, &broken, d);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_REGRESSION);
	cr_assert_not(cond(&out, "R1")->ok);
	cr_assert_str_eq(cond(&out, "R1")->measured, "50.0 % (3 days) against 90.9 % (30 days)");
	cr_assert_eq(out.n_notes, 0, "no BIMI note while regressing");
	advice_free(&out);

	/* holding at reject: what BIMI needs beyond DMARC, and sp=none refused by it */
	a = scenario(POLICY_REJECT, 45, 4, recs, 1, NULL);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_AT_REJECT);
	cr_assert_not_null(
	    strstr(out.notes[0], "BIMI: at p=reject, example.com meets DMARC's part"), "%s",
	    out.notes[0]);
	advice_free(&out);
	a = scenario(POLICY_REJECT, 45, 4, recs, 1, NULL);
	advisor_set_domain(a, "v=DMARC1; p=reject; sp=none", false);
	finish(a, &out);
	cr_assert_not_null(strstr(out.notes[1], "BIMI (a logo in the inbox) also needs sp= other"),
	    "%s", out.notes[1]);
	advice_free(&out);
}

/* ---- impact and the next record ---- */

Test(advise, the_impact_splits_failing_mail_by_class)
{
	const struct rec *recs[] = { &own, &service, &list };
	struct advise_config cfg;
	struct advisor *a;
	struct advice out;
	struct errbuf e;

	advise_config_default(&cfg);
	a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_REJECT, 50);
	for (int64_t d = AS_OF - 44; d <= AS_OF; d++) {
		struct advise_policy_obs o = { .day_first = d,
			.day_last = d,
			.p = POLICY_NONE,
			.pct = -1 };

		advisor_add_policy(a, &o);
		for (size_t i = 0; i < 3; i++)
			add_rec(a, recs[i], d);
	}
	add_spoofers(a, 30, 2);
	cr_assert_eq(advisor_finish(a, NULL, NULL, &out, &e), 0);
	advisor_free(a);
	cr_assert_eq(out.impact.policy, POLICY_REJECT);
	cr_assert_eq(out.impact.pct, 50);
	cr_assert_eq(out.impact.failing, (60 + 6) * 30 + 60);
	cr_assert_eq(out.impact.legit_at_risk, 60 * 30 / 2);
	cr_assert_eq(out.impact.indirect_at_risk, 6 * 30 / 2);
	cr_assert_eq(out.impact.spoofing_stopped, 60 / 2);
	cr_assert_eq(out.impact.affected,
	    out.impact.legit_at_risk + out.impact.indirect_at_risk + out.impact.spoofing_stopped);
	cr_assert_eq(sender(&out, "mailer.example.net")->affected, 900);
	advice_free(&out);
}

Test(advise, the_next_record_keeps_the_owners_tags)
{
	static const struct {
		enum policy p;
		int pct;
		const char *record, *want;
	} cases[] = {
		{ POLICY_NONE, 100, "v=DMARC1; p=none; rua=mailto:d@example.com; fo=1",
		    "v=DMARC1; p=quarantine; rua=mailto:d@example.com; fo=1; pct=10; t=y" },
		{ POLICY_QUARANTINE, 10,
		    "v=DMARC1;p=quarantine;pct=10;t=y;rua=mailto:d@example.com",
		    "v=DMARC1; p=quarantine; rua=mailto:d@example.com" },
		{ POLICY_QUARANTINE, 100,
		    "rua=mailto:d@example.com; v=DMARC1; sp=none; p=quarantine",
		    "v=DMARC1; p=reject; rua=mailto:d@example.com; sp=none; np=reject" },
		{ POLICY_NONE, 100, NULL,
		    "v=DMARC1; p=quarantine; pct=10; t=y; "
		    "rua=mailto:YOUR-RUA-ADDRESS" },
	};
	struct advise_config cfg;
	size_t i;

	advise_config_default(&cfg);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct advisor *a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
		struct advise_policy_obs o = { .day_first = AS_OF,
			.day_last = AS_OF,
			.p = cases[i].p,
			.pct = cases[i].pct,
			.testing = cases[i].pct < 100 ? 'y' : 0 };
		struct advice out;

		advisor_set_domain(a, cases[i].record, false);
		advisor_add_policy(a, &o);
		finish(a, &out);
		cr_assert_str_eq(out.next_record, cases[i].want, "case %zu", i);
		cr_assert_eq(out.record_complete, cases[i].record != NULL, "case %zu", i);
		advice_free(&out);
	}
}

Test(advise, a_steady_unauthenticated_sender_needs_the_owners_word)
{
	const struct rec printer = { "203.0.113.50", 30, false, false, NULL, NULL, NULL, DOMAIN,
		"fail", NULL, NULL };
	const struct rec *recs[] = { &own, &printer };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 2, NULL);
	struct advice out;

	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY,
	    "an unreviewed steady sender at 7 %% of the mail is not thin data: the owner must "
	    "say who it is (issue 15, finding 2)");
	cr_assert_not(cond(&out, "A3")->data);
	cr_assert_not(cond(&out, "A3")->ok);
	cr_assert_str_eq(cond(&out, "A3")->measured, "1 source to review");
	cr_assert_str_eq(out.fixes[0],
	    "203.0.113.0/24 sent 900 messages (7.0 % of your mail) "
	    "with no valid authentication for your domain. If it is yours (a server, an "
	    "application, a printer), add it to SPF and sign with DKIM d=example.com; if not, "
	    "confirm it: dmarcd classify example.com cidr 203.0.113.0/24 unauthorized.");
	advice_free(&out);
}

/*
 * A helpdesk signing with its own d= from 40 networks, a message or two from
 * each now and then: by shape it is scattered spoofing, but it has one
 * consistent identity, so it is one sender, never guessed unauthorized, and
 * at quarantine its unreviewed mail keeps reject away (issue 15, finding 1).
 * Mail that authenticates as nothing, from the networks of one known
 * service, is one sender by that service in the same way.
 */
Test(advise, a_consistent_identity_is_one_sender_wherever_it_sends_from)
{
	const struct rec own_enforced = { "192.0.2.10", 400, true, true, NULL, DOMAIN, "pass",
		DOMAIN, "pass", NULL, NULL };
	const struct rec *recs[] = { &own_enforced };
	char ip[32];
	struct advisor *a;
	struct advice out;
	size_t i;
	int d, j;

	for (int by_service = 0; by_service < 2; by_service++) {
		a = scenario(POLICY_QUARANTINE, 45, 4, recs, 1, NULL);
		for (d = 0; d < 45; d++)
			for (j = 0; j < 3; j++) {
				struct rec x = { ip, 1, false, false, "quarantine",
					by_service ? NULL : "helpdesk-mail.example", "pass",
					by_service ? DOMAIN : "bounces.helpdesk-mail.example",
					by_service ? "softfail" : "pass", NULL, NULL };

				snprintf(ip, sizeof ip, "198.18.%d.7", (d * 3 + j) % 40);
				add_rec_service(a, &x, AS_OF - d, by_service ? "helpdesk" : NULL);
			}
		if (by_service) {
			const struct advise_service hd = { "helpdesk", "Helpdesk Inc", "", "" };
			struct errbuf e;

			cr_assert_eq(advisor_add_service(a, &hd, &e), 0);
		}
		finish(a, &out);
		for (i = 0; i < out.n_senders; i++)
			if (strstr(out.senders[i].label,
			        by_service ? "Helpdesk Inc" : "helpdesk-mail.example") != NULL)
				break;
		cr_assert_lt(i, out.n_senders, "the helpdesk is listed");
		cr_assert_eq(out.senders[i].n_networks, 40, "one sender over its 40 networks");
		cr_assert_eq(out.senders[i].cls, CLASS_MISALIGNED,
		    "a consistent identity is never guessed unauthorized");
		cr_assert(out.senders[i].needs_review);
		cr_assert_eq(out.verdict, VERDICT_NOT_READY, "p=quarantine -> p=reject");
		cr_assert_not(cond(&out, "A3")->ok);
		cr_assert_not_null(strstr(out.fixes[0],
		                       by_service ? "that fail DMARC. If you send through "
		                                    "Helpdesk Inc, get its mail aligned" :
		                                    "Find out who this is: "
		                                    "helpdesk-mail.example"),
		    "%s", out.fixes[0]);
		advice_free(&out);
	}
}

/* A domain whose only mail is scattered spoofing, watched days by reporters. */
static struct advisor *
parked_domain(int days, unsigned reporters)
{
	struct advisor *a = scenario(POLICY_NONE, days, reporters, NULL, 0, NULL);

	add_spoofers(a, days, 20);
	for (int d = 0; d < days; d++)
		advisor_add_day(a, AS_OF - d, 20);
	return a;
}

/*
 * A domain with no legitimate mail gets the parked-domain path: straight to
 * p=reject and sp=reject, with the rest of the recipe (issue 15, finding
 * 3); watched too briefly it waits, on thin data it is PROVISIONAL.
 */
Test(advise, a_parked_domain_goes_straight_to_reject)
{
	struct advice out;
	struct advisor *a;

	a = parked_domain(45, 4);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_READY, "%s", out.n_fixes ? out.fixes[0] : "");
	cr_assert_str_eq(out.step, "parked domain: p=none -> p=reject; sp=reject");
	cr_assert(cond(&out, "P1")->ok);
	cr_assert_str_eq(cond(&out, "A2")->measured,
	    "reports on 30 of the last 30 days, 4 reporters, 600 messages",
	    "600 messages are enough: a parked domain's mail is only spoofing");
	cr_assert_str_eq(out.next_record,
	    "v=DMARC1; p=reject; sp=reject; rua=mailto:YOUR-RUA-ADDRESS");
	cr_assert_not_null(strstr(out.notes[0], "\"v=spf1 -all\""), "%s", out.notes[0]);
	cr_assert_not_null(strstr(out.notes[0], "\"MX 0 .\" (RFC 7505"), "%s", out.notes[0]);
	cr_assert_not_null(strstr(out.notes[0], "no DKIM keys"), "%s", out.notes[0]);
	cr_assert_eq(out.impact.policy, POLICY_REJECT);
	cr_assert_eq(out.impact.legit_at_risk, 0);
	advice_free(&out);

	a = parked_domain(12, 4);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_PROVISIONAL);
	cr_assert_not(cond(&out, "A1")->ok);
	cr_assert_not_null(strstr(out.fixes[0], "it looks parked. Watch it 18 more days"), "%s",
	    out.fixes[0]);
	advice_free(&out);

	a = parked_domain(45, 1);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_PROVISIONAL);
	advice_free(&out);
}

/* An application mailing From app.example.com with no authentication, steadily. */
static const struct rec app = { "198.51.100.80", 30, false, false, NULL, NULL, NULL,
	"app.example.com", "fail", NULL, "app.example.com" };

/*
 * Subdomain senders (issue 15, finding 4): an unauthenticated application at
 * app.example.com blocks the first step unless sp= keeps subdomains out on
 * purpose (then np= covers the names that do not exist); at the reject step
 * a confirmed subdomain sender that fails is checked too (B8).
 */
Test(advise, subdomain_senders_block_the_step_or_sp_is_set_on_purpose)
{
	const struct rec *recs[] = { &own, &app };
	const struct rec app_passing = { "198.51.100.80", 30, false, true, "quarantine", NULL, NULL,
		"app.example.com", "pass", NULL, "app.example.com" };
	const struct rec app_failing = { "198.51.100.80", 3, false, false, "quarantine", NULL, NULL,
		"app.example.com", "fail", NULL, "app.example.com" };
	struct known_source k = { .id = 3,
		.kind = KNOWN_CIDR,
		.value = "198.51.100.80/32",
		.label = "app",
		.status = KNOWN_AUTHORIZED };
	struct advise_policy_obs sp_none = { .day_first = AS_OF,
		.day_last = AS_OF,
		.dialect = DIALECT_RFC7489,
		.p = POLICY_NONE,
		.sp = POLICY_NONE,
		.pct = 100 };
	struct advisor *a;
	struct advice out;
	struct errbuf e;
	int64_t d;

	a = scenario(POLICY_NONE, 45, 4, recs, 2, NULL);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert_not(cond(&out, "A7")->ok, "%s", cond(&out, "A7")->measured);
	cr_assert_str_eq(cond(&out, "A7")->measured,
	    "900 subdomain messages pass at 0.0 %; no sp= (sp = p)");
	cr_assert_str_eq(out.fixes[1],
	    "198.51.100.0/24 sends 900 messages From app.example.com (7.0 % of your mail) that "
	    "fail DMARC, and p=quarantine would apply to them since there is no sp=: "
	    "authenticate that mail (DKIM d=app.example.com or d=example.com, SPF for its "
	    "envelope), or publish sp=none on purpose to keep subdomains out of the policy, "
	    "with np=quarantine so that names that do not exist stay covered.");
	advice_free(&out);

	a = scenario(POLICY_NONE, 45, 4, recs, 2, NULL);
	advisor_add_policy(a, &sp_none);
	finish(a, &out);
	cr_assert_not(cond(&out, "A7")->ok, "reports showing sp = p say nothing of the record");
	advice_free(&out);

	a = scenario(POLICY_NONE, 45, 4, recs, 2, NULL);
	advisor_set_domain(a, "v=DMARC1; p=none; sp=none", false);
	finish(a, &out);
	cr_assert(cond(&out, "A7")->ok, "%s", cond(&out, "A7")->measured);
	cr_assert_str_eq(out.next_record,
	    "v=DMARC1; p=quarantine; sp=none; np=quarantine; pct=10; t=y; "
	    "rua=mailto:YOUR-RUA-ADDRESS");
	cr_assert_not_null(strstr(out.notes[0], "sp=none keeps mail From subdomains"), "%s",
	    out.notes[0]);
	advice_free(&out);

	/* at quarantine: the confirmed application fails 1 in 11, reject would lose it */
	a = scenario(POLICY_QUARANTINE, 45, 4, NULL, 0, NULL);
	cr_assert_eq(advisor_add_known(a, &k, &e), 0, "%s", e.msg);
	for (d = AS_OF - 44; d <= AS_OF; d++) {
		add_rec(a, &own, d);
		add_rec(a, &app_passing, d);
		add_rec(a, &app_failing, d);
	}
	finish(a, &out);
	cr_assert_str_eq(out.step, "p=quarantine -> p=reject");
	cr_assert_not(cond(&out, "B8")->ok);
	cr_assert_str_eq(cond(&out, "B8")->measured,
	    "990 subdomain messages pass at 90.9 %; no sp= (sp = p)");
	advice_free(&out);
}

Test(advise, a_known_service_is_named_and_its_fix_is_in_its_own_words)
{
	const struct rec *recs[] = { &own };
	const struct advise_service sg = { "sendgrid", "Twilio SendGrid",
		"Authenticate your domain in SendGrid.", "https://docs.example/sendgrid" };
	const struct advise_service other = { "hubspot", "HubSpot", "Connect your domain.", "" };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 1, NULL);
	const struct advise_sender *s;
	struct advice out;
	struct errbuf e;
	int64_t d;

	cr_assert_eq(advisor_add_service(a, &other, &e), 0, "%s", e.msg);
	cr_assert_eq(advisor_add_service(a, &sg, &e), 0, "%s", e.msg);
	for (d = AS_OF - 44; d <= AS_OF; d++)
		add_rec_service(a, &service, d, "sendgrid");
	finish(a, &out);
	s = sender(&out, "Twilio SendGrid");
	cr_assert_str_eq(s->label, "Twilio SendGrid: mailer.example.net (198.51.100.0/24)");
	cr_assert_str_eq(s->service, "sendgrid");
	cr_assert_str_eq(s->service_name, "Twilio SendGrid");
	cr_assert_str_eq(s->service_doc, "https://docs.example/sendgrid");
	cr_assert_str_eq(out.fixes[0],
	    "Twilio SendGrid: mailer.example.net (198.51.100.0/24) sends 13.0 % of your "
	    "mail (1,800 messages from 1 network) and passes SPF for mailer.example.net, not "
	    "for your domain. If it sends for you, set up DKIM signing with d=example.com at "
	    "that service (or a custom MAIL FROM under example.com); if not, say so: dmarcd "
	    "classify example.com spf mailer.example.net unauthorized. In Twilio SendGrid: Authenticate your domain in SendGrid. "
	    "(https://docs.example/sendgrid)");
	s = sender(&out, "192.0.2.0/24");
	cr_assert_str_eq(s->service, "", "a sender whose addresses matched nothing has no service");
	advice_free(&out);
}

Test(advise, a_service_is_named_by_its_registrable_domain)
{
	const struct rec a1 = { "198.51.100.7", 40, false, false, NULL, NULL, NULL,
		"mail65.suw43.mcdlv.net", "pass", NULL, NULL };
	const struct rec a2 = { "198.51.101.8", 40, false, false, NULL, NULL, NULL,
		"bounce.mcdlv.net", "pass", NULL, NULL };
	const struct rec b1 = { "203.0.113.7", 30, false, false, NULL, "news.shop.co.uk", "pass",
		DOMAIN, "fail", NULL, NULL };
	const struct rec *recs[] = { &own, &a1, &a2, &b1 };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 4, NULL);
	struct advice out;
	const struct advise_sender *s;

	finish(a, &out);
	s = sender(&out, "mcdlv.net (");
	cr_assert_str_eq(s->identity, "mcdlv.net");
	cr_assert_eq(s->n_networks, 2);
	cr_assert_eq(s->c[PERIOD_WINDOW].messages, 80 * 30);
	s = sender(&out, "shop.co.uk (203.0.113.0/24)");
	cr_assert(s->identity_dkim);
	advice_free(&out);
}

/* The Public Suffix List, not a count of labels: what "the last two labels" got wrong. */
Test(advise, services_are_grouped_by_the_public_suffix_list)
{
	const struct rec a1 = { "198.51.100.7", 40, false, false, NULL, NULL, NULL, "em.abc.io",
		"pass", NULL, NULL };
	const struct rec a2 = { "198.51.101.8", 40, false, false, NULL, NULL, NULL, "bounce.abc.io",
		"pass", NULL, NULL };
	const struct rec b1 = { "203.0.113.7", 30, false, false, NULL, "mail.gmx.de", "pass",
		DOMAIN, "fail", NULL, NULL };
	const struct rec b2 = { "203.0.114.7", 30, false, false, NULL, "mout.gmx.de", "pass",
		DOMAIN, "fail", NULL, NULL };
	const struct rec c1 = { "192.0.2.50", 25, false, false, NULL, "one.github.io", "pass",
		DOMAIN, "fail", NULL, NULL };
	const struct rec c2 = { "192.0.2.51", 25, false, false, NULL, "two.github.io", "pass",
		DOMAIN, "fail", NULL, NULL };
	const struct rec *recs[] = { &own, &a1, &a2, &b1, &b2, &c1, &c2 };
	struct advisor *a = scenario(POLICY_NONE, 45, 4, recs, 7, NULL);
	struct advice out;
	const struct advise_sender *s;

	finish(a, &out);
	s = sender(&out, "abc.io (");
	cr_assert_str_eq(s->identity, "abc.io", "em.abc.io and bounce.abc.io are one service");
	cr_assert_eq(s->n_networks, 2);
	s = sender(&out, "gmx.de (");
	cr_assert_str_eq(s->identity, "gmx.de", "mail.gmx.de and mout.gmx.de are one service");
	cr_assert_eq(s->n_networks, 2);
	cr_assert_neq(sender(&out, "one.github.io ("), sender(&out, "two.github.io ("),
	    "github.io is a public suffix: two owners, two senders");
	advice_free(&out);
}

/* RFC 7489 reports say pct=50, RFC 9990 ones testing=n without pct: one partial policy. */
Test(advise, reports_of_both_kinds_describe_one_policy)
{
	struct advise_config cfg;
	struct advisor *a;
	struct advice out;
	int64_t d;

	advise_config_default(&cfg);
	a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
	for (d = AS_OF - 19; d <= AS_OF; d++) {
		struct advise_policy_obs o7489 = { .day_first = d,
			.day_last = d,
			.dialect = DIALECT_RFC7489,
			.p = POLICY_QUARANTINE,
			.pct = 50 };
		struct advise_policy_obs o9990 = { .day_first = d,
			.day_last = d,
			.dialect = DIALECT_RFC9990,
			.p = POLICY_QUARANTINE,
			.pct = -1,
			.testing = 'n' };

		advisor_add_policy(a, &o7489);
		advisor_add_policy(a, &o9990);
		add_rec(a, &own, d);
	}
	finish(a, &out);
	cr_assert(out.partial);
	cr_assert_eq(out.pct, 50);
	cr_assert_eq(out.policy_since_day, AS_OF - 19);
	cr_assert_eq(out.last_change_day, -1);
	cr_assert_str_eq(out.step, "partial quarantine -> full p=quarantine");
	advice_free(&out);
}

/*
 * No report at all: the only advice is to start monitoring, p=none with
 * rua=; never a quarantine record on no data (issue 15, finding 6).
 */
Test(advise, a_domain_without_reports_is_told_to_monitor_first)
{
	struct advise_config cfg;
	struct advisor *a;
	struct advice out;

	advise_config_default(&cfg);
	cfg.rua = "mailto:d@example.com";
	a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
	finish(a, &out);
	cr_assert_not(out.has_data);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert_str_eq(out.step, "no reports yet");
	cr_assert_str_eq(out.next_record, "v=DMARC1; p=none; rua=mailto:d@example.com");
	cr_assert_not_null(strstr(out.fixes[0], "publish the record below (p=none, with rua="),
	    "%s", out.fixes[0]);
	cr_assert_eq(out.n_senders, 0);
	advice_free(&out);

	/* the owner's record already enforces: never advised down, nor up */
	a = advisor_new(DOMAIN, AS_OF, &cfg, POLICY_UNSET, -1);
	advisor_set_domain(a, "v=DMARC1; p=quarantine; rua=mailto:r@example.com", false);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert_str_eq(out.next_record, "v=DMARC1; p=quarantine; rua=mailto:r@example.com");
	cr_assert_not_null(strstr(out.fixes[0], "although its record has p=quarantine"), "%s",
	    out.fixes[0]);
	advice_free(&out);
}

/*
 * Clean data that ended 60 days ago: no READY, and the fix says the
 * reports stopped (issue 15, finding 6). The same data judged on its
 * last day is READY; at p=reject, old data is said but is no regression.
 */
Test(advise, stale_data_gives_no_verdict)
{
	const struct rec *recs[] = { &own };
	struct advisor *a;
	struct advice out;

	a = scenario(POLICY_NONE, 45, 4, recs, 1, NULL);
	advisor_set_today(a, AS_OF + 60);
	add_spoofers(a, 45, 3);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_NOT_READY);
	cr_assert_not(cond(&out, "D1")->ok);
	cr_assert_str_eq(cond(&out, "D1")->measured,
	    "the newest report ends 2024-10-04, 60 days before 2024-12-03");
	cr_assert_not_null(strstr(out.fixes[0], "No report since 2024-10-04 (60 days"), "%s",
	    out.fixes[0]);
	advice_free(&out);

	a = scenario(POLICY_NONE, 45, 4, recs, 1, NULL);
	advisor_set_today(a, AS_OF + 4);
	add_spoofers(a, 45, 3);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_READY, "%s", out.n_fixes ? out.fixes[0] : "");
	cr_assert(cond(&out, "D1")->ok);
	advice_free(&out);

	a = scenario(POLICY_REJECT, 45, 4, recs, 1, NULL);
	advisor_set_today(a, AS_OF + 60);
	finish(a, &out);
	cr_assert_eq(out.verdict, VERDICT_AT_REJECT);
	cr_assert_not(cond(&out, "D1")->ok);
	advice_free(&out);
}
