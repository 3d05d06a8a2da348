/*
 * report_xml: the streaming aggregate-report parser. libxml2's push parser
 * (SAX2 callbacks, no tree) is fed chunks of an xml_feed (xml_feed.h); a state
 * machine on local names fills one agg_report and reuses one agg_record,
 * which go to the sink one by one; what a leaf's text means is report_leaf's.
 * Element names are compared as pointers into the parser's dictionary;
 * strings live in two arenas, the header's and the current record's, which
 * is reset record by record.
 */
#include "report_xml.h"

#include <glib.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/dict.h>
#include <string.h>

#include "arena.h"
#include "flags.h"
#include "num.h"
#include "report_hdr.h"
#include "report_leaf.h"
#include "report_norm.h"
#include "xml_feed.h"

#define NS_DMARC2 "urn:ietf:params:xml:ns:dmarc-2.0"
#define XML_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_NOERROR | \
	    XML_PARSE_NOWARNING)

#define BIT(id) (UINT64_C(1) << (id))

_Static_assert(E_LAST <= 64, "element ids index a uint64_t mask");

/* how an element is handled */
enum kind { K_LEAF, K_BLOCK, K_MULTI_LEAF, K_MULTI_BLOCK, K_IGNORE };
/* which "seen" mask detects a duplicate */
enum scope { S_HDR, S_REC, S_SUB };

struct rule {
	enum el parent;
	const char *name;
	enum el id;
	enum kind kind;
	enum scope scope;
};

/* The number of element rules (RULES); under 256, as first[] and last[] index them. */
#define N_RULES 51

enum { NOT_BEGUN, BEGUN_RECORDS, BEGUN_SKIP };

struct parse {
	const struct report_hints *hints;
	const struct report_sink *sink;
	struct errbuf *e;
	enum refusal why;
	bool sink_failed, root_closed, stopped;
	xmlParserCtxtPtr ctxt;
	struct xml_feed feed;
	struct agg_report rep;
	struct agg_record rec;
	struct arena hdr, recs;        /* strings of the header, of the current record */
	const xmlChar *names[N_RULES]; /* RULES' names in the parser's dictionary */
	const xmlChar *feedback, *ns2; /* "feedback" and NS_DMARC2 there */
	unsigned char first[E_LAST], last[E_LAST]; /* each parent's rules (none: first > last) */
	enum el stack[BOUND_XML_DEPTH + 1];
	int depth;                  /* elements open */
	int skip_depth, leaf_depth; /* -1 when not skipping / not in a leaf */
	char *text;                 /* text of the current leaf, BOUND_XML_TEXT */
	size_t text_len;
	bool text_trunc, in_record, is_rfc9990_ns, reason_nonempty;
	uint64_t seen[3];                /* per scope: single elements already met */
	uint64_t present;                /* every element met, for the dialect */
	struct report_leaf_hdr leaf_hdr; /* header texts outside the report model */
	int begun;
	uint64_t n_records;     /* <record> elements, dropped ones included */
	int xml_code, xml_line; /* first libxml2 error */
	char xml_msg[256];
};

