/*
 * unpack: the documents inside one attachment or file, with libarchive.
 * Accepts gzip (also with trailing bytes after the member, as Mimecast
 * sends), zip (every entry that is XML or gzip: a second layer), and plain
 * XML. Every document is capped in size and in compression ratio, so bombs
 * are refused as REFUSE_SIZE_LIMIT without being inflated. Entry names are
 * labels only, never paths.
 */
#ifndef DMARCD_UNPACK_H
#define DMARCD_UNPACK_H

#include <stdint.h>
#include <stddef.h>

#include "bounds.h"
#include "byte_reader.h"

struct unpack;

/* Opens len bytes at buf (not copied: buf must outlive u). NULL on ENOMEM. */
struct unpack *unpack_new(const void *buf, size_t len, const struct bounds *b);
void unpack_free(struct unpack *u);

/*
 * Moves to the next document. Returns 1 with *name set to its label (entry
 * or gzip name; valid until the next call), 0 when there are no more,
 * -1 when the container itself cannot be read (*why, e).
 * Non-document entries (directories, __MACOSX/, non-XML files) are skipped.
 */
int unpack_next(struct unpack *u, const char **name, enum refusal *why, struct errbuf *e);

/* The current document's bytes, decompressed and capped. */
struct byte_reader unpack_reader(struct unpack *u);

/* Warnings seen so far (W_TRAILING_GARBAGE, W_LIMIT_TRUNCATED). */
uint64_t unpack_flags(const struct unpack *u);

#endif
