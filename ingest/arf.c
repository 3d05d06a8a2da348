/* arf: one failure report from one mail (FORMATS.md "Failure reports"). */
#include "arf.h"

#include <gmime/gmime.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arf_hdrs.h"
#include "arf_norm.h"
#include "arf_text.h"
#include "bounds.h"
#include "digest.h"
#include "flags.h"
#include "mime_headers.h"

/* A plaintext report's text (its header copy included) is kept up to this size. */
#define ARF_TEXT_MAX (2 * BOUND_FAILURE_SAMPLE)

/* What the walk over the mail's leaves found. */
struct walk {
	struct arf_hdrs fb; /* the first feedback part's fields */
	bool have_fb;
	unsigned char *sample; /* the sample part's bytes, bounded */
	size_t sample_len;
	bool sample_cut;
	enum failure_sample sample_kind;
	unsigned char *text; /* the first text part holding a plaintext report */
	size_t text_len;
	bool text_cut;
};

/* Feedback fields copied as they are (first occurrence). */
static const struct {
	const char *name;
	size_t off;
} copied[] = {
	{ "User-Agent", offsetof(struct failure_report, user_agent) },
	{ "Version", offsetof(struct failure_report, version) },
	{ "Identity-Alignment", offsetof(struct failure_report, identity_alignment) },
	{ "Original-Envelope-Id", offsetof(struct failure_report, original_envelope_id) },
	{ "DKIM-Domain", offsetof(struct failure_report, dkim_domain) },
	{ "DKIM-Identity", offsetof(struct failure_report, dkim_identity) },
	{ "DKIM-Selector", offsetof(struct failure_report, dkim_selector) },
	{ "SPF-DNS", offsetof(struct failure_report, spf_dns) },
};

/* Feedback fields that may repeat, joined. */
static const struct {
	const char *name;
	const char *sep;
	size_t off;
} joined[] = {
	{ "Auth-Failure", ", ", offsetof(struct failure_report, auth_failure) },
	{ "Original-Rcpt-To", "\n", offsetof(struct failure_report, original_rcpt_to) },
	{ "Authentication-Results", "\n", offsetof(struct failure_report, auth_results) },
};

static char **
field_at(struct failure_report *f, size_t off)
{
	return (char **)(void *)((char *)f + off);
}

/* Stores v into *dst; -1 when v is NULL although src was not (out of memory). */
static int
put(char **dst, char *v, const void *src)
{
	*dst = v;
	return v == NULL && src != NULL ? -1 : 0;
}

static int
nomem(struct errbuf *e)
{
	errbuf_set(e, "failure report: out of memory");
	return -1;
}

static enum failure_sample
sample_type(const char *ct)
{
	static const char *const messages[] = {
		"message/rfc822",
		"message/rfc-822",
		"text/rfc822",
		"text/rfc-822",
	};
	static const char *const headers[] = {
		"text/rfc822-headers",
		"text/rfc-822-headers",
		"message/rfc822-headers",
		"message/rfc-822-headers",
	};
	size_t i;

	for (i = 0; i < sizeof messages / sizeof messages[0]; i++)
		if (strcmp(ct, messages[i]) == 0)
			return FAILURE_SAMPLE_MESSAGE;
	for (i = 0; i < sizeof headers / sizeof headers[0]; i++)
		if (strcmp(ct, headers[i]) == 0)
			return FAILURE_SAMPLE_HEADERS;
	return FAILURE_SAMPLE_NONE;
}

bool
arf_part_is_feedback(const struct mime_part *p)
{
	return strcmp(p->content_type, "message/feedback-report") == 0;
}

bool
arf_part_is_plaintext(const struct mime_part *p)
{
	return strcmp(p->content_type, "text/plain") == 0 && p->depth <= 1 &&
	    arf_text_is_report(p->data, p->len);
}

/* A copy of at most max of the len bytes at p (*cut when shortened). */
static unsigned char *
copy_bounded(const unsigned char *p, size_t len, size_t max, size_t *n, bool *cut)
{
	unsigned char *c;

	*cut = len > max;
	*n = *cut ? max : len;
	if ((c = malloc(*n + 1)) == NULL)
		return NULL;
	if (*n > 0)
		memcpy(c, p, *n);
	c[*n] = '\0';
	return c;
}

