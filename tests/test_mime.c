#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "flags.h"
#include "mime.h"
#include "sniff.h"
#include "testutil.h"

static void
setup(void)
{
	mime_init();
}

TestSuite(mime, .init = setup);

/* One leaf as the walk yields it. */
struct leaf {
	const char *type;
	const char *filename; /* NULL when none */
	size_t len;
	int depth;
	enum sniff_kind kind;
};

static struct mime_message *
parse_file(const char *path)
{
	size_t len;
	unsigned char *raw = tu_read_file(path, &len);
	struct errbuf e = { "" };
	struct mime_message *m = mime_parse(raw, len, &e);

	cr_assert_not_null(m, "%s: %s", path, e.msg);
	free(raw); /* mime_parse copied it */
	return m;
}

static struct mime_message *
parse_str(const char *s)
{
	struct errbuf e = { "" };
	struct mime_message *m = mime_parse(s, strlen(s), &e);

	cr_assert_not_null(m, "%s", e.msg);
	return m;
}

static void
expect_leaves(struct mime_message *m, const struct leaf *want, int n)
{
	struct mime_part p;
	int i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(mime_next_part(m, &p), 1, "leaf %d", i + 1);
		cr_assert_eq(p.index, i + 1);
		cr_assert_str_eq(p.content_type, want[i].type, "leaf %d", i + 1);
		if (want[i].filename == NULL)
			cr_assert_null(p.filename, "leaf %d: %s", i + 1, p.filename);
		else
			cr_assert_str_eq(p.filename, want[i].filename, "leaf %d", i + 1);
		cr_assert_eq(p.len, want[i].len, "leaf %d: %zu bytes", i + 1, p.len);
		cr_assert_eq(p.depth, want[i].depth, "leaf %d", i + 1);
		cr_assert_eq(sniff(p.data, p.len), want[i].kind, "leaf %d: %s", i + 1,
		    sniff_name(sniff(p.data, p.len)));
	}
	cr_assert_eq(mime_next_part(m, &p), 0, "no leaf after %d", n);
	cr_assert_eq(mime_next_part(m, &p), 0, "the end stays the end");
}

Test(mime, example_gzip_attachment)
{
	static const struct leaf want[] = {
		{ "text/plain", NULL, 74, 1, SNIFF_OTHER },
		{ "application/gzip",
		    "receiver.example!example.com!1734912000!1734998399!17349120000.xml.gz", 1041,
		    1, SNIFF_GZIP },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("spec/examples/aggregate-email-gzip.eml"));
	cr_assert_str_eq(mime_subject(m),
	    "Report Domain: example.com\tSubmitter: "
	    "receiver.example\tReport-ID: <17349120000.example.com>");
	cr_assert_str_eq(mime_from(m), "noreply-dmarc@receiver.example");
	cr_assert_str_eq(mime_message_id(m), "17349120000.example.com@receiver.example");
	cr_assert_str_eq(mime_date(m), "Tue, 24 Dec 2024 03:12:44 +0000");
	cr_assert_not(mime_is_feedback_report(m));
	expect_leaves(m, want, 2);
	cr_assert_eq(mime_flags(m), 0);
	mime_free(m);
}

Test(mime, example_inline_xml_body)
{
	static const struct leaf want[] = {
		{ "text/xml", NULL, 4083, 0, SNIFF_XML },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("spec/examples/aggregate-email-inline-xml.eml"));
	cr_assert_str_eq(mime_subject(m),
	    "Report Domain: example.com Submitter: small-receiver.example Report-ID: inline-1");
	cr_assert_str_eq(mime_from(m), "reports@small-receiver.example");
	expect_leaves(m, want, 1);
	mime_free(m);
}

