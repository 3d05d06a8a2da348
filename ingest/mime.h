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

struct mail;

struct mail_part {
	const char *content_type;  /* lower-case "type/subtype" */
	const char *filename;      /* decoded, any path stripped, or NULL */
	const unsigned char *data; /* transfer-decoded bytes */
	size_t len;
	int depth; /* 0 for the top-level body */
	int index; /* 1-based leaf number, for messages */
};

/* Call once per process before mail_parse (initialises GMime). */
void mime_init(void);

/*
 * Checks len bytes of mail against what GMime would build from them, as it
 * builds the whole tree before any cap of the walk applies: at most
 * BOUND_MIME_DELIMITERS lines starting with "--" (each may open a part) and
 * BOUND_MIME_HEADER_BYTES bytes of header lines ("Name:" and its
 * continuation lines, wherever they are: address lists and parameters cost
 * GMime tens of times their size). Returns 0, or -1 with the reason in e.
 */
int mail_check_bounds(const void *raw, size_t len, struct errbuf *e);

/* Parses len bytes of mail (copied). NULL when it is not a mail at all (e). */
struct mail *mail_parse(const void *raw, size_t len, struct errbuf *e);
void mail_free(struct mail *m);

/* Decoded, unfolded header values, or NULL when absent. Valid until mail_free. */
const char *mail_subject(const struct mail *m);
const char *mail_from(const struct mail *m);
const char *mail_message_id(const struct mail *m);
const char *mail_date(const struct mail *m);
/* The topmost Authentication-Results: the one the receiving server added last. */
const char *mail_auth_results(const struct mail *m);

/* True for a top-level multipart/report with report-type=feedback-report. */
bool mail_is_feedback_report(const struct mail *m);

/*
 * Next leaf part, depth first: 1 with *p filled (valid until mail_free),
 * 0 at the end, -1 on failure (e).
 */
int mail_next_part(struct mail *m, struct mail_part *p, struct errbuf *e);

/*
 * Starts the walk again at the first leaf. Leaves already walked are handed
 * out as kept (each is decoded once), with the flags they had then.
 */
void mail_rewind(struct mail *m);

/*
 * W_LIMIT_TRUNCATED when parts beyond the depth or count caps were skipped
 * on the way to the part last handed out (after the end: anywhere).
 */
uint64_t mail_flags(const struct mail *m);

#endif
