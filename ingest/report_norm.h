/*
 * report_norm: value normalisation for aggregate reports (FORMATS.md
 * "Normalising values", "Report periods", "Record fields"). Private to
 * ingest/: the report parser's files use it. Value functions take the
 * bytes and length of one element's text (not necessarily trimmed) and never
 * write into them. Strings returned live in the arena a (see arena.h) and go
 * with it. W_* bits describing what was changed are OR'ed into *flags.
 */
#ifndef DMARCD_REPORT_NORM_H
#define DMARCD_REPORT_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "report.h"

/* Strips XML whitespace (SP, HT, CR, LF) from both ends: returns the start, *n the length. */
const char *norm_trim(const char *p, size_t len, size_t *n);

/* Trimmed copy, or NULL when empty. */
char *norm_text(struct arena *a, const char *p, size_t len);

/* Trimmed copy with internal whitespace runs collapsed to one space, or NULL when empty. */
char *norm_collapse(struct arena *a, const char *p, size_t len);

/* report_id: trimmed, one enclosing <...> pair removed; NULL when empty. */
char *norm_report_id(struct arena *a, const char *p, size_t len);

/*
 * Domain: trimmed, one <...> pair and a "user@" part removed
 * (W_DOMAIN_NORMALIZED), ASCII-lowercased, one trailing dot dropped.
 * NULL when empty.
 */
char *norm_domain(struct arena *a, const char *p, size_t len, uint64_t *flags);

/* Domain of an address ("Name <user@dom>", "user@dom"), or NULL. */
char *norm_addr_domain(struct arena *a, const char *p, size_t len);

/* ASCII lower-case copy of a NUL-terminated string. */
char *norm_lower(struct arena *a, const char *s);

/* Policy p/sp/np: empty -> POLICY_UNSET; unknown word -> POLICY_UNSET + W_ENUM_UNKNOWN. */
enum policy norm_policy(const char *p, size_t len, uint64_t *flags);

/* adkim/aspf: 'r', 's' (aliases relaxed/strict), 0 when empty or unknown (flagged). */
char norm_alignment(const char *p, size_t len, uint64_t *flags);

/* testing: 'y', 'n', 0 when empty or unknown (flagged). */
char norm_testing(const char *p, size_t len, uint64_t *flags);

/* pct: 0..100, -1 when empty or invalid (W_NUMBER_FORMAT). */
int norm_pct(const char *p, size_t len, uint64_t *flags);

/*
 * Enumerations that keep what was sent: *raw is set to a copy of the
 * trimmed text when it was aliased or unknown, else left NULL.
 */
enum disposition norm_disposition(struct arena *a, const char *p, size_t len, uint64_t *flags,
    char **raw);
enum auth_result norm_auth_result(struct arena *a, const char *p, size_t len, uint64_t *flags,
    char **raw);
enum override_type norm_override(struct arena *a, const char *p, size_t len, uint64_t *flags,
    char **raw);
char *norm_discovery(struct arena *a, const char *p, size_t len, uint64_t *flags);

/* policy_evaluated dkim/spf: pass, fail, other word -> FAIL + W_ENUM_UNKNOWN, empty -> UNKNOWN. */
enum dmarc_result norm_dmarc_result(const char *p, size_t len, uint64_t *flags);

/* SPF scope: mfrom, helo; empty or unknown -> unset (unknown flagged). */
enum spf_scope norm_scope(const char *p, size_t len, uint64_t *flags);

/*
 * Source IP into rec->source_ip_raw, source_ip and ip_family (FORMATS.md
 * "Record fields"). An invalid address leaves source_ip "" and ip_family 0 with
 * W_IP_INVALID.
 */
void norm_ip(struct arena *a, const char *p, size_t len, struct agg_record *rec);

/*
 * count (FORMATS.md "Record fields"): 0 with *out set, saturated at INT64_MAX
 * (the parser refuses a count past PLAUSIBLE_RECORD_COUNT), or -1 when it is
 * not a whole number and the record must be dropped.
 */
int norm_count(const char *p, size_t len, int64_t *out, uint64_t *flags);

/*
 * Timestamp (FORMATS.md "Report periods"): 0 with *out, -1 when empty or not a
 * number, -2 when out of range (negative or after 9999).
 */
int norm_timestamp(const char *p, size_t len, int64_t *out, uint64_t *flags);

/* Copies s into out for an error message: controls become '?', line breaks spaces. */
void norm_printable(char *out, size_t size, const char *s);

#endif
