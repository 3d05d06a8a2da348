/*
 * reader: byte sources and the filters between a document and libxml2:
 * mem_reader, utf8_repair, and the xml_feed of ingest_int.h (window repair,
 * byte-level tracking up to the root, the scan for the root's end inside
 * it, the attribute guard, canonical hash).
 */
#include "reader.h"
#include "ingest_int.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ---- mem_reader ---- */

static ssize_t
mem_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct mem_reader *m = ctx;
	size_t n = m->len - m->off;

	(void)why;
	(void)e;
	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, m->buf + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

struct byte_reader
mem_reader_init(struct mem_reader *m, const void *buf, size_t len)
{
	struct byte_reader rd = { m, mem_read };

	m->buf = buf;
	m->len = len;
	m->off = 0;
	return rd;
}

/* ---- utf8_repair ---- */

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

/* ---- canonical hash (FORMATS.md "Duplicates and conflicts") ---- */

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const unsigned char BOM[3] = { 0xef, 0xbb, 0xbf };

/*
 * Hashes a run with CR and CRLF written as LF. A CR ending one call may be
 * followed by the LF that begins the next one: last_cr carries it over.
 */
static void
hash_newlines(struct canon_hash *h, const unsigned char *p, size_t n)
{
	const unsigned char *cr;

	while (n > 0) {
		if (h->last_cr && p[0] == '\n') {
			p++;
			n--;
			h->last_cr = false;
			continue;
		}
		h->last_cr = false;
		if ((cr = memchr(p, '\r', n)) == NULL) {
			EVP_DigestUpdate(h->sum, p, n);
			return;
		}
		EVP_DigestUpdate(h->sum, p, (size_t)(cr - p));
		EVP_DigestUpdate(h->sum, "\n", 1);
		h->last_cr = true;
		n -= (size_t)(cr - p) + 1;
		p = cr + 1;
	}
}

/*
 * Adds whitespace to the held-back trailing run; a run longer than ws[] is
 * hashed at once, keeping a copy of the state from before it to finish
 * with should the run turn out to be trailing.
 */
static void
hold_space(struct canon_hash *h, const unsigned char *p, size_t n)
{
	if (!h->long_run && n <= sizeof h->ws - h->n_ws) {
		memcpy(h->ws + h->n_ws, p, n);
		h->n_ws += n;
		return;
	}
	if (!h->long_run) {
		EVP_MD_CTX_copy_ex(h->before_ws, h->sum);
		h->long_run = true;
		hash_newlines(h, h->ws, h->n_ws);
		h->n_ws = 0;
	}
	hash_newlines(h, p, n);
}

/* The held-back run was not trailing after all: hash it. */
static void
release_space(struct canon_hash *h)
{
	hash_newlines(h, h->ws, h->n_ws);
	h->n_ws = 0;
	h->long_run = false;
}

int
canon_init(struct canon_hash *h)
{
	memset(h, 0, sizeof *h);
	h->sum = EVP_MD_CTX_new();
	h->before_ws = EVP_MD_CTX_new();
	if (h->sum == NULL || h->before_ws == NULL ||
	    EVP_DigestInit_ex(h->sum, EVP_sha256(), NULL) != 1) {
		canon_free(h);
		return -1;
	}
	return 0;
}

void
canon_free(struct canon_hash *h)
{
	EVP_MD_CTX_free(h->sum);
	EVP_MD_CTX_free(h->before_ws);
	h->sum = h->before_ws = NULL;
}

void
canon_update(struct canon_hash *h, const unsigned char *p, size_t n)
{
	size_t last;

	/* a leading BOM, possibly split across calls, is left out */
	while (h->n_seen < sizeof BOM && n > 0 && p[0] == BOM[h->n_seen]) {
		h->n_seen++;
		p++;
		n--;
	}
	if (h->n_seen < sizeof BOM && n > 0) {
		size_t partial = h->n_seen;

		h->n_seen = sizeof BOM;
		canon_update(h, BOM, partial);
	}
	if (!h->started) {
		while (n > 0 && is_xml_space(p[0])) {
			p++;
			n--;
		}
		if (n == 0)
			return;
		h->started = true;
	}
	for (last = n; last > 0 && is_xml_space(p[last - 1]); last--)
		;
	if (last > 0) {
		release_space(h);
		hash_newlines(h, p, last);
	}
	hold_space(h, p + last, n - last);
}

void
canon_final(struct canon_hash *h, uint8_t out[32])
{
	unsigned int len = 32;

	if (h->n_seen < sizeof BOM) {
		size_t partial = h->n_seen;

		h->n_seen = sizeof BOM;
		canon_update(h, BOM, partial);
	}
	EVP_DigestFinal_ex(h->long_run ? h->before_ws : h->sum, out, &len);
}

