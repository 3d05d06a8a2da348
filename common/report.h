/*
 * report: the aggregate-report model passed from ingest/ to store/.
 *
 * A report streams: the parser fills one struct agg_report with the metadata
 * and published policy, hands it to a report_sink, then reuses one struct
 * agg_record for every <record>. Every pointer in these structs is owned by the
 * producer and valid only during the sink call that sees it; a sink copies what
 * it keeps. Strings are NUL-terminated UTF-8 and already normalised (FORMATS.md
 * "Normalising values"); NULL means absent.
 *
 * A report that reaches a sink is plausible (bounds.h): its period lies
 * from PLAUSIBLE_FIRST_TS to a little past now and spans at most
 * PLAUSIBLE_SPAN_DAYS days, no record claims more than
 * PLAUSIBLE_RECORD_COUNT messages and the records together no more than
 * PLAUSIBLE_REPORT_MESSAGES. The producer refuses any other report, so a
 * sink never meets one: its checks of these are against bugs, not input.
 */
#ifndef DMARCD_REPORT_H
#define DMARCD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "errbuf.h"

enum report_dialect { DIALECT_DRAFT, DIALECT_RFC7489, DIALECT_RFC9990 };

enum policy { POLICY_UNSET = 0, POLICY_NONE, POLICY_QUARANTINE, POLICY_REJECT };

enum disposition { DISP_UNKNOWN = 0, DISP_NONE, DISP_PASS, DISP_QUARANTINE, DISP_REJECT };

/* The receiver's aligned verdict in <policy_evaluated>. */
enum dmarc_result { DMARC_UNKNOWN = 0, DMARC_PASS, DMARC_FAIL };

/* A raw DKIM or SPF result in <auth_results>. */
enum auth_result {
	AUTH_UNKNOWN = 0,
	AUTH_NONE,
	AUTH_PASS,
	AUTH_FAIL,
	AUTH_SOFTFAIL,
	AUTH_NEUTRAL,
	AUTH_POLICY,
	AUTH_TEMPERROR,
	AUTH_PERMERROR
};

enum override_type {
	OVERRIDE_OTHER = 0,
	OVERRIDE_FORWARDED,
	OVERRIDE_SAMPLED_OUT,
	OVERRIDE_TRUSTED_FORWARDER,
	OVERRIDE_MAILING_LIST,
	OVERRIDE_LOCAL_POLICY,
	OVERRIDE_POLICY_TEST_MODE
};

enum spf_scope { SPF_SCOPE_UNSET = 0, SPF_SCOPE_MFROM, SPF_SCOPE_HELO };

struct dkim_result {
	char *domain;
	char *selector;
	char *human_result;
	char *result_raw; /* as sent, when aliased or unknown */
	enum auth_result result;
};

struct spf_result {
	char *domain;
	char *human_result;
	char *result_raw;
	enum spf_scope scope;
	enum auth_result result;
};

struct override_reason {
	enum override_type type;
	char *type_raw; /* as sent, when not a known type */
	char *comment;
};

struct agg_record {
	char *source_ip_raw; /* as sent, trimmed */
	char source_ip[46];  /* canonical (IPv4 dotted, IPv6 RFC 5952), "" if invalid */
	int ip_family;       /* 4, 6, or 0 when invalid */
	int64_t count;       /* 0 .. INT64_MAX */
	enum disposition disposition;
	char *disposition_raw;
	enum dmarc_result pe_dkim, pe_spf;
	char *header_from, *envelope_from, *envelope_to;
	struct override_reason reasons[BOUND_RECORD_REASONS];
	size_t n_reasons;
	struct dkim_result dkim[BOUND_RECORD_DKIM];
	size_t n_dkim;
	struct spf_result spf[BOUND_RECORD_SPF];
	size_t n_spf;
	uint64_t flags; /* W_* from flags.h */
};

/* Volume-weighted sums over a report's records (saturating at UINT64_MAX). */
struct agg_totals {
	uint64_t records;
	uint64_t messages;
	uint64_t dmarc_pass; /* pe_dkim == pass || pe_spf == pass */
	uint64_t dkim_aligned;
	uint64_t spf_aligned;
	uint64_t records_dropped;
};

struct agg_report {
	enum report_dialect dialect;
	char *xml_namespace, *xml_version;
	char *org_name; /* display name after fallbacks, never NULL at begin */
	char *org_key;  /* lower-cased org_name: part of the dedup key */
	char *org_email, *extra_contact, *generator;
	char *report_id;          /* never NULL at begin */
	int64_t begin_ts, end_ts; /* UTC epoch seconds, begin <= end */
	char *errors;             /* <error> texts joined by LF */
	char *policy_domain;      /* never NULL at begin */
	enum policy p, sp, np;
	char adkim, aspf; /* 'r', 's', or 0 when absent */
	char testing;     /* 'y', 'n', or 0 */
	int pct;          /* 0..100, -1 when absent */
	char *fo;
	char *discovery_method;
	uint8_t xml_sha256[32];   /* canonical document hash: valid at end only */
	struct agg_totals totals; /* complete at end only */
	uint64_t flags;
};

/*
 * Where parsed reports go. For each document the producer calls begin once
 * the header is known, record for each record, then either end (the
 * document parsed completely) or abort (it failed after begin: the sink
 * must discard everything since begin).
 * begin returns 0 to receive records, 1 to skip them (the sink already has
 * this report: the producer still parses to the end so that end sees the
 * hash), -1 on an operational failure. record and end return 0 or -1.
 * A -1 from the sink stops the producer, which then returns -1 itself.
 */
struct report_sink {
	void *ctx;
	int (*begin)(void *ctx, const struct agg_report *r, struct errbuf *e);
	int (*record)(void *ctx, const struct agg_report *r, const struct agg_record *rec,
	    struct errbuf *e);
	int (*end)(void *ctx, const struct agg_report *r, struct errbuf *e);
	void (*abort)(void *ctx);
};

/* True when the receiver found the record DMARC-aligned (dkim or spf pass). */
bool agg_record_dmarc_pass(const struct agg_record *rec);

/* Lower-case names used in storage and exports ("quarantine", "softfail"). */
const char *dialect_name(enum report_dialect d);
const char *policy_name(enum policy p);             /* NULL for POLICY_UNSET */
enum policy policy_parse(const char *s);            /* "none" ..., any case; else UNSET */
const char *disposition_name(enum disposition d);   /* NULL for DISP_UNKNOWN */
const char *dmarc_result_name(enum dmarc_result r); /* NULL for unknown */
const char *auth_result_name(enum auth_result r);   /* NULL for unknown */
const char *override_name(enum override_type t);
const char *spf_scope_name(enum spf_scope s); /* NULL for unset */

#endif
