/*
 * report_norm: value normalisation (spec 2.6.3, section 6) and the
 * file-name / Subject parsers used for fallbacks (spec 3.2, 3.4).
 */
#include "report_norm.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flags.h"

#define TS_MAX          INT64_C(253402300799)   /* 9999-12-31T23:59:59Z */
#define TS_MILLIS_LO    INT64_C(1000000000000)
#define TS_MILLIS_HI    INT64_C(100000000000000)
#define COUNT_HUGE      INT64_C(1000000000)
#define TS_2012         INT64_C(1325376000)            /* 2012-01-01 */
#define SPAN_LONG       (INT64_C(31) * 86400)
#define FUTURE_SLACK    (INT64_C(48) * 3600)
#define FIELD_MAX       256

/* The conventional file name receiver!policy-domain!begin!end[!unique-id].ext (spec 3.2). */
struct fname_parts {
	char receiver[FIELD_MAX];
	char policy_domain[FIELD_MAX];
	char unique_id[FIELD_MAX];
	int64_t begin, end;
};

/* "Report Domain: d Submitter: s [Report-ID: <id>]" (spec 3.4), any case. */
struct subject_parts {
	char domain[FIELD_MAX];
	char submitter[FIELD_MAX];
	char report_id[FIELD_MAX];  /* "" when absent */
};

struct hdr_ctx {
	struct agg_report *r;
	const char *begin_raw, *end_raw;
	bool have_policy;
	const struct report_hints *hints;
	enum refusal *why;
	struct errbuf *e;
};

struct word {
	const char *name;
	int value;
	bool alias;              /* the raw text is kept */
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The last '@' in p[0..len), or NULL. */
static const char *
last_at(const char *p, size_t len)
{
	while (len > 0) {
		if (p[--len] == '@')
			return p + len;
	}
	return NULL;
}

const char *
norm_trim(const char *p, size_t len, size_t *n)
{
	while (len > 0 && is_space(p[0])) {
		p++;
		len--;
	}
	while (len > 0 && is_space(p[len - 1]))
		len--;
	*n = len;
	return p;
}

char *
norm_text(const char *p, size_t len)
{
	p = norm_trim(p, len, &len);
	return len == 0 ? NULL : g_strndup(p, len);
}

char *
norm_collapse(const char *p, size_t len)
{
	char *out;
	size_t i, w = 0;

	p = norm_trim(p, len, &len);
	if (len == 0)
		return NULL;
	out = g_malloc(len + 1);
	for (i = 0; i < len; i++) {
		if (is_space(p[i])) {
			if (w > 0 && out[w - 1] != ' ')
				out[w++] = ' ';
		} else {
			out[w++] = p[i];
		}
	}
	out[w] = '\0';
	return out;
}

char *
norm_report_id(const char *p, size_t len)
{
	p = norm_trim(p, len, &len);
	if (len >= 2 && p[0] == '<' && p[len - 1] == '>')
		p = norm_trim(p + 1, len - 2, &len);
	return len == 0 ? NULL : g_strndup(p, len);
}

char *
norm_lower(const char *s)
{
	return g_ascii_strdown(s, -1);
}

char *
norm_domain(const char *p, size_t len, uint64_t *flags)
{
	const char *at;
	char *out;

	p = norm_trim(p, len, &len);
	if (len >= 2 && p[0] == '<' && p[len - 1] == '>') {
		p = norm_trim(p + 1, len - 2, &len);
		*flags |= W_DOMAIN_NORMALIZED;
	}
	if (len > 0 && (at = last_at(p, len)) != NULL) {
		len -= (size_t)(at + 1 - p);
		p = at + 1;
		*flags |= W_DOMAIN_NORMALIZED;
	}
	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0)
		return NULL;
	out = g_ascii_strdown(p, (gssize)len);
	return out;
}

char *
norm_addr_domain(const char *p, size_t len)
{
	const char *at, *end;

	if (p == NULL || (at = last_at(p, len)) == NULL)
		return NULL;
	at++;
	for (end = at; end < p + len && !is_space(*end) && *end != '>'; end++)
		;
	if (end > at && end[-1] == '.')
		end--;
	return end == at ? NULL : g_ascii_strdown(at, end - at);
}

/*
 * Finds the trimmed text in tab, case-insensitively. Returns the entry, or
 * NULL (unknown word, flagged, or empty: *empty set).
 */
