/* arf_norm: the value rules of failure-report fields. */
#include "arf_norm.h"

#include <arpa/inet.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flags.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *
arf_strndup(const char *p, size_t n)
{
	char *s;

	if (p == NULL || (s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
arf_strdup(const char *s)
{
	return s != NULL ? arf_strndup(s, strlen(s)) : NULL;
}

/* Lower-cases s in place (ASCII) and returns it; NULL stays NULL. */
static char *
lower_in_place(char *s)
{
	char *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

char *
arf_lower(const char *s)
{
	return lower_in_place(arf_strdup(s));
}

/* The first case-insensitive occurrence of needle in s, or NULL. */
static const char *
find_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

int64_t
arf_date(const char *s)
{
	GDateTime *dt;
	int64_t ts;

	if (s == NULL || *s == '\0' || (dt = g_mime_utils_header_decode_date(s)) == NULL)
		return -1;
	ts = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	/* nothing arrives before 1970: such a date is garbled */
	return ts <= 0 ? -1 : ts;
}

void
arf_ip(const char *raw, char out[46], uint64_t *flags)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char addr[16];
	char text[64];
	const char *p = raw;
	size_t n = 0;
	int af = AF_INET;

	out[0] = '\0';
	if (raw == NULL)
		return;
	while (is_space(*p))
		p++;
	while (p[n] != '\0' && !is_space(p[n]) && p[n] != '(')
		n++;
	if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	}
	if (n >= 5 && strncasecmp(p, "IPv6:", 5) == 0) {
		p += 5;
		n -= 5;
	}
	if (memchr(p, '%', n) != NULL)
		n = (size_t)((const char *)memchr(p, '%', n) - p);
	if (n == 0 || n >= sizeof text)
		goto invalid;
	memcpy(text, p, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, addr) != 1) {
		if (inet_pton(AF_INET6, text, addr) != 1)
			goto invalid;
		af = AF_INET6;
		if (memcmp(addr, mapped, sizeof mapped) == 0) {
			memmove(addr, addr + 12, 4);
			af = AF_INET;
			*flags |= W_IP_MAPPED;
		}
	}
	if (inet_ntop(af, addr, out, 46) != NULL)
		return;
invalid:
	out[0] = '\0';
	*flags |= W_IP_INVALID;
}

char *
arf_addr_domain(const char *addr)
{
	const char *p, *lt, *at, *end;

	if (addr == NULL)
		return NULL;
	p = addr;
	if ((lt = strrchr(addr, '<')) != NULL && strchr(lt, '>') != NULL)
		p = lt + 1;
	end = p;
	while (*end != '\0' && *end != '>' && !is_space(*end) && *end != ',' && *end != ';')
		end++;
	if ((at = memchr(p, '@', (size_t)(end - p))) == NULL)
		return NULL;
	while (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	if (end > at + 1 && end[-1] == '.')
		end--;
	if (end == at + 1)
		return NULL;
	return lower_in_place(arf_strndup(at + 1, (size_t)(end - at - 1)));
}

char *
arf_strip_angle(const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	return arf_strndup(s, n);
}

char *
arf_mta_name(const char *s)
{
	const char *semi;

	if (s == NULL)
		return NULL;
	if ((semi = strchr(s, ';')) != NULL)
		s = semi + 1;
	while (is_space(*s))
		s++;
	return arf_strdup(s);
}

const char *
arf_delivery_result(const char *raw, bool *exact)
{
	static const char *const words[] = { "delivered", "spam", "policy", "reject" };
	static const char *const hints[][2] = {
		{ "deliver", "delivered" },
		{ "spam", "spam" },
		{ "junk", "spam" },
		{ "reject", "reject" },
		{ "policy", "policy" },
	};
	size_t i, j, n;

	*exact = false;
	if (raw == NULL)
		return NULL;
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strcasecmp(raw, words[i]) == 0) {
			*exact = true;
			return words[i];
		}
	}
	if (strcasecmp(raw, "other") == 0) {
		*exact = true;
		return "other";
	}
	n = strlen(raw);
	for (i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		size_t k = strlen(hints[i][0]);

		for (j = 0; k <= n && j <= n - k; j++)
			if (strncasecmp(raw + j, hints[i][0], k) == 0)
				return hints[i][1];
	}
	return "other";
}

/* The word after "name=" where name starts at a token boundary, lower-case. */
static char *
property(const char *ar, const char *name, bool word_only)
{
	size_t n = strlen(name), k;
	const char *p, *v;

	if (ar == NULL)
		return NULL;
	for (p = ar; (p = find_ci(p, name)) != NULL; p += n) {
		if (p != ar && !is_space(p[-1]) && p[-1] != ';' && p[-1] != '(')
			continue;
		v = p + n;
		while (is_space(*v))
			v++;
		if (*v != '=')
			continue;
		v++;
		while (is_space(*v))
			v++;
		for (k = 0; v[k] != '\0'; k++) {
			if (word_only ?
			        !((v[k] >= 'a' && v[k] <= 'z') || (v[k] >= 'A' && v[k] <= 'Z')) :
			        (is_space(v[k]) || v[k] == ';' || v[k] == ')'))
				break;
		}
		if (k > 0)
			return lower_in_place(arf_strndup(v, k));
	}
	return NULL;
}

char *
arf_auth_result(const char *ar, const char *method)
{
	return property(ar, method, true);
}

char *
arf_ar_header_from(const char *ar)
{
	return property(ar, "header.from", false);
}

char *
arf_dkim_tag(const char *sig, const char *tag)
{
	size_t n = strlen(tag), k;
	const char *p = sig, *v;

	if (sig == NULL)
		return NULL;
	while (*p != '\0') {
		while (is_space(*p) || *p == ';')
			p++;
		if (strncmp(p, tag, n) == 0) {
			v = p + n;
			while (is_space(*v))
				v++;
			if (*v == '=') {
				v++;
				while (is_space(*v))
					v++;
				for (k = 0; v[k] != '\0' && v[k] != ';'; k++)
					;
				while (k > 0 && is_space(v[k - 1]))
					k--;
				return k > 0 ? arf_strndup(v, k) : NULL;
			}
		}
		while (*p != '\0' && *p != ';')
			p++;
	}
	return NULL;
}

int
arf_number(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;
	const char *p = s;

	if (s == NULL || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p != '\0' || v < min)
		return -1;
	*out = v;
	return 0;
}
