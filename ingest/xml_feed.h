/*
 * xml_feed: what libxml2 reads of a document. It pulls from a byte_reader,
 * hashes every byte read (canon.h), repairs the first BOUND_XML_PREFIX_SCAN
 * bytes, refuses a DOCTYPE and a start tag with too many attributes before
 * the parser sees them, and keeps trailing junk from the parser.
 */
#ifndef DMARCD_XML_FEED_H
#define DMARCD_XML_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bounds.h"
#include "byte_reader.h"
#include "canon.h"
#include "errbuf.h"
#include "refusal.h"

/*
 * xml_feed: what libxml2 reads. It pulls from rd, hashes every byte read from
 * rd (so the hash covers the document as delivered, junk included), repairs the
 * first BOUND_XML_PREFIX_SCAN bytes (FORMATS.md "Ingestion steps", step 4),
 * refuses a DOCTYPE and a start tag of more than BOUND_XML_ATTRS attributes
 * before the parser sees them, and keeps trailing junk from the parser: up to
 * the root's start tag it follows the tag structure byte by byte; inside the
 * root it ends each chunk right after every possible end of the root ("</name>"
 * with the root's name), so that a parser that stops once the root has closed
 * never sees a byte after it.
 */
#define XML_FEED_BUF (64 * 1024)
#define XML_FEED_NAME 256 /* longest root name followed with the fast scan */

struct xml_feed {
	const struct byte_reader *rd;
	struct canon_hash hash;
	unsigned char *buf; /* XML_FEED_BUF bytes; the first BOUND_XML_PREFIX_SCAN
	                     * are the repair window */
	size_t len, off;    /* bytes in buf, bytes of buf already handled */
	int phase;          /* see xml_feed.c */
	bool rd_eof;
	bool repaired;         /* W_XML_REPAIRED: junk cut or xs:schema removed */
	bool empty;            /* nothing but a BOM and whitespace */
	bool tracking;         /* byte-level element tracking is on */
	int tstate;            /* tracker state */
	unsigned char look[8]; /* bytes after "<!" */
	size_t n_look, depth;
	int quote, run;
	unsigned char needle[2 + XML_FEED_NAME]; /* "</" and the root's name, from its start tag */
	size_t n_needle;        /* 0 until the root's name is known (or when too long) */
	bool naming, name_long; /* reading the root's name; it did not fit */
	size_t matched;         /* bytes of needle matched at the end of the last chunk
	                         * (all of them: spaces, then '>', may follow) */
	int units;              /* 0: bytes; 1: UTF-16LE, 2: UTF-16BE code units */
	unsigned char half;     /* the first byte of a code unit cut by a chunk's end */
	bool have_half;
	size_t attrs;     /* attributes ('=' then a quote) since the last '<' */
	bool eq;          /* an '=' whose value has not begun yet */
	enum refusal why; /* why the feed failed (rd failure, DOCTYPE) */
	struct errbuf err;
};

/* Starts a feed over rd (borrowed). Returns 0, or -1 when out of memory. */
int xml_feed_init(struct xml_feed *f, const struct byte_reader *rd);

/*
 * The next chunk for the parser: returns its length with *chunk pointing
 * into the feed (valid until the next call), 0 at the end of what the
 * parser should see, or -1 with f->why and f->err set. The caller stops
 * reading once its parser has seen the root close.
 */
ssize_t xml_feed_read(struct xml_feed *f, const unsigned char **chunk);

/*
 * Reads rd to its end (hashing it) and writes the canonical SHA-256 to
 * out. Returns 0, or -1 with f->why and f->err set when rd fails.
 */
int xml_feed_finish(struct xml_feed *f, uint8_t out[32]);

/* Releases what xml_feed_init took. */
void xml_feed_free(struct xml_feed *f);

#endif
