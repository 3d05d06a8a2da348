/* libFuzzer target: the decompression layer, every document read to its end. */
#include <stddef.h>
#include <stdint.h>

#include "unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[65536];
	struct unpack *u;
	struct byte_reader rd;
	struct bounds b;
	struct errbuf e;
	enum refusal why;
	const char *name;
	uint64_t total;
	ssize_t n;

	bounds_default(&b);
	b.max_document = 64u << 20;
	if ((u = unpack_new(data, size, &b)) == NULL)
		return 0;
	while (unpack_next(u, &name, &why, &e) == 1) {
		rd = unpack_reader(u);
		total = 0;
		while ((n = rd.read(rd.ctx, buf, sizeof buf, &why, &e)) > 0)
			total += (uint64_t)n;
		if (total > b.max_document)
			__builtin_trap(); /* the cap must hold */
	}
	unpack_free(u);
	return 0;
}
