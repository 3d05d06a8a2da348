/* Tests for ingest/arf.c: failure reports from the spec examples, the corpus and fixtures. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arf.h"
#include "arf_hdrs.h"
#include "flags.h"
#include "mime.h"
#include "testutil.h"

static void
setup(void)
{
	mime_init();
}

TestSuite(arf, .init = setup);

struct parsed {
	struct failure_report *f;
	enum refusal why;
	struct errbuf e;
};

static void
parse_bytes(const void *raw, size_t len, struct parsed *p)
{
	memset(p, 0, sizeof *p);
	cr_assert_eq(arf_parse(raw, len, &p->f, &p->why, &p->e), 0, "%s", p->e.msg);
}

static struct failure_report *
parse_path(const char *path)
{
	struct parsed p;
	unsigned char *raw;
	size_t len;

	cr_assert_not_null(path);
	raw = tu_read_file(path, &len);
	parse_bytes(raw, len, &p);
	free(raw);
	cr_assert_not_null(p.f, "%s refused: %s %s", path, refusal_code(p.why), p.e.msg);
	cr_assert_eq(p.why, REFUSE_NONE);
	return p.f;
}

static void
iso(int64_t ts, char *buf, size_t size)
{
	time_t t = (time_t)ts;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
assert_str(const char *got, const char *want, const char *what, const char *file)
{
	if (want == NULL) {
		cr_expect_null(got, "%s: %s: expected NULL, got '%s'", file, what, got);
		return;
	}
	cr_expect_not_null(got, "%s: %s: expected '%s', got NULL", file, what, want);
	if (got != NULL)
		cr_expect_str_eq(got, want, "%s: %s", file, what);
}

/* Expectations for every failure mail of ../shared (spec/examples and corpus/MANIFEST.tsv). */
static const struct shared_case {
	const char *path;
	const char *format, *kind, *feedback_type, *auth_failure;
	const char *source_ip, *reported_domain;
	const char *arrival_raw;
	int64_t arrival_ts;
	const char *arrival_iso;
	const char *sample_kind, *header_from, *subject;
	const char *delivery_result, *identity_alignment;
	const char *reporter;
	uint64_t flags;
} shared_cases[] = {
	{ "spec/examples/failure-arf.eml", "arf", "dmarc", "auth-failure", "dmarc", "203.0.113.77",
	    "example.com", "Wed, 25 Dec 2024 10:14:58 +0000", 1735121698, "2024-12-25T10:14:58Z",
	    "headers", "example.com", "Your invoice is overdue", "spam", "dkim, spf",
	    "receiver.example", 0 },
	{ "spec/examples/failure-arf-base64-mixed.eml", "arf-nonstandard", "dmarc", "auth-failure",
	    NULL, "198.51.100.200", "example.com", "Wed, 25 Dec 2024 08:01:00 +0800", 1735084860,
	    "2024-12-25T00:01:00Z", "message", "example.com", "Weekly newsletter", "delivered",
	    "none", "receiver2.example", W_ARF_FIELD_MISSING },
	{ "spec/examples/failure-nonarf-plaintext.eml", "plaintext", "dmarc", "auth-failure", NULL,
	    "203.0.113.68", "example.com", "Wed, 25 Dec 2024 12:00:08 +0100", 1735124408,
	    "2024-12-25T11:00:08Z", "headers", "example.com", "Urgent wire transfer", NULL, NULL,
	    "gw.receiver3.example", W_FEEDBACK_TYPE_MISSING },
	{ "corpus/domainaware+parsedmarc/DMARC Failure Report for domain.de "
	  "(mail-from=sharepoint@domain.de, ip=10.10.10.10).eml",
	    "arf", "dmarc", "auth-failure", "dmarc", "10.10.10.10", "domain.de",
	    "Mon, 01 Oct 2018 11:20:27 +0200", 1538385627, "2018-10-01T09:20:27Z", "message",
	    "domain.de", "Subject", "policy", NULL, "domain.de", 0 },
	{ "corpus/domainaware+parsedmarc/subject.eml", "arf", "dmarc", "auth-failure", "dmarc",
	    "10.10.10.10", "domain.de", "Mon, 01 Oct 2018 11:20:27 +0200", 1538385627,
	    "2018-10-01T09:20:27Z", "message", "domain.de", "Subject", "policy", NULL, "domain.de",
	    0 },
	{ "corpus/domainaware+parsedmarc/[Netease DMARC Failure Report] Rent Reminder.eml",
	    "arf-nonstandard", "dmarc", "auth-failure", NULL, "167.89.69.24", "cardinal.com",
	    "Fri, 28 Sep 2018 16:48:42 +0800", 1538124522, "2018-09-28T08:48:42Z", "headers",
	    "cardinal.com", "Rent Reminder", "delivered", "spf,dkim", "163.com",
	    W_ARF_FIELD_MISSING },
	{ "corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.eml", "arf", "dmarc",
	    "auth-failure", "dmarc", "10.10.10.10", "example.com",
	    "Tue, 30 Apr 2019 02:09:00 +0000", 1556590140, "2019-04-30T02:09:00Z", "message",
	    "example.com", "Subject line, could be UTF8 encoded", "delivered", NULL, "linkedin.com",
	    0 },
	{ "corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.crlf.eml", "arf", "dmarc",
	    "auth-failure", "dmarc", "10.10.10.10", "example.com",
	    "Tue, 30 Apr 2019 02:09:00 +0000", 1556590140, "2019-04-30T02:09:00Z", "message",
	    "example.com", "Subject line, could be UTF8 encoded", "delivered", NULL, "linkedin.com",
	    0 },
	{ "corpus/domainaware+parsedmarc/exim_plain_text_only_no_arf_part.eml", "plaintext",
	    "dmarc", "auth-failure", NULL, "203.0.113.68", "example.com",
	    "Mon, 07 Apr 2025 23:16:09 +0200", 1744060569, "2025-04-07T21:16:09Z", "headers",
	    "example.com", "Payment from your account.", NULL, NULL, "node01.mailgate.example.net",
	    W_FEEDBACK_TYPE_MISSING },
};

