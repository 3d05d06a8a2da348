#include "advice_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "days.h"
#include "json.h"

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
		days_text(day, d);
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
	field_str(out, "service", s->service, true);
	field_str(out, "service_name", s->service_name, true);
	field_str(out, "service_doc", s->service_doc, true);
	field_str(out, "subdomain", s->subdomain, true);
	fprintf(out, ",\"subdomain_messages\":%" PRId64 ",\"subdomain_pass\":%" PRId64,
	    s->sub_messages, s->sub_pass);
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
advice_json_write(FILE *out, const struct advice *a)
{
	static const char *const classes[] = { "aligned", "misaligned", "forwarder",
		"unauthorized" };
	const struct advise_impact *im = &a->impact;
	size_t i;

	fputc('{', out);
	field_str(out, "domain", a->domain, false);
	field_day(out, "as_of", a->as_of_day);
	field_day(out, "today", a->today);
	field_day(out, "newest_report", a->newest_day);
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
