/*
 * arf_hdrs: a block of RFC 5322 "Name: value" lines, as found in a
 * message/feedback-report part, a text/rfc822-headers part or the head of
 * a sample message. Private to ingest/ (arf.c and arf_text.c).
 *
 * Lines end in LF, CRLF or a lone CR. Continuation lines are unfolded:
 * the whitespace around each fold becomes one space. Names keep their
 * case; values are trimmed. The block ends at the first empty line, or at
 * a line of only spaces and tabs (some generators put a space in the
 * separator line), or at the end of the bytes. A leading mbox "From "
 * line is skipped; any other line that is neither a field nor a
 * continuation is counted in garbled and skipped.
 */
#ifndef DMARCD_ARF_HDRS_H
#define DMARCD_ARF_HDRS_H

#include <stddef.h>
#include <stdint.h>

#include "failure.h"

struct arf_hdrs {
	struct failure_field *v; /* malloc'd names and values, in order */
	size_t n;
	size_t end;     /* offset just past the block and its separator line */
	size_t garbled; /* lines skipped as neither field nor continuation */
	uint64_t flags; /* W_TEXT_TRUNCATED (value cut), W_LIMIT_TRUNCATED (fields cut) */
};

/*
 * Parses the block at the start of len bytes into h (which the caller
 * zeroes first and releases with arf_hdrs_reset). At most
 * BOUND_FAILURE_FIELDS fields of at most BOUND_FAILURE_VALUE bytes each are
 * kept. Returns 0, or -1 when out of memory (e).
 */
int arf_hdrs_parse(const void *buf, size_t len, struct arf_hdrs *h, struct errbuf *e);

/*
 * Appends one field (copies of nlen and vlen bytes, the value cut at
 * BOUND_FAILURE_VALUE), or drops it past BOUND_FAILURE_FIELDS (flagged).
 * Returns 0, or -1 when out of memory.
 */
int arf_hdrs_add(struct arf_hdrs *h, const char *name, size_t nlen, const char *value, size_t vlen);

/* The first value of the field called name (any case), or NULL. */
const char *arf_hdrs_get(const struct arf_hdrs *h, const char *name);

/*
 * Every value of the field called name joined by sep, malloc'd; NULL when
 * the field is absent. Sets *oom when the allocation failed.
 */
char *arf_hdrs_join(const struct arf_hdrs *h, const char *name, const char *sep, int *oom);

/* Frees what h holds and zeroes it. */
void arf_hdrs_reset(struct arf_hdrs *h);

#endif
