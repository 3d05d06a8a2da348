/*
 * mime_headers: what mime_next_part cannot give, because it descends into
 * message/rfc822 parts and yields only their leaves: the embedded message
 * itself, header block included. Used for failure-report samples (arf.c).
 */
#ifndef DMARCD_MIME_HEADERS_H
#define DMARCD_MIME_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"

/*
 * Finds the first message/rfc822 part (depth first, at most BOUND_MIME_DEPTH
 * deep) of the mail in len bytes of raw (an mbox "From " line is skipped)
 * and writes its embedded message, header block, empty line and body, into
 * *out (malloc'd, the caller frees it), cut at max bytes (*cut then true).
 * Returns 1 when found, 0 when the mail has none or is not a mail, -1 when
 * out of memory (e).
 */
int mime_first_message_part(const void *raw, size_t len, size_t max, unsigned char **out, size_t *n,
    bool *cut, struct errbuf *e);

#endif
