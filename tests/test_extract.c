#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "extract.h"
#include "flags.h"
#include "testutil.h"

static void
setup(void)
{
	extract_init();
}

TestSuite(extract, .init = setup);

#define MAX_DOCS 8

/* A sink that counts what reaches it and keeps each report's key facts. */
struct counting {
	int begun, ended, aborted;
	long records;
	int n;
	uint8_t sha[MAX_DOCS][32];
	uint64_t flags[MAX_DOCS];
	char org[MAX_DOCS][64];
	char report_id[MAX_DOCS][128];
	int fail_at_begin;
	int failures;
};

static int
c_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct counting *c = ctx;

	(void)r;
	if (c->fail_at_begin) {
		errbuf_set(e, "disk full");
		return -1;
	}
	c->begun++;
	return 0;
}

static int
c_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct counting *c = ctx;

	(void)r;
	(void)rec;
	(void)e;
	c->records++;
	return 0;
}

static int
c_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct counting *c = ctx;

	(void)e;
	if (c->n < MAX_DOCS) {
		memcpy(c->sha[c->n], r->xml_sha256, 32);
		c->flags[c->n] = r->flags;
		snprintf(c->org[c->n], sizeof c->org[0], "%s", r->org_name);
		snprintf(c->report_id[c->n], sizeof c->report_id[0], "%s", r->report_id);
	}
	c->n++;
	c->ended++;
	return 0;
}

static void
c_abort(void *ctx)
{
	struct counting *c = ctx;

	c->aborted++;
}

static int
c_put(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	struct counting *c = ctx;

	(void)f;
	(void)e;
	c->failures++;
	return 0;
}

static struct failure_sink
counting_failure_sink(struct counting *c)
{
	struct failure_sink s = { c, c_put };

	return s;
}

static struct report_sink
counting_sink(struct counting *c)
{
	struct report_sink s = { c, c_begin, c_record, c_end, c_abort };

	return s;
}

static struct bounds
default_bounds(void)
{
	struct bounds b;

	bounds_default(&b);
	return b;
}

static int
run(const void *buf, size_t len, const char *name, struct counting *c, struct extract_result *res)
{
	struct bounds b = default_bounds();
	struct report_sink sink = counting_sink(c);
	struct failure_sink failures = counting_failure_sink(c);
	struct errbuf e = { "" };

	memset(c, 0, sizeof *c);
	return extract_input(buf, len, name, &b, &sink, &failures, res, &e);
}

/* Reads a shared file and extracts it under its own name. */
static void
run_shared(const char *rel, struct counting *c, struct extract_result *res)
{
	size_t len;
	unsigned char *buf = tu_read_file(tu_shared(rel), &len);
	const char *name = strrchr(rel, '/') + 1;

	cr_assert_eq(run(buf, len, name, c, res), 0, "%s", rel);
	free(buf);
}

struct expect {
	const char *file;
	enum extract_kind kind;
	unsigned documents, refused;
	enum refusal why;
	long records;
	uint64_t flags; /* that the first report must carry */
};

#define EX "spec/examples/"
#define PD "corpus/domainaware+parsedmarc/"
#define CI "corpus/cry-inc+dmarc-report-viewer/"
#define AGG EXTRACT_AGGREGATE
#define OK REFUSE_NONE