/* Grouped by parent, which keeps find_rule's scan of one parent's rules short. */
static const struct rule RULES[] = {
	{ E_ROOT, "version", E_VERSION, K_LEAF, S_HDR },
	{ E_ROOT, "report_metadata", E_META, K_BLOCK, S_HDR },
	{ E_ROOT, "policy_published", E_POLICY, K_BLOCK, S_HDR },
	{ E_ROOT, "record", E_RECORD, K_MULTI_BLOCK, S_HDR },
	{ E_ROOT, "extension", E_EXTENSION, K_IGNORE, S_HDR },
	{ E_ROOT, "generator", E_GENERATOR, K_LEAF, S_HDR },
	{ E_META, "org_name", E_ORG, K_LEAF, S_HDR },
	{ E_META, "email", E_EMAIL, K_LEAF, S_HDR },
	{ E_META, "extra_contact_info", E_EXTRA, K_LEAF, S_HDR },
	{ E_META, "report_id", E_RID, K_LEAF, S_HDR },
	{ E_META, "date_range", E_RANGE, K_BLOCK, S_HDR },
	{ E_META, "error", E_ERROR, K_MULTI_LEAF, S_HDR },
	{ E_META, "generator", E_GENERATOR, K_LEAF, S_HDR },
	{ E_RANGE, "begin", E_BEGIN, K_LEAF, S_HDR },
	{ E_RANGE, "end", E_END, K_LEAF, S_HDR },
	{ E_POLICY, "domain", E_PDOMAIN, K_LEAF, S_HDR },
	{ E_POLICY, "adkim", E_ADKIM, K_LEAF, S_HDR },
	{ E_POLICY, "aspf", E_ASPF, K_LEAF, S_HDR },
	{ E_POLICY, "p", E_P, K_LEAF, S_HDR },
	{ E_POLICY, "sp", E_SP, K_LEAF, S_HDR },
	{ E_POLICY, "np", E_NP, K_LEAF, S_HDR },
	{ E_POLICY, "pct", E_PCT, K_LEAF, S_HDR },
	{ E_POLICY, "fo", E_FO, K_LEAF, S_HDR },
	{ E_POLICY, "testing", E_TESTING, K_LEAF, S_HDR },
	{ E_POLICY, "discovery_method", E_DISCOVERY, K_LEAF, S_HDR },
	{ E_RECORD, "row", E_ROW, K_BLOCK, S_REC },
	{ E_RECORD, "identifiers", E_IDS, K_BLOCK, S_REC },
	{ E_RECORD, "identities", E_IDS, K_BLOCK, S_REC },
	{ E_RECORD, "auth_results", E_AUTH, K_BLOCK, S_REC },
	{ E_ROW, "source_ip", E_IP, K_LEAF, S_REC },
	{ E_ROW, "count", E_COUNT, K_LEAF, S_REC },
	{ E_ROW, "policy_evaluated", E_PE, K_BLOCK, S_REC },
	{ E_PE, "disposition", E_DISP, K_LEAF, S_REC },
	{ E_PE, "dkim", E_PE_DKIM, K_LEAF, S_REC },
	{ E_PE, "spf", E_PE_SPF, K_LEAF, S_REC },
	{ E_PE, "reason", E_REASON, K_MULTI_BLOCK, S_REC },
	{ E_REASON, "type", E_RTYPE, K_LEAF, S_SUB },
	{ E_REASON, "comment", E_RCOMMENT, K_LEAF, S_SUB },
	{ E_IDS, "header_from", E_HFROM, K_LEAF, S_REC },
	{ E_IDS, "envelope_from", E_EFROM, K_LEAF, S_REC },
	{ E_IDS, "envelope_to", E_ETO, K_LEAF, S_REC },
	{ E_AUTH, "dkim", E_DKIM, K_MULTI_BLOCK, S_REC },
	{ E_AUTH, "spf", E_SPF, K_MULTI_BLOCK, S_REC },
	{ E_DKIM, "domain", E_DDOMAIN, K_LEAF, S_SUB },
	{ E_DKIM, "selector", E_DSEL, K_LEAF, S_SUB },
	{ E_DKIM, "result", E_DRESULT, K_LEAF, S_SUB },
	{ E_DKIM, "human_result", E_DHUMAN, K_LEAF, S_SUB },
	{ E_SPF, "domain", E_SDOMAIN, K_LEAF, S_SUB },
	{ E_SPF, "scope", E_SSCOPE, K_LEAF, S_SUB },
	{ E_SPF, "result", E_SRESULT, K_LEAF, S_SUB },
	{ E_SPF, "human_result", E_SHUMAN, K_LEAF, S_SUB },
};

_Static_assert(G_N_ELEMENTS(RULES) == N_RULES, "N_RULES counts RULES");

/* Adds v to *sum, saturating. */
static void
sat_add(uint64_t *sum, uint64_t v)
{
	*sum = num_add_sat(*sum, v);
}

