#include "auth.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/* Compares a and b in time that depends on their lengths only. */
static bool
equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	if (lb == 0)
		return la == 0;
	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % lb]);
	return d == 0;
}

/* crypt_r into out; false when the library refuses the setting. */
static bool
hash_with(const char *password, const char *setting, char *out, size_t size)
{
	struct crypt_data *cd;
	const char *h;
	bool ok = false;

	if ((cd = calloc(1, sizeof *cd)) == NULL)
		return false;
	h = crypt_r(password, setting, cd);
	if (h != NULL && h[0] != '*' && strlen(h) < size) {
		memcpy(out, h, strlen(h) + 1);
		ok = true;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

int
auth_hash_password(const char *password, char *out, size_t size, struct errbuf *e)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];

	if (crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt) == NULL) {
		errbuf_set(e, "auth: cannot make a salt (no random source?)");
		return -1;
	}
	if (!hash_with(password, salt, out, size)) {
		errbuf_set(e, "auth: crypt(3) refused to hash");
		return -1;
	}
	return 0;
}

int
auth_check_hash(const char *hash, struct errbuf *e)
{
	char out[AUTH_HASH_MAX];
	const char *last = strrchr(hash, '$');

	/* A whole hash, not just a setting: hashing with it gives a string of its shape. */
	if (strlen(hash) >= AUTH_HASH_MAX || hash[0] != '$' ||
	    !hash_with("", hash, out, sizeof out) || strlen(out) != strlen(hash) || last == NULL ||
	    last[1] == '\0' || strncmp(out, hash, (size_t)(last - hash) + 1) != 0) {
		errbuf_set(e,
		    "auth: the password hash is not a crypt(3) hash "
		    "(make one with dmarcd hash-password)");
		return -1;
	}
	return 0;
}

bool
auth_verify(const char *want_user, const char *want_hash, const char *user, const char *password)
{
	char out[AUTH_HASH_MAX];
	bool user_ok, pass_ok;

	user_ok = equal_ct(user, want_user);
	pass_ok = hash_with(password, want_hash, out, sizeof out) && equal_ct(out, want_hash);
	explicit_bzero(out, sizeof out);
	return user_ok & pass_ok;
}