Test(mime, example_rfc2231_octet_stream_zip)
{
	static const struct leaf want[] = {
		{ "text/html", NULL, 54, 1, SNIFF_XML },
		{ "application/octet-stream",
		    "receiver.example!example.com!1734912000!1734998399.zip", 1164, 1, SNIFF_ZIP },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("spec/examples/aggregate-email-zip-octet.eml"));
	cr_assert_str_eq(mime_subject(m),
	    "Report domain: example.com Submitter: receiver.example Report-ID: 17349120000");
	cr_assert_str_eq(mime_message_id(m), "zip-1@receiver.example");
	expect_leaves(m, want, 2);
	mime_free(m);
}

Test(mime, examples_failure_reports)
{
	static const struct leaf arf[] = {
		{ "text/plain", NULL, 123, 1, SNIFF_OTHER },
		{ "message/feedback-report", NULL, 754, 1, SNIFF_OTHER },
		{ "text/rfc822-headers", NULL, 523, 1, SNIFF_MAIL },
	};
	static const struct leaf mixed[] = {
		{ "text/plain", NULL, 69, 1, SNIFF_OTHER },
		{ "message/feedback-report", "ATT00001", 447, 1, SNIFF_OTHER },
		{ "text/plain", NULL, 28, 2, SNIFF_OTHER },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("spec/examples/failure-arf.eml"));
	cr_assert(mime_is_feedback_report(m));
	expect_leaves(m, arf, 3);
	mime_free(m);
	m = parse_file(tu_shared("spec/examples/failure-arf-base64-mixed.eml"));
	cr_assert_not(mime_is_feedback_report(m), "multipart/mixed, not multipart/report");
	expect_leaves(m, mixed, 3);
	mime_free(m);
}

Test(mime, corpus_google_zip_with_crlf)
{
	static const struct leaf want[] = {
		{ "text/plain", NULL, 2, 1, SNIFF_EMPTY },
		{ "application/zip", "google.com!borschow.com!1549929600!1550015999.zip", 661, 1,
		    SNIFF_ZIP },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("corpus/domainaware+parsedmarc/Report domain- borschow.com "
	                         "Submitter- google.com Report-ID- 949348866075514174.eml"));
	cr_assert_str_eq(mime_subject(m),
	    "Report domain: borschow.com Submitter: google.com Report-ID: 949348866075514174");
	cr_assert_str_eq(mime_from(m), "noreply-dmarc-support@google.com");
	cr_assert_str_eq(mime_message_id(m), "949348866075514174@google.com");
	expect_leaves(m, want, 2);
	mime_free(m);
}

Test(mime, corpus_twilight_zip_before_qp_text)
{
	static const struct leaf want[] = {
		{ "application/zip", "google.com!twlnet.com!1549756800!1549843199.zip", 683, 1,
		    SNIFF_ZIP },
		{ "text/plain", NULL, 87, 1, SNIFF_OTHER },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("corpus/domainaware+parsedmarc/twilight.eml"));
	expect_leaves(m, want, 2);
	mime_free(m);
}

Test(mime, corpus_mimecast_single_part_gzip)
{
	static const struct leaf want[] = {
		{ "application/gzip",
		    "mimecast.org!ab.id.au!1693353600!1693439999!"
		    "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml.gz",
		    678, 0, SNIFF_GZIP },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("corpus/domainaware+parsedmarc/mimecast-weird-gzip.eml"));
	cr_assert_str_eq(mime_subject(m),
	    "Report domain: ab.id.au Submitter: mimecast.org "
	    "Report-ID: 157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e");
	cr_assert_str_eq(mime_from(m), "no-reply@au-1.mimecastreport.com");
	expect_leaves(m, want, 1);
	mime_free(m);
}

