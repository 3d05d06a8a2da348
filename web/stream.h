/*
 * stream: exports sent to an HTTP client while they are produced. A thread
 * per export runs export_write into a bounded buffer; libmicrohttpd's
 * content reader drains it, and the connection is suspended while the
 * buffer is empty, so that no server thread waits on a long export.
 */
#ifndef DMARCD_STREAM_H
#define DMARCD_STREAM_H

#include <stdbool.h>

#include <microhttpd.h>

#include "errbuf.h"
#include "pool.h"
#include "store.h"

struct stream_set;

/* A set of at most max concurrent exports, reading through pool. NULL when out of memory. */
struct stream_set *stream_set_new(struct pool *pool, unsigned max);

/*
 * Cancels every running export and resumes its connection; new ones are
 * refused. Call before MHD_stop_daemon (which forbids suspended connections).
 */
void stream_set_cancel(struct stream_set *s);

/* Waits for every export thread to end, then frees s. NULL is a no-op. */
void stream_set_free(struct stream_set *s);

/*
 * Starts an export for connection c and returns the response to queue,
 * or NULL with *busy set when max exports are running (or the set is
 * closing), or NULL with e set on a failure.
 */
struct MHD_Response *stream_export(struct stream_set *s, struct MHD_Connection *c,
    enum export_kind kind, bool json, const struct export_filter *f, bool *busy, struct errbuf *e);

#endif
