/* arf_hdrs: "Name: value" blocks with unfolding, bounded. */
#include "arf_hdrs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flags.h"

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Trims SP and HT from both ends of [*p, *p + *n). */
static void
trim(const unsigned char **p, size_t *n)
{
	while (*n > 0 && is_wsp((*p)[0])) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_wsp((*p)[*n - 1]))
		(*n)--;
}

/* Length of the line at b[pos..len) without its end; *next is where the next one starts. */
static size_t
line_at(const unsigned char *b, size_t len, size_t pos, size_t *next)
{
	size_t i;

	for (i = pos; i < len && b[i] != '\n' && b[i] != '\r'; i++)
		;
	*next = i;
	if (i < len)
		*next = b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? i + 2 : i + 1;
	return i - pos;
}

static char *
dup_bytes(const unsigned char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Appends a continuation to the value of field f (bounded). */
static int
append_value(struct arf_hdrs *h, struct failure_field *f, const unsigned char *p, size_t n)
{
	size_t have = strlen(f->value), add;
	char *v;

	trim(&p, &n);
	if (n == 0)
		return 0;
	add = n + (have > 0 ? 1 : 0);
	if (have >= BOUND_FAILURE_VALUE || add > BOUND_FAILURE_VALUE - have) {
		h->flags |= W_TEXT_TRUNCATED;
		if (have >= BOUND_FAILURE_VALUE)
			return 0;
		add = BOUND_FAILURE_VALUE - have;
	}
	if ((v = realloc(f->value, have + add + 1)) == NULL)
		return -1;
	f->value = v;
	if (have > 0) {
		v[have++] = ' ';
		add--;
	}
	memcpy(v + have, p, add);
	v[have + add] = '\0';
	return 0;
}

/* What a continuation line belongs to. */
enum line_state { LINE_NONE, LINE_FIELD, LINE_SKIP };

static bool
valid_name(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < 33 || p[i] > 126 || p[i] == ':')
			return false;
	return true;
}

int
arf_hdrs_add(struct arf_hdrs *h, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct failure_field *nv;

	if (h->n >= BOUND_FAILURE_FIELDS) {
		h->flags |= W_LIMIT_TRUNCATED;
		return 0;
	}
	if (vlen > BOUND_FAILURE_VALUE) {
		vlen = BOUND_FAILURE_VALUE;
		h->flags |= W_TEXT_TRUNCATED;
	}
	if ((nv = reallocarray(h->v, h->n + 1, sizeof *nv)) == NULL)
		return -1;
	h->v = nv;
	nv[h->n].name = dup_bytes((const unsigned char *)name, nlen);
	nv[h->n].value = dup_bytes((const unsigned char *)value, vlen);
	if (nv[h->n].name == NULL || nv[h->n].value == NULL) {
		free(nv[h->n].name);
		free(nv[h->n].value);
		return -1;
	}
	h->n++;
	return 0;
}

/*
 * Adds the field of line p (n bytes, which holds a colon). *state becomes
 * LINE_FIELD when it was kept, LINE_SKIP when it was dropped at the cap.
 */
static int
add_field(struct arf_hdrs *h, const unsigned char *p, size_t n, enum line_state *state)
{
	const unsigned char *colon = memchr(p, ':', n), *v;
	size_t nn, vn, before = h->n;

	*state = LINE_NONE;
	nn = (size_t)(colon - p);
	while (nn > 0 && is_wsp(p[nn - 1]))
		nn--;
	if (!valid_name(p, nn)) {
		h->garbled++;
		return 0;
	}
	v = colon + 1;
	vn = n - (size_t)(v - p);
	trim(&v, &vn);
	if (arf_hdrs_add(h, (const char *)p, nn, (const char *)v, vn) == -1)
		return -1;
	*state = h->n > before ? LINE_FIELD : LINE_SKIP;
	return 0;
}

static bool
blank(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_wsp(p[i]))
			return false;
	return true;
}

int
arf_hdrs_parse(const void *buf, size_t len, struct arf_hdrs *h, struct errbuf *e)
{
	const unsigned char *b = buf;
	enum line_state state = LINE_NONE;
	size_t pos = 0, next, n;

	while (pos < len) {
		n = line_at(b, len, pos, &next);
		if (blank(b + pos, n)) {
			h->end = next;
			return 0;
		}
		if (is_wsp(b[pos])) {
			if (state == LINE_NONE)
				h->garbled++;
			else if (state == LINE_FIELD &&
			    append_value(h, &h->v[h->n - 1], b + pos, n) == -1)
				goto oom;
		} else if (pos == 0 && n >= 5 && memcmp(b, "From ", 5) == 0) {
			state = LINE_NONE;
		} else if (memchr(b + pos, ':', n) != NULL) {
			if (add_field(h, b + pos, n, &state) == -1)
				goto oom;
		} else {
			h->garbled++;
			state = LINE_NONE;
		}
		pos = next;
	}
	h->end = len;
	return 0;
oom:
	errbuf_set(e, "header block: out of memory");
	return -1;
}

const char *
arf_hdrs_get(const struct arf_hdrs *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

char *
arf_hdrs_join(const struct arf_hdrs *h, const char *name, const char *sep, int *oom)
{
	size_t i, total = 0, seplen = strlen(sep), k, len = 0;
	char *out;

	for (i = 0, k = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) != 0)
			continue;
		total += strlen(h->v[i].value) + (k++ > 0 ? seplen : 0);
	}
	if (k == 0)
		return NULL;
	if ((out = malloc(total + 1)) == NULL) {
		*oom = 1;
		return NULL;
	}
	for (i = 0, k = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) != 0)
			continue;
		if (k++ > 0) {
			memcpy(out + len, sep, seplen);
			len += seplen;
		}
		memcpy(out + len, h->v[i].value, strlen(h->v[i].value));
		len += strlen(h->v[i].value);
	}
	out[len] = '\0';
	return out;
}

void
arf_hdrs_reset(struct arf_hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}