static int
line_no(struct parse *p)
{
	return xmlSAX2GetLineNumber(p->ctxt);
}

static uint64_t *
flags_here(struct parse *p)
{
	return p->in_record ? &p->rec.flags : &p->rep.flags;
}

/* Forgets what the record holds; slots past n_* are kept zeroed. */
static void
record_reset(struct parse *p)
{
	struct agg_record *r = &p->rec;
	size_t n;

	n = r->n_reasons < BOUND_RECORD_REASONS ? r->n_reasons + 1 : BOUND_RECORD_REASONS;
	memset(r->reasons, 0, n * sizeof r->reasons[0]);
	n = r->n_dkim < BOUND_RECORD_DKIM ? r->n_dkim + 1 : BOUND_RECORD_DKIM;
	memset(r->dkim, 0, n * sizeof r->dkim[0]);
	n = r->n_spf < BOUND_RECORD_SPF ? r->n_spf + 1 : BOUND_RECORD_SPF;
	memset(r->spf, 0, n * sizeof r->spf[0]);
	arena_reset(&p->recs);
	r->source_ip_raw = r->disposition_raw = NULL;
	r->header_from = r->envelope_from = r->envelope_to = NULL;
	r->source_ip[0] = '\0';
	r->ip_family = 0;
	r->count = 0;
	r->disposition = DISP_UNKNOWN;
	r->pe_dkim = r->pe_spf = DMARC_UNKNOWN;
	r->n_reasons = r->n_dkim = r->n_spf = 0;
	r->flags = 0;
}

static void
header_dialect(struct parse *p)
{
	struct agg_report *r = &p->rep;
	const uint64_t new9990 =
	    BIT(E_GENERATOR) | BIT(E_NP) | BIT(E_TESTING) | BIT(E_DISCOVERY) | BIT(E_EXTENSION);

	if (p->is_rfc9990_ns || (p->present & new9990))
		r->dialect = DIALECT_RFC9990;
	else if (p->present & BIT(E_VERSION))
		r->dialect = DIALECT_RFC7489;
	else
		r->dialect = DIALECT_DRAFT;
	if (r->dialect == DIALECT_RFC9990 && (p->present & BIT(E_PCT)))
		r->flags |= W_RFC9990_DEVIATION;
}

/* Completes the header and calls the sink's begin. */
static int
report_begin(struct parse *p)
{
	int rc;

	header_dialect(p);
	if (report_hdr_complete(&p->hdr, &p->rep, p->leaf_hdr.begin_raw, p->leaf_hdr.end_raw,
	        (p->present & BIT(E_POLICY)) != 0, p->hints, &p->why, p->e) == -1)
		return -1;
	if (p->feed.repaired)
		p->rep.flags |= W_XML_REPAIRED;
	p->rep.errors = p->leaf_hdr.errors != NULL ? p->leaf_hdr.errors->str : NULL;
	if ((rc = p->sink->begin(p->sink->ctx, &p->rep, p->e)) == -1) {
		p->sink_failed = true;
		return -1;
	}
	p->begun = rc == 1 ? BEGUN_SKIP : BEGUN_RECORDS;
	return 0;
}

/* ---- records ---- */

static int
record_start(struct parse *p)
{
	if (p->n_records == BOUND_RECORDS)
		return refusal_set(&p->why, p->e, REFUSE_XML_LIMIT,
		    "line %d: more than %d records in one report", line_no(p), BOUND_RECORDS);
	p->n_records++;
	if (p->begun == NOT_BEGUN && report_begin(p) == -1)
		return -1;
	record_reset(p);
	p->seen[S_REC] = 0;
	p->in_record = true;
	return 0;
}

static bool
under_domain(const char *d, const char *parent)
{
	size_t n = strlen(d), k = strlen(parent);

	return strcmp(d, parent) == 0 ||
	    (n > k && d[n - k - 1] == '.' && strcmp(d + n - k, parent) == 0);
}