static const struct word *
lookup(const struct word *tab, const char *p, size_t len, uint64_t *flags, bool *empty)
{
	const struct word *w;
	size_t i;

	p = norm_trim(p, len, &len);
	*empty = len == 0;
	if (len == 0)
		return NULL;
	for (w = tab; w->name != NULL; w++) {
		if (strlen(w->name) != len || g_ascii_strncasecmp(w->name, p, len) != 0)
			continue;
		for (i = 0; i < len; i++) {
			if (p[i] != w->name[i]) {
				*flags |= W_ENUM_CASE;
				break;
			}
		}
		return w;
	}
	*flags |= W_ENUM_UNKNOWN;
	return NULL;
}

static char *
keep_raw(const struct word *w, bool empty, const char *p, size_t len)
{
	if (empty || (w != NULL && !w->alias))
		return NULL;
	return norm_text(p, len);
}

enum policy
norm_policy(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "none", POLICY_NONE, false }, { "quarantine", POLICY_QUARANTINE, false },
		{ "reject", POLICY_REJECT, false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (enum policy)w->value : POLICY_UNSET;
}

char
norm_alignment(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "r", 'r', false }, { "s", 's', false }, { "relaxed", 'r', false },
		{ "strict", 's', false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (char)w->value : 0;
}

char
norm_testing(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "y", 'y', false }, { "n", 'n', false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (char)w->value : 0;
}

char *
norm_discovery(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "psl", 0, false }, { "treewalk", 0, false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	if (w != NULL)
		return g_strdup(w->name);
	return empty ? NULL : norm_text(p, len);
}

int
norm_pct(const char *p, size_t len, uint64_t *flags)
{
	int v = 0;
	size_t i;

	p = norm_trim(p, len, &len);
	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || (v = v * 10 + (p[i] - '0')) > 100) {
			*flags |= W_NUMBER_FORMAT;
			return -1;
		}
	}
	return v;
}

