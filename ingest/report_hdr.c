/*
 * report_hdr: the completion of a report header (FORMATS.md "The header's
 * fallbacks"), with the file-name and Subject parsers that supply its
 * fallbacks (FORMATS.md "Report file names", "Subjects").
 */
#include "report_hdr.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flags.h"
#include "report_norm.h"

#define SPAN_LONG (INT64_C(31) * 86400)
#define FIELD_MAX 256

/*
 * The conventional file name receiver!policy-domain!begin!end[!unique-id].ext
 * (FORMATS.md "Report file names").
 */
struct fname_parts {
	char receiver[FIELD_MAX];
	char policy_domain[FIELD_MAX];
	char unique_id[FIELD_MAX];
	int64_t begin, end;
};

/* "Report Domain: d Submitter: s [Report-ID: <id>]" (FORMATS.md "Subjects"), any case. */
struct subject_parts {
	char domain[FIELD_MAX];
	char submitter[FIELD_MAX];
	char report_id[FIELD_MAX]; /* "" when absent */
};

struct hdr_ctx {
	struct arena *a;
	struct agg_report *r;
	const char *begin_raw, *end_raw;
	bool have_policy;
	const struct report_hints *hints;
	enum refusal *why;
	struct errbuf *e;
};

/* Copies [p, p+len) into a field of FIELD_MAX; false when too long. */
static bool
field_copy(char *dst, const char *p, size_t len)
{
	if (len >= FIELD_MAX)
		return false;
	memcpy(dst, p, len);
	dst[len] = '\0';
	return true;
}

