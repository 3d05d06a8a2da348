#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#define PROGRESS_WIDTH 30

void
progress_init(struct progress *pg, uint64_t total, const char *unit, const char *extra)
{
	pg->unit = unit;
	pg->extra = extra;
	pg->enabled = isatty(STDERR_FILENO) && total > 1;
	pg->total = total;
	pg->last.tv_sec = 0;
	pg->last.tv_nsec = 0;
}

void
progress_update(struct progress *pg, uint64_t done, uint64_t extra)
{
	char bar[PROGRESS_WIDTH + 1];
	struct timespec now;
	uint64_t filled;
	long elapsed_ms;
	int i;

	if (!pg->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed_ms =
	    (now.tv_sec - pg->last.tv_sec) * 1000 + (now.tv_nsec - pg->last.tv_nsec) / 1000000;
	if (elapsed_ms < 100 && done < pg->total)
		return;
	pg->last = now;
	filled = pg->total ? done * PROGRESS_WIDTH / pg->total : 0;
	for (i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = (uint64_t)i < filled ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %llu/%llu %s", bar, (unsigned long long)done,
	    (unsigned long long)pg->total, pg->unit);
	if (pg->extra != NULL)
		fprintf(stderr, ", %llu %s", (unsigned long long)extra, pg->extra);
}

void
progress_done(struct progress *pg)
{
	if (pg->enabled)
		fprintf(stderr, "\r\033[K");
}
