/*
 * xml_feed: what libxml2 reads of a document. It pulls from a byte_reader,
 * hashes every byte read (canon.h; so the hash covers the document as
 * delivered, junk included), repairs the first BOUND_XML_PREFIX_SCAN bytes
 * (FORMATS.md "Ingestion steps", step 4), refuses a DOCTYPE and a start tag
 * of more than BOUND_XML_ATTRS attributes before the parser sees them, and
 * keeps trailing junk from the parser: a chunk ends right after every
 * possible end of the root, so that a parser that stops once the root has
 * closed never sees a byte after it.
 */
#ifndef DMARCD_XML_FEED_H
#define DMARCD_XML_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "byte_reader.h"
#include "errbuf.h"
#include "refusal.h"

struct xml_feed_state;

/* The feed's findings, for the caller to read; its working state is behind st. */
struct xml_feed {
	bool repaired;    /* W_XML_REPAIRED: junk cut or xs:schema removed */
	bool empty;       /* nothing but a BOM and whitespace */
	int units;        /* 0: bytes; 1: UTF-16LE, 2: UTF-16BE code units */
	enum refusal why; /* why the feed failed (rd failure, DOCTYPE, attributes) */
	struct errbuf err;
	struct xml_feed_state *st;
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

/* Releases what xml_feed_init took; a zeroed feed or one whose init failed too. */
void xml_feed_free(struct xml_feed *f);

#endif
