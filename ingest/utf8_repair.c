/*
 * utf8_repair: invalid UTF-8 replaced with U+FFFD on its way from a reader.
 */
#include "utf8_repair.h"

#include <string.h>

static const unsigned char REPLACEMENT[3] = { 0xef, 0xbf, 0xbd };

/*
 * Length of the well-formed sequence led by c (Unicode table 3-7), or 0 when
 * c can lead none. lo/hi bound the second byte.
 */
static size_t
utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/*
 * Length of the valid prefix of p[0..n) as the start of one sequence:
 * returns need (complete), a shorter count (a truncated but so far valid
 * prefix when it reaches n, else an invalid maximal subpart), at least 1.
 */
static size_t
utf8_unit(const unsigned char *p, size_t n, size_t *need)
{
	unsigned char lo, hi;
	size_t i;

	*need = utf8_lead(p[0], &lo, &hi);
	if (*need <= 1)
		return 1;
	for (i = 1; i < *need && i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

static void
repair_emit(struct utf8_repair *u, unsigned char *out, size_t len, size_t *produced,
    const unsigned char *p, size_t n)
{
	size_t k;

	/* once something overflowed, the rest queues behind it to keep order */
	if (u->n_out == 0 && len - *produced >= n) {
		memcpy(out + *produced, p, n);
		*produced += n;
		return;
	}
	for (k = 0; k < n && u->n_out < sizeof u->out; k++)
		u->out[u->n_out++] = p[k];
}

static ssize_t
repair_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct utf8_repair *u = ctx;
	unsigned char *out = buf;
	unsigned char tmp[4096 + sizeof u->pending];
	size_t produced = 0, want, total, i, unit, need;
	ssize_t n;

	while (produced < len) {
		if (u->out_off < u->n_out) {
			while (u->out_off < u->n_out && produced < len)
				out[produced++] = u->out[u->out_off++];
			if (u->out_off == u->n_out)
				u->out_off = u->n_out = 0;
			continue;
		}
		if (produced > 0)
			break;
		if (u->eof) {
			if (u->n_pending == 0)
				break;
			/* a sequence cut by the end of the document */
			u->n_pending = 0;
			repair_emit(u, out, len, &produced, REPLACEMENT, sizeof REPLACEMENT);
			continue;
		}
		/* at most 3 output bytes per input byte: read what fits, plus
		 * a few bytes that may spill into out[] */
		want = (len - produced) / 3;
		if (want == 0)
			want = 1;
		if (want > sizeof tmp - sizeof u->pending)
			want = sizeof tmp - sizeof u->pending;
		memcpy(tmp, u->pending, u->n_pending);
		n = u->inner.read(u->inner.ctx, tmp + u->n_pending, want, why, e);
		if (n < 0)
			return -1;
		if (n == 0) {
			u->eof = 1;
			continue;
		}
		total = u->n_pending + (size_t)n;
		u->n_pending = 0;
		for (i = 0; i < total; i += unit) {
			unit = utf8_unit(tmp + i, total - i, &need);
			if (need == 1 || unit == need) {
				repair_emit(u, out, len, &produced, tmp + i, unit);
			} else if (need > 1 && i + unit == total) {
				memcpy(u->pending, tmp + i, unit);
				u->n_pending = unit;
			} else {
				repair_emit(u, out, len, &produced, REPLACEMENT,
				    sizeof REPLACEMENT);
			}
		}
	}
	return (ssize_t)produced;
}

struct byte_reader
utf8_repair_init(struct utf8_repair *u, struct byte_reader inner)
{
	struct byte_reader rd = { u, repair_read };

	memset(u, 0, sizeof *u);
	u->inner = inner;
	return rd;
}
