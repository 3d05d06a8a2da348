/*
 * carrier_dkim: verifies the DKIM signatures (RFC 6376) of a mail that
 * carries reports, with libopendkim. Keys come from the caller's lookup
 * function (ingest/ asks no DNS itself: cli/ hands it the configured
 * resolver). Bounded: at most CARRIER_SIGS signatures, the topmost, each
 * one key lookup, and none after one that failed for the time being: the
 * lookup's own timeout bounds the time. A verifier is
 * used by one thread at a time.
 */
#ifndef DMARCD_CARRIER_DKIM_H
#define DMARCD_CARRIER_DKIM_H

#include <stddef.h>

#include "carrier.h"
#include "errbuf.h"

#define CARRIER_KEY_MAX 4096 /* bytes of a key record (TXT) read */

enum carrier_key { CARRIER_KEY_FOUND, CARRIER_KEY_NONE, CARRIER_KEY_TEMPERROR };

/*
 * Looks up the TXT record of name (selector._domainkey.domain): the record
 * into txt (size bytes, NUL-terminated) and CARRIER_KEY_FOUND; CARRIER_KEY_NONE
 * when there is none; CARRIER_KEY_TEMPERROR when it could not be asked now
 * (why, in words, into txt).
 */
typedef enum carrier_key (*carrier_key_fn)(void *ctx, const char *name, char *txt, size_t size);

struct carrier_dkim;

/* A verifier whose keys come from lookup(ctx, ...). NULL with e set (no memory). */
struct carrier_dkim *carrier_dkim_new(carrier_key_fn lookup, void *ctx, struct errbuf *e);

/* carrier_dkim_free(NULL) does nothing. */
void carrier_dkim_free(struct carrier_dkim *v);

/*
 * Verifies the signatures of the mail raw[0..len) (LF or CRLF, a leading
 * mbox "From " line skipped) and adds each to *a (a->verified set). What the
 * mail holds never fails the call: a mail that does not parse has no
 * signature. Returns 0, or -1 with e set when the library failed (memory).
 */
int carrier_dkim_verify(struct carrier_dkim *v, const void *raw, size_t len, struct carrier_auth *a,
    struct errbuf *e);

#endif
