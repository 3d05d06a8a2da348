/*
 * carrier: the report mails' own DKIM signatures, end to end: mails signed
 * here with libopendkim and a key made by the test, their keys served by a
 * real nsd on loopback, `dmarcd ingest --config` verifying them, and each
 * report's origin and suspect columns read back (FORMATS.md "Reports that
 * may be forged"). No other DNS is asked.
 */
#include <criterion/criterion.h>
#include <dkim.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_harness.h"
#include "testutil.h"

static struct dh_server server;
static char *dir;
static char privkey[4096]; /* PEM */
static char pubkey[1024];  /* base64 SubjectPublicKeyInfo, the p= of the key record */

/* A 1024-bit RSA key: libopendkim's smallest, and a key record of one TXT string. */
static void
make_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(1024);
	BIO *b = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	char *pem;
	long n;
	int len;

	cr_assert_not_null(k);
	cr_assert_eq(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &pem);
	cr_assert(n > 0 && (size_t)n < sizeof privkey);
	memcpy(privkey, pem, (size_t)n);
	privkey[n] = '\0';
	len = i2d_PUBKEY(k, &der);
	cr_assert(len > 0 && (size_t)len * 4 / 3 + 4 < sizeof pubkey);
	EVP_EncodeBlock((unsigned char *)pubkey, der, len);
	OPENSSL_free(der);
	BIO_free(b);
	EVP_PKEY_free(k);
}

static void
setup(void)
{
	char records[1400], conf[512], path[600];
	struct errbuf e;

	if (!dh_nsd_present())
		cr_skip_test("nsd is not installed (apt-get install nsd)");
	make_key();
	dir = tu_scratch_dir();
	cr_assert_eq(dh_init(&server, &e), 0, "%s", e.msg);
	snprintf(records, sizeof records, "sel._domainkey 300 TXT \"v=DKIM1; k=rsa; p=%s\"\n",
	    pubkey);
	cr_assert_eq(dh_zone(&server, "reporter.example", 600, records, &e), 0, "%s", e.msg);
	cr_assert_eq(dh_start(&server, 30, &e), 0, "%s", e.msg);
	snprintf(conf, sizeof conf, "[dns]\nservers = %s\ntimeout = 1\ntries = 1\n",
	    dh_servers(&server));
	snprintf(path, sizeof path, "%s/dmarcd.conf", dir);
	tu_write_file(path, conf, strlen(conf));
	snprintf(conf + strlen(conf), sizeof conf - strlen(conf),
	    "[ingest]\nrequire_verified = yes\n");
	snprintf(path, sizeof path, "%s/require.conf", dir);
	tu_write_file(path, conf, strlen(conf));
}

static void
teardown(void)
{
	dh_stop(&server, false);
	free(dir);
}

TestSuite(carrier, .init = setup, .fini = teardown, .timeout = 120);

/* An aggregate report of org (email noreply@org) for example.com: 500 passing messages. */
static void
report_xml(char *out, size_t size, const char *org, const char *id, int count)
{
	snprintf(out, size,
	    "<?xml version=\"1.0\"?>\r\n<feedback><report_metadata><org_name>%s</org_name>"
	    "<email>noreply@%s</email><report_id>%s</report_id><date_range>"
	    "<begin>1704067200</begin><end>1704153599</end></date_range></report_metadata>"
	    "<policy_published><domain>example.com</domain><p>none</p></policy_published>"
	    "<record><row><source_ip>192.0.2.1</source_ip><count>%d</count><policy_evaluated>"
	    "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated>"
	    "</row><identifiers><header_from>example.com</header_from></identifiers>"
	    "<auth_results><dkim><domain>example.com</domain><result>pass</result></dkim>"
	    "</auth_results></record></feedback>\r\n",
	    org, org, id, count);
}

