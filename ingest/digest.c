#include "digest.h"

#include <glib.h>

void
digest_sha256(const void *buf, size_t len, uint8_t out[32])
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	const unsigned char *p = buf;
	gsize n = 32;

	/* g_checksum_update takes a gssize: feed huge buffers in slices */
	while (len > 0) {
		size_t part = len > (1u << 30) ? (1u << 30) : len;

		g_checksum_update(c, p, (gssize)part);
		p += part;
		len -= part;
	}
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}

void
digest_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0x0f];
	}
	out[2 * n] = '\0';
}
