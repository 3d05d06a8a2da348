/*
 * extract: every report inside one input. An input is a mail (any name:
 * detected by its bytes) or a bare report file (.xml, .xml.gz, .gz, .zip).
 * Walks the MIME tree, sniffs each part, unpacks gzip/zip, and streams each
 * aggregate report document into the sink. Knows nothing of storage.
 */
#ifndef DMARCD_EXTRACT_H
#define DMARCD_EXTRACT_H

#include <stddef.h>

#include "bounds.h"
#include "errbuf.h"
#include "failure.h"
#include "refusal.h"
#include "report.h"

enum extract_kind {
	EXTRACT_AGGREGATE,
	EXTRACT_FAILURE,
	EXTRACT_TLSRPT,
	EXTRACT_OTHER,
	EXTRACT_UNKNOWN
};

#define EXTRACT_HEADER_MAX 256
#define EXTRACT_AR_MAX 4    /* Authentication-Results kept, the topmost */
#define EXTRACT_AR_SIZE 512 /* bytes of each */

struct extract_result {
	enum extract_kind kind;
	unsigned documents;   /* reports (aggregate or failure) that reached a sink */
	unsigned failures;    /* of which failure reports */
	unsigned refused;     /* documents (or the whole input) refused */
	enum refusal why;     /* the first refusal, REFUSE_NONE when none */
	struct errbuf reason; /* its reason with context: "part 2 (a.zip) entry b.xml: ..." */
	bool mail;            /* the input was a mail (false: a bare report file) */
	/* headers of the carrying mail, truncated; empty for a bare file */
	char subject[EXTRACT_HEADER_MAX];
	char from[EXTRACT_HEADER_MAX];
	char message_id[EXTRACT_HEADER_MAX];
	/* dmarc= of the mail's topmost Authentication-Results ("pass", "fail"), "" when none */
	char carrier_dmarc[16];
	/* the mail's Authentication-Results, topmost first, each cut to EXTRACT_AR_SIZE - 1 */
	unsigned n_auth_results;
	char auth_results[EXTRACT_AR_MAX][EXTRACT_AR_SIZE];
};

/* Call once per process before extract_input. */
void extract_init(void);

/*
 * Extracts every report from len bytes of input named name (a label, may be
 * NULL): aggregate reports into sink, a failure report into failures.
 * Returns 0 when the input was dealt with, whatever was
 * refused (see *res: refused == 0 and documents > 0 means all went in);
 * returns -1 only when the sink failed (an operational error, e).
 */
int extract_input(const void *raw, size_t len, const char *name, const struct bounds *b,
    const struct report_sink *sink, const struct failure_sink *failures, struct extract_result *res,
    struct errbuf *e);

const char *extract_kind_name(enum extract_kind k);

#endif