/* A mail from org carrying a report, unsigned. */
static void
mail(char *out, size_t size, const char *org, const char *id, int count)
{
	char xml[2048];

	report_xml(xml, sizeof xml, org, id, count);
	snprintf(out, size,
	    "From: noreply@%s\r\nTo: dmarc@example.com\r\nSubject: Report domain: example.com "
	    "Submitter: %s Report-ID: %s\r\nDate: Mon, 01 Jan 2024 12:00:00 +0000\r\n"
	    "Message-ID: <%s@%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/xml\r\n\r\n%s",
	    org, org, id, id, org, xml);
}

/* Signs m (d=domain, s=selector) with the test's key: the DKIM-Signature on top. */
static void
sign(char *m, size_t size, const char *domain, const char *selector)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	DKIM_STAT st;
	DKIM *d;
	unsigned char hdr[2048];
	char *copy;
	size_t n;

	cr_assert_not_null(lib);
	d = dkim_sign(lib, (const unsigned char *)"test", NULL, (dkim_sigkey_t)privkey,
	    (const unsigned char *)selector, (const unsigned char *)domain, DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	cr_assert_not_null(d, "dkim_sign: %d", st);
	cr_assert_eq(dkim_chunk(d, (unsigned char *)m, strlen(m)), DKIM_STAT_OK);
	cr_assert_eq(dkim_chunk(d, NULL, 0), DKIM_STAT_OK);
	cr_assert_eq(dkim_eom(d, NULL), DKIM_STAT_OK);
	cr_assert_eq(dkim_getsighdr(d, hdr, sizeof hdr, strlen("DKIM-Signature: ")), DKIM_STAT_OK);
	dkim_free(d);
	dkim_close(lib);
	copy = strdup(m);
	cr_assert_not_null(copy);
	n = (size_t)snprintf(m, size, "DKIM-Signature: %s\r\n%s", (const char *)hdr, copy);
	cr_assert(n < size);
	free(copy);
}

/* Writes bytes as DIR/name and ingests it with conf ("" for none). */
static void
ingest(const char *db, const char *conf, const char *name, const char *bytes)
{
	char path[600], *out = NULL;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	tu_write_file(path, bytes, strlen(bytes));
	cr_assert_eq(tu_run(&out, "%s ingest --json %s%s%s --db %s %s 2>&1", DMARCD_BIN,
	                 conf[0] != '\0' ? "--config " : "", conf[0] != '\0' ? dir : "", conf, db,
	                 path),
	    0, "%s", out);
	cr_assert(strstr(out, "\"reports_stored\":1,") != NULL, "%s: %s", name, out);
	free(out);
}

/* The origin, its detail and the suspect column of report id, as "origin|detail|suspect". */
static char *
row(const char *db, const char *id)
{
	static char out[2048];
	sqlite3 *h;
	sqlite3_stmt *s;
	const unsigned char *c[3];

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
	                 "SELECT origin, origin_detail, suspect FROM report WHERE report_id = ?1",
	                 -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "no report %s", id);
	c[0] = sqlite3_column_text(s, 0);
	c[1] = sqlite3_column_text(s, 1);
	c[2] = sqlite3_column_text(s, 2);
	snprintf(out, sizeof out, "%s|%s|%s", c[0] ? (const char *)c[0] : "NULL",
	    c[1] ? (const char *)c[1] : "NULL", c[2] ? (const char *)c[2] : "NULL");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return out;
}

/*
 * A signed report is verified; after it, the same reporter's unsigned mail,
 * its bare file, a mail whose body changed after signing and one signed
 * with a key that does not exist are suspect, each saying why. Another
 * reporter's unsigned mail is only unverified.
 */
