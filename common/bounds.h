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

/* the catalogue of sending services (data/services.conf and the config's [service] sections) */
#define BOUND_CATALOGUE_SERVICES 1024 /* services in all */
#define BOUND_CATALOGUE_CLAIMS \
	64                     /* domains of one kind (dkim, spf, ptr) or AS numbers per service */
#define BOUND_CATALOGUE_KEY 64 /* a service's key: [a-z0-9-] */
#define BOUND_CATALOGUE_VALUE 1024 /* one value: a name, a fix text, a link, a list */
#define BOUND_CATALOGUE_LINE 2048  /* one line of a catalogue file */

/* the last second a timestamp may name: 9999-12-31T23:59:59Z (day math cannot overflow) */
#define BOUND_TS_MAX INT64_C(253402300799)

/* reverse DNS (enrich/rdns.c): what one address may cost */
#define BOUND_RDNS_PTR_NAMES 4   /* PTR names forward-confirmed per address, in answer order */
#define BOUND_RDNS_ADDRS 64      /* A/AAAA records of one name compared with the address */
#define BOUND_RDNS_CNAMES 8      /* CNAMEs followed inside one PTR answer (RFC 2317) */
#define BOUND_RDNS_INFLIGHT 4096 /* rdns_options.inflight is clamped to this */

/* time attribution: the store splits a report over at most this many days */
#define BOUND_REPORT_DAYS 400

/*
 * Plausibility: what a report may claim. Anyone can mail a report, so a
 * claim past these is refused as a whole (E_IMPLAUSIBLE_PERIOD,
 * E_IMPLAUSIBLE_COUNT), its bytes kept for `dmarcd reprocess`, and never
 * reaches a total. README.md "Limits" gives the reasons for each value.
 */
/* no DMARC report predates 2012, when receivers began to send them */
#define PLAUSIBLE_FIRST_TS INT64_C(1325376000) /* 2012-01-01T00:00:00Z */
/* a period ends before its report is sent: past now + 48 h, a clock is wrong */
#define PLAUSIBLE_FUTURE_SECONDS (INT64_C(48) * 3600)
/* real reports cover a day, some a week, a rare one a month: twice that */
#define PLAUSIBLE_SPAN_DAYS 62
/* one sending address over one period: the busiest relays send millions a day */
#define PLAUSIBLE_RECORD_COUNT INT64_C(1000000000)
/* one receiver on one domain: the largest senders reach 10^9 a day at one receiver */
#define PLAUSIBLE_REPORT_MESSAGES INT64_C(10000000000)

_Static_assert(PLAUSIBLE_SPAN_DAYS <= BOUND_REPORT_DAYS, "the store must hold any plausible span");

struct bounds {
	uint64_t max_input;       /* raw mail or file, bytes (default 50 MiB) */
	uint64_t max_document;    /* decompressed bytes per XML document (2 GiB) */
	uint64_t max_message_out; /* decompressed bytes per message, all parts (4 GiB) */
	uint64_t max_ratio;       /* output/input ratio past BOUND_RATIO_GRACE (1000) */
};

/* Fills b with the documented defaults. */
void bounds_default(struct bounds *b);

#endif