/* Applies the record-level checks (FORMATS.md "Record fields") and hands the record over. */
static int
record_end(struct parse *p)
{
	struct agg_record *rec = &p->rec;
	struct agg_totals *t = &p->rep.totals;
	uint64_t seen = p->seen[S_REC], count;
	size_t i;

	p->in_record = false;
	if (!(seen & BIT(E_ROW)) || !(seen & BIT(E_COUNT)) || (rec->flags & W_RECORD_DROPPED)) {
		p->rep.flags |= W_RECORD_DROPPED;
		sat_add(&t->records_dropped, 1);
		record_reset(p);
		return 0;
	}
	if (!(seen & BIT(E_IP)))
		rec->flags |= W_IP_INVALID;
	if (!(seen & BIT(E_PE_DKIM)) || !(seen & BIT(E_PE_SPF)) || !(seen & BIT(E_DISP)))
		rec->flags |= W_PE_INCOMPLETE;
	if (rec->header_from == NULL) {
		rec->header_from =
		    arena_strndup(&p->recs, p->rep.policy_domain, strlen(p->rep.policy_domain));
		rec->flags |= W_HFROM_MISSING;
	} else if (!under_domain(rec->header_from, p->rep.policy_domain)) {
		rec->flags |= W_HFROM_OUTSIDE_DOMAIN;
	}
	if (p->rep.dialect == DIALECT_RFC9990) {
		for (i = 0; i < rec->n_dkim; i++) {
			if (rec->dkim[i].selector == NULL)
				rec->flags |= W_DKIM_NO_SELECTOR;
		}
		for (i = 0; i < rec->n_spf; i++) {
			if (rec->spf[i].scope == SPF_SCOPE_HELO)
				rec->flags |= W_RFC9990_DEVIATION;
		}
		if (rec->n_spf > 1)
			rec->flags |= W_SPF_MULTI | W_RFC9990_DEVIATION;
	}
	count = (uint64_t)rec->count;
	if (rec->count > PLAUSIBLE_RECORD_COUNT)
		return refusal_set(&p->why, p->e, REFUSE_IMPLAUSIBLE_COUNT,
		    "line %d: a record claims %" PRIu64 " messages (at most %" PRId64 ")",
		    line_no(p), count, PLAUSIBLE_RECORD_COUNT);
	if (count > (uint64_t)PLAUSIBLE_REPORT_MESSAGES - t->messages)
		return refusal_set(&p->why, p->e, REFUSE_IMPLAUSIBLE_COUNT,
		    "line %d: the records claim more than %" PRId64 " messages in one report",
		    line_no(p), PLAUSIBLE_REPORT_MESSAGES);
	sat_add(&t->records, 1);
	sat_add(&t->messages, count);
	if (agg_record_dmarc_pass(rec))
		sat_add(&t->dmarc_pass, count);
	if (rec->pe_dkim == DMARC_PASS)
		sat_add(&t->dkim_aligned, count);
	if (rec->pe_spf == DMARC_PASS)
		sat_add(&t->spf_aligned, count);
	if (p->begun == BEGUN_RECORDS && p->sink->record(p->sink->ctx, &p->rep, rec, p->e) == -1) {
		p->sink_failed = true;
		return -1;
	}
	record_reset(p);
	return 0;
}

/* ---- elements ---- */

/* name is a dictionary pointer: the same name is the same pointer. */
static const struct rule *
find_rule(const struct parse *p, enum el parent, const xmlChar *name)
{
	size_t i;

	for (i = p->first[parent]; i <= p->last[parent]; i++) {
		if (p->names[i] == name && RULES[i].parent == parent)
			return &RULES[i];
	}
	return NULL;
}