Test(carrier, a_reporter_that_signs_is_verified_and_its_unsigned_reports_are_suspect)
{
	char db[600], m[8192], *p;

	snprintf(db, sizeof db, "%s/d.db", dir);
	mail(m, sizeof m, "reporter.example", "signed-1", 500);
	sign(m, sizeof m, "reporter.example", "sel");
	ingest(db, "/dmarcd.conf", "signed.eml", m);
	cr_expect_str_eq(row(db, "signed-1"),
	    "verified|DKIM signature of reporter.example verifies|NULL");

	mail(m, sizeof m, "reporter.example", "unsigned-1", 500);
	ingest(db, "/dmarcd.conf", "unsigned.eml", m);
	cr_expect_str_eq(row(db, "unsigned-1"),
	    "unverified|its mail has no DKIM signature|this reporter signs its reports for the "
	    "domain (1 verified); this one is not signed by it: its mail has no DKIM signature");

	report_xml(m, sizeof m, "reporter.example", "file-1", 500);
	ingest(db, "/dmarcd.conf", "file-1.xml", m);
	cr_expect(strstr(row(db, "file-1"),
	              "unverified|a bare report file: no mail to authenticate|this reporter "
	              "signs its reports") != NULL,
	    "%s", row(db, "file-1"));

	mail(m, sizeof m, "reporter.example", "tampered-1", 500);
	sign(m, sizeof m, "reporter.example", "sel");
	cr_assert_not_null(p = strstr(m, "<count>500</count>"));
	memcpy(p, "<count>900</count>", 18);
	ingest(db, "/dmarcd.conf", "tampered.eml", m);
	cr_expect(strstr(row(db, "tampered-1"),
	              "failed|DKIM signature of reporter.example fails: ") != NULL,
	    "%s", row(db, "tampered-1"));
	cr_expect(strstr(row(db, "tampered-1"),
	              "|its mail's signature does not verify: DKIM "
	              "signature of reporter.example fails") != NULL,
	    "%s", row(db, "tampered-1"));

	/*
	 * a key no longer published is no forgery (keys rotate, old mail gets
	 * read late) nor a verification (a selector can be invented): unverified,
	 * and suspect here since this reporter signs
	 */
	mail(m, sizeof m, "reporter.example", "nokey-1", 500);
	sign(m, sizeof m, "reporter.example", "gone");
	ingest(db, "/dmarcd.conf", "nokey.eml", m);
	cr_expect(strstr(row(db, "nokey-1"),
	              "unverified|the DKIM signature of reporter.example can no longer be checked "
	              "(") != NULL,
	    "%s", row(db, "nokey-1"));
	cr_expect(strstr(row(db, "nokey-1"), "|this reporter signs its reports") != NULL, "%s",
	    row(db, "nokey-1"));

	mail(m, sizeof m, "other.example", "other-1", 500);
	ingest(db, "/dmarcd.conf", "other.eml", m);
	cr_expect_str_eq(row(db, "other-1"), "unverified|its mail has no DKIM signature|NULL");
}

/*
 * A signature of another domain does not vouch for the reporter; a key the
 * resolver cannot give (nsd refuses a zone it does not serve) is a
 * temporary error, not held against the report; without --config nothing is
 * verified and nothing asked.
 */
Test(carrier, other_signers_dns_failures_and_no_verification)
{
	char db[600], m[8192];

	snprintf(db, sizeof db, "%s/d.db", dir);
	mail(m, sizeof m, "other.example", "by-reporter-1", 500);
	sign(m, sizeof m, "reporter.example", "sel");
	ingest(db, "/dmarcd.conf", "by-reporter.eml", m);
	cr_expect_str_eq(row(db, "by-reporter-1"),
	    "unverified|its mail is not signed by other.example (signed by reporter.example)|NULL");

	mail(m, sizeof m, "unserved.example", "temp-1", 500);
	sign(m, sizeof m, "unserved.example", "sel");
	ingest(db, "/dmarcd.conf", "temp.eml", m);
	cr_expect(strstr(row(db, "temp-1"),
	              "unverified|the DKIM key of unserved.example could not be fetched: DNS "
	              "servfail for sel._domainkey.unserved.example|NULL") != NULL,
	    "%s", row(db, "temp-1"));

	mail(m, sizeof m, "reporter.example", "plain-1", 500);
	sign(m, sizeof m, "reporter.example", "sel");
	ingest(db, "", "plain.eml", m);
	cr_expect_str_eq(row(db, "plain-1"), "NULL|NULL|NULL");
}