Test(mime, corpus_linkedin_mbox_line_lf_and_crlf)
{
	static const char *const files[] = {
		"corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.eml",
		"corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.crlf.eml",
	};
	/* the same parts; the decoded text keeps each file's line ends */
	static const struct leaf want[2][4] = {
		{ { "text/plain", NULL, 345, 1, SNIFF_OTHER },
		    { "message/feedback-report", NULL, 420, 1, SNIFF_MAIL },
		    { "text/plain", NULL, 17, 3, SNIFF_OTHER },
		    { "text/html", NULL, 55, 3, SNIFF_XML } },
		{ { "text/plain", NULL, 349, 1, SNIFF_OTHER },
		    { "message/feedback-report", NULL, 432, 1, SNIFF_MAIL },
		    { "text/plain", NULL, 19, 3, SNIFF_OTHER },
		    { "text/html", NULL, 62, 3, SNIFF_XML } },
	};
	struct mime_message *m;
	int i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < 2; i++) {
		m = parse_file(tu_shared(files[i]));
		cr_assert_str_eq(mime_subject(m),
		    "DMARC Failure report for example.com Mail-From: IP:10.10.10.10");
		cr_assert_str_eq(mime_from(m), "dmarc-noreply@linkedin.com");
		cr_assert_str_eq(mime_message_id(m),
		    "BB.91.26019.C3EA7CC5@mail516.prod.linkedin.com");
		cr_assert(mime_is_feedback_report(m));
		expect_leaves(m, want[i], 4);
		mime_free(m);
	}
}

Test(mime, corpus_blank_line_holding_a_space)
{
	static const struct leaf want[] = {
		{ "text/plain", NULL, 269, 1, SNIFF_OTHER },
		{ "message/feedback-report", "report", 416, 1, SNIFF_MAIL },
		{ "text/html", NULL, 196, 2, SNIFF_XML },
	};
	struct mime_message *m;

	TU_REQUIRE_SHARED();
	m = parse_file(tu_shared("corpus/domainaware+parsedmarc/subject.eml"));
	cr_assert_str_eq(mime_from(m), "dmarc-report@domain.de");
	cr_assert(mime_is_feedback_report(m));
	expect_leaves(m, want, 3);
	mime_free(m);
}

Test(mime, rfc2047_subject_and_rfc2231_filename_with_path)
{
	static const char mail[] = "From: =?ISO-8859-1?Q?Rapport_=E9?= <dmarc@reporter.example>\n"
	                           "Subject: =?UTF-8?B?UmVwb3J0IERvbWFpbjogZXhhbXBsZS5jb20=?=\n"
	                           " =?UTF-8?Q?_Submitter:_r=C3=A9porter.example?=\n"
	                           "Message-ID: <abc@reporter.example>\n"
	                           "MIME-Version: 1.0\n"
	                           "Content-Type: application/octet-stream\n"
	                           "Content-Transfer-Encoding: base64\n"
	                           "Content-Disposition: attachment;\n"
	                           " filename*0*=UTF-8''..%2F..%2Fetc%2F;\n"
	                           " filename*1=\"r!example.com!1!2.xml\"\n"
	                           "\n"
	                           "PGZlZWRiYWNr\n"
	                           "Lz4K\n";
	static const struct leaf want[] = {
		{ "application/octet-stream", "r!example.com!1!2.xml", 12, 0, SNIFF_XML },
	};
	struct mime_message *m = parse_str(mail);

	cr_assert_str_eq(mime_subject(m),
	    "Report Domain: example.com Submitter: r\xc3\xa9porter.example");
	cr_assert_str_eq(mime_from(m), "dmarc@reporter.example");
	cr_assert_null(mime_date(m));
	expect_leaves(m, want, 1);
	mime_free(m);
}

Test(mime, base64_noise_and_quoted_printable)
{
	static const char mail[] = "From: a@b.example\n"
	                           "Content-Type: multipart/mixed; boundary=XX\n"
	                           "\n"
	                           "preamble\n"
	                           "--XX\n"
	                           "Content-Type: text/xml\n"
	                           "Content-Transfer-Encoding: base64\n"
	                           "\n"
	                           "PGZl ZW!Ri\n"
	                           "YWNr*Lz4\n"
	                           "--XX\n"
	                           "Content-Type: text/xml\n"
	                           "Content-Transfer-Encoding: quoted-printable\n"
	                           "\n"
	                           "<feedback a=3D\"1\">=\n"
	                           "</feedback>\n"
	                           "--XX\n"; /* no closing boundary */
	struct mime_message *m = parse_str(mail);
	struct mime_part p;

	cr_assert_eq(mime_next_part(m, &p), 1);
	cr_assert_eq(p.len, 11);
	cr_assert_eq(memcmp(p.data, "<feedback/>", 11), 0);
	cr_assert_eq(mime_next_part(m, &p), 1);
	cr_assert_eq(p.len, 27, "the line end before a boundary is the boundary's");
	cr_assert_eq(memcmp(p.data, "<feedback a=\"1\"></feedback>", 27), 0, "%.*s", (int)p.len,
	    p.data);
	mime_free(m);
}

