/*
 * cache: recent API answers, kept while the database is unchanged. Most
 * dashboard requests repeat (a page opened by several people, a refresh),
 * and the data only changes when something is ingested: an answer is
 * reused only if the database file and its WAL have the same size and
 * modification time as when the answer was computed, and for the same UTC
 * day ("days=30" moves at midnight). Bounded in entries and bytes.
 */
#ifndef DMARCD_CACHE_H
#define DMARCD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

#define CACHE_KEY_MAX 1024

/* What the database looked like: sampled before a query runs. */
struct cache_version {
	int64_t db_size, db_mtime_ns, wal_size, wal_mtime_ns;
	int64_t today;
};

struct cache;

/*
 * Appends "name=value&" to the key being built in key (*len bytes so far, a
 * buffer of size bytes, kept NUL-terminated), each byte of name and value
 * but A-Za-z0-9-._~ percent-encoded: no argument can forge a separator, so
 * two requests share a key only when their arguments are the same (a value
 * "a&b=c" and two arguments a, b=c differ). NULL value: "name&". 0, or -1
 * when it does not fit.
 */
int cache_key_arg(char *key, size_t size, size_t *len, const char *name, const char *value);

/* A cache of at most entries answers of at most max_body bytes each; NULL when out of memory. */
struct cache *cache_new(const char *db_path, unsigned entries, size_t max_body);
void cache_free(struct cache *c);

/* Samples the database's version (today: the current UTC day). */
void cache_version(struct cache *c, int64_t today, struct cache_version *v);

/*
 * Fills r with a copy of the answer stored for key at version v (body
 * malloc'd). Returns true on a hit; false on a miss or when out of memory.
 */
bool cache_get(struct cache *c, const char *key, const struct cache_version *v,
    struct api_reply *r);

/* Stores a copy of a 200 answer for key at version v (replacing the oldest entry). */
void cache_put(struct cache *c, const char *key, const struct cache_version *v,
    const struct api_reply *r);

#endif