/* Interns the names of RULES in the parser's dictionary and indexes them by parent. */
static int
intern_names(struct parse *p)
{
	xmlDictPtr dict = p->ctxt->dict;
	size_t i;

	memset(p->first, N_RULES, sizeof p->first);
	memset(p->last, 0, sizeof p->last);
	for (i = N_RULES; i-- > 0;) {
		p->first[RULES[i].parent] = (unsigned char)i;
		if (p->last[RULES[i].parent] < i)
			p->last[RULES[i].parent] = (unsigned char)i;
		if ((p->names[i] = xmlDictLookup(dict, BAD_CAST RULES[i].name, -1)) == NULL)
			return -1;
	}
	p->feedback = xmlDictLookup(dict, BAD_CAST "feedback", -1);
	p->ns2 = xmlDictLookup(dict, BAD_CAST NS_DMARC2, -1);
	return p->feedback != NULL && p->ns2 != NULL ? 0 : -1;
}

/* True for the RFC 9990 namespace (usually the very pointer interned). */
static bool
is_ns2(const struct parse *p, const xmlChar *ns)
{
	return ns != NULL && (ns == p->ns2 || strcmp((const char *)ns, NS_DMARC2) == 0);
}

/* Opens a slot of a per-record array, or skips the element when full. */
static bool
slot_open(struct parse *p, size_t n, size_t cap)
{
	if (n < cap) {
		p->seen[S_SUB] = 0;
		p->reason_nonempty = false;
		return true;
	}
	p->rec.flags |= W_LIMIT_TRUNCATED;
	return false;
}

static int
element_start(struct parse *p, int depth, const xmlChar *name, const xmlChar *ns)
{
	const struct rule *rule;
	char shown[128];
	bool open = true;

	if (depth > BOUND_XML_DEPTH)
		return refusal_set(&p->why, p->e, REFUSE_XML_LIMIT,
		    "line %d: elements nested deeper than %d", line_no(p), BOUND_XML_DEPTH);
	if (p->skip_depth >= 0)
		return 0;
	if (depth == 0) {
		if (name != p->feedback && strcmp((const char *)name, "feedback") != 0) {
			norm_printable(shown, sizeof shown, (const char *)name);
			return refusal_set(&p->why, p->e, REFUSE_NOT_DMARC,
			    "root element is <%s>, not <feedback>: "
			    "not a DMARC aggregate report",
			    shown);
		}
		p->stack[0] = E_ROOT;
		p->rep.xml_namespace = ns != NULL ?
		    arena_strndup(&p->hdr, (const char *)ns, strlen((const char *)ns)) :
		    NULL;
		p->is_rfc9990_ns = is_ns2(p, ns);
		return 0;
	}
	rule = p->leaf_depth >= 0 ? NULL : find_rule(p, p->stack[depth - 1], name);
	/* RFC 9990: elements of another namespace are extension content */
	if (rule != NULL && p->is_rfc9990_ns && !is_ns2(p, ns))
		rule = NULL;
	if (rule != NULL && (rule->kind == K_LEAF || rule->kind == K_BLOCK)) {
		if (p->seen[rule->scope] & BIT(rule->id)) {
			*flags_here(p) |= W_DUP_ELEMENT;
			rule = NULL;
		} else {
			p->seen[rule->scope] |= BIT(rule->id);
		}
	}
	if (rule != NULL)
		p->present |= BIT(rule->id);
	if (rule != NULL && rule->id == E_RECORD && record_start(p) == -1)
		return -1;
	if (rule != NULL && rule->id == E_REASON)
		open = slot_open(p, p->rec.n_reasons, BOUND_RECORD_REASONS);
	else if (rule != NULL && rule->id == E_DKIM)
		open = slot_open(p, p->rec.n_dkim, BOUND_RECORD_DKIM);
	else if (rule != NULL && rule->id == E_SPF)
		open = slot_open(p, p->rec.n_spf, BOUND_RECORD_SPF);
	if (rule == NULL || rule->kind == K_IGNORE || !open) {
		p->skip_depth = depth;
		return 0;
	}
	p->stack[depth] = rule->id;
	if (rule->kind == K_LEAF || rule->kind == K_MULTI_LEAF) {
		p->leaf_depth = depth;
		p->text_len = 0;
		p->text_trunc = false;
	}
	return 0;
}

