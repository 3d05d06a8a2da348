/*
 * arf: failure reports (ruf) from one mail (FORMATS.md "Failure reports"): ARF
 * reports (RFC 5965/6591/9991) with a message/feedback-report part anywhere in
 * the MIME tree, and the plaintext reports with no ARF part (FORMATS.md
 * "Plaintext failure reports"). Knows nothing of storage: it yields a struct
 * failure_report.
 */
#ifndef DMARCD_ARF_H
#define DMARCD_ARF_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "failure.h"
#include "mime.h"
#include "refusal.h"

/*
 * Classification helpers for a walk over mime_next_part: true when p is
 * the machine-readable part of an ARF report (message/feedback-report,
 * whatever its transfer encoding), or a text part carrying a plaintext
 * DMARC failure report. A mail with either is a failure report for
 * arf_parse.
 */
bool arf_part_is_feedback(const struct mime_part *p);
bool arf_part_is_plaintext(const struct mime_part *p);

/*
 * Parses the failure report in len bytes of mail raw (LF or CRLF, a
 * leading mbox "From " line allowed; mime_init must have run).
 * Returns 0 and *out (free with failure_free) on success: fields that were
 * missing or unreadable are left NULL / -1 and flagged (W_ARF_FIELD_MISSING,
 * W_FEEDBACK_TYPE_MISSING, W_IP_INVALID, W_NUMBER_FORMAT, ...).
 * Returns 0 with *out NULL when the mail is refused: *why says why
 * (REFUSE_NO_REPORT: no feedback part and no plaintext report;
 * REFUSE_BAD_FAILURE_REPORT: not a mail, or a feedback part with no field)
 * and e the reason. Returns -1 only when out of memory (e).
 */
int arf_parse(const void *raw, size_t len, struct failure_report **out, enum refusal *why,
    struct errbuf *e);

#endif
