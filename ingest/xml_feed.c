/*
 * xml_feed: the bytes between a document's reader and libxml2 (window repair,
 * byte-level tracking up to the root, the scan for the root's end inside it,
 * the attribute guard, canonical hash).
 */
#include "xml_feed.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char BOM[3] = { 0xef, 0xbb, 0xbf };

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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
