/*
 * byte_reader: a pull source of document bytes, so that the XML parser knows
 * nothing of archives or MIME. Sources (mem_reader, unpack) and filters
 * (utf8_repair) hand one out; xml_feed pulls from it.
 */
#ifndef DMARCD_BYTE_READER_H
#define DMARCD_BYTE_READER_H

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

#endif
