/*
 * arf_norm: value normalisation for failure reports (FORMATS.md "ARF fields",
 * "Samples and redaction"). Private to ingest/ (arf.c). Inputs are
 * NUL-terminated field values as arf_hdrs produced them (bounded, trimmed);
 * NULL inputs give NULL or the "absent" value. Strings returned are malloc'd;
 * NULL also means out of memory where it says so.
 */
#ifndef DMARCD_ARF_NORM_H
#define DMARCD_ARF_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A malloc'd copy of n bytes, or of s; NULL for NULL (or out of memory). */
char *arf_strndup(const char *p, size_t n);
char *arf_strdup(const char *s);

/* An ASCII lower-case copy, or NULL. */
char *arf_lower(const char *s);

/* UTC epoch of an RFC 5322 date-time, -1 when absent or unparsable. */
int64_t arf_date(const char *s);

/*
 * Source IP (FORMATS.md "ARF fields"): the first token (a trailing "(host)"
 * comment is dropped), "[...]", "IPv6:" and a "%zone" removed, IPv4-mapped IPv6
 * turned into IPv4 (W_IP_MAPPED). Writes the canonical text (46 bytes) or ""
 * and W_IP_INVALID.
 */
void arf_ip(const char *raw, char out[46], uint64_t *flags);

/* The lower-case domain of an address ("Name <u@dom>", "<u@dom>", "u@dom"), or NULL. */
char *arf_addr_domain(const char *addr);

/* s without one enclosing <...> pair, trimmed ("<>" gives ""), or NULL. */
char *arf_strip_angle(const char *s);

/* "dns; mx.example" -> "mx.example" (the type before ';' dropped), or NULL. */
char *arf_mta_name(const char *s);

/*
 * Delivery-Result (FORMATS.md "ARF fields"): delivered, spam, policy, reject or
 * other, by exact word then by substring; *exact says the raw value was the
 * word.
 */
const char *arf_delivery_result(const char *raw, bool *exact);

/* The result of method ("spf", "dkim", "dmarc") in an Authentication-Results value, lower-case, or
 * NULL. */
char *arf_auth_result(const char *ar, const char *method);

/* The header.from= property of an Authentication-Results value, lower-case, or NULL. */
char *arf_ar_header_from(const char *ar);

/* The value of tag (e.g. "d") in a DKIM-Signature tag list, or NULL. */
char *arf_dkim_tag(const char *sig, const char *tag);

/* A decimal in [min, max] into *out; -1 when it is not one. */
int arf_number(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
