/*
 * source: the inputs named on the command line. A path is a file (any
 * name), a directory (walked recursively in name order, hidden entries
 * skipped), a Maildir (a directory with cur/ new/ tmp/: the mail in new/
 * and the unseen mail in cur/), or "-" for standard input.
 * Maildir mail is acknowledged (moved to cur/ with the S flag) only when
 * the caller says so with maildir_ack, after its data is committed.
 */
#ifndef DMARCD_SOURCE_H
#define DMARCD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"

struct source;

struct source_item {
	const char *kind;          /* "file", "maildir" or "stdin" */
	const char *location;      /* the path, or "-" */
	const unsigned char *data; /* the whole input, valid until the next call */
	size_t len;
	bool is_maildir; /* acknowledge with maildir_ack(location) */
};

/*
 * Lists the inputs under paths. stdin_max caps what is read from "-".
 * Returns 0 and *out, or -1 when a path cannot be read (e).
 */
int source_open(const char *const *paths, size_t n, size_t stdin_max, struct source **out,
    struct errbuf *e);
void source_free(struct source *s);

/* How many inputs the walk holds, for a progress bar. */
size_t source_count(const struct source *s);

/*
 * Next input: 1 with *it filled, 0 at the end, -1 when this input cannot be
 * read (e says which and why); the walk goes on at the next call.
 */
int source_next(struct source *s, struct source_item *it, struct errbuf *e);

/*
 * Marks the Maildir mail at path seen: new/NAME becomes cur/NAME:2,S and
 * cur/NAME:2,FLAGS gains S. Returns 0, or -1 (e).
 */
int maildir_ack(const char *path, struct errbuf *e);

#endif
