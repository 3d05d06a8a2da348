/*
 * xml_feed: the bytes between a document's reader and libxml2. Up to the
 * root's start tag the feed follows the tag structure byte by byte (to see a
 * DOCTYPE and learn the root's name); inside the root it only scans for
 * "</name>" with the root's name, which is fast, and ends a chunk after each.
 */
#include "xml_feed.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "canon.h"

#define XML_FEED_BUF (64 * 1024)
#define XML_FEED_NAME 256 /* longest root name followed with the fast scan */

enum { PH_START, PH_STREAM, PH_DONE };

enum { T_TEXT, T_LT, T_BANG, T_COMMENT, T_CDATA, T_PI, T_STAG, T_ETAG };

struct xml_feed_state {
	const struct byte_reader *rd;
	struct canon_hash hash;
	size_t len, off; /* bytes in buf, bytes of buf already handled */
	int phase;       /* PH_* */
	bool rd_eof;
	bool tracking;         /* byte-level element tracking is on */
	int tstate;            /* tracker state, T_* */
	unsigned char look[8]; /* bytes after "<!" */
	size_t n_look, depth;
	int quote, run;
	unsigned char needle[2 + XML_FEED_NAME]; /* "</" and the root's name, from its start tag */
	size_t n_needle;        /* 0 until the root's name is known (or when too long) */
	bool naming, name_long; /* reading the root's name; it did not fit */
	size_t matched;         /* bytes of needle matched at the end of the last chunk
	                         * (all of them: spaces, then '>', may follow) */
	unsigned char half;     /* the first byte of a code unit cut by a chunk's end */
	bool have_half;
	size_t attrs; /* attributes ('=' then a quote) since the last '<' */
	bool eq;      /* an '=' whose value has not begun yet */
	/* the first BOUND_XML_PREFIX_SCAN bytes are the repair window */
	unsigned char buf[XML_FEED_BUF];
};

/* The UTF-8 byte order mark, skipped before the document. */
#define UTF8_BOM "\xef\xbb\xbf"

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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
	struct xml_feed_state *s = f->st;
	size_t r = s->off, w = s->off, g;
	const unsigned char *p = s->buf;

	if (memmem(p + r, s->len - r, "schema", 6) == NULL)
		return;
	while (r < s->len) {
		if (p[r] == '<' &&
		    (is_start_tag(p + r, s->len - r, "xs:schema") ||
		        has_at(p + r, s->len - r, "</xs:schema"))) {
			for (g = r; g < s->len && p[g] != '>'; g++)
				;
			if (g < s->len) {
				r = g + 1;
				f->repaired = true;
				continue;
			}
		}
		s->buf[w++] = p[r++];
	}
	s->len = w;
}

/* Loads and repairs the first window (FORMATS.md "Ingestion steps", step 4). */
static int
load_window(struct xml_feed *f)
{
	struct xml_feed_state *s = f->st;
	size_t i;
	ssize_t n;

	while (s->len < BOUND_XML_PREFIX_SCAN && !s->rd_eof) {
		n = s->rd->read(s->rd->ctx, s->buf + s->len, BOUND_XML_PREFIX_SCAN - s->len,
		    &f->why, &f->err);
		if (n < 0)
			return -1;
		if (n == 0)
			s->rd_eof = true;
		else
			canon_update(&s->hash, s->buf + s->len, (size_t)n);
		s->len += (size_t)n;
	}
	if (has_at(s->buf, s->len, "\xff\xfe") || has_at(s->buf, s->len, "\xfe\xff") ||
	    (s->len > 1 && (s->buf[0] == 0 || s->buf[1] == 0))) {
		s->tracking = false; /* UTF-16: libxml2 transcodes, no byte repair */
		f->units = has_at(s->buf, s->len, "\xff\xfe") || s->buf[1] == 0 ? 1 : 2;
		return 0;
	}
	if (has_at(s->buf, s->len, UTF8_BOM))
		s->off = sizeof UTF8_BOM - 1;
	while (s->off < s->len && is_xml_space(s->buf[s->off]))
		s->off++;
	if (s->off == s->len && s->rd_eof) {
		f->empty = true;
		return 0;
	}
	if (!is_doc_start(s->buf + s->off, s->len - s->off)) {
		for (i = s->off; i < s->len; i++) {
			if (s->buf[i] == '<' && is_doc_start(s->buf + i, s->len - i))
				break;
		}
		if (i < s->len) {
			s->off = i;
			f->repaired = true;
		}
	}
	drop_schema_tags(f);
	return 0;
}