Test(mime, signed_report_yields_only_its_content)
{
	static const char mail[] =
	    "From: a@b.example\n"
	    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
	    " micalg=sha-256; boundary=S\n"
	    "\n"
	    "--S\n"
	    "Content-Type: multipart/mixed; boundary=M\n"
	    "\n"
	    "--M\n"
	    "Content-Type: text/xml\n"
	    "\n"
	    "<feedback/>\n"
	    "--M--\n"
	    "--S\n"
	    "Content-Type: application/pkcs7-signature; name=smime.p7s\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "AAAA\n"
	    "--S--\n";
	static const struct leaf want[] = {
		{ "text/xml", NULL, 11, 2, SNIFF_XML },
	};
	struct mime_message *m = parse_str(mail);

	expect_leaves(m, want, 1);
	mime_free(m);
}

Test(mime, forwarded_report_in_message_rfc822)
{
	static const char mail[] =
	    "From: forwarder@b.example\n"
	    "Subject: Fwd: report\n"
	    "Content-Type: multipart/mixed; boundary=O\n"
	    "\n"
	    "--O\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "see attached\n"
	    "--O\n"
	    "Content-Type: message/rfc822\n"
	    "\n"
	    "From: dmarc@reporter.example\n"
	    "Subject: Report Domain: example.com Submitter: reporter.example\n"
	    "Content-Type: multipart/mixed; boundary=I\n"
	    "\n"
	    "--I\n"
	    "Content-Type: application/xml; name=\"r.xml\"\n"
	    "\n"
	    "<feedback/>\n"
	    "--I--\n"
	    "--O--\n";
	static const struct leaf want[] = {
		{ "text/plain", NULL, 12, 1, SNIFF_OTHER },
		{ "application/xml", "r.xml", 11, 3, SNIFF_XML },
	};
	struct mime_message *m = parse_str(mail);

	cr_assert_str_eq(mime_subject(m), "Fwd: report");
	expect_leaves(m, want, 2);
	cr_assert_eq(mime_flags(m), 0);
	mime_free(m);
}

