/*
 * mime: one mail's MIME tree with GMime 3. Yields every leaf part with its
 * transfer encoding decoded, descending into multiparts and message/rfc822
 * (depth and part count capped by bounds.h). Tolerates LF or CRLF, a
 * leading mbox "From " line, RFC 2231 split file names, RFC 2047 words.
 */
#ifndef DMARCD_MIME_H
#define DMARCD_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

struct mime_message;

struct mime_part {
	const char *content_type;  /* lower-case "type/subtype" */
	const char *filename;      /* decoded, any path stripped, or NULL */
	const unsigned char *data; /* transfer-decoded bytes */
	size_t len;
	int depth; /* 0 for the top-level body */
	int index; /* 1-based leaf number, for messages */
};

/* Call once per process before mime_parse (initialises GMime). */
void mime_init(void);

/*
 * Checks len bytes of mail against what GMime would build from them, as it
 * builds the whole tree before any cap of the walk applies: at most
 * BOUND_MIME_DELIMITERS lines starting with "--" (each may open a part) and
 * BOUND_MIME_HEADER_BYTES bytes of header lines ("Name:" and its
 * continuation lines, wherever they are: address lists and parameters cost
 * GMime tens of times their size). Returns 0, or -1 with the reason in e.
 */
int mime_check_bounds(const void *raw, size_t len, struct errbuf *e);

/* Parses len bytes of mail (copied). NULL when it is not a mail at all (e). */
struct mime_message *mime_parse(const void *raw, size_t len, struct errbuf *e);
void mime_free(struct mime_message *m);

/* Decoded, unfolded header values, or NULL when absent. Valid until mime_free. */
const char *mime_subject(const struct mime_message *m);
const char *mime_from(const struct mime_message *m);
const char *mime_message_id(const struct mime_message *m);
const char *mime_date(const struct mime_message *m);
/* The topmost Authentication-Results: the one the receiving server added last. */
const char *mime_auth_results(const struct mime_message *m);

/* The index-th (0: the topmost) header named name, decoded, or NULL past the last. */
const char *mime_header_nth(const struct mime_message *m, const char *name, unsigned index);

/* True for a top-level multipart/report with report-type=feedback-report. */
bool mime_is_feedback_report(const struct mime_message *m);

/*
 * Next leaf part, depth first: 1 with *p filled (valid until mime_free),
 * 0 at the end. The tree was built and bounded by mime_parse, so the walk
 * cannot fail.
 */
int mime_next_part(struct mime_message *m, struct mime_part *p);

/*
 * Starts the walk again at the first leaf. Leaves already walked are handed
 * out as kept (each is decoded once), with the flags they had then.
 */
void mime_rewind(struct mime_message *m);

/*
 * W_LIMIT_TRUNCATED when parts beyond the depth or count caps were skipped
 * on the way to the part last handed out (after the end: anywhere).
 */
uint64_t mime_flags(const struct mime_message *m);

#endif