Test(arf, every_shared_failure_mail)
{
	const struct shared_case *c;
	struct failure_report *f;
	char buf[32];
	size_t i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < sizeof shared_cases / sizeof shared_cases[0]; i++) {
		c = &shared_cases[i];
		f = parse_path(tu_shared(c->path));
		assert_str(failure_format_name(f->format), c->format, "format", c->path);
		assert_str(failure_kind_name(f->kind), c->kind, "kind", c->path);
		assert_str(f->feedback_type, c->feedback_type, "feedback_type", c->path);
		assert_str(f->auth_failure, c->auth_failure, "auth_failure", c->path);
		assert_str(f->source_ip, c->source_ip, "source_ip", c->path);
		assert_str(f->reported_domain, c->reported_domain, "reported_domain", c->path);
		assert_str(f->arrival_raw, c->arrival_raw, "arrival_raw", c->path);
		cr_expect_eq(f->arrival_ts, c->arrival_ts, "%s: arrival_ts %lld", c->path,
		    (long long)f->arrival_ts);
		iso(f->arrival_ts, buf, sizeof buf);
		cr_expect_str_eq(buf, c->arrival_iso, "%s", c->path);
		assert_str(failure_sample_name(f->sample_kind), c->sample_kind, "sample_kind",
		    c->path);
		assert_str(f->header_from, c->header_from, "header_from", c->path);
		assert_str(f->sample_subject, c->subject, "subject", c->path);
		assert_str(f->delivery_result, c->delivery_result, "delivery_result", c->path);
		assert_str(f->identity_alignment, c->identity_alignment, "identity_alignment",
		    c->path);
		assert_str(f->reporter, c->reporter, "reporter", c->path);
		cr_expect_eq(f->flags, c->flags, "%s: flags %#llx", c->path,
		    (unsigned long long)f->flags);
		failure_free(f);
	}
}

