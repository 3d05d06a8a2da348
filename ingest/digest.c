#include "digest.h"

#include <openssl/evp.h>

void
digest_sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned int outlen = 32;

	EVP_Digest(buf, len, out, &outlen, EVP_sha256(), NULL);
}

void
digest_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[2 * n] = '\0';
}