static const struct expect expected[] = {
	{ EX "aggregate-email-gzip.eml", AGG, 1, 0, OK, 4, 0 },
	{ EX "aggregate-email-inline-xml.eml", AGG, 1, 0, OK, 4, 0 },
	{ EX "aggregate-email-zip-octet.eml", AGG, 1, 0, OK, 4, W_MIME_MISMATCH },
	{ EX "aggregate-legacy-quirks.xml", AGG, 1, 0, OK, 3, 0 },
	{ EX "aggregate-rfc7489.xml", AGG, 1, 0, OK, 4, 0 },
	{ EX "aggregate-rfc9990.xml", AGG, 1, 0, OK, 3, 0 },
	{ EX "failure-arf-base64-mixed.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ EX "failure-arf.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ EX "failure-nonarf-plaintext.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "!example.com!1538204542!1538463818.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "!large-example.com!1711897200!1711983600.xml", AGG, 1, 0, OK, 2286, 0 },
	{ PD "DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, "
	     "ip=10.10.10.10).eml",
	    EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "Report domain- borschow.com Submitter- google.com Report-ID- "
	     "949348866075514174.eml",
	    AGG, 1, 0, OK, 1, 0 },
	{ PD "[Netease DMARC Failure Report] Rent Reminder.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "addisonfoods.com!example.com!1536105600!1536191999.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "changed-input.xml", AGG, 1, 0, OK, 20, 0 },
	{ PD "dmarc_ruf_report_linkedin.crlf.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "dmarc_ruf_report_linkedin.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "empty.xml", EXTRACT_UNKNOWN, 0, 1, REFUSE_NO_REPORT, 0, 0 },
	{ PD "empty_reason.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip", AGG,
	    1, 0, OK, 1, 0 },
	{ PD "example.net!example.com!1529366400!1529452799.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "exim_plain_text_only_no_arf_part.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz", AGG, 1, 0, OK, 1,
	    0 },
	{ PD "google.com_smtp_tls_report.eml", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ PD "ikea.com!example.de!1538690400!1538776800.xml", AGG, 1, 0, OK, 1, W_XML_REPAIRED },
	{ PD "invalid_utf_8.xml", AGG, 1, 0, OK, 1, W_ENCODING_REPAIRED },
	{ PD "invalid_xml.xml", AGG, 0, 1, REFUSE_XML_MALFORMED, 0, 0 },
	{ PD "mail.ru.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ PD "mimecast-weird-gzip.eml", AGG, 1, 0, OK, 1, W_TRAILING_GARBAGE },
	{ PD "nice-input.xml", AGG, 1, 0, OK, 20, 0 },
	{ PD "nice-input.xml.gz", AGG, 1, 0, OK, 20, 0 },
	{ PD "nice-input.xml.zip", AGG, 1, 0, OK, 20, 0 },
	{ PD "old_draft_from_wiki.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "protection.outlook.com!example.com!1711756800!1711843200.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "report_with_upper_cased_pass.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "rfc8460.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ PD "rfc9990-example.net!example.com!1700000000!1700086399.xml", AGG, 1, 0, OK, 2, 0 },
	{ PD "rfc9990-sample.xml", AGG, 0, 1, REFUSE_IMPLAUSIBLE_PERIOD, 0, 0 }, /* dated 1979 */
	{ PD "smtp_tls.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ PD "subject.eml", EXTRACT_FAILURE, 1, 0, OK, 0, 0 },
	{ PD "twilight.eml", AGG, 1, 0, OK, 1, 0 },
	{ PD "usssa.com!example.com!1538784000!1538870399.xml", AGG, 1, 0, OK, 2, 0 },
	{ PD "veeam.com!example.com!1530133200!1530219600.xml", AGG, 1, 0, OK, 1, 0 },
	{ PD "zoho.com!example.com!1581753600!1581840000.xml", AGG, 1, 0, OK, 8, 0 },
	{ CI "acme.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "aol.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "full-example.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "gmxnet.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "google.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "google.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "hardfail.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "invalid_casing.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "mailru.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "microsoft.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "no-contact.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "no-policy.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "no_ip_and_mx.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "outlook.xml", AGG, 1, 0, OK, 2, 0 },
	{ CI "rfc-example.json", EXTRACT_TLSRPT, 0, 1, REFUSE_NOT_DMARC, 0, 0 },
	{ CI "solamora.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "webde.xml", AGG, 1, 0, OK, 1, 0 },
	{ CI "yahoo.xml", AGG, 1, 0, OK, 1, 0 },
};

Test(extract, every_example_and_corpus_file)
{
	struct extract_result res;
	struct counting c;
	size_t i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct expect *x = &expected[i];

		run_shared(x->file, &c, &res);
		cr_expect_eq(res.kind, x->kind, "%s: kind %s", x->file,
		    extract_kind_name(res.kind));
		cr_expect_eq(res.documents, x->documents, "%s: %u documents (%s)", x->file,
		    res.documents, res.reason.msg);
		cr_expect_eq(res.refused, x->refused, "%s: %u refused", x->file, res.refused);
		cr_expect_eq(res.why, x->why, "%s: %s", x->file, refusal_code(res.why));
		cr_expect_eq(c.records, x->records, "%s: %ld records", x->file, c.records);
		cr_expect_eq(c.ended + c.failures, (int)x->documents, "%s", x->file);
		cr_expect_eq(c.failures, x->kind == EXTRACT_FAILURE ? 1 : 0,
		    "%s: %d failure reports", x->file, c.failures);
		cr_expect_eq(res.failures, (unsigned)c.failures, "%s", x->file);
		if (c.ended > 0)
			cr_expect_eq(c.flags[0] & x->flags, x->flags, "%s: flags %#llx", x->file,
			    (unsigned long long)c.flags[0]);
		if (x->why == OK)
			cr_expect_str_empty(res.reason.msg, "%s", x->file);
		else
			cr_expect(strncmp(res.reason.msg, refusal_code(x->why),
			              strlen(refusal_code(x->why))) == 0,
			    "%s: %s", x->file, res.reason.msg);
	}
}

Test(extract, mail_headers_are_kept)
{
	struct extract_result res;
	struct counting c;

	TU_REQUIRE_SHARED();
	run_shared(PD "twilight.eml", &c, &res);
	cr_assert_str_eq(res.subject,
	    "Report domain: twlnet.com Submitter: google.com Report-ID: 1627703331531660819");
	cr_assert_str_eq(res.from, "noreply-dmarc-support@google.com");
	cr_assert_str_eq(res.message_id, "1627703331531660819@google.com");
	run_shared(PD "nice-input.xml", &c, &res);
	cr_assert_str_empty(res.subject);
	cr_assert_str_empty(res.from);
	cr_assert_str_empty(res.message_id);
}

Test(extract, three_transports_of_one_report_hash_the_same)
{
	static const char *const files[] = {
		EX "aggregate-email-gzip.eml",
		EX "aggregate-email-zip-octet.eml",
		EX "aggregate-email-inline-xml.eml",
		EX "aggregate-rfc7489.xml",
	};
	uint8_t first[32];
	struct extract_result res;
	struct counting c;
	char hex[65];
	size_t i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < 4; i++) {
		run_shared(files[i], &c, &res);
		cr_assert_eq(c.n, 1, "%s", files[i]);
		cr_assert_str_eq(c.org[0], "receiver.example");
		cr_assert_str_eq(c.report_id[0], "17349120000.example.com");
		if (i == 0)
			memcpy(first, c.sha[0], 32);
		digest_hex(c.sha[0], 32, hex);
		cr_assert_eq(memcmp(first, c.sha[0], 32), 0, "%s: %s", files[i], hex);
	}
}

/* A small aggregate report of our own, told apart by its report id. */
static char *
report_xml(const char *id, size_t *len)
{
	char *s = g_strdup_printf(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"
	    " <report_metadata><org_name>rcv.example</org_name>"
	    "<email>d@rcv.example</email><report_id>%s</report_id>"
	    "<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
	    "</report_metadata>\n"
	    " <policy_published><domain>example.com</domain><p>none</p></policy_published>\n"
	    " <record><row><source_ip>192.0.2.1</source_ip><count>3</count>"
	    "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
	    "<spf>fail</spf></policy_evaluated></row>"
	    "<identifiers><header_from>example.com</header_from></identifiers>"
	    "<auth_results><spf><domain>example.com</domain><result>fail</result></spf>"
	    "</auth_results></record>\n</feedback>\n",
	    id);

	*len = strlen(s);
	return s;
}

struct wbuf {
	unsigned char *p;
	size_t len, cap;
};

static la_ssize_t
wb_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct wbuf *w = ctx;

	(void)a;
	while (n > w->cap - w->len) {
		w->cap = w->cap ? w->cap * 2 : 4096;
		w->p = realloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, buf, n);
	w->len += n;
	return (la_ssize_t)n;
}

/* A gzip (zip == 0) or a zip of n named files. */
static unsigned char *
pack(int zip, const char *const *names, const char *const *data, const size_t *lens, int n,
    size_t *len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	struct wbuf w = { 0 };
	int i;

	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_add_filter_gzip(a);
		archive_write_set_format_raw(a);
	}
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open(a, &w, NULL, wb_write, NULL);
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		archive_write_header(a, e);
		archive_write_data(a, data[i], lens[i]);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	*len = w.len;
	return w.p;
}