/* ---- xml_feed ---- */

enum { PH_START, PH_STREAM, PH_DONE };

enum { T_TEXT, T_LT, T_BANG, T_COMMENT, T_CDATA, T_PI, T_STAG, T_ETAG };

static bool
has_at(const unsigned char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && memcmp(p, lit, k) == 0;
}

/* True when p holds "<tag" or "<prefix:tag" followed by a delimiter. */
static bool
is_start_tag(const unsigned char *p, size_t n, const char *tag)
{
	size_t i = 1, k = strlen(tag), name;

	if (n < 2 || p[0] != '<')
		return false;
	while (i < n && !is_xml_space(p[i]) && p[i] != '>' && p[i] != '/' && p[i] != '<')
		i++;
	if (i >= n)
		return false;
	name = i - 1;
	if (name < k || memcmp(p + i - k, tag, k) != 0)
		return false;
	return name == k || p[i - k - 1] == ':';
}

static bool
is_doc_start(const unsigned char *p, size_t n)
{
	return has_at(p, n, "<?xml") || is_start_tag(p, n, "feedback");
}

/* Removes <xs:schema ...> and </xs:schema> tags from buf[off..len). */
static void
drop_schema_tags(struct xml_feed *f)
{
	size_t r = f->off, w = f->off, g;
	const unsigned char *p = f->buf;

	if (memmem(p + r, f->len - r, "schema", 6) == NULL)
		return;
	while (r < f->len) {
		if (p[r] == '<' &&
		    (is_start_tag(p + r, f->len - r, "xs:schema") ||
		        has_at(p + r, f->len - r, "</xs:schema"))) {
			for (g = r; g < f->len && p[g] != '>'; g++)
				;
			if (g < f->len) {
				r = g + 1;
				f->repaired = true;
				continue;
			}
		}
		f->buf[w++] = p[r++];
	}
	f->len = w;
}

/* Loads and repairs the first window (FORMATS.md "Ingestion steps", step 4). */
static int
load_window(struct xml_feed *f)
{
	size_t i;
	ssize_t n;

	while (f->len < BOUND_XML_PREFIX_SCAN && !f->rd_eof) {
		n = f->rd->read(f->rd->ctx, f->buf + f->len, BOUND_XML_PREFIX_SCAN - f->len,
		    &f->why, &f->err);
		if (n < 0)
			return -1;
		if (n == 0)
			f->rd_eof = true;
		else
			canon_update(&f->hash, f->buf + f->len, (size_t)n);
		f->len += (size_t)n;
	}
	if (has_at(f->buf, f->len, "\xff\xfe") || has_at(f->buf, f->len, "\xfe\xff") ||
	    (f->len > 1 && (f->buf[0] == 0 || f->buf[1] == 0))) {
		f->tracking = false; /* UTF-16: libxml2 transcodes, no byte repair */
		f->units = has_at(f->buf, f->len, "\xff\xfe") || f->buf[1] == 0 ? 1 : 2;
		return 0;
	}
	if (has_at(f->buf, f->len, "\xef\xbb\xbf"))
		f->off = sizeof BOM;
	while (f->off < f->len && is_xml_space(f->buf[f->off]))
		f->off++;
	if (f->off == f->len && f->rd_eof) {
		f->empty = true;
		return 0;
	}
	if (!is_doc_start(f->buf + f->off, f->len - f->off)) {
		for (i = f->off; i < f->len; i++) {
			if (f->buf[i] == '<' && is_doc_start(f->buf + i, f->len - i))
				break;
		}
		if (i < f->len) {
			f->off = i;
			f->repaired = true;
		}
	}
	drop_schema_tags(f);
	return 0;
}

/* Adds c to the root's name, or ends the name at a delimiter. */
static void
root_name(struct xml_feed *f, unsigned char c)
{
	if (is_xml_space(c) || c == '>' || c == '/' || c == '<' || c == '"' || c == '\'') {
		f->naming = false;
		if (f->name_long)
			f->n_needle = 0;
	} else if (f->n_needle < sizeof f->needle) {
		f->needle[f->n_needle++] = c;
	} else {
		f->name_long = true;
	}
}

/*
 * Follows one byte through the tag structure. Returns 1 when this byte
 * closes the root element, -1 on a DOCTYPE, else 0.
 */