/* The remaining expectations of spec/examples/failure-arf.eml. */
Test(arf, spec_arf_example_details)
{
	struct failure_report *f;

	TU_REQUIRE_SHARED();
	f = parse_path(tu_shared("spec/examples/failure-arf.eml"));
	cr_expect_eq(f->source_port, 51234);
	cr_expect_eq(f->incidents, 1);
	cr_expect_str_eq(f->user_agent, "ExampleReporter/2.1");
	cr_expect_str_eq(f->version, "1");
	cr_expect_str_eq(f->original_mail_from, "bounce@spoofer.example.org");
	cr_expect_str_eq(f->original_rcpt_to, "<redacted-7f2c91@receiver.example>");
	cr_expect_str_eq(f->original_envelope_id, "4QxYz7Lk2Pz5");
	cr_expect_str_eq(f->reporting_mta, "mx.receiver.example");
	cr_expect_str_eq(f->dkim_domain, "example.com");
	cr_expect_str_eq(f->dkim_identity, "@example.com");
	cr_expect_str_eq(f->dkim_selector, "s2024");
	cr_expect_str_eq(f->auth_results,
	    "mx.receiver.example; dmarc=fail (p=reject "
	    "dis=quarantine) header.from=example.com; dkim=fail header.d=example.com "
	    "header.s=s2024; spf=softfail smtp.mailfrom=spoofer.example.org");
	cr_expect_str_eq(f->spf_result, "softfail");
	cr_expect_str_eq(f->dkim_result, "fail");
	cr_expect_str_eq(f->dmarc_result, "fail");
	cr_expect_str_eq(f->sample_from, "\"Example Billing\" <billing@example.com>");
	cr_expect_str_eq(f->sample_message_id, "fake-1234@spoofer.example.org");
	cr_expect_str_eq(f->sample_dkim_domain, "example.com");
	cr_expect_str_eq(f->sample_dkim_selector, "s2024");
	cr_expect_null(f->sample_body);
	cr_expect_eq(f->n_fields, 19);
	cr_expect_str_eq(f->fields[0].name, "Feedback-Type");
	cr_expect_str_eq(f->fields[18].name, "DKIM-Selector");
	failure_free(f);
}

Test(arf, spec_plaintext_sample_starts_at_received)
{
	struct failure_report *f;

	TU_REQUIRE_SHARED();
	f = parse_path(tu_shared("spec/examples/failure-nonarf-plaintext.eml"));
	cr_assert_not_null(f->sample_headers);
	cr_expect(strncmp(f->sample_headers, "Received: from [203.0.113.68]", 29) == 0, "%s",
	    f->sample_headers);
	cr_expect_str_eq(f->spf_alignment, "no");
	cr_expect_str_eq(f->dkim_alignment, "no");
	cr_expect_str_eq(f->spf_result, "softfail");
	cr_expect_str_eq(f->dmarc_result, "fail");
	cr_expect_eq(f->n_fields, 6);
	cr_expect_str_eq(f->fields[5].name, "DMARC Results");
	cr_expect_str_eq(f->fields[5].value, "Reject");
	failure_free(f);
}

Test(arf, base64_feedback_with_crlf_is_decoded)
{
	struct failure_report *f;

	TU_REQUIRE_SHARED();
	f = parse_path(tu_shared("spec/examples/failure-arf-base64-mixed.eml"));
	cr_expect_str_eq(f->user_agent, "ExampleMixedReporter/1.0");
	cr_expect_str_eq(f->dkim_domain, "mailer.example.net");
	cr_expect_str_eq(f->original_mail_from, "news@mailer.example.net");
	cr_assert_not_null(f->sample_body);
	cr_expect(strstr((const char *)f->sample_body, "[body removed by reporter]") != NULL);
	cr_expect_null(strchr(f->identity_alignment, '\r'));
	failure_free(f);
}

