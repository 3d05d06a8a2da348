/*
 * embedded: files compiled into the binary by cmake/embed.cmake (schema
 * migrations, web assets). Each array ends with a { NULL, NULL, 0 } entry;
 * bytes are NUL-terminated for convenience, len excludes that NUL.
 */
#ifndef DMARCD_EMBEDDED_H
#define DMARCD_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *bytes;
	size_t len;
};

#endif