/* Text directly inside the current leaf (depth: the elements open). */
static void
text_add(struct parse *p, int depth, const char *s, size_t n)
{
	if (p->leaf_depth < 0 || p->skip_depth >= 0 || depth != p->leaf_depth + 1)
		return;
	if (n > BOUND_XML_TEXT - p->text_len) {
		n = BOUND_XML_TEXT - p->text_len;
		p->text_trunc = true;
	}
	memcpy(p->text + p->text_len, s, n);
	p->text_len += n;
}

static int
element_end(struct parse *p, int depth)
{
	enum el id;
	size_t len;

	if (p->skip_depth >= 0) {
		if (depth == p->skip_depth)
			p->skip_depth = -1;
		return 0;
	}
	id = p->stack[depth];
	if (depth == p->leaf_depth) {
		p->leaf_depth = -1;
		if (p->text_trunc)
			*flags_here(p) |= W_TEXT_TRUNCATED;
		if (!p->in_record) {
			report_leaf_header(&p->rep, &p->leaf_hdr, &p->hdr, id, p->text,
			    p->text_len);
			return 0;
		}
		report_leaf_record(&p->rec, p->rep.dialect, &p->recs, id, p->text, p->text_len);
		/* a <reason> with no text in its type or comment is not counted */
		if (id == E_RTYPE || id == E_RCOMMENT) {
			norm_trim(p->text, p->text_len, &len);
			p->reason_nonempty |= len > 0;
		}
		return 0;
	}
	switch (id) {
	case E_REASON:
		if (p->reason_nonempty)
			p->rec.n_reasons++;
		else
			memset(&p->rec.reasons[p->rec.n_reasons], 0, sizeof p->rec.reasons[0]);
		break;
	case E_DKIM:
		p->rec.n_dkim++;
		break;
	case E_SPF:
		p->rec.n_spf++;
		break;
	case E_RECORD:
		return record_end(p);
	case E_ROOT:
		if (p->n_records == 0)
			p->rep.flags |= W_NO_RECORDS;
		if (p->begun == NOT_BEGUN && report_begin(p) == -1)
			return -1;
		if (p->rep.totals.records == 0)
			p->rep.flags |= W_NO_RECORDS;
		p->root_closed = true;
		break;
	default:
		break;
	}
	return 0;
}

/* ---- libxml2 ---- */

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void
report_xml_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
	xmlSetGenericErrorFunc(NULL, quiet);
}

static void
on_xml_error(void *ctx, xmlErrorPtr err)
{
	struct parse *p = ctx;

	if (err == NULL || err->level < XML_ERR_ERROR || p->xml_code != 0)
		return;
	p->xml_code = err->code != 0 ? err->code : -1;
	p->xml_line = err->line;
	norm_printable(p->xml_msg, sizeof p->xml_msg, err->message);
}

static bool
is_encoding_error(const struct parse *p)
{
	return p->xml_code == XML_ERR_INVALID_ENCODING || p->xml_code == XML_I18N_CONV_FAILED ||
	    (p->xml_code == XML_ERR_INVALID_CHAR &&
	        strncmp(p->xml_msg, "Input is not proper UTF-8", 25) == 0);
}

/* libxml2 refused a token over its 10,000,000-byte limit (a name, value, comment...). */
static bool
is_limit_error(const struct parse *p)
{
	return strstr(p->xml_msg, "Huge input lookup") != NULL ||
	    strstr(p->xml_msg, "too long") != NULL || strstr(p->xml_msg, "too big") != NULL;
}