enum disposition
norm_disposition(const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = {
		{ "none", DISP_NONE, false }, { "pass", DISP_PASS, false },
		{ "quarantine", DISP_QUARANTINE, false }, { "reject", DISP_REJECT, false },
		{ NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(w, empty, p, len);
	return w != NULL ? (enum disposition)w->value : DISP_UNKNOWN;
}

enum auth_result
norm_auth_result(const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = {
		{ "none", AUTH_NONE, false }, { "pass", AUTH_PASS, false },
		{ "fail", AUTH_FAIL, false }, { "softfail", AUTH_SOFTFAIL, false },
		{ "neutral", AUTH_NEUTRAL, false }, { "policy", AUTH_POLICY, false },
		{ "temperror", AUTH_TEMPERROR, false }, { "permerror", AUTH_PERMERROR, false },
		{ "hardfail", AUTH_FAIL, true }, { "unknown", AUTH_TEMPERROR, true },
		{ "error", AUTH_PERMERROR, true }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(w, empty, p, len);
	return w != NULL ? (enum auth_result)w->value : AUTH_UNKNOWN;
}

enum override_type
norm_override(const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = {
		{ "other", OVERRIDE_OTHER, false }, { "forwarded", OVERRIDE_FORWARDED, false },
		{ "sampled_out", OVERRIDE_SAMPLED_OUT, false },
		{ "trusted_forwarder", OVERRIDE_TRUSTED_FORWARDER, false },
		{ "mailing_list", OVERRIDE_MAILING_LIST, false },
		{ "local_policy", OVERRIDE_LOCAL_POLICY, false },
		{ "policy_test_mode", OVERRIDE_POLICY_TEST_MODE, false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(w, empty, p, len);
	return w != NULL ? (enum override_type)w->value : OVERRIDE_OTHER;
}

enum dmarc_result
norm_dmarc_result(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "pass", DMARC_PASS, false }, { "fail", DMARC_FAIL, false }, { NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	if (empty) {
		*flags |= W_PE_INCOMPLETE;
		return DMARC_UNKNOWN;
	}
	return w != NULL ? (enum dmarc_result)w->value : DMARC_FAIL;
}

enum spf_scope
norm_scope(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = {
		{ "mfrom", SPF_SCOPE_MFROM, false }, { "helo", SPF_SCOPE_HELO, false },
		{ NULL, 0, false }
	};
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (enum spf_scope)w->value : SPF_SCOPE_UNSET;
}

void
norm_ip(const char *p, size_t len, struct agg_record *rec)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char addr[16];
	char text[64];
	const char *pct;

	rec->source_ip[0] = '\0';
	rec->ip_family = 0;
	p = norm_trim(p, len, &len);
	rec->source_ip_raw = len == 0 ? NULL : g_strndup(p, len);
	if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
		p = norm_trim(p + 1, len - 2, &len);
		rec->flags |= W_IP_NORMALIZED;
	}
	if (len >= 5 && g_ascii_strncasecmp(p, "IPv6:", 5) == 0) {
		p += 5;
		len -= 5;
		rec->flags |= W_IP_NORMALIZED;
	}
	if ((pct = memchr(p, '%', len)) != NULL) {
		len = (size_t)(pct - p);
		rec->flags |= W_IP_NORMALIZED;
	}
	if (len == 0 || len >= sizeof text)
		goto invalid;
	memcpy(text, p, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, addr) == 1) {
		rec->ip_family = 4;
	} else if (inet_pton(AF_INET6, text, addr) == 1) {
		rec->ip_family = 6;
		if (memcmp(addr, mapped, sizeof mapped) == 0) {
			memmove(addr, addr + 12, 4);
			rec->ip_family = 4;
			rec->flags |= W_IP_MAPPED;
		}
	} else {
		goto invalid;
	}
	if (inet_ntop(rec->ip_family == 4 ? AF_INET : AF_INET6, addr, rec->source_ip,
	    sizeof rec->source_ip) != NULL)
		return;
invalid:
	rec->source_ip[0] = '\0';
	rec->ip_family = 0;
	rec->flags |= W_IP_INVALID;
}

/*
 * An unsigned decimal with an optional '+': digits into *out (saturating
 * at UINT64_MAX), *frac says whether a fraction followed and *frac_zero
 * whether it was all zeros. Returns -1 when the text is not a number.
 */
static int
parse_decimal(const char *p, size_t len, uint64_t *out, bool *frac, bool *frac_zero)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;
	unsigned d;

	*frac = false;
	*frac_zero = true;
	if (len > 0 && p[0] == '+')
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		d = (unsigned)(p[i] - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	if (digits == 0)
		return -1;
	if (i < len && p[i] == '.') {
		*frac = true;
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
			if (p[i] != '0')
				*frac_zero = false;
		}
	}
	if (i != len)
		return -1;
	*out = v;
	return 0;
}

int
norm_count(const char *p, size_t len, int64_t *out, uint64_t *flags)
{
	bool frac, frac_zero;
	uint64_t v;

	p = norm_trim(p, len, &len);
	if (parse_decimal(p, len, &v, &frac, &frac_zero) == -1 || (frac && !frac_zero) ||
	    v > (uint64_t)INT64_MAX)
		return -1;
	if (frac)
		*flags |= W_NUMBER_FORMAT;
	if (v == 0)
		*flags |= W_COUNT_ZERO;
	else if (v > (uint64_t)COUNT_HUGE)
		*flags |= W_COUNT_HUGE;
	*out = (int64_t)v;
	return 0;
}

int
norm_timestamp(const char *p, size_t len, int64_t *out, uint64_t *flags)
{
	bool frac, frac_zero;
	uint64_t v;

	p = norm_trim(p, len, &len);
	if (len > 1 && p[0] == '-' && p[1] >= '0' && p[1] <= '9')
		return parse_decimal(p + 1, len - 1, &v, &frac, &frac_zero) == -1 ? -1 : -2;
	if (parse_decimal(p, len, &v, &frac, &frac_zero) == -1)
		return -1;
	if (v >= (uint64_t)TS_MILLIS_LO && v < (uint64_t)TS_MILLIS_HI) {
		v /= 1000;
		*flags |= W_TS_MILLIS;
	} else if (v > (uint64_t)TS_MAX) {
		return -2;
	}
	*out = (int64_t)v;
	return 0;
}

/* Copies s for an error message: controls become '?', line breaks spaces. */
void
norm_printable(char *out, size_t size, const char *s)
{
	size_t w = 0;

	for (; s != NULL && *s != '\0' && w + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		out[w++] = (char)c;
	}
	while (w > 0 && out[w - 1] == ' ')
		w--;
	out[w] = '\0';
}

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
	static const char *const suffixes[] = {
		".xml.gz", ".xml.zip", ".xml", ".gz", ".gzip", ".zip"
	};
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
	if (t != s && (t = keyword(t, "report-id:")) != NULL && token(skip_space(t), sj->report_id)) {
		n = strlen(sj->report_id);
		if (n > 0 && sj->report_id[n - 1] == '>')
			sj->report_id[--n] = '\0';
		if (sj->report_id[0] == '<')
			memmove(sj->report_id, sj->report_id + 1, n);
	}
	return true;
}

