/*
 * canon: the canonical SHA-256 of a report document (FORMATS.md "Duplicates
 * and conflicts"), fed the document's bytes in slices of any size: a leading
 * UTF-8 BOM is dropped, CRLF and lone CR become LF, leading and trailing
 * SP/HT/LF are left out: what mail transports change in a document does not
 * change its hash.
 */
#ifndef DMARCD_CANON_H
#define DMARCD_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * Plain data so that it can be embedded; its fields are canon's. A trailing
 * whitespace run is held back until a later byte shows it is not trailing (a
 * short run in ws[]; a long one is hashed at once, keeping the state from
 * before it in before_ws).
 */
struct canon_hash {
	EVP_MD_CTX *sum;
	EVP_MD_CTX *before_ws; /* a copy of sum from before the run, while long_run */
	unsigned char ws[256];
	size_t n_ws;
	size_t n_seen; /* bytes of a leading BOM seen */
	bool started, last_cr, long_run;
};

/* 0, or -1 when out of memory. canon_free releases it (also after a failure). */
int canon_init(struct canon_hash *h);
void canon_free(struct canon_hash *h);

/* Hashes the next n bytes of the document. */
void canon_update(struct canon_hash *h, const unsigned char *p, size_t n);

/* Writes the hash of everything passed to canon_update; then only canon_free. */
void canon_final(struct canon_hash *h, uint8_t out[32]);

#endif