static int
track(struct xml_feed *f, unsigned char c)
{
	switch (f->tstate) {
	case T_TEXT:
		if (c == '<')
			f->tstate = T_LT;
		break;
	case T_LT:
		f->run = 0;
		f->quote = 0;
		f->n_look = 0;
		f->tstate = c == '/' ? T_ETAG : c == '!' ? T_BANG : c == '?' ? T_PI : T_STAG;
		if (f->tstate == T_STAG && f->depth == 0) {
			f->naming = true; /* the root's start tag */
			f->n_needle = 2;
			f->name_long = false;
			root_name(f, c);
		}
		break;
	case T_BANG:
		f->look[f->n_look++] = c;
		if (f->n_look == 2 && memcmp(f->look, "--", 2) == 0)
			f->tstate = T_COMMENT;
		else if (f->n_look == 7 && memcmp(f->look, "[CDATA[", 7) == 0)
			f->tstate = T_CDATA;
		else if (f->n_look == 7 && memcmp(f->look, "DOCTYPE", 7) == 0)
			return -1;
		else if (memcmp(f->look, "--", f->n_look < 2 ? f->n_look : 2) != 0 &&
		    memcmp(f->look, "[CDATA[", f->n_look) != 0 &&
		    memcmp(f->look, "DOCTYPE", f->n_look) != 0)
			f->tstate = T_TEXT; /* not XML: the parser will say so */
		break;
	case T_COMMENT:
	case T_CDATA:
		if (c == '>' && f->run >= 2)
			f->tstate = T_TEXT;
		else
			f->run = c == (f->tstate == T_COMMENT ? '-' : ']') ? f->run + 1 : 0;
		break;
	case T_PI:
		if (c == '>' && f->run)
			f->tstate = T_TEXT;
		f->run = c == '?';
		break;
	case T_STAG:
		if (f->naming)
			root_name(f, c);
		if (f->quote != 0) {
			if (c == f->quote)
				f->quote = 0;
		} else if (c == '"' || c == '\'') {
			f->quote = c;
		} else if (c == '>') {
			f->tstate = T_TEXT;
			if (f->run) { /* empty element */
				if (f->depth == 0)
					return 1;
			} else {
				f->depth++;
			}
		}
		f->run = f->quote == 0 && c == '/';
		break;
	case T_ETAG:
		if (c == '>') {
			f->tstate = T_TEXT;
			if (f->depth > 0 && --f->depth == 0)
				return 1;
		}
		break;
	}
	return 0;
}

int
xml_feed_init(struct xml_feed *f, const struct byte_reader *rd)
{
	memset(f, 0, sizeof *f);
	f->rd = rd;
	f->tracking = true;
	memcpy(f->needle, "</", 2);
	if ((f->buf = malloc(XML_FEED_BUF)) == NULL)
		return -1;
	return canon_init(&f->hash);
}

/*
 * Looks in buf[i..to) for the end of a possible end tag of the root:
 * "</name", spaces, ">", which may have begun in an earlier chunk
 * (f->matched). Returns the offset just past its '>', or to.
 */
static size_t
find_root_end(struct xml_feed *f, size_t i, size_t to)
{
	const unsigned char *p = f->buf, *q;
	size_t k = f->n_needle, from;

	while (i < to) {
		if (f->matched == 0) {
			if ((q = memmem(p + i, to - i, f->needle, k)) != NULL) {
				i = (size_t)(q - p) + k;
				f->matched = k;
				continue;
			}
			/* a tag cut by the chunk's end begins at the last '<' */
			from = to - i < k ? i : to - (k - 1);
			if ((q = memrchr(p + from, '<', to - from)) != NULL &&
			    memcmp(q, f->needle, (size_t)(p + to - q)) == 0)
				f->matched = (size_t)(p + to - q);
			return to;
		}
		if (f->matched < k) {
			while (i < to && f->matched < k && p[i] == f->needle[f->matched]) {
				i++;
				f->matched++;
			}
			if (i < to && f->matched < k)
				f->matched = 0;
			continue;
		}
		while (i < to && is_xml_space(p[i]))
			i++;
		if (i == to)
			break;
		f->matched = 0;
		if (p[i] == '>')
			return i + 1;
	}
	return to;
}

/*
 * Follows buf[off..off+n) byte by byte up to the root's start tag. Returns
 * how many bytes the parser may have, or -1 on a DOCTYPE; the fast scan
 * takes over inside the root.
 */
