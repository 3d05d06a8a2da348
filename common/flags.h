/*
 * flags: warning bits attached to a report or a record (uint64_t, stored as
 * an SQLite INTEGER). A bit's number is part of the database format: never
 * renumber one, only append.
 */
#ifndef DMARCD_FLAGS_H
#define DMARCD_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#define W_MIME_MISMATCH (UINT64_C(1) << 0)
#define W_TRAILING_GARBAGE (UINT64_C(1) << 1)
#define W_ENCODING_REPAIRED (UINT64_C(1) << 2)
#define W_XML_REPAIRED (UINT64_C(1) << 3)
#define W_DUP_ELEMENT (UINT64_C(1) << 4)
#define W_ENUM_CASE (UINT64_C(1) << 5)
#define W_ENUM_UNKNOWN (UINT64_C(1) << 6)
#define W_ORG_FALLBACK (UINT64_C(1) << 7)
#define W_REPORT_ID_SYNTH (UINT64_C(1) << 8)
#define W_DATE_FROM_FILENAME (UINT64_C(1) << 9)
#define W_TS_MILLIS (UINT64_C(1) << 10)
#define W_DATE_REVERSED (UINT64_C(1) << 11)
/* retired: such reports are refused now (E_IMPLAUSIBLE_*); older databases may hold them */
#define W_DATE_IMPLAUSIBLE (UINT64_C(1) << 12)
#define W_SPAN_LONG (UINT64_C(1) << 13)
#define W_NO_RECORDS (UINT64_C(1) << 14)
#define W_FILENAME_MISMATCH (UINT64_C(1) << 15)
#define W_COUNT_HUGE (UINT64_C(1) << 16) /* retired, like W_DATE_IMPLAUSIBLE */
#define W_COUNT_ZERO (UINT64_C(1) << 17)
#define W_IP_MAPPED (UINT64_C(1) << 18)
#define W_IP_INVALID (UINT64_C(1) << 19)
#define W_PE_INCOMPLETE (UINT64_C(1) << 20)
#define W_HFROM_MISSING (UINT64_C(1) << 21)
#define W_HFROM_OUTSIDE_DOMAIN (UINT64_C(1) << 22)
#define W_DKIM_NO_SELECTOR (UINT64_C(1) << 23)
#define W_SPF_MULTI (UINT64_C(1) << 24)
#define W_RECORD_DROPPED (UINT64_C(1) << 25)
#define W_TEXT_TRUNCATED (UINT64_C(1) << 26)
#define W_LIMIT_TRUNCATED (UINT64_C(1) << 27)
#define W_IP_NORMALIZED (UINT64_C(1) << 28)
#define W_DOMAIN_NORMALIZED (UINT64_C(1) << 29)
#define W_NUMBER_FORMAT (UINT64_C(1) << 30)
#define W_RFC9990_DEVIATION (UINT64_C(1) << 31)
#define W_POLICY_PUBLISHED_MISSING (UINT64_C(1) << 32)

/*
 * Writes the names of the bits set in flags ("W_IP_INVALID,W_COUNT_ZERO")
 * into buf (always NUL-terminated, truncated to size). Returns buf.
 */
char *flags_describe(uint64_t flags, char *buf, size_t size);

#endif
