/*
 * digest: SHA-256 over bytes in memory (OpenSSL), and hex output.
 */
#ifndef DMARCD_DIGEST_H
#define DMARCD_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* Writes the SHA-256 of len bytes at buf into out. */
void digest_sha256(const void *buf, size_t len, uint8_t out[32]);

/* Writes n bytes of d as 2n lower-case hex digits and a NUL into out (2n+1 bytes). */
void digest_hex(const uint8_t *d, size_t n, char *out);

#endif