/* Adds c to the root's name, or ends the name at a delimiter. */
static void
root_name(struct xml_feed_state *s, unsigned char c)
{
	if (is_xml_space(c) || c == '>' || c == '/' || c == '<' || c == '"' || c == '\'') {
		s->naming = false;
		if (s->name_long)
			s->n_needle = 0;
	} else if (s->n_needle < sizeof s->needle) {
		s->needle[s->n_needle++] = c;
	} else {
		s->name_long = true;
	}
}

/*
 * Follows one byte through the tag structure. Returns 1 when this byte
 * closes the root element, -1 on a DOCTYPE, else 0.
 */
static int
track(struct xml_feed_state *s, unsigned char c)
{
	switch (s->tstate) {
	case T_TEXT:
		if (c == '<')
			s->tstate = T_LT;
		break;
	case T_LT:
		s->run = 0;
		s->quote = 0;
		s->n_look = 0;
		s->tstate = c == '/' ? T_ETAG : c == '!' ? T_BANG : c == '?' ? T_PI : T_STAG;
		if (s->tstate == T_STAG && s->depth == 0) {
			s->naming = true; /* the root's start tag */
			s->n_needle = 2;
			s->name_long = false;
			root_name(s, c);
		}
		break;
	case T_BANG:
		s->look[s->n_look++] = c;
		if (s->n_look == 2 && memcmp(s->look, "--", 2) == 0)
			s->tstate = T_COMMENT;
		else if (s->n_look == 7 && memcmp(s->look, "[CDATA[", 7) == 0)
			s->tstate = T_CDATA;
		else if (s->n_look == 7 && memcmp(s->look, "DOCTYPE", 7) == 0)
			return -1;
		else if (memcmp(s->look, "--", s->n_look < 2 ? s->n_look : 2) != 0 &&
		    memcmp(s->look, "[CDATA[", s->n_look) != 0 &&
		    memcmp(s->look, "DOCTYPE", s->n_look) != 0)
			s->tstate = T_TEXT; /* not XML: the parser will say so */
		break;
	case T_COMMENT:
	case T_CDATA:
		if (c == '>' && s->run >= 2)
			s->tstate = T_TEXT;
		else
			s->run = c == (s->tstate == T_COMMENT ? '-' : ']') ? s->run + 1 : 0;
		break;
	case T_PI:
		if (c == '>' && s->run)
			s->tstate = T_TEXT;
		s->run = c == '?';
		break;
	case T_STAG:
		if (s->naming)
			root_name(s, c);
		if (s->quote != 0) {
			if (c == s->quote)
				s->quote = 0;
		} else if (c == '"' || c == '\'') {
			s->quote = c;
		} else if (c == '>') {
			s->tstate = T_TEXT;
			if (s->run) { /* empty element */
				if (s->depth == 0)
					return 1;
			} else {
				s->depth++;
			}
		}
		s->run = s->quote == 0 && c == '/';
		break;
	case T_ETAG:
		if (c == '>') {
			s->tstate = T_TEXT;
			if (s->depth > 0 && --s->depth == 0)
				return 1;
		}
		break;
	}
	return 0;
}

int
xml_feed_init(struct xml_feed *f, const struct byte_reader *rd)
{
	struct xml_feed_state *s;

	memset(f, 0, sizeof *f);
	if ((s = f->st = malloc(sizeof *s)) == NULL)
		return -1;
	/* buf is written before it is read: zeroing it would cost 64 KiB a document */
	memset(s, 0, offsetof(struct xml_feed_state, buf));
	s->rd = rd;
	s->tracking = true;
	memcpy(s->needle, "</", 2);
	return canon_init(&s->hash);
}

/*
 * Looks in buf[i..to) for the end of a possible end tag of the root:
 * "</name", spaces, ">", which may have begun in an earlier chunk
 * (s->matched). Returns the offset just past its '>', or to.
 */
