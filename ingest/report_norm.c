/*
 * report_norm: value normalisation (FORMATS.md "Normalising values", "Report
 * periods", "Record fields").
 */
#include "report_norm.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "flags.h"

#define TS_MILLIS_LO INT64_C(1000000000000)
#define TS_MILLIS_HI INT64_C(100000000000000)

struct word {
	const char *name;
	size_t len;
	int value;
	bool alias; /* the raw text is kept */
};

#define WORD(name, value, alias) \
	{ \
		name, sizeof name - 1, value, alias \
	}
#define WORD_END \
	{ \
		NULL, 0, 0, false \
	}

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

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* An ASCII lower-case copy of p[0..len) in the arena. */
static char *
lower_dup(struct arena *a, const char *p, size_t len)
{
	char *out = arena_alloc(a, len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = lower(p[i]);
	out[len] = '\0';
	return out;
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
norm_text(struct arena *a, const char *p, size_t len)
{
	p = norm_trim(p, len, &len);
	return len == 0 ? NULL : arena_strndup(a, p, len);
}

char *
norm_collapse(struct arena *a, const char *p, size_t len)
{
	char *out;
	size_t i, w = 0;

	p = norm_trim(p, len, &len);
	if (len == 0)
		return NULL;
	out = arena_alloc(a, len + 1);
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
norm_report_id(struct arena *a, const char *p, size_t len)
{
	p = norm_trim(p, len, &len);
	if (len >= 2 && p[0] == '<' && p[len - 1] == '>')
		p = norm_trim(p + 1, len - 2, &len);
	return len == 0 ? NULL : arena_strndup(a, p, len);
}

char *
norm_lower(struct arena *a, const char *s)
{
	return lower_dup(a, s, strlen(s));
}

char *
norm_domain(struct arena *a, const char *p, size_t len, uint64_t *flags)
{
	const char *at;

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
	return len == 0 ? NULL : lower_dup(a, p, len);
}

char *
norm_addr_domain(struct arena *a, const char *p, size_t len)
{
	const char *at, *end;

	if (p == NULL || (at = last_at(p, len)) == NULL)
		return NULL;
	at++;
	for (end = at; end < p + len && !is_space(*end) && *end != '>'; end++)
		;
	if (end > at && end[-1] == '.')
		end--;
	return end == at ? NULL : lower_dup(a, at, (size_t)(end - at));
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
		if (w->len != len)
			continue;
		for (i = 0; i < len && lower(p[i]) == w->name[i]; i++)
			;
		if (i < len)
			continue;
		if (memcmp(p, w->name, len) != 0)
			*flags |= W_ENUM_CASE;
		return w;
	}
	*flags |= W_ENUM_UNKNOWN;
	return NULL;
}

static char *
keep_raw(struct arena *a, const struct word *w, bool empty, const char *p, size_t len)
{
	if (empty || (w != NULL && !w->alias))
		return NULL;
	return norm_text(a, p, len);
}

enum policy
norm_policy(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = { WORD("none", POLICY_NONE, false),
		WORD("quarantine", POLICY_QUARANTINE, false), WORD("reject", POLICY_REJECT, false),
		WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (enum policy)w->value : POLICY_UNSET;
}

char
norm_alignment(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = { WORD("r", 'r', false), WORD("s", 's', false),
		WORD("relaxed", 'r', false), WORD("strict", 's', false), WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (char)w->value : 0;
}

char
norm_testing(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = { WORD("y", 'y', false), WORD("n", 'n', false), WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (char)w->value : 0;
}

char *
norm_discovery(struct arena *a, const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = { WORD("psl", 0, false), WORD("treewalk", 0, false),
		WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	if (w != NULL)
		return arena_strndup(a, w->name, w->len);
	return empty ? NULL : norm_text(a, p, len);
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
norm_disposition(struct arena *a, const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = { WORD("none", DISP_NONE, false),
		WORD("pass", DISP_PASS, false), WORD("quarantine", DISP_QUARANTINE, false),
		WORD("reject", DISP_REJECT, false), WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(a, w, empty, p, len);
	return w != NULL ? (enum disposition)w->value : DISP_UNKNOWN;
}

enum auth_result
norm_auth_result(struct arena *a, const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = { WORD("none", AUTH_NONE, false),
		WORD("pass", AUTH_PASS, false), WORD("fail", AUTH_FAIL, false),
		WORD("softfail", AUTH_SOFTFAIL, false), WORD("neutral", AUTH_NEUTRAL, false),
		WORD("policy", AUTH_POLICY, false), WORD("temperror", AUTH_TEMPERROR, false),
		WORD("permerror", AUTH_PERMERROR, false), WORD("hardfail", AUTH_FAIL, true),
		WORD("unknown", AUTH_TEMPERROR, true), WORD("error", AUTH_PERMERROR, true),
		WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(a, w, empty, p, len);
	return w != NULL ? (enum auth_result)w->value : AUTH_UNKNOWN;
}

enum override_type
norm_override(struct arena *a, const char *p, size_t len, uint64_t *flags, char **raw)
{
	static const struct word tab[] = { WORD("other", OVERRIDE_OTHER, false),
		WORD("forwarded", OVERRIDE_FORWARDED, false),
		WORD("sampled_out", OVERRIDE_SAMPLED_OUT, false),
		WORD("trusted_forwarder", OVERRIDE_TRUSTED_FORWARDER, false),
		WORD("mailing_list", OVERRIDE_MAILING_LIST, false),
		WORD("local_policy", OVERRIDE_LOCAL_POLICY, false),
		WORD("policy_test_mode", OVERRIDE_POLICY_TEST_MODE, false), WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	*raw = keep_raw(a, w, empty, p, len);
	return w != NULL ? (enum override_type)w->value : OVERRIDE_OTHER;
}

enum dmarc_result
norm_dmarc_result(const char *p, size_t len, uint64_t *flags)
{
	static const struct word tab[] = { WORD("pass", DMARC_PASS, false),
		WORD("fail", DMARC_FAIL, false), WORD_END };
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
	static const struct word tab[] = { WORD("mfrom", SPF_SCOPE_MFROM, false),
		WORD("helo", SPF_SCOPE_HELO, false), WORD_END };
	const struct word *w;
	bool empty;

	w = lookup(tab, p, len, flags, &empty);
	return w != NULL ? (enum spf_scope)w->value : SPF_SCOPE_UNSET;
}

/* Dotted decimal of a (as inet_ntop, which formats with sprintf); out holds 16. */
static void
ipv4_text(const unsigned char a[4], char *out)
{
	size_t i, w = 0;
	unsigned v;

	for (i = 0; i < 4; i++) {
		v = a[i];
		if (v >= 100)
			out[w++] = (char)('0' + v / 100);
		if (v >= 10)
			out[w++] = (char)('0' + v / 10 % 10);
		out[w++] = (char)('0' + v % 10);
		out[w++] = i < 3 ? '.' : '\0';
	}
}

/*
 * RFC 5952 text of a (as glibc's inet_ntop, without its sprintf): the
 * first longest run of two or more zero groups becomes "::", and an
 * IPv4-compatible or -mapped address ends in dotted decimal. out holds 46.
 */
static void
ipv6_text(const unsigned char a[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned words[8], w;
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0, shift;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (words[i] == 0) {
			if (cur == -1)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best != -1 && i >= best && i < best + best_len) {
			if (i == best)
				out[n++] = ':';
			continue;
		}
		if (i != 0)
			out[n++] = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			ipv4_text(a + 12, out + n);
			return;
		}
		w = words[i];
		for (shift = 12; shift > 0 && (w >> shift) == 0; shift -= 4)
			;
		for (; shift >= 0; shift -= 4)
			out[n++] = hex[(w >> shift) & 0xf];
	}
	if (best != -1 && best + best_len == 8)
		out[n++] = ':';
	out[n] = '\0';
}

void
norm_ip(struct arena *a, const char *p, size_t len, struct agg_record *rec)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char addr[16];
	char text[64];
	const char *pct;

	rec->source_ip[0] = '\0';
	rec->ip_family = 0;
	p = norm_trim(p, len, &len);
	rec->source_ip_raw = len == 0 ? NULL : arena_strndup(a, p, len);
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
	if (rec->ip_family == 4)
		ipv4_text(addr, rec->source_ip);
	else
		ipv6_text(addr, rec->source_ip);
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
	if (parse_decimal(p, len, &v, &frac, &frac_zero) == -1 || (frac && !frac_zero))
		return -1;
	if (frac)
		*flags |= W_NUMBER_FORMAT;
	if (v == 0)
		*flags |= W_COUNT_ZERO;
	*out = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
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
	} else if (v > (uint64_t)BOUND_TS_MAX) {
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
