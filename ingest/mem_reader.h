/*
 * mem_reader: a byte_reader over bytes already in memory.
 */
#ifndef DMARCD_MEM_READER_H
#define DMARCD_MEM_READER_H

#include <stddef.h>

#include "byte_reader.h"

struct mem_reader {
	const unsigned char *buf;
	size_t len, off;
};

/* A reader over len bytes at buf, not copied: buf must outlive it. It never fails. */
struct byte_reader mem_reader_init(struct mem_reader *m, const void *buf, size_t len);

#endif
