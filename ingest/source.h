/*
 * source: the inputs named on the command line. A path is a file (any
 * name), a directory (walked recursively in name order, hidden entries
 * skipped), a Maildir (a directory with cur/ new/ tmp/: the mail in new/
 * and the unseen mail in cur/), or "-" for standard input.
 * Maildir mail is acknowledged (moved to cur/ with the S flag) only when
 * the caller says so with source_maildir_ack, after its data is committed.
 *
 * Only regular files are inputs. A path the user names is followed, as cat
 * would, but must lead to a regular file or a directory; a FIFO, socket or
 * device named is skipped ("-" reads standard input). Inside a directory
 * or a Maildir nothing is followed: a symbolic link (to a file or to a
 * directory), a FIFO, a socket or a device met there is skipped, never
 * opened, and a Maildir's cur/ new/ tmp/ must be real directories. Files
 * are opened without blocking and, below the named path, one component at
 * a time without following links, so that an entry swapped since the
 * listing is skipped too. A skip is no error: the skip function is told.
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
	bool is_maildir; /* acknowledge with source_maildir_ack(location) */
};

/* Told of each entry that is not an input: its path and why ("a symbolic link: ..."). */
typedef void source_skip_fn(void *arg, const char *path, const char *why);

/*
 * Lists the inputs under paths. stdin_max caps what is read from "-".
 * skip (may be NULL) is called with skip_arg for each entry skipped, now
 * or by source_next. Returns 0 and *out, or -1 when a path cannot be read (e).
 */
int source_open(const char *const *paths, size_t n, size_t stdin_max, source_skip_fn *skip,
    void *skip_arg, struct source **out, struct errbuf *e);
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
 * cur/NAME:2,FLAGS gains S; a new/ or cur/ that is a symbolic link is
 * refused. Returns 0, or -1 (e).
 */
int source_maildir_ack(const char *path, struct errbuf *e);

#endif
