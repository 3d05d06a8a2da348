/*
 * failure: the failure-report (ruf, "forensic") model passed from ingest/ to
 * store/ (FORMATS.md "Failure reports"). One struct failure_report per report
 * mail.
 *
 * Every string is NUL-terminated, malloc'd and owned by the report
 * (failure_free releases it all); NULL means the report did not say. Values are
 * trimmed and unfolded; raw forms are kept where FORMATS.md "ARF fields" says
 * so.
 *
 * kind: FAILURE_DMARC for Feedback-Type auth-failure (or absent, flagged) and
 * for the plaintext DMARC reports (FORMATS.md "Plaintext failure reports");
 * FAILURE_OTHER_ARF for every other feedback type (abuse, fraud, virus,
 * not-spam, other). Reports of kind other are stored but never counted as DMARC
 * failures: the failures export (store_export_failures) leaves them out.
 */
#ifndef DMARCD_FAILURE_H
#define DMARCD_FAILURE_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

/* Sample bytes kept per report, header block and body together. */
#define BOUND_FAILURE_SAMPLE (64 * 1024)
/* Fields kept from one header block (feedback part or sample headers). */
#define BOUND_FAILURE_FIELDS 128
/* One unfolded field value; longer ones are cut (W_TEXT_TRUNCATED). */
#define BOUND_FAILURE_VALUE (16 * 1024)

/*
 * Warning bits of failure reports, in the uint64_t space of flags.h; the
 * high bits keep them clear of the aggregate bits. Never renumber.
 */
#define W_FEEDBACK_TYPE_MISSING (UINT64_C(1) << 48)
#define W_ARF_FIELD_MISSING (UINT64_C(1) << 49)

enum failure_kind { FAILURE_DMARC, FAILURE_OTHER_ARF };

/* arf: multipart/report; report-type=feedback-report. arf-nonstandard: a
 * message/feedback-report part in another structure. plaintext: FORMATS.md
 * "Plaintext failure reports". */
enum failure_format {
	FAILURE_FORMAT_ARF,
	FAILURE_FORMAT_ARF_NONSTANDARD,
	FAILURE_FORMAT_PLAINTEXT
};

/* message: a whole message with a body; headers: a header block only. */
enum failure_sample { FAILURE_SAMPLE_NONE, FAILURE_SAMPLE_HEADERS, FAILURE_SAMPLE_MESSAGE };

/* One "Name: value" field of the feedback part, in the order received. */
struct failure_field {
	char *name;
	char *value;
};

struct failure_report {
	enum failure_kind kind;
	enum failure_format format;
	char *reporter; /* domain of the report mail's From, else Reporting-MTA */

	/* the feedback part (FORMATS.md "ARF fields"); multi-valued repeats joined by LF */
	char *feedback_type; /* lower-case; "auth-failure" when absent (flagged) */
	char *user_agent;
	char *version;
	char *auth_failure;        /* raw tokens, repeats joined by ", " */
	char *identity_alignment;  /* raw (FORMATS.md "Identity alignment"): never interpreted */
	char *delivery_result;     /* delivered, spam, policy, reject or other */
	char *delivery_result_raw; /* as sent, when it was not one of those */
	char *arrival_raw;         /* Arrival-Date (or Received-Date) as sent */
	int64_t arrival_ts;        /* its UTC epoch, -1 when absent or unparsable */
	char *source_ip_raw;       /* Source-IP as sent */
	char source_ip[46];        /* canonical (as aggregate records), "" when invalid */
	int64_t source_port;       /* -1 when absent */
	int64_t incidents;         /* 1 when absent */
	char *reported_domain;     /* lower-case; the sample's From domain when absent */
	char *original_mail_from;  /* without <>, "" for the null sender */
	char *original_rcpt_to;
	char *original_envelope_id;
	char *reporting_mta; /* "dns;" type stripped */
	char *auth_results;  /* Authentication-Results */
	char *dkim_domain, *dkim_identity, *dkim_selector;
	char *spf_dns;
	/* first spf=, dkim=, dmarc= result of the Authentication-Results (the
	 * feedback part's, else the sample's), lower-case: "softfail" */
	char *spf_result, *dkim_result, *dmarc_result;
	char *spf_alignment, *dkim_alignment; /* plaintext reports: "yes" / "no" */
	struct failure_field *fields;         /* every field, unknown ones and repeats too */
	size_t n_fields;

	/* the sample (FORMATS.md "Samples and redaction") */
	enum failure_sample sample_kind;
	char *sample_from; /* From, RFC 2047 decoded */
	char *header_from; /* its domain (the Author Domain), lower-case */
	char *sample_to, *sample_subject, *sample_date, *sample_message_id;
	char *sample_dkim_domain; /* d= and s= of the first DKIM-Signature */
	char *sample_dkim_selector;
	char *sample_headers;       /* the header block, LF line ends, bounded */
	unsigned char *sample_body; /* the body as received, bounded; NULL when none */
	size_t sample_body_len;

	/* dedup key (FORMATS.md "Duplicates and conflicts"): line ends do not matter */
	uint8_t content_sha256[32];
	uint64_t flags; /* W_* of flags.h and of this header */
};

/*
 * Where parsed failure reports go. put returns 0 (stored or a duplicate)
 * or -1 on an operational failure (e). f is valid during the call only.
 */
struct failure_sink {
	void *ctx;
	int (*put)(void *ctx, const struct failure_report *f, struct errbuf *e);
};

/* An empty report (arrival_ts -1, source_port -1, incidents 1), or NULL. */
struct failure_report *failure_new(void);
void failure_free(struct failure_report *f);

/* Names used in storage and exports: "dmarc"/"other", "arf"/..., "none"/... */
const char *failure_kind_name(enum failure_kind k);
const char *failure_format_name(enum failure_format f);
const char *failure_sample_name(enum failure_sample s);

/* flags_describe() that also knows the failure bits of this header. */
char *failure_flags_describe(uint64_t flags, char *buf, size_t size);

#endif