static int
walk_parts(struct mime_message *m, struct walk *w, struct errbuf *e)
{
	struct mime_part p;
	enum failure_sample k;

	while (mime_next_part(m, &p) == 1) {
		if (arf_part_is_feedback(&p)) {
			if (!w->have_fb && arf_hdrs_parse(p.data, p.len, &w->fb, e) == -1)
				return -1;
			w->have_fb = true;
		} else if ((k = sample_type(p.content_type)) != FAILURE_SAMPLE_NONE) {
			if (w->sample != NULL)
				continue;
			w->sample = copy_bounded(p.data, p.len, BOUND_FAILURE_SAMPLE,
			    &w->sample_len, &w->sample_cut);
			if (w->sample == NULL)
				goto oom;
			w->sample_kind = k;
		} else if (w->text == NULL && arf_part_is_plaintext(&p)) {
			w->text =
			    copy_bounded(p.data, p.len, ARF_TEXT_MAX, &w->text_len, &w->text_cut);
			if (w->text == NULL)
				goto oom;
		}
	}
	return 0;
oom:
	return nomem(e);
}

/* Source IP, arrival date and the numbers, shared by both formats. */
static int
fill_common(struct failure_report *f, const char *ip, const char *arrival)
{
	int oom = 0;

	oom |= put(&f->source_ip_raw, arf_strdup(ip), ip);
	if (ip != NULL)
		arf_ip(ip, f->source_ip, &f->flags);
	oom |= put(&f->arrival_raw, arf_strdup(arrival), arrival);
	f->arrival_ts = arf_date(arrival);
	if (arrival == NULL || f->arrival_ts == -1)
		f->flags |= W_ARF_FIELD_MISSING;
	if (ip == NULL)
		f->flags |= W_ARF_FIELD_MISSING;
	return oom ? -1 : 0;
}

static void
fill_numbers(struct failure_report *f, const struct arf_hdrs *h)
{
	const char *port = arf_hdrs_get(h, "Source-Port");
	const char *inc = arf_hdrs_get(h, "Incidents");

	if (port != NULL && arf_number(port, 0, 65535, &f->source_port) == -1)
		f->flags |= W_NUMBER_FORMAT;
	/* a count past what one report may claim (bounds.h) is not taken, like a malformed one */
	if (inc != NULL && arf_number(inc, 1, PLAUSIBLE_RECORD_COUNT, &f->incidents) == -1)
		f->flags |= W_NUMBER_FORMAT;
}

static int
fill_arf(struct failure_report *f, const struct arf_hdrs *h, struct errbuf *e)
{
	const char *ft = arf_hdrs_get(h, "Feedback-Type");
	const char *dr = arf_hdrs_get(h, "Delivery-Result");
	const char *arrival = arf_hdrs_get(h, "Arrival-Date");
	const char *v, *word;
	int oom = 0;
	bool exact;
	size_t i;

	if (arrival == NULL)
		arrival = arf_hdrs_get(h, "Received-Date");
	if (ft == NULL || *ft == '\0') {
		ft = "auth-failure";
		f->flags |= W_FEEDBACK_TYPE_MISSING;
	}
	if (put(&f->feedback_type, arf_lower(ft), ft) == -1)
		return nomem(e);
	f->kind = strcmp(f->feedback_type, "auth-failure") == 0 ? FAILURE_DMARC : FAILURE_OTHER_ARF;
	for (i = 0; i < sizeof copied / sizeof copied[0]; i++) {
		v = arf_hdrs_get(h, copied[i].name);
		oom |= put(field_at(f, copied[i].off), arf_strdup(v), v);
	}
	for (i = 0; i < sizeof joined / sizeof joined[0]; i++)
		*field_at(f, joined[i].off) = arf_hdrs_join(h, joined[i].name, joined[i].sep, &oom);
	if ((word = arf_delivery_result(dr, &exact)) != NULL) {
		oom |= put(&f->delivery_result, arf_strdup(word), word);
		if (!exact)
			oom |= put(&f->delivery_result_raw, arf_strdup(dr), dr);
	}
	v = arf_hdrs_get(h, "Reported-Domain");
	oom |= put(&f->reported_domain, arf_lower(v), v);
	v = arf_hdrs_get(h, "Original-Mail-From");
	oom |= put(&f->original_mail_from, arf_strip_angle(v), v);
	v = arf_hdrs_get(h, "Reporting-MTA");
	oom |= put(&f->reporting_mta, arf_mta_name(v), v);
	if (fill_common(f, arf_hdrs_get(h, "Source-IP"), arrival) == -1)
		return nomem(e);
	fill_numbers(f, h);
	if (f->user_agent == NULL || f->version == NULL || f->reported_domain == NULL)
		f->flags |= W_ARF_FIELD_MISSING;
	if (f->kind == FAILURE_DMARC && (f->auth_failure == NULL || f->auth_results == NULL))
		f->flags |= W_ARF_FIELD_MISSING;
	return oom ? nomem(e) : 0;
}

