/*
 * bounds: every size limit of dmarcd in one place.
 * Compile-time ceilings are BOUND_* constants; the limits a user may tune
 * live in struct bounds, filled with bounds_default() and overridden from
 * the command line or the config file.
 */
#ifndef DMARCD_BOUNDS_H
#define DMARCD_BOUNDS_H

#include <stdint.h>

/* MIME */
#define BOUND_MIME_DEPTH 8  /* multipart + message/rfc822 nesting */
#define BOUND_MIME_PARTS 64 /* leaf parts examined per message */
/* GMime builds the whole tree first: its size is capped before it is built */
#define BOUND_MIME_DELIMITERS 4096            /* lines starting with "--" per mail */
#define BOUND_MIME_HEADER_BYTES (1024 * 1024) /* "Name:" lines and their continuations */

/* decompression */
#define BOUND_UNPACK_LAYERS 2           /* zip -> gzip, no deeper */
#define BOUND_ZIP_ENTRIES 32            /* entries examined per archive */
#define BOUND_RATIO_GRACE (1024 * 1024) /* ratio guard applies past 1 MiB out */

/* aggregate XML */
#define BOUND_XML_DEPTH 32                /* element nesting */
#define BOUND_XML_ATTRS 256               /* attributes of one start tag */
#define BOUND_XML_TEXT (64 * 1024)        /* text per element */
#define BOUND_XML_ERROR_TEXT (256 * 1024) /* all <error> texts together */
#define BOUND_XML_PREFIX_SCAN 4096        /* junk before the root is looked for here */
#define BOUND_RECORDS 5000000             /* records per report */
#define BOUND_RECORD_DKIM 100             /* RFC 9990: at most 100 per row */
#define BOUND_RECORD_SPF 16
#define BOUND_RECORD_REASONS 16

/* time attribution: a report spread over more days than this is refused */
#define BOUND_REPORT_DAYS 400

struct bounds {
	uint64_t max_input;       /* raw mail or file, bytes (default 50 MiB) */
	uint64_t max_document;    /* decompressed bytes per XML document (2 GiB) */
	uint64_t max_message_out; /* decompressed bytes per message, all parts (4 GiB) */
	uint64_t max_ratio;       /* output/input ratio past BOUND_RATIO_GRACE (1000) */
};

/* Fills b with the documented defaults. */
void bounds_default(struct bounds *b);

#endif