Test(arf, corpus_quirks)
{
	struct failure_report *f;

	TU_REQUIRE_SHARED();
	/* domain.de: Version 1.0, smg-policy-action, a Message-ID inside the feedback part */
	f = parse_path(tu_shared("corpus/domainaware+parsedmarc/DMARC Failure Report for "
	                         "domain.de (mail-from=sharepoint@domain.de, ip=10.10.10.10).eml"));
	cr_expect_str_eq(f->version, "1.0");
	cr_expect_str_eq(f->delivery_result_raw, "smg-policy-action");
	cr_expect_str_eq(f->sample_message_id, "38.E7.30937.BD6E1BB5@ mailrelay.de");
	cr_expect_str_eq(f->sample_from,
	    "\"Interaktive Wettbewerber-\xc3\x9c"
	    "bersicht\" <sharepoint@domain.de>");
	failure_free(f);
	/* LinkedIn: mbox From line, empty Original-Mail-From (the null sender) */
	f = parse_path(tu_shared("corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.eml"));
	cr_expect_str_eq(f->original_mail_from, "");
	cr_expect_str_eq(f->spf_result, "neutral");
	cr_expect_str_eq(f->dkim_result, "none");
	cr_expect_gt(f->sample_body_len, 0);
	failure_free(f);
	/* NetEase: no Auth-Failure (flagged), base64 feedback in multipart/mixed */
	f = parse_path(tu_shared("corpus/domainaware+parsedmarc/"
	                         "[Netease DMARC Failure Report] Rent Reminder.eml"));
	cr_expect_str_eq(f->user_agent, "NtesDmarcReporter/1.0");
	cr_expect_str_eq(f->original_envelope_id, "N8CowEApcUPo6q1bnXlMAA--.44392S3");
	cr_expect_null(f->sample_body);
	failure_free(f);
}

static void
hash_of(const char *path, uint8_t out[32])
{
	struct failure_report *f = parse_path(path);

	memcpy(out, f->content_sha256, 32);
	failure_free(f);
}

Test(arf, same_report_same_hash)
{
	uint8_t a[32], b[32];

	TU_REQUIRE_SHARED();
	hash_of(tu_shared("corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.eml"), a);
	hash_of(tu_shared("corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.crlf.eml"), b);
	cr_expect_eq(memcmp(a, b, 32), 0, "LF and CRLF deliveries must hash alike");
	/* subject.eml is the domain.de report with blank-only separator lines and
	 * other folding whitespace: unfolded, it is the same report */
	hash_of(tu_shared("corpus/domainaware+parsedmarc/subject.eml"), a);
	hash_of(tu_shared("corpus/domainaware+parsedmarc/DMARC Failure Report for domain.de "
	                  "(mail-from=sharepoint@domain.de, ip=10.10.10.10).eml"),
	    b);
	cr_expect_eq(memcmp(a, b, 32), 0);
	hash_of(tu_shared("spec/examples/failure-arf.eml"), b);
	cr_expect_neq(memcmp(a, b, 32), 0);
}

/* The fixture with LF turned into CRLF and an mbox From line in front. */
static unsigned char *
crlf_copy(const unsigned char *raw, size_t len, size_t *out_len)
{
	static const char mbox[] = "From ruf@reports.example.net Tue Mar  4 08:30:01 2025\r\n";
	unsigned char *c = malloc(2 * len + sizeof mbox);
	size_t i, n = sizeof mbox - 1;

	cr_assert_not_null(c);
	memcpy(c, mbox, n);
	for (i = 0; i < len; i++) {
		if (raw[i] == '\n')
			c[n++] = '\r';
		c[n++] = raw[i];
	}
	*out_len = n;
	return c;
}

