/*
 * auth: HTTP Basic credentials against a crypt(3) password hash
 * (SHA-512, "$6$..."), made with `dmarcd hash-password`. The comparison
 * runs in constant time and always does the full hash work, whether the
 * user name matches or not.
 */
#ifndef DMARCD_AUTH_H
#define DMARCD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"

/* The longest hash accepted, and the buffer size auth_hash_password needs. */
#define AUTH_HASH_MAX 256

/*
 * Hashes password with a fresh random salt into out (size bytes, at least
 * AUTH_HASH_MAX). Returns 0, or -1 (e).
 */
int auth_hash_password(const char *password, char *out, size_t size, struct errbuf *e);

/* Checks that hash is a usable crypt(3) hash. Returns 0, or -1 (e). */
int auth_check_hash(const char *hash, struct errbuf *e);

/* True when user and password match want_user and the hash want_hash. */
bool auth_verify(const char *want_user, const char *want_hash, const char *user,
    const char *password);

#endif