/* Why the parser stopped before the root closed. */
static void
parse_failed(struct parse *p)
{
	if (p->why != REFUSE_NONE || p->sink_failed)
		return;
	if (p->feed.why != REFUSE_NONE) {
		p->why = p->feed.why;
		errbuf_set(p->e, "%s", p->feed.err.msg);
	} else if (p->feed.empty) {
		refusal_set(&p->why, p->e, REFUSE_NO_REPORT,
		    "empty document (no XML, only whitespace or nothing)");
	} else if (is_limit_error(p)) {
		refusal_set(&p->why, p->e, REFUSE_XML_LIMIT,
		    "line %d: %s (a single name, value, comment or "
		    "section longer than libxml2's limit)",
		    p->xml_line, p->xml_msg);
	} else if (is_encoding_error(p)) {
		refusal_set(&p->why, p->e, REFUSE_XML_ENCODING, "line %d: invalid UTF-8: %s",
		    p->xml_line, p->xml_msg);
	} else if (p->xml_code != 0) {
		refusal_set(&p->why, p->e, REFUSE_XML_MALFORMED, "line %d: %s", p->xml_line,
		    p->xml_msg);
	} else {
		refusal_set(&p->why, p->e, REFUSE_XML_MALFORMED,
		    "document ends before </feedback>");
	}
}

/* Ends the parse: the callbacks see nothing more. */
static void
stop(struct parse *p)
{
	p->stopped = true;
	xmlStopParser(p->ctxt);
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *ns, int n_ns,
    const xmlChar **nss, int n_attrs, int n_defaulted, const xmlChar **attrs)
{
	struct parse *p = ctx;
	int depth = p->depth++;

	(void)prefix;
	(void)n_ns;
	(void)nss;
	(void)n_attrs;
	(void)n_defaulted;
	(void)attrs;
	if (!p->stopped && element_start(p, depth, name, ns) == -1)
		stop(p);
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *ns)
{
	struct parse *p = ctx;

	(void)name;
	(void)prefix;
	(void)ns;
	if (!p->stopped && element_end(p, --p->depth) == -1)
		stop(p);
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct parse *p = ctx;

	if (!p->stopped && len > 0)
		text_add(p, p->depth, (const char *)s, (size_t)len);
}

/* A DOCTYPE (the feed refuses it first) or an entity reference left unexpanded. */
static void
on_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	struct parse *p = ctx;

	(void)name;
	(void)external_id;
	(void)system_id;
	if (p->stopped)
		return;
	refusal_set(&p->why, p->e, REFUSE_XML_DOCTYPE,
	    "line %d: document has a DOCTYPE or entity declarations "
	    "(refused: never expanded)",
	    line_no(p));
	stop(p);
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	on_dtd(ctx, name, NULL, NULL);
}

/*
 * Creates the push parser over the first bytes (at most 4, as xmlTextReader
 * does, for the encoding to be detected), with callbacks only for what the
 * parser needs: no tree is built, nothing is resolved.
 */
static int
parser_new(struct parse *p, const unsigned char *chunk, size_t n)
{
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.ignorableWhitespace = on_text;
	sax.cdataBlock = on_text;
	sax.internalSubset = on_dtd;
	sax.externalSubset = on_dtd;
	sax.reference = on_reference;
	sax.serror = on_xml_error;
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, (const char *)chunk, (int)n, "report.xml");
	if (p->ctxt == NULL)
		return -1;
	xmlCtxtUseOptions(p->ctxt, XML_OPTIONS);
	return intern_names(p);
}

/*
 * Checks that libxml2 decodes the document as the feed's attribute guard
 * read it: bytes in an encoding where '<', '=' and quotes are their ASCII
 * bytes, or the UTF-16 code units the feed followed. Other encodings (UTF-7,
 * UCS-4, EBCDIC, ISO-2022...) would hide a start tag's attributes from the
 * guard. Returns 0, or -1 having refused the document (after at most one
 * chunk parsed in that encoding).
 */