static int
fill_plain(struct failure_report *f, const struct arf_hdrs *h, struct errbuf *e)
{
	const char *v;
	int oom = 0;

	f->format = FAILURE_FORMAT_PLAINTEXT;
	f->kind = FAILURE_DMARC;
	f->flags |= W_FEEDBACK_TYPE_MISSING;
	oom |= put(&f->feedback_type, arf_strdup("auth-failure"), "");
	v = arf_hdrs_get(h, "Sender Domain");
	oom |= put(&f->reported_domain, arf_lower(v), v);
	v = arf_hdrs_get(h, "SPF Alignment");
	oom |= put(&f->spf_alignment, arf_lower(v), v);
	v = arf_hdrs_get(h, "DKIM Alignment");
	oom |= put(&f->dkim_alignment, arf_lower(v), v);
	if (fill_common(f, arf_hdrs_get(h, "Sender IP Address"),
	        arf_hdrs_get(h, "Received date")) == -1)
		return nomem(e);
	if (f->reported_domain == NULL)
		f->flags |= W_ARF_FIELD_MISSING;
	return oom ? nomem(e) : 0;
}

/* Moves the fields of h into f (h is left empty). */
static void
take_fields(struct failure_report *f, struct arf_hdrs *h)
{
	f->flags |= h->flags;
	f->fields = h->v;
	f->n_fields = h->n;
	h->v = NULL;
	h->n = 0;
}

/* An RFC 2047 decoded, malloc'd copy of a header value. */
static char *
decoded(const char *raw)
{
	char *g, *d;

	if (raw == NULL)
		return NULL;
	if ((g = g_mime_utils_header_decode_text(NULL, raw)) == NULL)
		return arf_strdup(raw);
	d = arf_strdup(g);
	g_free(g);
	return d;
}

/* The header block [0, len) with CRLF and lone CR turned into LF. */
static char *
lf_block(const unsigned char *p, size_t len)
{
	char *s = malloc(len + 1);
	size_t i, n = 0;

	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			continue;
		s[n++] = p[i] == '\r' ? '\n' : (char)p[i];
	}
	while (n > 1 && s[n - 1] == '\n' && s[n - 2] == '\n')
		n--;
	s[n] = '\0';
	return s;
}