/* A mail whose body is n multiparts nested in one another around one leaf. */
static char *
nested_mail(int n)
{
	size_t cap = 64 + (size_t)n * 128, len = 0;
	char *s = malloc(cap);
	int i;

	len += (size_t)snprintf(s + len, cap - len, "From: a@b.example\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
		    "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	len += (size_t)snprintf(s + len, cap - len, "Content-Type: text/xml\n\n<feedback/>\n");
	for (i = n - 1; i >= 0; i--)
		len += (size_t)snprintf(s + len, cap - len, "--b%d--\n", i);
	return s;
}

Test(mime, depth_cap)
{
	char *s = nested_mail(BOUND_MIME_DEPTH);
	struct mime_message *m = parse_str(s);
	struct mime_part p;

	cr_assert_eq(mime_next_part(m, &p), 1);
	cr_assert_eq(p.depth, BOUND_MIME_DEPTH);
	cr_assert_eq(mime_next_part(m, &p), 0);
	cr_assert_eq(mime_flags(m), 0);
	mime_free(m);
	free(s);

	s = nested_mail(BOUND_MIME_DEPTH + 1);
	m = parse_str(s);
	cr_assert_eq(mime_next_part(m, &p), 0);
	cr_assert_eq(mime_flags(m), W_LIMIT_TRUNCATED);
	mime_free(m);
	free(s);
}

Test(mime, leaf_cap)
{
	size_t cap = 128 + (BOUND_MIME_PARTS + 6) * 48, len = 0;
	char *s = malloc(cap);
	struct mime_part p;
	struct mime_message *m;
	int i, n = 0;

	len += (size_t)snprintf(s, cap, "Content-Type: multipart/mixed; boundary=B\n\n");
	for (i = 0; i < BOUND_MIME_PARTS + 5; i++)
		len += (size_t)snprintf(s + len, cap - len, "--B\n\npart %d\n", i);
	snprintf(s + len, cap - len, "--B--\n");
	m = parse_str(s);
	while (mime_next_part(m, &p) == 1)
		n++;
	cr_assert_eq(n, BOUND_MIME_PARTS);
	cr_assert_eq(p.index, BOUND_MIME_PARTS);
	cr_assert_eq(mime_flags(m), W_LIMIT_TRUNCATED);
	mime_free(m);
	free(s);
}

Test(mime, bodyless_and_headerless_input)
{
	struct mime_message *m = parse_str("Subject: nothing\n");
	struct mime_part p;

	cr_assert_str_eq(mime_subject(m), "nothing");
	cr_assert_null(mime_from(m));
	cr_assert_null(mime_message_id(m));
	while (mime_next_part(m, &p) == 1)
		cr_assert_eq(p.len, 0);
	mime_free(m);
}

Test(mime, base64_without_padding_keeps_its_last_bytes)
{
	/* the gzip trailer ends with ISIZE, 718, little-endian */
	static const unsigned char isize[] = { 0xce, 0x02, 0x00, 0x00 };
	struct mime_message *m = parse_file(tu_fixture("mail/base64-unpadded-gzip.eml"));
	struct mime_part p;

	cr_assert_eq(mime_next_part(m, &p), 1);
	cr_assert_eq(mime_next_part(m, &p), 1);
	cr_assert_str_eq(p.content_type, "application/gzip");
	cr_assert_eq(p.len, 409, "all 409 bytes, %zu decoded", p.len);
	cr_assert_eq(memcmp(p.data + p.len - 4, isize, 4), 0);
	mime_free(m);
}

Test(mime, rewind_replays_the_parts_decoded_once)
{
	size_t cap = 256 + (BOUND_MIME_PARTS + 6) * 48, len = 0;
	const unsigned char *data[BOUND_MIME_PARTS];
	char *s = malloc(cap);
	struct mime_part p;
	struct mime_message *m;
	int i, n = 0;

	len += (size_t)snprintf(s, cap,
	    "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
	    "Content-Transfer-Encoding: base64\n\naGVs\nbG8\n");
	for (i = 1; i < BOUND_MIME_PARTS + 5; i++)
		len += (size_t)snprintf(s + len, cap - len, "--B\n\npart %d\n", i);
	snprintf(s + len, cap - len, "--B--\n");
	m = parse_str(s);
	cr_assert_eq(mime_next_part(m, &p), 1);
	mime_rewind(m); /* after a partial walk */
	while (mime_next_part(m, &p) == 1) {
		cr_assert_eq(mime_flags(m), 0, "part %d", n + 1);
		data[n++] = p.data;
	}
	cr_assert_eq(n, BOUND_MIME_PARTS);
	cr_assert_eq(mime_flags(m), W_LIMIT_TRUNCATED);
	mime_rewind(m);
	for (i = 0; i < n; i++) {
		cr_assert_eq(mime_next_part(m, &p), 1);
		cr_assert_eq(p.index, i + 1);
		cr_assert_eq(p.data, data[i], "part %d is the one decoded at first", i + 1);
		cr_assert_eq(mime_flags(m), 0, "part %d has the flags it had then", i + 1);
		if (i == 0)
			cr_assert(p.len == 5 && memcmp(p.data, "hello", 5) == 0);
	}
	cr_assert_eq(mime_next_part(m, &p), 0);
	cr_assert_eq(mime_flags(m), W_LIMIT_TRUNCATED);
	mime_free(m);
	free(s);
}
