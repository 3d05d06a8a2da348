/* arf_text: the plaintext (Exim) failure report (FORMATS.md "Plaintext failure reports"). */
#include "arf_text.h"

#include <string.h>
#include <strings.h>

/* Keys are short phrases of letters, digits, spaces and dashes. */
#define TEXT_KEY_MAX 64
/* The keys are looked for in the first bytes only. */
#define TEXT_SCAN_MAX 8192

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive search of the NUL-terminated needle in len bytes of hay. */
static bool
contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (strncasecmp((const char *)hay + i, needle, n) == 0)
			return true;
	return false;
}

bool
arf_text_is_report(const void *text, size_t len)
{
	if (len > TEXT_SCAN_MAX)
		len = TEXT_SCAN_MAX;
	return contains(text, len, "Sender Domain:") && contains(text, len, "Sender IP Address:");
}

static bool
valid_key(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > TEXT_KEY_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (!(p[i] >= 'a' && p[i] <= 'z') && !(p[i] >= 'A' && p[i] <= 'Z') &&
		    !(p[i] >= '0' && p[i] <= '9') && p[i] != ' ' && p[i] != '-')
			return false;
	}
	return true;
}

/* The separator: "------ This is a copy of the headers ... detected." */
static bool
separator(const unsigned char *p, size_t n)
{
	static const char end[] = "detected.";

	if (n >= 6 && memcmp(p, "------", 6) == 0)
		return true;
	return n >= sizeof end - 1 && memcmp(p + n - (sizeof end - 1), end, sizeof end - 1) == 0;
}

int
arf_text_parse(const void *text, size_t len, struct arf_hdrs *fields, size_t *sample,
    struct errbuf *e)
{
	const unsigned char *b = text, *p, *colon, *v;
	size_t pos = 0, end, next, n, kn, vn;

	*sample = len;
	while (pos < len) {
		for (end = pos; end < len && b[end] != '\n' && b[end] != '\r'; end++)
			;
		next = end < len && b[end] == '\r' && end + 1 < len && b[end + 1] == '\n' ?
		    end + 2 :
		    end + (end < len);
		p = b + pos;
		n = end - pos;
		while (n > 0 && is_wsp(p[0])) {
			p++;
			n--;
		}
		while (n > 0 && is_wsp(p[n - 1]))
			n--;
		if (separator(p, n)) {
			/* the header copy starts after the blank lines that follow */
			while (next < len && (b[next] == '\n' || b[next] == '\r'))
				next++;
			*sample = next;
			return 0;
		}
		if (n > 0 && (colon = memchr(p, ':', n)) != NULL) {
			kn = (size_t)(colon - p);
			while (kn > 0 && is_wsp(p[kn - 1]))
				kn--;
			v = colon + 1;
			vn = n - (size_t)(v - p);
			while (vn > 0 && is_wsp(v[0])) {
				v++;
				vn--;
			}
			if (valid_key(p, kn) &&
			    arf_hdrs_add(fields, (const char *)p, kn, (const char *)v, vn) == -1) {
				errbuf_set(e, "plaintext report: out of memory");
				return -1;
			}
		}
		pos = next;
	}
	return 0;
}