Test(arf, minimal_fixture)
{
	struct failure_report *f = parse_path(tu_fixture("failure/minimal-auth-failure.eml"));
	struct parsed p;
	unsigned char *raw, *crlf;
	size_t len, clen;

	cr_expect_eq(f->format, FAILURE_FORMAT_ARF);
	cr_expect_eq(f->kind, FAILURE_DMARC);
	cr_expect_str_eq(f->source_ip, "2001:db8::17");
	cr_expect_str_eq(f->source_ip_raw, "2001:DB8:0:0::17");
	cr_expect_str_eq(f->reported_domain, "example.org");
	cr_expect_eq(f->incidents, 3);
	cr_expect_str_eq(f->delivery_result, "reject");
	cr_expect_null(f->delivery_result_raw);
	cr_expect_str_eq(f->spf_result, "fail");
	cr_expect_str_eq(f->dkim_result, "neutral");
	cr_expect_eq(f->arrival_ts, 1741076995);
	cr_expect_eq(f->sample_kind, FAILURE_SAMPLE_HEADERS);
	cr_expect_str_eq(f->sample_dkim_domain, "example.org");
	cr_expect_str_eq(f->sample_dkim_selector, "sel1");
	cr_expect_str_eq(f->reporter, "reports.example.net");
	cr_expect_eq(f->flags, 0);
	/* unknown and repeated fields are kept in order */
	cr_assert_eq(f->n_fields, 12);
	cr_expect_str_eq(f->fields[10].name, "X-Vendor-Note");
	cr_expect_str_eq(f->fields[11].value, "repeated");
	cr_expect_str_eq(f->fields[4].value,
	    "reports.example.net; dmarc=fail "
	    "header.from=example.org; spf=fail smtp.mailfrom=bounce.example.com; "
	    "dkim=neutral header.d=example.org");

	raw = tu_read_file(tu_fixture("failure/minimal-auth-failure.eml"), &len);
	crlf = crlf_copy(raw, len, &clen);
	parse_bytes(crlf, clen, &p);
	cr_assert_not_null(p.f, "%s", p.e.msg);
	cr_expect_eq(memcmp(p.f->content_sha256, f->content_sha256, 32), 0);
	cr_expect_str_eq(p.f->sample_subject, "Salary update");
	cr_expect_null(strchr(p.f->sample_headers, '\r'));
	failure_free(p.f);
	free(crlf);
	free(raw);
	failure_free(f);
}

Test(arf, abuse_report_is_not_a_dmarc_failure)
{
	struct failure_report *f = parse_path(tu_fixture("failure/abuse-not-dmarc.eml"));

	cr_expect_eq(f->kind, FAILURE_OTHER_ARF);
	cr_expect_str_eq(f->feedback_type, "abuse");
	cr_expect_str_eq(failure_kind_name(f->kind), "other");
	cr_expect_eq(f->flags, 0, "no Auth-Failure is required outside auth-failure reports");
	cr_expect_str_eq(f->source_ip, "198.51.100.44");
	cr_expect_eq(f->sample_kind, FAILURE_SAMPLE_MESSAGE);
	cr_expect_eq(f->sample_body_len, 9);
	failure_free(f);
}

Test(arf, garbled_fields_are_stored_with_warnings)
{
	struct failure_report *f = parse_path(tu_fixture("failure/garbled-missing-fields.eml"));

	cr_expect_eq(f->kind, FAILURE_DMARC);
	cr_expect_str_eq(f->feedback_type, "auth-failure");
	cr_expect(f->flags & W_FEEDBACK_TYPE_MISSING);
	cr_expect(f->flags & W_ARF_FIELD_MISSING);
	cr_expect(f->flags & W_NUMBER_FORMAT);
	cr_expect_str_eq(f->arrival_raw, "the day before yesterday");
	cr_expect_eq(f->arrival_ts, -1);
	cr_expect_str_eq(f->source_ip, "");
	cr_expect_null(f->source_ip_raw);
	cr_expect_eq(f->incidents, 1);
	cr_expect_eq(f->source_port, -1);
	cr_expect_str_eq(f->reported_domain, "example.org");
	cr_expect_str_eq(f->user_agent, "Broken/1");
	cr_expect_eq(f->sample_kind, FAILURE_SAMPLE_NONE);
	cr_expect_eq(f->n_fields, 6);
	failure_free(f);
}

Test(arf, source_ip_with_trailing_hostname)
{
	struct failure_report *f = parse_path(tu_fixture("failure/source-ip-hostname.eml"));

	cr_expect_str_eq(f->source_ip, "192.0.2.1");
	cr_expect_str_eq(f->source_ip_raw, "192.0.2.1 (mail.example)");
	cr_expect_eq(f->arrival_ts, 1741280400);
	cr_expect_str_eq(f->auth_failure, "spf");
	cr_expect_str_eq(f->header_from, "example.net");
	failure_free(f);
}

