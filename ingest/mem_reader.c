/*
 * mem_reader: a byte_reader over bytes in memory.
 */
#include "mem_reader.h"

#include <string.h>

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