static int
hdr_refuse(struct hdr_ctx *c, enum refusal why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
hdr_refuse(struct hdr_ctx *c, enum refusal why, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	*c->why = why;
	errbuf_set(c->e, "%s", msg);
	return -1;
}

/* ---- the header: fallbacks and validation (spec 6.3) ---- */

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
		return hdr_refuse(c, REFUSE_BAD_TIMESTAMP, "date_range/%s '%s' is out of range "
		    "(negative or after year 9999)", what, shown);
	}
	if (rc == 0)
		return 0;
	if (have_fn && fn_value <= TS_MAX) {
		*out = fn_value;
		c->r->flags |= W_DATE_FROM_FILENAME;
		return 0;
	}
	if (raw == NULL)
		return hdr_refuse(c, REFUSE_BAD_TIMESTAMP, "date_range/%s is missing and the file "
		    "name gives no period", what);
	norm_printable(shown, sizeof shown, raw);
	return hdr_refuse(c, REFUSE_BAD_TIMESTAMP, "date_range/%s '%s' is not a number and the "
	    "file name gives no period", what, shown);
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
	if (r->begin_ts < TS_2012 || r->begin_ts > (int64_t)time(NULL) + FUTURE_SLACK)
		r->flags |= W_DATE_IMPLAUSIBLE;
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
			r->org_name = norm_addr_domain(r->org_email, strlen(r->org_email));
		if (r->org_name == NULL && have_fn)
			r->org_name = norm_domain(fn->receiver, strlen(fn->receiver), &ignored);
		if (r->org_name == NULL && have_sj)
			r->org_name = norm_domain(sj->submitter, strlen(sj->submitter), &ignored);
		if (r->org_name == NULL && from != NULL)
			r->org_name = norm_addr_domain(from, strlen(from));
		if (r->org_name == NULL)
			return hdr_refuse(c, REFUSE_MISSING_REPORTER, "report_metadata/org_name is "
			    "missing or empty, and neither <email>, the file name, the Subject "
			    "nor the sender names the reporter");
		r->flags |= W_ORG_FALLBACK;
	}
	r->org_key = norm_lower(r->org_name);
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
		r->policy_domain = norm_domain(fn->policy_domain, strlen(fn->policy_domain),
		    &ignored);
	if (r->policy_domain == NULL && have_sj)
		r->policy_domain = norm_domain(sj->domain, strlen(sj->domain), &ignored);
	if (r->policy_domain == NULL)
		return hdr_refuse(c, REFUSE_MISSING_POLICY_DOMAIN, "policy_published/domain is "
		    "missing or empty, and neither the file name nor the Subject names the domain");
	return 0;
}

/*
 * report_id fallback (T-2). The spec's last resort is a hash of the XML,
 * which is only known at the end; begin needs the id, so the last resort
 * here hashes the header fields that make the dedup key instead.
 */
static void
header_report_id(struct hdr_ctx *c, const struct fname_parts *fn, bool have_fn,
    const struct subject_parts *sj, bool have_sj)
{
	struct agg_report *r = c->r;
	char *key;
	gchar *hex;

	if (r->report_id != NULL)
		return;
	r->flags |= W_REPORT_ID_SYNTH;
	if (have_sj && sj->report_id[0] != '\0')
		r->report_id = g_strdup(sj->report_id);
	else if (have_fn && fn->unique_id[0] != '\0')
		r->report_id = g_strdup(fn->unique_id);
	if (r->report_id != NULL)
		return;
	key = g_strdup_printf("%s\n%s\n%lld\n%lld", r->org_key, r->policy_domain,
	    (long long)r->begin_ts, (long long)r->end_ts);
	hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	r->report_id = g_strdup_printf("sha256:%.32s", hex);
	g_free(hex);
	g_free(key);
}

int
norm_header(struct agg_report *r, const char *begin_raw, const char *end_raw, bool have_policy,
    const struct report_hints *hints, enum refusal *why, struct errbuf *e)
{
	struct hdr_ctx c = { r, begin_raw, end_raw, have_policy, hints, why, e };
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