static bool
field_epoch(const char *p, size_t len, int64_t *out)
{
	size_t i;
	int64_t v = 0;

	if (len == 0 || len > 12)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

static bool
parse_filename(const char *name, struct fname_parts *fn)
{
	static const char *const suffixes[] = { ".xml.gz", ".xml.zip", ".xml", ".gz", ".gzip",
		".zip" };
	const char *f[6], *s;
	size_t flen[6], len, i, k, nf = 0;

	memset(fn, 0, sizeof *fn);
	if (name == NULL)
		return false;
	for (s = name; *s != '\0'; s++) {
		if (*s == '/' || *s == '\\')
			name = s + 1;
	}
	len = strlen(name);
	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		k = strlen(suffixes[i]);
		if (len > k && g_ascii_strcasecmp(name + len - k, suffixes[i]) == 0) {
			len -= k;
			break;
		}
	}
	f[0] = name;
	for (i = 0; i < len; i++) {
		if (name[i] != '!')
			continue;
		if (nf == 5)
			return false;
		flen[nf] = (size_t)(name + i - f[nf]);
		f[++nf] = name + i + 1;
	}
	flen[nf] = (size_t)(name + len - f[nf]);
	nf++;
	if (nf != 4 && nf != 5)
		return false;
	if (!field_copy(fn->receiver, f[0], flen[0]) ||
	    !field_copy(fn->policy_domain, f[1], flen[1]) ||
	    !field_epoch(f[2], flen[2], &fn->begin) || !field_epoch(f[3], flen[3], &fn->end) ||
	    (nf == 5 && !field_copy(fn->unique_id, f[4], flen[4])))
		return false;
	return true;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

/* Matches the keyword kw (any case) at s; returns the end or NULL. */
static const char *
keyword(const char *s, const char *kw)
{
	size_t k = strlen(kw);

	return g_ascii_strncasecmp(s, kw, k) == 0 ? s + k : NULL;
}

/* Copies the non-space token at s into dst; returns its end or NULL when empty or long. */
static const char *
token(const char *s, char *dst)
{
	const char *e = s;

	while (*e != '\0' && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n')
		e++;
	if (e == s || !field_copy(dst, s, (size_t)(e - s)))
		return NULL;
	return e;
}

static bool
parse_subject(const char *subject, struct subject_parts *sj)
{
	const char *s, *t;
	size_t n;

	memset(sj, 0, sizeof *sj);
	if (subject == NULL)
		return false;
	s = skip_space(subject);
	if ((s = keyword(s, "report")) == NULL || skip_space(s) == s)
		return false;
	if ((s = keyword(skip_space(s), "domain:")) == NULL ||
	    (s = token(skip_space(s), sj->domain)) == NULL || skip_space(s) == s)
		return false;
	if ((s = keyword(skip_space(s), "submitter:")) == NULL ||
	    (s = token(skip_space(s), sj->submitter)) == NULL)
		return false;
	t = skip_space(s);
	if (t != s && (t = keyword(t, "report-id:")) != NULL &&
	    token(skip_space(t), sj->report_id)) {
		n = strlen(sj->report_id);
		if (n > 0 && sj->report_id[n - 1] == '>')
			sj->report_id[--n] = '\0';
		if (sj->report_id[0] == '<')
			memmove(sj->report_id, sj->report_id + 1, n);
	}
	return true;
}

/* ---- the header: fallbacks and validation (FORMATS.md "The header's fallbacks") ---- */

/* One of begin/end: from the XML, else from the file name. */
static int
header_time(struct hdr_ctx *c, const char *raw, const char *what, bool have_fn, int64_t fn_value,
    int64_t *out)
{
	char shown[64];
	int rc = -1;

	if (raw != NULL)
		rc = norm_timestamp(raw, strlen(raw), out, &c->r->flags);
	if (rc == -2) {
		norm_printable(shown, sizeof shown, raw);
		return refusal_set(c->why, c->e, REFUSE_BAD_TIMESTAMP,
		    "date_range/%s '%s' is out of range "
		    "(negative or after year 9999)",
		    what, shown);
	}
	if (rc == 0)
		return 0;
	if (have_fn && fn_value <= BOUND_TS_MAX) {
		*out = fn_value;
		c->r->flags |= W_DATE_FROM_FILENAME;
		return 0;
	}
	if (raw == NULL)
		return refusal_set(c->why, c->e, REFUSE_BAD_TIMESTAMP,
		    "date_range/%s is missing and the file "
		    "name gives no period",
		    what);
	norm_printable(shown, sizeof shown, raw);
	return refusal_set(c->why, c->e, REFUSE_BAD_TIMESTAMP,
	    "date_range/%s '%s' is not a number and the "
	    "file name gives no period",
	    what, shown);
}

/* "2024-03-01T00:00:00Z" for a message; the caller checked the year is 0..9999. */
static void
ts_text(int64_t ts, char *out, size_t size)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%lld", (long long)ts);
}

/*
 * The period a report may claim (bounds.h, "Plausibility"): a report that
 * predates DMARC reporting, ends in the future or spans months would put
 * its counts on days it cannot speak for. begin <= end here.
 */
static int
header_plausible(struct hdr_ctx *c)
{
	const struct agg_report *r = c->r;
	int64_t now = (int64_t)time(NULL), days;
	char b[32], en[32];

	ts_text(r->begin_ts, b, sizeof b);
	ts_text(r->end_ts, en, sizeof en);
	if (r->begin_ts < PLAUSIBLE_FIRST_TS)
		return refusal_set(c->why, c->e, REFUSE_IMPLAUSIBLE_PERIOD,
		    "date_range %s..%s begins before 2012, when DMARC reporting began", b, en);
	if (r->end_ts > now + PLAUSIBLE_FUTURE_SECONDS)
		return refusal_set(c->why, c->e, REFUSE_IMPLAUSIBLE_PERIOD,
		    "date_range %s..%s ends more than %d hours in the future", b, en,
		    (int)(PLAUSIBLE_FUTURE_SECONDS / 3600));
	days = r->end_ts / 86400 - r->begin_ts / 86400 + 1;
	if (days > PLAUSIBLE_SPAN_DAYS)
		return refusal_set(c->why, c->e, REFUSE_IMPLAUSIBLE_PERIOD,
		    "date_range %s..%s spans %lld days (at most %d)", b, en, (long long)days,
		    PLAUSIBLE_SPAN_DAYS);
	return 0;
}

static int
header_times(struct hdr_ctx *c, const struct fname_parts *fn, bool have_fn)
{
	struct agg_report *r = c->r;
	int64_t t;

	if (header_time(c, c->begin_raw, "begin", have_fn, fn->begin, &r->begin_ts) == -1 ||
	    header_time(c, c->end_raw, "end", have_fn, fn->end, &r->end_ts) == -1)
		return -1;
	if (r->begin_ts > r->end_ts) {
		t = r->begin_ts;
		r->begin_ts = r->end_ts;
		r->end_ts = t;
		r->flags |= W_DATE_REVERSED;
	}
	if (r->end_ts - r->begin_ts > SPAN_LONG)
		r->flags |= W_SPAN_LONG;
	if (header_plausible(c) == -1)
		return -1;
	if (have_fn && (r->begin_ts != fn->begin || r->end_ts != fn->end) &&
	    !(r->flags & W_DATE_FROM_FILENAME))
		r->flags |= W_FILENAME_MISMATCH;
	return 0;
}

static int
header_org(struct hdr_ctx *c, const struct fname_parts *fn, bool have_fn,
    const struct subject_parts *sj, bool have_sj)
{
	struct agg_report *r = c->r;
	const char *from = c->hints != NULL ? c->hints->mail_from : NULL;
	uint64_t ignored = 0;

	if (r->org_name == NULL) {
		if (r->org_email != NULL)
			r->org_name = norm_addr_domain(c->a, r->org_email, strlen(r->org_email));
		if (r->org_name == NULL && have_fn)
			r->org_name =
			    norm_domain(c->a, fn->receiver, strlen(fn->receiver), &ignored);
		if (r->org_name == NULL && have_sj)
			r->org_name =
			    norm_domain(c->a, sj->submitter, strlen(sj->submitter), &ignored);
		if (r->org_name == NULL && from != NULL)
			r->org_name = norm_addr_domain(c->a, from, strlen(from));
		if (r->org_name == NULL)
			return refusal_set(c->why, c->e, REFUSE_MISSING_REPORTER,
			    "report_metadata/org_name is "
			    "missing or empty, and neither <email>, the file name, the Subject "
			    "nor the sender names the reporter");
		r->flags |= W_ORG_FALLBACK;
	}
	r->org_key = norm_lower(c->a, r->org_name);
	return 0;
}

static int
header_domain(struct hdr_ctx *c, const struct fname_parts *fn, bool have_fn,
    const struct subject_parts *sj, bool have_sj)
{
	struct agg_report *r = c->r;
	uint64_t ignored = 0;

	if (!c->have_policy)
		r->flags |= W_POLICY_PUBLISHED_MISSING;
	if (r->policy_domain != NULL) {
		if (have_fn && g_ascii_strcasecmp(fn->policy_domain, r->policy_domain) != 0)
			r->flags |= W_FILENAME_MISMATCH;
		return 0;
	}
	if (have_fn)
		r->policy_domain =
		    norm_domain(c->a, fn->policy_domain, strlen(fn->policy_domain), &ignored);
	if (r->policy_domain == NULL && have_sj)
		r->policy_domain = norm_domain(c->a, sj->domain, strlen(sj->domain), &ignored);
	if (r->policy_domain == NULL)
		return refusal_set(c->why, c->e, REFUSE_MISSING_POLICY_DOMAIN,
		    "policy_published/domain is "
		    "missing or empty, and neither the file name nor the Subject names the domain");
	return 0;
}

/*
 * report_id fallback (FORMATS.md "The header's fallbacks"). A hash of the whole
 * XML is only known at the end and begin needs the id, so the last resort
 * hashes the header fields that make the dedup key instead.
 */
static void
header_report_id(struct hdr_ctx *c, const struct fname_parts *fn, bool have_fn,
    const struct subject_parts *sj, bool have_sj)
{
	struct agg_report *r = c->r;
	char id[64];
	char *key;
	gchar *hex;

	if (r->report_id != NULL)
		return;
	r->flags |= W_REPORT_ID_SYNTH;
	if (have_sj && sj->report_id[0] != '\0')
		r->report_id = arena_strndup(c->a, sj->report_id, strlen(sj->report_id));
	else if (have_fn && fn->unique_id[0] != '\0')
		r->report_id = arena_strndup(c->a, fn->unique_id, strlen(fn->unique_id));
	if (r->report_id != NULL)
		return;
	key = g_strdup_printf("%s\n%s\n%lld\n%lld", r->org_key, r->policy_domain,
	    (long long)r->begin_ts, (long long)r->end_ts);
	hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	snprintf(id, sizeof id, "sha256:%.32s", hex);
	r->report_id = arena_strndup(c->a, id, strlen(id));
	g_free(hex);
	g_free(key);
}

int
report_hdr_complete(struct arena *a, struct agg_report *r, const char *begin_raw,
    const char *end_raw, bool have_policy, const struct report_hints *hints, enum refusal *why,
    struct errbuf *e)
{
	struct hdr_ctx c = { a, r, begin_raw, end_raw, have_policy, hints, why, e };
	struct fname_parts fn;
	struct subject_parts sj;
	bool have_fn, have_sj;

	have_fn = parse_filename(hints != NULL ? hints->filename : NULL, &fn);
	have_sj = parse_subject(hints != NULL ? hints->subject : NULL, &sj);
	if (header_org(&c, &fn, have_fn, &sj, have_sj) == -1 ||
	    header_domain(&c, &fn, have_fn, &sj, have_sj) == -1 ||
	    header_times(&c, &fn, have_fn) == -1)
		return -1;
	header_report_id(&c, &fn, have_fn, &sj, have_sj);
	return 0;
}
