/*
 * report_leaf: the text of each leaf element of an aggregate report,
 * normalised (report_norm.c) into the report's header or current record.
 */
#include "report_leaf.h"

#include "bounds.h"
#include "flags.h"
#include "report_norm.h"

static void
add_error_text(struct agg_report *r, struct report_leaf_hdr *h, const char *t, size_t n)
{
	t = norm_trim(t, n, &n);
	if (n == 0)
		return;
	if (h->errors == NULL)
		h->errors = g_string_new(NULL);
	else if (h->errors->len < BOUND_XML_ERROR_TEXT)
		g_string_append_c(h->errors, '\n');
	if (n > BOUND_XML_ERROR_TEXT - h->errors->len) {
		n = BOUND_XML_ERROR_TEXT - h->errors->len;
		r->flags |= W_TEXT_TRUNCATED;
	}
	g_string_append_len(h->errors, t, (gssize)n);
	r->errors = h->errors->str;
}

void
report_leaf_header(struct agg_report *r, struct report_leaf_hdr *h, struct arena *a, enum el id,
    const char *t, size_t n)
{
	switch (id) {
	case E_VERSION:
		r->xml_version = norm_text(a, t, n);
		break;
	case E_ORG:
		r->org_name = norm_collapse(a, t, n);
		break;
	case E_EMAIL:
		r->org_email = norm_text(a, t, n);
		break;
	case E_EXTRA:
		r->extra_contact = norm_text(a, t, n);
		break;
	case E_RID:
		r->report_id = norm_report_id(a, t, n);
		break;
	case E_BEGIN:
		h->begin_raw = arena_strndup(a, t, n);
		break;
	case E_END:
		h->end_raw = arena_strndup(a, t, n);
		break;
	case E_ERROR:
		add_error_text(r, h, t, n);
		break;
	case E_GENERATOR:
		r->generator = norm_text(a, t, n);
		break;
	case E_PDOMAIN:
		r->policy_domain = norm_domain(a, t, n, &r->flags);
		break;
	case E_ADKIM:
		r->adkim = norm_alignment(t, n, &r->flags);
		break;
	case E_ASPF:
		r->aspf = norm_alignment(t, n, &r->flags);
		break;
	case E_P:
		r->p = norm_policy(t, n, &r->flags);
		break;
	case E_SP:
		r->sp = norm_policy(t, n, &r->flags);
		break;
	case E_NP:
		r->np = norm_policy(t, n, &r->flags);
		break;
	case E_PCT:
		r->pct = norm_pct(t, n, &r->flags);
		break;
	case E_FO:
		r->fo = norm_text(a, t, n);
		break;
	case E_TESTING:
		r->testing = norm_testing(t, n, &r->flags);
		break;
	case E_DISCOVERY:
		r->discovery_method = norm_discovery(a, t, n, &r->flags);
		break;
	default:
		break;
	}
}

void
report_leaf_record(struct agg_record *rec, enum report_dialect dialect, struct arena *a, enum el id,
    const char *t, size_t n)
{
	struct override_reason *rs = &rec->reasons[rec->n_reasons];
	struct dkim_result *dk = &rec->dkim[rec->n_dkim];
	struct spf_result *sp = &rec->spf[rec->n_spf];
	uint64_t *fl = &rec->flags;

	switch (id) {
	case E_IP:
		norm_ip(a, t, n, rec);
		break;
	case E_DISP:
		rec->disposition = norm_disposition(a, t, n, fl, &rec->disposition_raw);
		break;
	case E_PE_DKIM:
		rec->pe_dkim = norm_dmarc_result(t, n, fl);
		break;
	case E_PE_SPF:
		rec->pe_spf = norm_dmarc_result(t, n, fl);
		break;
	case E_HFROM:
		rec->header_from = norm_domain(a, t, n, fl);
		break;
	case E_EFROM:
		rec->envelope_from = norm_domain(a, t, n, fl);
		break;
	case E_ETO:
		rec->envelope_to = norm_domain(a, t, n, fl);
		break;
	case E_DDOMAIN:
		dk->domain = norm_domain(a, t, n, fl);
		break;
	case E_DSEL:
		dk->selector = norm_text(a, t, n);
		break;
	case E_DRESULT:
		dk->result = norm_auth_result(a, t, n, fl, &dk->result_raw);
		break;
	case E_DHUMAN:
		dk->human_result = norm_text(a, t, n);
		break;
	case E_SDOMAIN:
		sp->domain = norm_domain(a, t, n, fl);
		break;
	case E_SSCOPE:
		sp->scope = norm_scope(t, n, fl);
		break;
	case E_SRESULT:
		sp->result = norm_auth_result(a, t, n, fl, &sp->result_raw);
		break;
	case E_SHUMAN:
		sp->human_result = norm_text(a, t, n);
		break;
	case E_COUNT:
		if (norm_count(t, n, &rec->count, fl) == -1)
			rec->flags |= W_RECORD_DROPPED; /* marks the record, see record_end */
		break;
	case E_RTYPE:
		rs->type = norm_override(a, t, n, fl, &rs->type_raw);
		if (dialect == DIALECT_RFC9990 &&
		    (rs->type == OVERRIDE_FORWARDED || rs->type == OVERRIDE_SAMPLED_OUT))
			rec->flags |= W_RFC9990_DEVIATION;
		break;
	case E_RCOMMENT:
		rs->comment = norm_text(a, t, n);
		break;
	default:
		break;
	}
}
