/*
 * mime_int: private to ingest/. The one way dmarcd turns raw mail bytes into
 * a GMime message, shared by mime.c and mime_headers.c.
 */
#ifndef DMARCD_MIME_INT_H
#define DMARCD_MIME_INT_H

#include <gmime/gmime.h>
#include <stddef.h>

/*
 * Parses len bytes of mail (copied), skipping a leading mbox "From " line
 * and retrying once with blank-only lines emptied (gateways that end the
 * header block with " \n"). Returns a new message (g_object_unref it), or
 * NULL when the bytes are not a mail or too large for GMime.
 */
GMimeMessage *mime_message_new(const void *raw, size_t len);

#endif
