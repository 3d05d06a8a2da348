/*
 * arena: bump allocation for the strings of one record or one report, all
 * released at once. Private to ingest/. A reset keeps one chunk, so a
 * record's strings cost no malloc once the first record has run.
 * Allocation failure aborts (GLib's policy, as g_malloc).
 */
#ifndef DMARCD_ARENA_H
#define DMARCD_ARENA_H

#include <stddef.h>

struct arena_chunk;

/* Zero-initialised is an empty arena. */
struct arena {
	struct arena_chunk *head; /* the chunk small allocations come from */
};

/* n bytes, valid until the next reset or free. */
char *arena_alloc(struct arena *a, size_t n);

/* A NUL-terminated copy of p[0..n). */
char *arena_strndup(struct arena *a, const char *p, size_t n);

/* Releases every allocation; keeps one chunk for what comes next. */
void arena_reset(struct arena *a);

/* Releases everything; the arena is empty again. */
void arena_free(struct arena *a);

#endif