/* require_verified: every report not verified is suspect; a verified one is not. */
Test(carrier, require_verified_makes_every_unverified_report_suspect)
{
	char db[600], m[8192];

	snprintf(db, sizeof db, "%s/d.db", dir);
	mail(m, sizeof m, "other.example", "req-unsigned", 500);
	ingest(db, "/require.conf", "req-unsigned.eml", m);
	cr_expect_str_eq(row(db, "req-unsigned"),
	    "unverified|its mail has no DKIM signature|not verified, and require_verified is set: "
	    "its mail has no DKIM signature");
	mail(m, sizeof m, "reporter.example", "req-signed", 500);
	sign(m, sizeof m, "reporter.example", "sel");
	ingest(db, "/require.conf", "req-signed.eml", m);
	cr_expect_str_eq(row(db, "req-signed"),
	    "verified|DKIM signature of reporter.example verifies|NULL");
}

/* m with header (a full "Name: value" line) on top. */
static void
prepend(char *m, size_t size, const char *header)
{
	char *copy = strdup(m);

	cr_assert_not_null(copy);
	cr_assert((size_t)snprintf(m, size, "%s\r\n%s", header, copy) < size);
	free(copy);
}

/*
 * [ingest] authserv_id: only our own server's Authentication-Results count.
 * Its dkim=pass for the reporter's domain verifies, and its dmarc=fail
 * makes suspect even below another header; a stranger's header on top says
 * nothing. Without authserv_id a header's "pass" never verifies.
 */
Test(carrier, authentication_results_count_only_from_the_configured_server)
{
	static const char conf[] = "[ingest]\nverify_dkim = no\nauthserv_id = MX.example.com\n";
	char db[600], path[600], m[8192];

	snprintf(db, sizeof db, "%s/d.db", dir);
	snprintf(path, sizeof path, "%s/authserv.conf", dir);
	tu_write_file(path, conf, strlen(conf));

	mail(m, sizeof m, "reporter2.example", "ar-pass", 500);
	prepend(m, sizeof m,
	    "Authentication-Results: mx.example.com 1; spf=pass smtp.mailfrom=reporter2.example;"
	    " dkim=pass (2048-bit key) header.d=reporter2.example header.s=k1;"
	    " dmarc=pass header.from=reporter2.example");
	ingest(db, "/authserv.conf", "ar-pass.eml", m);
	cr_expect_str_eq(row(db, "ar-pass"),
	    "verified|DKIM signature of reporter2.example verifies|NULL");

	mail(m, sizeof m, "reporter2.example", "ar-stranger", 500);
	prepend(m, sizeof m,
	    "Authentication-Results: mx.example.com; dkim=none; dmarc=pass "
	    "header.from=reporter2.example");
	prepend(m, sizeof m,
	    "Authentication-Results: mx.example.com.evil.example; dkim=pass "
	    "header.d=reporter2.example; dmarc=fail");
	ingest(db, "/authserv.conf", "ar-stranger.eml", m);
	cr_expect_str_eq(row(db, "ar-stranger"),
	    "unverified|its mail has no DKIM signature|this reporter signs its reports for the "
	    "domain (1 verified); this one is not signed by it: its mail has no DKIM signature");

	mail(m, sizeof m, "reporter3.example", "ar-dmarc-fail", 500);
	prepend(m, sizeof m, "Authentication-Results: mx.example.com; dmarc=fail (p=none)");
	prepend(m, sizeof m, "Authentication-Results: relay.example; dmarc=pass");
	ingest(db, "/authserv.conf", "ar-dmarc-fail.eml", m);
	cr_expect(strstr(row(db, "ar-dmarc-fail"),
	              "|its mail failed DMARC at the receiving server") != NULL,
	    "%s", row(db, "ar-dmarc-fail"));

	/* no authserv_id: the header's pass is nobody's word */
	mail(m, sizeof m, "reporter4.example", "ar-untrusted", 500);
	prepend(m, sizeof m,
	    "Authentication-Results: mx.example.com; dkim=pass header.d=reporter4.example");
	ingest(db, "/dmarcd.conf", "ar-untrusted.eml", m);
	cr_expect_str_eq(row(db, "ar-untrusted"), "unverified|its mail has no DKIM signature|NULL");
}
