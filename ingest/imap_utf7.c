#include "imap_utf7.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* The next character of s (advanced past it), or -1 when s is not UTF-8 there. */
static int32_t
next_char(const unsigned char **s)
{
	const unsigned char *p = *s;
	int32_t c;
	int n, i;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 1, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 2, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 3, c = p[0] & 0x07;
	else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*s = p + n + 1;
	return c;
}

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void
put(struct out *o, char ch)
{
	if (o->len + 1 >= o->size) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = ch;
}

/* The UTF-16 code units of a run of non-ASCII characters, base64 between & and -. */
struct run {
	uint32_t bits;
	int nbits;
};

static void
run_unit(struct out *o, struct run *r, uint16_t unit)
{
	r->bits = (r->bits << 16) | unit;
	r->nbits += 16;
	while (r->nbits >= 6) {
		r->nbits -= 6;
		put(o, b64[(r->bits >> r->nbits) & 0x3f]);
	}
}

static void
run_end(struct out *o, struct run *r)
{
	if (r->nbits > 0)
		put(o, b64[(r->bits << (6 - r->nbits)) & 0x3f]);
	put(o, '-');
	r->nbits = 0;
	r->bits = 0;
}

int
imap_utf7_encode(const char *name, char *out, size_t size, struct errbuf *e)
{
	const unsigned char *s = (const unsigned char *)name;
	struct out o = { out, size, 0, false };
	struct run r = { 0, 0 };
	bool in_run = false;
	int32_t c;

	while (*s != '\0') {
		if ((c = next_char(&s)) == -1) {
			errbuf_set(e, "imap: folder '%s' is not valid UTF-8", name);
			return -1;
		}
		if (c < 0x20 || c == 0x7f) {
			errbuf_set(e, "imap: folder '%s' holds a control character", name);
			return -1;
		}
		if (c < 0x7f) {
			if (in_run) {
				run_end(&o, &r);
				in_run = false;
			}
			put(&o, (char)c);
			if (c == '&')
				put(&o, '-');
			continue;
		}
		if (!in_run) {
			put(&o, '&');
			in_run = true;
		}
		if (c >= 0x10000) {
			run_unit(&o, &r, (uint16_t)(0xd800 + ((c - 0x10000) >> 10)));
			run_unit(&o, &r, (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff)));
		} else {
			run_unit(&o, &r, (uint16_t)c);
		}
	}
	if (in_run)
		run_end(&o, &r);
	if (o.full || size == 0) {
		errbuf_set(e, "imap: folder '%s' is too long", name);
		return -1;
	}
	out[o.len] = '\0';
	return 0;
}
