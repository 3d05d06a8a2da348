/*
 * pool: a fixed set of read-only store handles shared by the server's
 * threads (a struct store is not thread-safe: each handle is used by one
 * thread at a time).
 */
#ifndef DMARCD_POOL_H
#define DMARCD_POOL_H

#include "errbuf.h"
#include "store.h"

struct pool;

/* Opens n read-only handles on path. Returns 0 and *out, or -1 (e). */
int pool_open(const char *path, unsigned n, struct pool **out, struct errbuf *e);

/* Takes a handle, waiting at most wait_ms for one to be free; NULL on timeout. */
struct store *pool_acquire(struct pool *p, unsigned wait_ms);

/* Gives back a handle taken with pool_acquire. */
void pool_release(struct pool *p, struct store *st);

/* Closes every handle (all must have been released); NULL is a no-op. */
void pool_close(struct pool *p);

#endif