static int
encoding_check(struct parse *p)
{
	static const char *const bytewise[] = { "UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-",
		"ISO8859-", "ISO_8859-", "LATIN", "WINDOWS-125", "CP125", NULL };
	const xmlParserInputBuffer *in = p->ctxt->input != NULL ? p->ctxt->input->buf : NULL;
	const char *name;
	bool ok = false;
	size_t i;

	if (in == NULL || in->encoder == NULL)
		return 0; /* UTF-8 as is: a NUL ends any misread UTF-16 at once */
	name = in->encoder->name;
	if (g_ascii_strcasecmp(name, "UTF-16LE") == 0)
		ok = p->feed.units == 1;
	else if (g_ascii_strcasecmp(name, "UTF-16BE") == 0)
		ok = p->feed.units == 2;
	else if (g_ascii_strcasecmp(name, "UTF-16") == 0)
		ok = p->feed.units != 0;
	for (i = 0; bytewise[i] != NULL && !ok; i++)
		if (g_ascii_strncasecmp(name, bytewise[i], strlen(bytewise[i])) == 0)
			ok = p->feed.units == 0;
	if (ok)
		return 0;
	return refusal_set(&p->why, p->e, REFUSE_XML_LIMIT,
	    "encoding %.40s is not read (UTF-8, UTF-16, US-ASCII, "
	    "ISO-8859-n or Windows-125n)",
	    name);
}

/* Feeds the document to the parser until the root closes or the parse ends. */
static void
feed_parser(struct parse *p)
{
	const unsigned char *chunk;
	ssize_t n;
	size_t head;
	int rc;

	while (!p->stopped && !p->root_closed) {
		if ((n = xml_feed_read(&p->feed, &chunk)) < 0)
			return;
		if (p->ctxt == NULL) {
			head = n < 4 ? (size_t)n : 4;
			if (parser_new(p, chunk, head) == -1) {
				refusal_set(&p->why, p->e, REFUSE_XML_LIMIT, "out of memory");
				return;
			}
			chunk += head;
			n -= (ssize_t)head;
		}
		/* before the first chunk (a detected encoding), after each (a declared one) */
		if (encoding_check(p) == -1)
			return;
		rc = xmlParseChunk(p->ctxt, (const char *)chunk, (int)n, n == 0);
		if (encoding_check(p) == -1 || rc != 0 || !p->ctxt->wellFormed || n == 0)
			return;
	}
}

static int
parse_run(struct parse *p, const struct byte_reader *rd)
{
	if (xml_feed_init(&p->feed, rd) == -1)
		return refusal_set(&p->why, p->e, REFUSE_XML_LIMIT, "out of memory");
	xmlSetGenericErrorFunc(NULL, quiet);
	feed_parser(p);
	if (!p->root_closed || p->why != REFUSE_NONE) {
		parse_failed(p);
		return -1;
	}
	xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	if (xml_feed_finish(&p->feed, p->rep.xml_sha256) == -1) {
		parse_failed(p);
		return -1;
	}
	if (p->feed.repaired)
		p->rep.flags |= W_XML_REPAIRED;
	if (p->sink->end(p->sink->ctx, &p->rep, p->e) == -1) {
		p->sink_failed = true;
		p->begun = NOT_BEGUN; /* end was called: no abort after it */
		return -1;
	}
	return 0;
}

int
report_xml_parse(const struct byte_reader *rd, const struct report_hints *hints, uint64_t flags,
    const struct report_sink *sink, enum refusal *why, struct errbuf *e)
{
	struct parse *p;
	int rc;

	p = g_malloc0(sizeof *p);
	p->hints = hints;
	p->sink = sink;
	p->e = e;
	p->skip_depth = p->leaf_depth = -1;
	p->text = g_malloc(BOUND_XML_TEXT);
	p->rep.flags = flags;
	p->rep.pct = -1;
	*why = REFUSE_NONE;
	rc = parse_run(p, rd);
	if (rc == -1 && p->begun != NOT_BEGUN)
		sink->abort(sink->ctx);
	*why = p->why;
	rc = p->sink_failed ? -1 : 0;
	if (p->ctxt != NULL)
		xmlFreeParserCtxt(p->ctxt);
	xml_feed_free(&p->feed);
	arena_free(&p->recs);
	arena_free(&p->hdr);
	if (p->leaf_hdr.errors != NULL)
		g_string_free(p->leaf_hdr.errors, TRUE);
	g_free(p->text);
	g_free(p);
	return rc;
}
