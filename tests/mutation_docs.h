/*
 * mutation_docs: the documents of the semantic mutation tests
 * (test_mutation.c) and of the fuzz_mutate target: valid aggregate reports
 * of each dialect and ARF failure reports, rendered with any field's text
 * replaced by given bytes; the table of hostile values; the gzip, zip and
 * mail wrappers. Needs libc and zlib only (the fuzz build has no
 * Criterion). Running out of memory aborts.
 */
#ifndef DMARCD_MUTATION_DOCS_H
#define DMARCD_MUTATION_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing byte buffer; zero it to start, mbuf_free() it to end. */
struct mbuf {
	char *p;
	size_t len, cap;
};

void mbuf_add(struct mbuf *b, const void *p, size_t n);
void mbuf_adds(struct mbuf *b, const char *s);
void mbuf_addf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mbuf_free(struct mbuf *b);

/* Bytes that replace a field's text when set. */
struct mut_bytes {
	const char *p;
	size_t len;
	bool set;
};

enum mut_dialect { MUT_DRAFT, MUT_RFC7489, MUT_RFC9990 };
#define MUT_N_DIALECTS 3

/* "draft", "rfc7489", "rfc9990": as dmarcd names them */
const char *mut_dialect_name(enum mut_dialect d);

/* Every leaf of an aggregate report that a mutation may replace. */
enum mut_agg_field {
	MF_VERSION,
	MF_ORG_NAME,
	MF_EMAIL,
	MF_EXTRA_CONTACT,
	MF_REPORT_ID,
	MF_BEGIN,
	MF_END,
	MF_ERROR,
	MF_GENERATOR,
	MF_DOMAIN,
	MF_ADKIM,
	MF_ASPF,
	MF_P,
	MF_SP,
	MF_NP,
	MF_PCT,
	MF_FO,
	MF_TESTING,
	MF_DISCOVERY,
	MF_SOURCE_IP,
	MF_COUNT,
	MF_DISPOSITION,
	MF_PE_DKIM,
	MF_PE_SPF,
	MF_REASON_TYPE,
	MF_REASON_COMMENT,
	MF_ENVELOPE_TO,
	MF_ENVELOPE_FROM,
	MF_HEADER_FROM,
	MF_DKIM_DOMAIN,
	MF_DKIM_SELECTOR,
	MF_DKIM_RESULT,
	MF_DKIM_HUMAN,
	MF_SPF_DOMAIN,
	MF_SPF_SCOPE,
	MF_SPF_RESULT,
	MF_SPF_HUMAN,
	MUT_N_AGG_FIELDS
};

/* Its path ("report_metadata/date_range/begin"), and whether dialect d has it. */
const char *mut_agg_field_name(enum mut_agg_field f);
bool mut_agg_field_in(enum mut_agg_field f, enum mut_dialect d);
/* True for the leaves of <record> (replaced in one record, or in all). */
bool mut_agg_field_in_record(enum mut_agg_field f);

#define MUT_ALL_RECORDS UINT32_MAX

/*
 * An aggregate report of policy domain example.com: record i comes from
 * 192.0.2.(i % 250 + 1) with count_base + i messages. value[f], when set,
 * replaces field f's text verbatim (it must be XML text already: escape it
 * yourself), in the header, and for a record field in record `record` (or
 * in every record, MUT_ALL_RECORDS). swap_dates writes end in <begin> and
 * begin in <end>.
 */
struct mut_agg {
	enum mut_dialect dialect;
	const char *report_id;
	int64_t begin, end;
	uint32_t n_records;
	int64_t count_base;
	struct mut_bytes value[MUT_N_AGG_FIELDS];
	uint32_t record;
	bool swap_dates;
};

void mut_render_agg(const struct mut_agg *a, struct mbuf *out);
/* The messages of the report as written without mutations. */
int64_t mut_agg_messages(const struct mut_agg *a);

/* Every field of an ARF failure report that a mutation may replace. */
enum mut_arf_field {
	MA_FEEDBACK_TYPE,
	MA_USER_AGENT,
	MA_VERSION,
	MA_AUTH_FAILURE,
	MA_AUTH_RESULTS,
	MA_ENVELOPE_ID,
	MA_MAIL_FROM,
	MA_RCPT_TO,
	MA_ARRIVAL_DATE,
	MA_REPORTING_MTA,
	MA_SOURCE_IP,
	MA_SOURCE_PORT,
	MA_INCIDENTS,
	MA_DELIVERY_RESULT,
	MA_REPORTED_DOMAIN,
	MA_DKIM_DOMAIN,
	MA_DKIM_IDENTITY,
	MA_DKIM_SELECTOR,
	MA_SPF_DNS,
	MA_IDENTITY_ALIGNMENT,
	MA_SAMPLE_FROM,
	MA_SAMPLE_SUBJECT,
	MA_SAMPLE_MESSAGE_ID,
	MUT_N_ARF_FIELDS
};

/* The field's header name ("Source-IP"; the sample's start with "sample "). */
const char *mut_arf_field_name(enum mut_arf_field f);

/*
 * An ARF mail (multipart/report; report-type=feedback-report) about a
 * message to example.com from 192.0.2.ip_last that arrived at `arrival`,
 * with a text/rfc822-headers sample whose Subject is "Sample <id>".
 * value[f], when set, replaces field f's value verbatim.
 */
struct mut_arf {
	const char *id;
	int64_t arrival;
	unsigned ip_last;
	int64_t incidents;
	struct mut_bytes value[MUT_N_ARF_FIELDS];
};

void mut_render_arf(const struct mut_arf *a, struct mbuf *out);

/* The hostile values: empty, whitespace, huge, numbers, dates, addresses, bad bytes, markup. */
size_t mut_hostile_count(void);
const char *mut_hostile_label(size_t i);
/*
 * The i-th hostile value as XML text (escaped where it must be) or as a
 * mail header value. The huge one is huge (the caller's bytes, e.g. 10 MiB
 * of text), which must outlive the result.
 */
struct mut_bytes mut_hostile(size_t i, bool header, struct mut_bytes huge);
/* The index of the value labelled label; aborts when there is none. */
size_t mut_hostile_find(const char *label);

/* gzip (RFC 1952) and zip (one deflated entry) of n bytes, appended to out. */
void mut_gzip(const void *p, size_t n, struct mbuf *out);
void mut_zip(const char *entry, const void *p, size_t n, struct mbuf *out);

/*
 * A report mail as reporters send it: a text part, then an attachment of
 * content_type named filename, base64-encoded; Subject "Report Domain:
 * example.com Submitter: reporter.example Report-ID: <report_id>".
 */
void mut_mail(const char *report_id, const char *filename, const char *content_type, const void *p,
    size_t n, struct mbuf *out);

/* "Mon, 07 Dec 2026 19:00:00 +0000" */
void mut_rfc2822_date(int64_t ts, char *out, size_t size);

#endif
