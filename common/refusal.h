/*
 * refusal: why an input, or one document inside it, was not stored.
 * A refusal is an outcome, not an operational error: the input is kept
 * and recorded with its code and reason, and the run goes on.
 */
#ifndef DMARCD_REFUSAL_H
#define DMARCD_REFUSAL_H

#include "errbuf.h"

enum refusal {
	REFUSE_NONE = 0,
	REFUSE_SIZE_LIMIT,            /* input, document or decompression cap */
	REFUSE_UNSUPPORTED_CONTAINER, /* S/MIME opaque, TNEF, .msg */
	REFUSE_NO_REPORT,             /* nothing that looks like a DMARC report */
	REFUSE_NOT_DMARC,             /* a report of another kind (TLS-RPT, HTML, ...) */
	REFUSE_DECOMPRESS,            /* truncated or corrupt gzip/zip */
	REFUSE_ZIP_UNSUPPORTED,       /* encrypted entry, unknown method */
	REFUSE_XML_DOCTYPE,           /* any DOCTYPE: refused, never expanded */
	REFUSE_XML_MALFORMED,
	REFUSE_XML_ENCODING, /* invalid byte sequence; retried once repaired */
	REFUSE_XML_LIMIT,    /* depth, records, ... */
	REFUSE_MISSING_REPORTER,
	REFUSE_MISSING_POLICY_DOMAIN,
	REFUSE_BAD_TIMESTAMP,
	REFUSE_BAD_FAILURE_REPORT,
	REFUSE_IMPLAUSIBLE_PERIOD, /* before 2012, in the future, or too long (bounds.h) */
	REFUSE_IMPLAUSIBLE_COUNT,  /* a record's or the report's messages past bounds.h */
};

/*
 * Refuses: sets *why to code and e to the formatted reason, and returns -1
 * so that a parser can `return refusal_set(...)` and stop.
 */
int refusal_set(enum refusal *why, struct errbuf *e, enum refusal code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The stable code stored with the input ("E_XML_DOCTYPE"). */
const char *refusal_code(enum refusal r);

#endif
