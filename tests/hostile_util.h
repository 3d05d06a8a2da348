/*
 * hostile_util: for the hostile-input tests (test_hostile*.c), the whole
 * ingest path on bytes built in memory: extract_input into counting sinks
 * that check their contract, the growth of peak memory, refusals asserted
 * by code and reason, and deflated data of any size streamed into memory.
 */
#ifndef DMARCD_TEST_HOSTILE_UTIL_H
#define DMARCD_TEST_HOSTILE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "extract.h"

#define MiB (1024u * 1024u)

#define XML_DECL "<?xml version=\"1.0\"?>\n"
/* clang-format off */
#define META                                                                                       \
	"<report_metadata><org_name>Org</org_name><email>r@org.example</email>"                    \
	"<report_id>id-1</report_id><date_range><begin>1700000000</begin>"                         \
	"<end>1700086399</end></date_range></report_metadata>"
/* clang-format on */
#define POLICY "<policy_published><domain>example.com</domain><p>none</p></policy_published>"
/* clang-format off */
#define RECORD                                                                                     \
	"<record><row><source_ip>192.0.2.1</source_ip><count>3</count>"                            \
	"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"        \
	"</policy_evaluated></row><identifiers><header_from>example.com</header_from>"             \
	"</identifiers><auth_results></auth_results></record>"
/* clang-format on */
#define REPORT XML_DECL "<feedback>" META POLICY RECORD "</feedback>\n"

/* What reached the sinks. */
struct tally {
	int begun, ended, aborted, failures;
	long records;
	char org[128];  /* the last report's org_name, cut to fit */
	size_t org_len; /* its whole length */
	uint64_t flags; /* of the last report ended */
};

struct blob {
	unsigned char *p;
	size_t len;
	uint32_t crc;   /* of the uncompressed bytes */
	size_t raw_len; /* uncompressed length */
};

/* This process's peak resident size, in KiB. */
long hostile_peak_kib(void);

/*
 * Extracts len bytes named name with bounds b (the defaults when NULL) into
 * a fresh tally, and checks the sinks' contract: every report begun was
 * ended or aborted, and no failure report came out. Returns the growth of
 * the peak resident size, in MiB.
 */
long hostile_run_with(const struct bounds *b, const void *buf, size_t len, const char *name,
    struct tally *t, struct extract_result *res);

/* hostile_run_with the default bounds. */
long hostile_run(const void *buf, size_t len, const char *name, struct tally *t,
    struct extract_result *res);

/* Asserts a refusal: its code, and its reason (with context) exactly. */
void hostile_assert_refused(const struct extract_result *res, enum refusal why, const char *reason);

void hostile_blob_free(struct blob *b);

/*
 * Deflates head, fill bytes of the character c, then tail: a gzip stream
 * (window_bits 31) or raw deflate for a zip entry (-15). Streams the fill:
 * gigabytes cost a megabyte of memory.
 */
struct blob hostile_squeeze(int window_bits, const void *head, size_t hlen, char c, size_t fill,
    const char *tail);

/* len bytes of p as a gzip stream. */
struct blob hostile_gzip_of(const void *p, size_t len);

#endif
