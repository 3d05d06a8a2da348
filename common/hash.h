/*
 * hash: FNV-1a, the one non-cryptographic hash of dmarcd, for in-memory
 * tables and the source sketches. Its values are stored (the sketches),
 * so it never changes. Callers add their own finaliser where they need
 * well-spread high bits.
 */
#ifndef DMARCD_HASH_H
#define DMARCD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/* h folded over the n bytes at p (start from HASH_FNV1A_INIT). */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);

/* h folded over the bytes of the NUL-terminated s. */
uint64_t hash_fnv1a_str(uint64_t h, const char *s);

#endif