static bool
blank_bytes(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* The sample's header block (parsed into sh), its key headers and body. */
static int
fill_sample(struct failure_report *f, const unsigned char *p, size_t len, enum failure_sample kind,
    bool cut, struct arf_hdrs *sh, struct errbuf *e)
{
	const char *from, *v;
	int oom = 0;

	if (p == NULL || kind == FAILURE_SAMPLE_NONE)
		return 0;
	if (arf_hdrs_parse(p, len, sh, e) == -1)
		return -1;
	if (sh->n == 0 && blank_bytes(p + sh->end, len - sh->end))
		return 0;
	if (cut)
		f->flags |= W_TEXT_TRUNCATED;
	if ((f->sample_headers = lf_block(p, sh->end)) == NULL)
		goto oom;
	f->sample_kind = kind;
	if (kind == FAILURE_SAMPLE_MESSAGE) {
		if (blank_bytes(p + sh->end, len - sh->end)) {
			f->sample_kind = FAILURE_SAMPLE_HEADERS;
		} else {
			f->sample_body_len = len - sh->end;
			f->sample_body = (unsigned char *)arf_strndup((const char *)p + sh->end,
			    f->sample_body_len);
			if (f->sample_body == NULL)
				goto oom;
		}
	}
	from = arf_hdrs_get(sh, "From");
	oom |= put(&f->sample_from, decoded(from), from);
	f->header_from = arf_addr_domain(from);
	v = arf_hdrs_get(sh, "To");
	oom |= put(&f->sample_to, decoded(v), v);
	v = arf_hdrs_get(sh, "Subject");
	oom |= put(&f->sample_subject, decoded(v), v);
	v = arf_hdrs_get(sh, "Date");
	oom |= put(&f->sample_date, arf_strdup(v), v);
	v = arf_hdrs_get(sh, "Message-ID");
	oom |= put(&f->sample_message_id, arf_strip_angle(v), v);
	v = arf_hdrs_get(sh, "DKIM-Signature");
	f->sample_dkim_domain = arf_dkim_tag(v, "d");
	f->sample_dkim_selector = arf_dkim_tag(v, "s");
	if (!oom)
		return 0;
oom:
	return nomem(e);
}

static int
cmp_field(const void *a, const void *b)
{
	const struct failure_field *x = *(const struct failure_field *const *)a;
	const struct failure_field *y = *(const struct failure_field *const *)b;
	int c = g_ascii_strcasecmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

static void
hash_line(GString *g, const struct failure_field *fl)
{
	char *name = g_ascii_strdown(fl->name, -1);

	g_string_append(g, name);
	g_string_append_c(g, ':');
	g_string_append(g, fl->value);
	g_string_append_c(g, '\n');
	g_free(name);
}

/*
 * The dedup hash (FORMATS.md "Duplicates and conflicts"): the feedback fields
 * sorted ("name:value", names lower-cased), then the sample's header fields in
 * order, unfolded. Parsed fields carry no line ends, so LF and CRLF deliveries
 * hash alike.
 */
static int
content_hash(struct failure_report *f, const struct arf_hdrs *sh)
{
	const struct failure_field **sorted = NULL;
	GString *g;
	size_t i;

	if (f->n_fields > 0 && (sorted = calloc(f->n_fields, sizeof *sorted)) == NULL)
		return -1;
	for (i = 0; i < f->n_fields; i++)
		sorted[i] = &f->fields[i];
	if (f->n_fields > 1)
		qsort(sorted, f->n_fields, sizeof *sorted, cmp_field);
	g = g_string_new("feedback\n");
	for (i = 0; i < f->n_fields; i++)
		hash_line(g, sorted[i]);
	g_string_append(g, "sample\n");
	for (i = 0; i < sh->n; i++)
		hash_line(g, &sh->v[i]);
	digest_sha256(g->str, g->len, f->content_sha256);
	g_string_free(g, TRUE);
	free(sorted);
	return 0;
}

/* Fallbacks from the sample, the reporter, then the hash. */
static int
finish(struct failure_report *f, struct mime_message *m, const struct arf_hdrs *sh,
    struct errbuf *e)
{
	static const char *const methods[] = { "spf", "dkim", "dmarc" };
	char **results[] = { &f->spf_result, &f->dkim_result, &f->dmarc_result };
	char *sample_ar;
	int oom = 0;
	size_t i;

	if (f->header_from == NULL)
		f->header_from = arf_ar_header_from(f->auth_results);
	if (f->reported_domain == NULL)
		oom |= put(&f->reported_domain, arf_strdup(f->header_from), f->header_from);
	sample_ar = arf_hdrs_join(sh, "Authentication-Results", "\n", &oom);
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		*results[i] = arf_auth_result(f->auth_results, methods[i]);
		if (*results[i] == NULL)
			*results[i] = arf_auth_result(sample_ar, methods[i]);
	}
	free(sample_ar);
	f->reporter = arf_addr_domain(mime_from(m));
	if (f->reporter == NULL)
		oom |= put(&f->reporter, arf_strdup(f->reporting_mta), f->reporting_mta);
	if (oom || content_hash(f, sh) == -1)
		return nomem(e);
	return 0;
}

/* The sample when it came as message/rfc822, which the MIME walk descends into. */
static int
fetch_message(const void *raw, size_t len, struct walk *w, struct errbuf *e)
{
	int rc = mime_first_message_part(raw, len, BOUND_FAILURE_SAMPLE, &w->sample, &w->sample_len,
	    &w->sample_cut, e);

	if (rc == 1)
		w->sample_kind = FAILURE_SAMPLE_MESSAGE;
	return rc == -1 ? -1 : 0;
}

/* Builds the report from what the walk found. */
static int
build(const void *raw, size_t len, struct mime_message *m, struct walk *w,
    struct failure_report **out, struct errbuf *e)
{
	struct arf_hdrs th, sh;
	struct failure_report *f;
	size_t off, slen;
	int rc = -1;
	bool cut;

	memset(&th, 0, sizeof th);
	memset(&sh, 0, sizeof sh);
	if ((f = failure_new()) == NULL)
		return nomem(e);
	f->flags |= mime_flags(m);
	if (w->have_fb) {
		f->format = mime_is_feedback_report(m) ? FAILURE_FORMAT_ARF :
		                                         FAILURE_FORMAT_ARF_NONSTANDARD;
		if (fill_arf(f, &w->fb, e) == -1)
			goto fail;
		take_fields(f, &w->fb);
		if (w->sample == NULL && fetch_message(raw, len, w, e) == -1)
			goto fail;
		if (fill_sample(f, w->sample, w->sample_len, w->sample_kind, w->sample_cut, &sh,
		        e) == -1)
			goto fail;
	} else {
		if (arf_text_parse(w->text, w->text_len, &th, &off, e) == -1 ||
		    fill_plain(f, &th, e) == -1)
			goto fail;
		take_fields(f, &th);
		/* the sample is what follows the report's text, bounded */
		slen = off < w->text_len ? w->text_len - off : 0;
		cut = w->text_cut || slen > BOUND_FAILURE_SAMPLE;
		if (slen > BOUND_FAILURE_SAMPLE)
			slen = BOUND_FAILURE_SAMPLE;
		if (fill_sample(f, w->text + (off < w->text_len ? off : w->text_len), slen,
		        FAILURE_SAMPLE_HEADERS, cut, &sh, e) == -1)
			goto fail;
	}
	if (finish(f, m, &sh, e) == -1)
		goto fail;
	*out = f;
	f = NULL;
	rc = 0;
fail:
	arf_hdrs_reset(&sh);
	arf_hdrs_reset(&th);
	failure_free(f);
	return rc;
}

int
arf_parse(const void *raw, size_t len, struct failure_report **out, enum refusal *why,
    struct errbuf *e)
{
	struct mime_message *m = NULL;
	struct errbuf me;
	struct walk w;
	int rc = -1;

	*out = NULL;
	*why = REFUSE_NONE;
	memset(&w, 0, sizeof w);
	if ((m = mime_parse(raw, len, &me)) == NULL) {
		*why = REFUSE_BAD_FAILURE_REPORT;
		errbuf_set(e, "failure report: %s", me.msg);
		return 0;
	}
	if (walk_parts(m, &w, e) == -1)
		goto done;
	/* a refusal is an outcome, not a failure: 0 with *why set */
	rc = 0;
	if (!w.have_fb && w.text == NULL)
		refusal_set(why, e, REFUSE_NO_REPORT,
		    "failure report: no message/feedback-report part and no plaintext report");
	else if (w.have_fb && w.fb.n == 0)
		refusal_set(why, e, REFUSE_BAD_FAILURE_REPORT,
		    "failure report: the message/feedback-report part holds no field");
	else
		rc = build(raw, len, m, &w, out, e);
done:
	arf_hdrs_reset(&w.fb);
	free(w.sample);
	free(w.text);
	mime_free(m);
	return rc;
}