static unsigned char *
gzip1(const char *data, size_t n, size_t *len)
{
	const char *names[] = { "r.xml" };

	return pack(0, names, &data, &n, 1, len);
}

/* One MIME part of a test mail; base64 when b64, else written as is. */
struct att {
	const char *type; /* full Content-Type value */
	const char *filename;
	const void *data;
	size_t len;
	int b64;
};

/* A multipart/mixed mail (or a single-part one when n == 1 and single). */
static char *
build_mail(const char *subject, const struct att *a, int n, size_t *len)
{
	GString *s = g_string_new(NULL);
	gchar *b64;
	size_t i;
	int k;

	g_string_append_printf(s,
	    "From: DMARC <dmarc@rcv.example>\nTo: rua@example.com\n"
	    "Subject: %s\nMessage-ID: <t@rcv.example>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"BND\"\n\nThis is MIME.\n",
	    subject);
	for (k = 0; k < n; k++) {
		g_string_append_printf(s, "--BND\nContent-Type: %s\n", a[k].type);
		if (a[k].filename != NULL)
			g_string_append_printf(s,
			    "Content-Disposition: attachment; "
			    "filename=\"%s\"\n",
			    a[k].filename);
		if (a[k].b64) {
			g_string_append(s, "Content-Transfer-Encoding: base64\n\n");
			b64 = g_base64_encode(a[k].data, a[k].len);
			for (i = 0; i < strlen(b64); i += 76)
				g_string_append_printf(s, "%.76s\n", b64 + i);
			g_free(b64);
		} else {
			g_string_append(s, "\n");
			g_string_append_len(s, a[k].data, (gssize)a[k].len);
			g_string_append(s, "\n");
		}
	}
	g_string_append(s, "--BND--\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

Test(extract, two_attachments_give_two_reports)
{
	size_t l1, l2, gzlen, ziplen, len;
	char *x1 = report_xml("first", &l1), *x2 = report_xml("second", &l2), *mail;
	const char *names[] = { "rcv.example!example.com!1700000000!1700086399.xml" };
	unsigned char *gz = gzip1(x1, l1, &gzlen);
	unsigned char *zip = pack(1, names, (const char *const *)&x2, &l2, 1, &ziplen);
	struct att a[] = {
		{ "text/plain; charset=us-ascii", NULL, "Reports attached.", 17, 0 },
		{ "application/gzip", "a.xml.gz", gz, gzlen, 1 },
		{ "application/zip", "b.zip", zip, ziplen, 1 },
	};
	struct extract_result res;
	struct counting c;

	mail = build_mail("Report Domain: example.com Submitter: rcv.example", a, 3, &len);
	cr_assert_eq(run(mail, len, "new/1.M1", &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_AGGREGATE);
	cr_assert_eq(res.documents, 2);
	cr_assert_eq(res.refused, 0, "%s", res.reason.msg);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.report_id[0], "first");
	cr_assert_str_eq(c.report_id[1], "second");
	cr_assert_eq(c.flags[0] & W_MIME_MISMATCH, 0);
	cr_assert_eq(c.records, 2);
	cr_assert_str_eq(res.subject, "Report Domain: example.com Submitter: rcv.example");
	cr_assert_str_eq(res.from, "dmarc@rcv.example");
	g_free(mail);
	free(zip);
	free(gz);
	g_free(x2);
	g_free(x1);
}

Test(extract, one_good_and_one_corrupt_attachment)
{
	size_t l1, l2, g1, g2, len;
	char *x1 = report_xml("good", &l1), *x2 = report_xml("bad", &l2), *mail;
	unsigned char *good = gzip1(x1, l1, &g1), *bad = gzip1(x2, l2, &g2);
	struct att a[] = {
		{ "application/octet-stream", "bad.xml.gz", bad, g2 - 12, 1 },
		{ "application/gzip", "good.xml.gz", good, g1, 1 },
	};
	struct extract_result res;
	struct counting c;

	mail = build_mail("two", a, 2, &len);
	cr_assert_eq(run(mail, len, NULL, &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_AGGREGATE);
	cr_assert_eq(res.documents, 1);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(res.why, REFUSE_DECOMPRESS);
	cr_assert(strncmp(res.reason.msg, "part 1 (bad.xml.gz)", 19) == 0, "%s", res.reason.msg);
	cr_assert(strstr(res.reason.msg, ": E_DECOMPRESS: gunzip: ") != NULL, "%s", res.reason.msg);
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.report_id[0], "good");
	cr_assert_eq(c.begun, 1, "the corrupt one never reached the sink");
	g_free(mail);
	free(bad);
	free(good);
	g_free(x2);
	g_free(x1);
}

Test(extract, zip_entry_refusal_names_part_and_entry)
{
	size_t l1, len, ziplen;
	char *x1 = report_xml("ok", &l1), *mail;
	const char *names[] = { "a.xml", "b.xml" };
	const char *data[] = { x1, "<feedback><report_metadata>" };
	size_t lens[] = { l1, 27 };
	unsigned char *zip = pack(1, names, data, lens, 2, &ziplen);
	struct att a[] = {
		{ "application/zip", "google.com!x!1!2.zip", zip, ziplen, 1 },
	};
	struct extract_result res;
	struct counting c;

	mail = build_mail("zip", a, 1, &len);
	cr_assert_eq(run(mail, len, NULL, &c, &res), 0);
	cr_assert_eq(res.documents, 1);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(res.why, REFUSE_XML_MALFORMED);
	cr_assert(strncmp(res.reason.msg,
	              "part 1 (google.com!x!1!2.zip) entry b.xml: "
	              "E_XML_MALFORMED: ",
	              60) == 0,
	    "%s", res.reason.msg);
	g_free(mail);
	free(zip);
	g_free(x1);
}

Test(extract, inline_xml_body_in_quoted_printable_text_plain)
{
	static const char mail[] =
	    "From: r@rcv.example\nSubject: inline\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "<?xml version=3D\"1.0\"?><feedback><report_metadata><org_name>rcv.example</=\n"
	    "org_name><report_id>qp-1</report_id><date_range><begin>1700000000</begin>=\n"
	    "<end>1700086399</end></date_range></report_metadata><policy_published>=\n"
	    "<domain>example.com</domain><p>reject</p></policy_published></feedback>\n";
	struct extract_result res;
	struct counting c;

	cr_assert_eq(run(mail, sizeof mail - 1, NULL, &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_AGGREGATE);
	cr_assert_eq(res.documents, 1, "%s", res.reason.msg);
	cr_assert_str_eq(c.report_id[0], "qp-1");
	cr_assert_eq(c.flags[0] & W_MIME_MISMATCH, 0, "text/plain XML is tolerated silently");
}

Test(extract, nested_message_rfc822_and_embedded_eml)
{
	size_t l1, l2, g1, g2, inner_len, len;
	char *x1 = report_xml("forwarded", &l1), *x2 = report_xml("embedded", &l2);
	unsigned char *gz1 = gzip1(x1, l1, &g1), *gz2 = gzip1(x2, l2, &g2);
	struct att in1[] = { { "application/gzip", "f.xml.gz", gz1, g1, 1 } };
	struct att in2[] = { { "application/gzip", "e.xml.gz", gz2, g2, 1 } };
	char *fwd, *eml, *mail;
	size_t fwd_len, eml_len;
	struct extract_result res;
	struct counting c;

	fwd = build_mail("inner one", in1, 1, &fwd_len);
	eml = build_mail("inner two", in2, 1, &eml_len);
	{
		struct att a[] = {
			{ "text/plain", NULL, "fyi", 3, 0 },
			{ "message/rfc822", NULL, fwd, fwd_len, 0 },
			{ "application/octet-stream", "report.eml", eml, eml_len, 1 },
		};

		mail = build_mail("Fwd: reports", a, 3, &len);
	}
	inner_len = len;
	cr_assert_eq(run(mail, inner_len, NULL, &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_AGGREGATE);
	cr_assert_eq(res.documents, 2, "%s", res.reason.msg);
	cr_assert_eq(res.refused, 0);
	cr_assert_str_eq(c.report_id[0], "forwarded");
	cr_assert_str_eq(c.report_id[1], "embedded");
	cr_assert_str_eq(res.subject, "Fwd: reports");
	g_free(mail);
	g_free(eml);
	g_free(fwd);
	free(gz2);
	free(gz1);
	g_free(x2);
	g_free(x1);
}

Test(extract, no_report_lists_the_parts)
{
	static const char png[] = "\x89PNG\r\n\x1a\n";
	struct att a[] = {
		{ "text/plain", NULL, "hello", 5, 0 },
		{ "text/html", NULL, "<p>hello</p>", 12, 0 },
		{ "image/png", "x.png", png, sizeof png - 1, 1 },
	};
	struct extract_result res;
	struct counting c;
	size_t len;
	char *mail = build_mail("hi", a, 3, &len);

	cr_assert_eq(run(mail, len, NULL, &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_UNKNOWN);
	cr_assert_eq(res.documents, 0);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(res.why, REFUSE_NO_REPORT);
	cr_assert_str_eq(res.reason.msg,
	    "E_NO_REPORT: no DMARC report found in 3 MIME parts "
	    "(text/plain, text/html, image/png)");
	g_free(mail);
}

Test(extract, bounce_is_other)
{
	static const char mail[] =
	    "From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
	    "--B\nContent-Type: text/plain\n\nDelivery failed.\n"
	    "--B\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; x@y\nAction: failed\n"
	    "--B\nContent-Type: text/rfc822-headers\n\nFrom: a@b\nSubject: s\n"
	    "--B--\n";
	struct extract_result res;
	struct counting c;

	cr_assert_eq(run(mail, sizeof mail - 1, NULL, &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_OTHER);
	cr_assert_eq(res.why, REFUSE_NO_REPORT);
	cr_assert_eq(res.refused, 1);
}

Test(extract, tnef_part_is_refused_next_to_a_good_report)
{
	static const char tnef[] = "\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00";
	size_t l1, g1, len;
	char *x1 = report_xml("good", &l1), *mail;
	unsigned char *gz = gzip1(x1, l1, &g1);
	struct att a[] = {
		{ "application/ms-tnef", "winmail.dat", tnef, sizeof tnef - 1, 1 },
		{ "application/gzip", "good.xml.gz", gz, g1, 1 },
	};
	struct extract_result res;
	struct counting c;

	mail = build_mail("tnef", a, 2, &len);
	cr_assert_eq(run(mail, len, NULL, &c, &res), 0);
	cr_assert_eq(res.documents, 1);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(res.why, REFUSE_UNSUPPORTED_CONTAINER);
	cr_assert(strncmp(res.reason.msg, "part 1 (winmail.dat): E_UNSUPPORTED_CONTAINER: ", 47) ==
	        0,
	    "%s", res.reason.msg);
	g_free(mail);
	free(gz);
	g_free(x1);
}

Test(extract, invalid_utf8_inside_gzip_is_repaired)
{
	size_t l1, g1;
	char *x1 = report_xml("bad\x91utf8", &l1);
	unsigned char *gz = gzip1(x1, l1, &g1);
	struct extract_result res;
	struct counting c;

	cr_assert_eq(run(gz, g1, "x.xml.gz", &c, &res), 0);
	cr_assert_eq(res.documents, 1, "%s", res.reason.msg);
	cr_assert_eq(res.refused, 0);
	cr_assert_eq(c.flags[0] & W_ENCODING_REPAIRED, W_ENCODING_REPAIRED);
	cr_assert_str_eq(c.report_id[0], "bad\xef\xbf\xbdutf8");
	free(gz);
	g_free(x1);
}

Test(extract, size_limits)
{
	size_t l1, l2, g1, g2, len;
	char *x1 = report_xml("one", &l1), *x2 = report_xml("two", &l2), *mail;
	unsigned char *gz1 = gzip1(x1, l1, &g1), *gz2 = gzip1(x2, l2, &g2);
	struct att a[] = {
		{ "application/gzip", "1.xml.gz", gz1, g1, 1 },
		{ "application/gzip", "2.xml.gz", gz2, g2, 1 },
	};
	struct bounds b = default_bounds();
	struct extract_result res;
	struct counting c = { 0 };
	struct report_sink sink = counting_sink(&c);
	struct failure_sink failures = counting_failure_sink(&c);
	struct errbuf e;

	mail = build_mail("limits", a, 2, &len);
	b.max_input = len - 1;
	cr_assert_eq(extract_input(mail, len, NULL, &b, &sink, &failures, &res, &e), 0);
	cr_assert_eq(res.why, REFUSE_SIZE_LIMIT);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(c.begun, 0, "refused before parsing");
	cr_assert(strstr(res.reason.msg, "over the limit") != NULL, "%s", res.reason.msg);

	b = default_bounds();
	b.max_message_out = l1 + l2 / 2;
	cr_assert_eq(extract_input(mail, len, NULL, &b, &sink, &failures, &res, &e), 0);
	cr_assert_eq(res.documents, 1);
	cr_assert_eq(res.refused, 1);
	cr_assert_eq(res.why, REFUSE_SIZE_LIMIT);
	cr_assert(strstr(res.reason.msg, "decompressed output exceeds") != NULL, "%s",
	    res.reason.msg);
	g_free(mail);
	free(gz2);
	free(gz1);
	g_free(x2);
	g_free(x1);
}

Test(extract, sink_failure_is_an_error)
{
	size_t l1;
	char *x1 = report_xml("x", &l1);
	struct bounds b = default_bounds();
	struct extract_result res;
	struct counting c = { .fail_at_begin = 1 };
	struct report_sink sink = counting_sink(&c);
	struct failure_sink failures = counting_failure_sink(&c);
	struct errbuf e = { "" };

	cr_assert_eq(extract_input(x1, l1, "x.xml", &b, &sink, &failures, &res, &e), -1);
	cr_assert_str_eq(e.msg, "disk full");
	g_free(x1);
}

Test(extract, json_and_empty_bare_files)
{
	struct extract_result res;
	struct counting c;

	cr_assert_eq(run("{\"organization-name\": \"x\"}", 26, "t.json", &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_TLSRPT);
	cr_assert_eq(res.why, REFUSE_NOT_DMARC);
	cr_assert_str_eq(res.reason.msg,
	    "E_NOT_DMARC: SMTP TLS report (RFC 8460) or other "
	    "JSON, not a DMARC report");
	cr_assert_eq(run("", 0, "e.xml", &c, &res), 0);
	cr_assert_eq(res.kind, EXTRACT_UNKNOWN);
	cr_assert_eq(res.why, REFUSE_NO_REPORT);
}

Test(extract, base64_without_padding)
{
	size_t len;
	unsigned char *buf = tu_read_file(tu_fixture("mail/base64-unpadded-gzip.eml"), &len);
	struct extract_result res;
	struct counting c;

	cr_assert_eq(run(buf, len, "base64-unpadded-gzip.eml", &c, &res), 0);
	cr_assert_eq(res.documents, 1, "%s", res.reason.msg);
	cr_assert_eq(res.refused, 0);
	cr_assert_str_eq(c.report_id[0], "unpadded-1");
	cr_assert_eq(c.records, 1);
	free(buf);
}