/* A minimal ARF mail around one feedback block, for the field-level tables. */
static struct failure_report *
parse_feedback(const char *block)
{
	char mail[4096];
	struct parsed p;
	int n;

	n = snprintf(mail, sizeof mail,
	    "From: r@reporter.example\nSubject: x\n"
	    "MIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=feedback-report; boundary=\"q\"\n\n--q\n"
	    "Content-Type: message/feedback-report\n\n%s\n--q--\n",
	    block);
	cr_assert(n > 0 && (size_t)n < sizeof mail);
	parse_bytes(mail, (size_t)n, &p);
	cr_assert_not_null(p.f, "%s", p.e.msg);
	return p.f;
}

Test(arf, incidents_past_the_plausible_bound_are_not_taken)
{
	static const struct {
		const char *raw;
		int64_t want;
		bool flagged;
	} cases[] = {
		{ "1000000000", 1000000000, false },
		{ "1000000001", 1, true },
		{ "9223372036854775807", 1, true },
		{ "18446744073709551616", 1, true },
	};
	char block[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct failure_report *f;

		snprintf(block, sizeof block,
		    "Feedback-Type: auth-failure\nVersion: 1\nAuth-Failure: dmarc\n"
		    "Reported-Domain: example.org\nIncidents: %s\n",
		    cases[i].raw);
		f = parse_feedback(block);
		cr_expect_eq(f->incidents, cases[i].want, "%s: %lld", cases[i].raw,
		    (long long)f->incidents);
		cr_expect_eq((f->flags & W_NUMBER_FORMAT) != 0, cases[i].flagged, "%s",
		    cases[i].raw);
		failure_free(f);
	}
}

Test(arf, source_ip_forms)
{
	static const struct {
		const char *raw, *want;
		uint64_t flag;
	} cases[] = {
		{ "192.0.2.1 (mail.example)", "192.0.2.1", 0 },
		{ "[198.51.100.7]", "198.51.100.7", 0 },
		{ "IPv6:2001:db8::1", "2001:db8::1", 0 },
		{ "[IPv6:::ffff:203.0.113.9]", "203.0.113.9", W_IP_MAPPED },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", 0 },
		{ "fe80::1%eth0", "fe80::1", 0 },
		{ "203.0.113.300", "", W_IP_INVALID },
		{ "unknown", "", W_IP_INVALID },
	};
	struct failure_report *f;
	char block[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(block, sizeof block, "Feedback-Type: auth-failure\nSource-IP: %s\n",
		    cases[i].raw);
		f = parse_feedback(block);
		cr_expect_str_eq(f->source_ip, cases[i].want, "%s", cases[i].raw);
		cr_expect_str_eq(f->source_ip_raw, cases[i].raw);
		cr_expect_eq(f->flags & (W_IP_MAPPED | W_IP_INVALID), cases[i].flag, "%s",
		    cases[i].raw);
		failure_free(f);
	}
}

Test(arf, delivery_result_mapping)
{
	static const struct {
		const char *raw, *word, *kept;
	} cases[] = {
		{ "delivered", "delivered", NULL },
		{ "Spam", "spam", NULL },
		{ "smg-policy-action", "policy", "smg-policy-action" },
		{ "rejected-by-gateway", "reject", "rejected-by-gateway" },
		{ "quarantined", "other", "quarantined" },
	};
	struct failure_report *f;
	char block[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(block, sizeof block,
		    "Feedback-Type: auth-failure\n"
		    "Delivery-Result: %s\n",
		    cases[i].raw);
		f = parse_feedback(block);
		cr_expect_str_eq(f->delivery_result, cases[i].word, "%s", cases[i].raw);
		assert_str(f->delivery_result_raw, cases[i].kept, "raw", cases[i].raw);
		failure_free(f);
	}
}