static ssize_t
track_bytes(struct xml_feed *f, size_t n)
{
	const unsigned char *lt;
	size_t k;
	int t;

	for (k = 0; k < n; k++) {
		if (f->tstate == T_TEXT) {
			lt = memchr(f->buf + f->off + k, '<', n - k);
			if (lt == NULL)
				break;
			k = (size_t)(lt - (f->buf + f->off));
		}
		if ((t = track(f, f->buf[f->off + k])) == -1) {
			f->why = REFUSE_XML_DOCTYPE;
			errbuf_set(&f->err,
			    "document has a DOCTYPE declaration "
			    "(refused: DMARC reports never need one)");
			return -1;
		}
		if (t == 1) {
			f->phase = PH_DONE;
			return (ssize_t)(k + 1);
		}
		if (f->depth == 1 && f->tstate == T_TEXT && f->n_needle > 2) {
			f->tracking = false; /* the root is open: the fast scan follows */
			return (ssize_t)(find_root_end(f, f->off + k + 1, f->off + n) - f->off);
		}
	}
	return (ssize_t)n;
}

/* One character (a byte, or a UTF-16 code unit) through the attribute guard. */
static int
guard_char(struct xml_feed *f, unsigned c)
{
	if (c == '<') {
		f->attrs = 0;
		f->eq = false;
	} else if (f->eq) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			return 0;
		f->eq = c == '=';
		if ((c == '"' || c == '\'') && ++f->attrs > BOUND_XML_ATTRS)
			return -1;
	} else if (c == '=') {
		f->eq = true;
	}
	return 0;
}

/*
 * Bounds the attributes of a start tag before libxml2 parses it: its
 * duplicate check is quadratic in their number. Each attribute is an '='
 * then a quote, and none escapes the count, as a start tag cannot hold a
 * '<' (text between two tags counts too: a false alarm only in a text with
 * hundreds of them). Bytes jump from '=' to '=' (rare in a report), looking
 * back for a '<'; UTF-16 goes code unit by code unit. Returns -1 past
 * BOUND_XML_ATTRS.
 */
static int
guard_attrs(struct xml_feed *f, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *eq, *stop;
	unsigned c;

	while (p < end) {
		if (f->units != 0) {
			if (!f->have_half) {
				f->half = *p++;
				f->have_half = true;
				continue;
			}
			c = f->units == 1 ? (unsigned)f->half | (unsigned)*p << 8 :
			                    (unsigned)f->half << 8 | *p;
			f->have_half = false;
			p++;
		} else if (f->eq) {
			c = *p++;
		} else {
			eq = memchr(p, '=', (size_t)(end - p));
			stop = eq != NULL ? eq : end;
			if (memrchr(p, '<', (size_t)(stop - p)) != NULL)
				f->attrs = 0;
			if (eq == NULL)
				break;
			f->eq = true;
			p = eq + 1;
			continue;
		}
		if (guard_char(f, c) == -1)
			return -1;
	}
	return 0;
}

ssize_t
xml_feed_read(struct xml_feed *f, const unsigned char **chunk)
{
	ssize_t got;
	size_t n;

	if (f->phase == PH_START) {
		if (load_window(f) == -1)
			return -1;
		f->phase = PH_STREAM;
	}
	while (f->phase == PH_STREAM && f->off == f->len) {
		if (f->rd_eof) {
			f->phase = PH_DONE;
			break;
		}
		got = f->rd->read(f->rd->ctx, f->buf, XML_FEED_BUF, &f->why, &f->err);
		if (got < 0)
			return -1;
		if (got == 0)
			f->rd_eof = true;
		else
			canon_update(&f->hash, f->buf, (size_t)got);
		f->off = 0;
		f->len = (size_t)got;
	}
	*chunk = f->buf + f->off;
	if (f->phase == PH_DONE)
		return 0;
	n = f->len - f->off;
	if (f->tracking) {
		if ((got = track_bytes(f, n)) < 0)
			return -1;
		n = (size_t)got;
	} else if (f->n_needle > 2) {
		n = find_root_end(f, f->off, f->len) - f->off;
	}
	if (guard_attrs(f, f->buf + f->off, n) == -1) {
		f->why = REFUSE_XML_LIMIT;
		errbuf_set(&f->err, "an element has more than %d attributes", BOUND_XML_ATTRS);
		return -1;
	}
	f->off += n;
	return (ssize_t)n;
}

int
xml_feed_finish(struct xml_feed *f, uint8_t out[32])
{
	ssize_t n;

	while (!f->rd_eof) {
		n = f->rd->read(f->rd->ctx, f->buf, XML_FEED_BUF, &f->why, &f->err);
		if (n < 0)
			return -1;
		if (n == 0)
			f->rd_eof = true;
		else
			canon_update(&f->hash, f->buf, (size_t)n);
	}
	f->off = f->len = 0;
	canon_final(&f->hash, out);
	return 0;
}

void
xml_feed_free(struct xml_feed *f)
{
	canon_free(&f->hash);
	free(f->buf);
	f->buf = NULL;
}
