/*
 * reader: a pull source of document bytes, so that the XML parser knows
 * nothing of archives or MIME. Also the filters that repair a document's
 * bytes on their way to the parser.
 */
#ifndef DMARCD_READER_H
#define DMARCD_READER_H

#include <stddef.h>
#include <sys/types.h>

#include "errbuf.h"
#include "refusal.h"

/*
 * read fills buf with up to len bytes and returns their count, 0 at the end
 * of the document, or -1 when the source fails: then *why says how
 * (REFUSE_SIZE_LIMIT, REFUSE_DECOMPRESS, ...) and e why.
 */
struct byte_reader {
	void *ctx;
	ssize_t (*read)(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e);
};

/* A reader over len bytes in memory (not copied: buf must outlive it). */
struct mem_reader {
	const unsigned char *buf;
	size_t len, off;
};
struct byte_reader mem_reader_init(struct mem_reader *m, const void *buf, size_t len);

/*
 * A filter that replaces each invalid UTF-8 sequence read from inner with
 * U+FFFD, for a second attempt at a document refused as REFUSE_XML_ENCODING.
 */
struct utf8_repair {
	struct byte_reader inner;
	unsigned char pending[8]; /* bytes of a sequence split across reads */
	size_t n_pending;
	unsigned char out[8]; /* replacement bytes not yet delivered */
	size_t n_out, out_off;
	int eof;
};
struct byte_reader utf8_repair_init(struct utf8_repair *u, struct byte_reader inner);

#endif
