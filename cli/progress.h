/*
 * progress: a progress bar on stderr for long runs, drawn only when stderr
 * is a terminal and at most ten times a second.
 */
#ifndef DMARCD_PROGRESS_H
#define DMARCD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct progress {
	bool enabled;
	uint64_t total;
	const char *unit, *extra; /* "inputs" and "records" */
	struct timespec last;
};

/* A bar counting total units; each update also shows a count of extra (NULL: none). */
void progress_init(struct progress *pg, uint64_t total, const char *unit, const char *extra);
/* Redraws the bar for done of total units, and the count of extra so far. */
void progress_update(struct progress *pg, uint64_t done, uint64_t extra);
/* Erases the bar. */
void progress_done(struct progress *pg);

#endif