Test(arf, repeated_and_historic_fields)
{
	struct failure_report *f = parse_feedback(
	    "Feedback-Type: Auth-Failure\n"
	    "Auth-Failure: dkim\nAuth-Failure: spf\nOriginal-Rcpt-To: a@x.example\n"
	    "Original-Rcpt-To: b@x.example\nReceived-Date: Thu, 6 Mar 2025 17:00:00 +0000\n"
	    "Reporting-MTA: dns;  mx.x.example\nOriginal-Mail-From: <>\n"
	    "Identity-Alignment: none\nSPF-DNS: txt : x.example : \"v=spf1 -all\"\n");

	cr_expect_str_eq(f->feedback_type, "auth-failure");
	cr_expect_str_eq(f->auth_failure, "dkim, spf");
	cr_expect_str_eq(f->original_rcpt_to, "a@x.example\nb@x.example");
	cr_expect_eq(f->arrival_ts, 1741280400);
	cr_expect_str_eq(f->reporting_mta, "mx.x.example");
	cr_expect_str_eq(f->original_mail_from, "");
	cr_expect_str_eq(f->identity_alignment, "none");
	cr_expect_str_eq(f->spf_dns, "txt : x.example : \"v=spf1 -all\"");
	failure_free(f);
}

Test(arf, refusals)
{
	static const char no_report[] = "From: a@b.example\nSubject: hello\n\njust a mail\n";
	struct parsed p;
	unsigned char *raw;
	size_t len;

	raw = tu_read_file(tu_fixture("failure/empty-feedback-part.eml"), &len);
	parse_bytes(raw, len, &p);
	free(raw);
	cr_expect_null(p.f);
	cr_expect_eq(p.why, REFUSE_BAD_FAILURE_REPORT);
	cr_expect(strstr(p.e.msg, "holds no field") != NULL, "%s", p.e.msg);

	parse_bytes(no_report, sizeof no_report - 1, &p);
	cr_expect_null(p.f);
	cr_expect_eq(p.why, REFUSE_NO_REPORT);
	cr_expect(strstr(p.e.msg, "no message/feedback-report") != NULL, "%s", p.e.msg);

	parse_bytes("", 0, &p);
	cr_expect_null(p.f);
	cr_expect_neq(p.why, REFUSE_NONE);
}

Test(arf, sample_is_bounded)
{
	static const char head[] =
	    "From: r@reporter.example\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report; boundary=\"q\"\n\n"
	    "--q\nContent-Type: message/feedback-report\n\nFeedback-Type: auth-failure\n"
	    "Source-IP: 192.0.2.8\n\n--q\nContent-Type: message/rfc822\n\n"
	    "From: big@example.com\nSubject: large\n\n";
	static const char tail[] = "\n--q--\n";
	size_t body = 3 * BOUND_FAILURE_SAMPLE, len = sizeof head - 1 + body + sizeof tail - 1;
	char *mail = malloc(len);
	struct parsed p;

	cr_assert_not_null(mail);
	memcpy(mail, head, sizeof head - 1);
	memset(mail + sizeof head - 1, 'x', body);
	memcpy(mail + sizeof head - 1 + body, tail, sizeof tail - 1);
	parse_bytes(mail, len, &p);
	free(mail);
	cr_assert_not_null(p.f, "%s", p.e.msg);
	cr_expect(p.f->flags & W_TEXT_TRUNCATED);
	cr_expect_eq(p.f->sample_kind, FAILURE_SAMPLE_MESSAGE);
	cr_expect_leq(strlen(p.f->sample_headers) + p.f->sample_body_len,
	    (size_t)BOUND_FAILURE_SAMPLE);
	cr_expect_str_eq(p.f->sample_subject, "large");
	failure_free(p.f);
}

Test(arf, classification_of_parts)
{
	struct mime_part part;
	struct errbuf e;
	struct mime_message *m;
	unsigned char *raw;
	size_t len;
	int feedback = 0, plain = 0;

	raw = tu_read_file(tu_fixture("failure/minimal-auth-failure.eml"), &len);
	cr_assert_not_null(m = mime_parse(raw, len, &e));
	while (mime_next_part(m, &part) == 1) {
		feedback += arf_part_is_feedback(&part);
		plain += arf_part_is_plaintext(&part);
	}
	cr_expect_eq(feedback, 1);
	cr_expect_eq(plain, 0);
	mime_free(m);
	free(raw);
}

