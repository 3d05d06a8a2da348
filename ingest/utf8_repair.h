/*
 * utf8_repair: a byte_reader filter that replaces each invalid UTF-8 sequence
 * read from an inner reader with U+FFFD (each maximal invalid subpart, as
 * Unicode's table 3-7 defines it), for a second attempt at a document refused
 * as REFUSE_XML_ENCODING.
 */
#ifndef DMARCD_UTF8_REPAIR_H
#define DMARCD_UTF8_REPAIR_H

#include <stddef.h>

#include "byte_reader.h"

/* Plain data so that it can live on the caller's stack; its fields are the filter's. */
struct utf8_repair {
	struct byte_reader inner;
	unsigned char pending[8]; /* bytes of a sequence split across reads */
	size_t n_pending;
	unsigned char out[8]; /* replacement bytes not yet delivered */
	size_t n_out, out_off;
	int eof;
};

/*
 * A reader of inner's bytes, repaired; u holds its state and must outlive it.
 * It fails when inner fails, with inner's *why and e.
 */
struct byte_reader utf8_repair_init(struct utf8_repair *u, struct byte_reader inner);

#endif