static size_t
find_root_end(struct xml_feed_state *s, size_t i, size_t to)
{
	const unsigned char *p = s->buf, *q;
	size_t k = s->n_needle, from;

	while (i < to) {
		if (s->matched == 0) {
			if ((q = memmem(p + i, to - i, s->needle, k)) != NULL) {
				i = (size_t)(q - p) + k;
				s->matched = k;
				continue;
			}
			/* a tag cut by the chunk's end begins at the last '<' */
			from = to - i < k ? i : to - (k - 1);
			if ((q = memrchr(p + from, '<', to - from)) != NULL &&
			    memcmp(q, s->needle, (size_t)(p + to - q)) == 0)
				s->matched = (size_t)(p + to - q);
			return to;
		}
		if (s->matched < k) {
			while (i < to && s->matched < k && p[i] == s->needle[s->matched]) {
				i++;
				s->matched++;
			}
			if (i < to && s->matched < k)
				s->matched = 0;
			continue;
		}
		while (i < to && is_xml_space(p[i]))
			i++;
		if (i == to)
			break;
		s->matched = 0;
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
	struct xml_feed_state *s = f->st;
	const unsigned char *lt;
	size_t k;
	int t;

	for (k = 0; k < n; k++) {
		if (s->tstate == T_TEXT) {
			lt = memchr(s->buf + s->off + k, '<', n - k);
			if (lt == NULL)
				break;
			k = (size_t)(lt - (s->buf + s->off));
		}
		if ((t = track(s, s->buf[s->off + k])) == -1) {
			f->why = REFUSE_XML_DOCTYPE;
			errbuf_set(&f->err,
			    "document has a DOCTYPE declaration "
			    "(refused: DMARC reports never need one)");
			return -1;
		}
		if (t == 1) {
			s->phase = PH_DONE;
			return (ssize_t)(k + 1);
		}
		if (s->depth == 1 && s->tstate == T_TEXT && s->n_needle > 2) {
			s->tracking = false; /* the root is open: the fast scan follows */
			return (ssize_t)(find_root_end(s, s->off + k + 1, s->off + n) - s->off);
		}
	}
	return (ssize_t)n;
}

/* One character (a byte, or a UTF-16 code unit) through the attribute guard. */
static int
guard_char(struct xml_feed_state *s, unsigned c)
{
	if (c == '<') {
		s->attrs = 0;
		s->eq = false;
	} else if (s->eq) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			return 0;
		s->eq = c == '=';
		if ((c == '"' || c == '\'') && ++s->attrs > BOUND_XML_ATTRS)
			return -1;
	} else if (c == '=') {
		s->eq = true;
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
	struct xml_feed_state *s = f->st;
	const unsigned char *end = p + n, *eq, *stop;
	unsigned c;

	while (p < end) {
		if (f->units != 0) {
			if (!s->have_half) {
				s->half = *p++;
				s->have_half = true;
				continue;
			}
			c = f->units == 1 ? (unsigned)s->half | (unsigned)*p << 8 :
			                    (unsigned)s->half << 8 | *p;
			s->have_half = false;
			p++;
		} else if (s->eq) {
			c = *p++;
		} else {
			eq = memchr(p, '=', (size_t)(end - p));
			stop = eq != NULL ? eq : end;
			if (memrchr(p, '<', (size_t)(stop - p)) != NULL)
				s->attrs = 0;
			if (eq == NULL)
				break;
			s->eq = true;
			p = eq + 1;
			continue;
		}
		if (guard_char(s, c) == -1)
			return -1;
	}
	return 0;
}

ssize_t
xml_feed_read(struct xml_feed *f, const unsigned char **chunk)
{
	struct xml_feed_state *s = f->st;
	ssize_t got;
	size_t n;

	if (s->phase == PH_START) {
		if (load_window(f) == -1)
			return -1;
		s->phase = PH_STREAM;
	}
	while (s->phase == PH_STREAM && s->off == s->len) {
		if (s->rd_eof) {
			s->phase = PH_DONE;
			break;
		}
		got = s->rd->read(s->rd->ctx, s->buf, XML_FEED_BUF, &f->why, &f->err);
		if (got < 0)
			return -1;
		if (got == 0)
			s->rd_eof = true;
		else
			canon_update(&s->hash, s->buf, (size_t)got);
		s->off = 0;
		s->len = (size_t)got;
	}
	*chunk = s->buf + s->off;
	if (s->phase == PH_DONE)
		return 0;
	n = s->len - s->off;
	if (s->tracking) {
		if ((got = track_bytes(f, n)) < 0)
			return -1;
		n = (size_t)got;
	} else if (s->n_needle > 2) {
		n = find_root_end(s, s->off, s->len) - s->off;
	}
	if (guard_attrs(f, s->buf + s->off, n) == -1) {
		f->why = REFUSE_XML_LIMIT;
		errbuf_set(&f->err, "an element has more than %d attributes", BOUND_XML_ATTRS);
		return -1;
	}
	s->off += n;
	return (ssize_t)n;
}

int
xml_feed_finish(struct xml_feed *f, uint8_t out[32])
{
	struct xml_feed_state *s = f->st;
	ssize_t n;

	while (!s->rd_eof) {
		n = s->rd->read(s->rd->ctx, s->buf, XML_FEED_BUF, &f->why, &f->err);
		if (n < 0)
			return -1;
		if (n == 0)
			s->rd_eof = true;
		else
			canon_update(&s->hash, s->buf, (size_t)n);
	}
	s->off = s->len = 0;
	canon_final(&s->hash, out);
	return 0;
}

void
xml_feed_free(struct xml_feed *f)
{
	if (f->st == NULL)
		return;
	canon_free(&f->st->hash);
	free(f->st);
	f->st = NULL;
}