Test(arf, plaintext_classification)
{
	struct mime_part part;
	struct errbuf e;
	struct mime_message *m;
	unsigned char *raw;
	size_t len;
	int feedback = 0, plain = 0;

	TU_REQUIRE_SHARED();
	raw = tu_read_file(tu_shared("corpus/domainaware+parsedmarc/"
	                             "exim_plain_text_only_no_arf_part.eml"),
	    &len);
	cr_assert_not_null(m = mime_parse(raw, len, &e));
	while (mime_next_part(m, &part) == 1) {
		feedback += arf_part_is_feedback(&part);
		plain += arf_part_is_plaintext(&part);
	}
	cr_expect_eq(feedback, 0);
	cr_expect_eq(plain, 1);
	mime_free(m);
	free(raw);
}

Test(arf, header_block_parser)
{
	static const char block[] = "From a@b Mon Jan  1 00:00:00 2024\r\n"
	                            "Name: one\r\n  two\r\n\tthree  \r\nbogus line\r\n"
	                            "Other :  value\r\n: no name\r\n   \r\nBody: not a field\r\n";
	struct arf_hdrs h;
	int oom = 0;
	char *j;

	memset(&h, 0, sizeof h);
	cr_assert_eq(arf_hdrs_parse(block, sizeof block - 1, &h, NULL), 0);
	cr_assert_eq(h.n, 2);
	cr_expect_str_eq(h.v[0].value, "one two three");
	cr_expect_str_eq(h.v[1].name, "Other");
	cr_expect_str_eq(arf_hdrs_get(&h, "other"), "value");
	cr_expect_eq(h.garbled, 2);
	cr_expect_eq(h.end, sizeof block - 1 - strlen("Body: not a field\r\n"));
	j = arf_hdrs_join(&h, "NAME", "|", &oom);
	cr_expect_str_eq(j, "one two three");
	free(j);
	cr_expect_null(arf_hdrs_join(&h, "missing", "|", &oom));
	cr_expect_eq(oom, 0);
	arf_hdrs_reset(&h);
}

Test(arf, header_block_bounds)
{
	size_t n = BOUND_FAILURE_FIELDS + 10, i, len = 0;
	char *buf = malloc(n * 16 + BOUND_FAILURE_VALUE + 64);
	struct arf_hdrs h;

	cr_assert_not_null(buf);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, 16, "F%zu: v\n", i);
	memset(&h, 0, sizeof h);
	cr_assert_eq(arf_hdrs_parse(buf, len, &h, NULL), 0);
	cr_expect_eq(h.n, BOUND_FAILURE_FIELDS);
	cr_expect(h.flags & W_LIMIT_TRUNCATED);
	arf_hdrs_reset(&h);

	len = (size_t)snprintf(buf, 16, "Long: ");
	memset(buf + len, 'a', BOUND_FAILURE_VALUE + 10);
	len += BOUND_FAILURE_VALUE + 10;
	memset(&h, 0, sizeof h);
	cr_assert_eq(arf_hdrs_parse(buf, len, &h, NULL), 0);
	cr_expect_eq(strlen(h.v[0].value), (size_t)BOUND_FAILURE_VALUE);
	cr_expect(h.flags & W_TEXT_TRUNCATED);
	arf_hdrs_reset(&h);
	free(buf);
}

/*
 * Found by fuzz_extract: a plaintext report over the text cap whose sample
 * starts near the end read past the copied text. The sample must stay
 * inside it and be bounded. The fixture is the smallest such mail: a
 * text/plain report of 128 KiB + 12 bytes (the cap is 128 KiB) whose
 * header copy starts 64 bytes before the cap, where it is cut.
 */
Test(arf, regress_plaintext_sample_past_a_truncated_text)
{
	struct failure_report *f =
	    parse_path(tu_fixture("regress/regress-plaintext-truncated-sample.eml"));

	cr_expect_eq(f->format, FAILURE_FORMAT_PLAINTEXT);
	cr_expect_str_eq(f->reported_domain, "example.com");
	cr_assert_not_null(f->sample_headers);
	cr_expect(strncmp(f->sample_headers, "From: <spoof@example.com>\nSubject: sss", 38) == 0,
	    "%s", f->sample_headers);
	cr_expect_leq(strlen(f->sample_headers), 64u, "%s", f->sample_headers);
	cr_expect(f->flags & W_TEXT_TRUNCATED);
	failure_free(f);
}
