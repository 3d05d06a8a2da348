/*
 * ingest/report_xml.c on whole documents: the examples of
 * ../shared/spec/examples, every aggregate report of ../shared/corpus with its
 * figures, and the project's own fixtures of the quirks FORMATS.md describes.
 * test_report_stream.c and test_report_values.c hold the rest.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flags.h"
#include "mem_reader.h"
#include "report_sink.h"
#include "report_xml.h"
#include "testutil.h"

TestSuite(report_xml, .init = rsink_setup);

/* ---- the examples of ../shared/spec/examples ---- */

Test(report_xml, rfc7489_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(rsink_parse_file(rsink_example("aggregate-rfc7489.xml"), NULL, &s, &e),
	    REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_begin, 1);
	cr_assert_eq(s.n_end, 1);
	cr_assert_eq(s.n_abort, 0);
	cr_assert_eq(s.h.dialect, DIALECT_RFC7489);
	cr_assert_str_eq(s.h.report_id, "17349120000.example.com");
	cr_assert_str_eq(s.h.org_name, "receiver.example");
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_eq(s.h.p, POLICY_NONE);
	cr_assert_eq(s.h.sp, POLICY_NONE);
	cr_assert_eq(s.h.pct, 100);
	cr_assert_str_eq(s.h.fo, "1");
	cr_assert_eq(s.h.begin / 86400, 20080);
	cr_assert_eq(s.h.begin, 1734912000);
	cr_assert_eq(s.h.end, 1734998399);
	cr_assert_eq(s.totals.records, 4);
	cr_assert_eq(s.totals.messages, 1006);
	cr_assert_eq(s.totals.dmarc_pass, 1000);
	cr_assert_eq(s.totals.dkim_aligned, 990);
	cr_assert_eq(s.totals.spf_aligned, 985);
	cr_assert_eq(s.n_records, 4);
	cr_assert_eq(s.end_flags, 0, "no warnings on a conforming report");
	cr_assert(strstr(s.lines[1], "ip=2001:db8:10::25/6 ") != NULL, "%s", s.lines[1]);
	rsink_free(&s);
}

Test(report_xml, rfc9990_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(rsink_parse_file(rsink_example("aggregate-rfc9990.xml"), NULL, &s, &e),
	    REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_RFC9990);
	cr_assert_str_eq(s.h.ns, "urn:ietf:params:xml:ns:dmarc-2.0");
	cr_assert_str_eq(s.h.report_id, "1735084800.example.com@receiver.example");
	cr_assert_str_eq(s.h.generator, "Receiver Example DMARC reporter 4.2");
	cr_assert_str_eq(s.h.discovery, "treewalk");
	cr_assert_eq(s.h.p, POLICY_REJECT);
	cr_assert_eq(s.h.sp, POLICY_QUARANTINE);
	cr_assert_eq(s.h.np, POLICY_REJECT);
	cr_assert_eq(s.h.testing, 'y');
	cr_assert_eq(s.h.pct, -1);
	cr_assert_eq(s.h.adkim, 'r');
	cr_assert_eq(s.h.aspf, 's');
	cr_assert_eq(s.h.begin / 86400, 20082);
	cr_assert_eq(s.totals.messages, 520);
	cr_assert_eq(s.totals.dmarc_pass, 500);
	cr_assert_eq(s.totals.dkim_aligned, 500);
	cr_assert_eq(s.totals.spf_aligned, 480);
	cr_assert_eq(s.n_records, 3);
	cr_assert_str_eq(s.lines[1],
	    "ip=2001:db8:10::25/6 raw=2001:db8:10::25 n=20 disp=pass "
	    "pe=pass/fail hf=example.com ef=- et=- reasons=[] dkim=[example.com/esp1/pass/-] "
	    "spf=[mta.example.net/-/none/no SPF record for HELO-derived identity]");
	cr_assert_str_eq(s.lines[2],
	    "ip=203.0.113.77/4 raw=203.0.113.77 n=20 disp=quarantine "
	    "pe=fail/fail hf=example.com ef=spoofer.example.org et=- "
	    "reasons=[policy_test_mode/t=y: applied one level below p=reject] "
	    "dkim=[spoofer.example.org/x/pass/-] spf=[spoofer.example.org/mfrom/pass/-]");
	cr_assert_eq(s.rec_flags[2], 0, "the record extension element is skipped silently");
	rsink_free(&s);
}

Test(report_xml, legacy_quirks_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(rsink_parse_file(rsink_example("aggregate-legacy-quirks.xml"), NULL, &s, &e),
	    REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_DRAFT);
	cr_assert_str_eq(s.h.org_name, "Legacy Receiver");
	cr_assert_str_eq(s.h.org_key, "legacy receiver");
	cr_assert_str_eq(s.h.report_id, "legacy-0001@legacy.example");
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_str_eq(s.h.errors,
	    "sp tag had invalid value \"rejectt\"\n"
	    "multiple DMARC records found");
	cr_assert_eq(s.h.begin, 1700006400);
	cr_assert_eq(s.h.end, 1700092799);
	cr_assert_eq(s.h.begin / 86400, 19676);
	cr_assert_eq(s.h.p, POLICY_REJECT);
	cr_assert_eq(s.h.sp, POLICY_UNSET);
	cr_assert_eq(s.h.pct, 50);
	cr_assert(s.h.flags & W_ENUM_CASE, "<p>Reject</p>");
	cr_assert_eq(s.totals.messages, 13);
	cr_assert_eq(s.totals.dmarc_pass, 10);
	cr_assert_eq(s.totals.dkim_aligned, 3);
	cr_assert_eq(s.totals.spf_aligned, 10);
	cr_assert_eq(s.n_records, 3);
	cr_assert_str_eq(s.lines[0],
	    "ip=192.0.2.10/4 raw=::ffff:192.0.2.10 n=7 disp=none "
	    "pe=fail/pass hf=example.com ef=- et=- reasons=[] dkim=[example.com/-/fail/-] "
	    "spf=[mail.example.com/helo/pass/-,example.com/-/pass/-]");
	cr_assert_eq(s.rec_flags[0], W_IP_MAPPED | W_ENUM_CASE, "%#llx",
	    (unsigned long long)s.rec_flags[0]);
	cr_assert_str_eq(s.lines[2],
	    "ip=/0 raw=203.0.113.300 n=3 disp=quarantine "
	    "pe=fail/fail hf=example.com ef=- et=- reasons=[sampled_out/-] dkim=[] "
	    "spf=[bad.example.org/mfrom/fail:hardfail/-,bad.example.org/helo/temperror:unknown/-]");
	cr_assert_eq(s.rec_flags[2], W_IP_INVALID);
	rsink_free(&s);
}

/* ---- the shared corpus: every aggregate .xml (figures read off each file) ---- */

struct corpus_case {
	const char *path;
	enum refusal why;
	uint64_t records, messages, dmarc_pass, dkim_aligned, spf_aligned;
	const char *domain;
	int64_t begin, end;
	enum report_dialect dialect;
	uint64_t flags; /* report flags that must be set */
};

#define PD "domainaware+parsedmarc/"
#define CI "cry-inc+dmarc-report-viewer/"

static const struct corpus_case CORPUS[] = {
	{ CI "acme.xml", 0, 1, 2, 2, 0, 2, "example.com", 1335571200, 1335657599, DIALECT_DRAFT,
	    0 },
	{ CI "aol.xml", 0, 1, 1, 1, 1, 1, "website.com", 1504742400, 1504828800, DIALECT_DRAFT, 0 },
	{ CI "gmxnet.xml", 0, 1, 1, 1, 1, 1, "myserver.com", 1733184000, 1733270399,
	    DIALECT_RFC9990, 0 },
	{ CI "google.xml", 0, 1, 1, 1, 1, 1, "foo-bar.io", 1709683200, 1709769599, DIALECT_RFC9990,
	    0 },
	{ CI "hardfail.xml", 0, 1, 1, 0, 0, 0, "mydomain.org", 1727049600, 1727135999,
	    DIALECT_DRAFT, 0 },
	{ CI "invalid_casing.xml", 0, 1, 1, 0, 0, 0, "mydomain.org", 1727049600, 1727135999,
	    DIALECT_DRAFT, 0 },
	{ CI "mailru.xml", 0, 1, 1, 0, 0, 0, "foobar.de", 1721260800, 1721347200, DIALECT_DRAFT,
	    0 },
	{ CI "outlook.xml", 0, 2, 3, 3, 3, 3, "random.net", 1709683200, 1709769600, DIALECT_RFC7489,
	    0 },
	{ CI "solamora.xml", 0, 1, 2, 2, 0, 2, "bix-business.com", 1335571200, 1335657599,
	    DIALECT_DRAFT, 0 },
	{ CI "webde.xml", 0, 1, 1, 1, 1, 1, "foobar.com", 1722816000, 1722902399, DIALECT_RFC9990,
	    0 },
	{ CI "yahoo.xml", 0, 1, 1, 1, 1, 1, "random.org", 1709510400, 1709596799, DIALECT_DRAFT,
	    0 },
	{ PD "!example.com!1538204542!1538463818.xml", 0, 1, 1, 0, 0, 0, "example.com", 1538413632,
	    1538413632, DIALECT_DRAFT, W_ORG_FALLBACK | W_FILENAME_MISMATCH },
	{ PD "!large-example.com!1711897200!1711983600.xml", 0, 2286, 2286, 0, 0, 0, "example.com",
	    1711897200, 1711983600, DIALECT_DRAFT, W_ORG_FALLBACK },
	{ PD "addisonfoods.com!example.com!1536105600!1536191999.xml", 0, 1, 1, 0, 0, 0,
	    "example.com", 1536105600, 1536191999, DIALECT_RFC7489, 0 },
	{ PD "changed-input.xml", 0, 20, 3047, 3047, 3046, 2637, "example.com", 1718236800,
	    1718323199, DIALECT_RFC9990, 0 },
	{ PD "empty.xml", REFUSE_NO_REPORT, 0, 0, 0, 0, 0, NULL, 0, 0, DIALECT_DRAFT, 0 },
	{ PD "empty_reason.xml", 0, 1, 2, 2, 2, 0, "example.com", 1706159544, 1706185733,
	    DIALECT_RFC7489, 0 },
	{ PD "example.net!example.com!1529366400!1529452799.xml", 0, 1, 1, 0, 0, 0, "example.com",
	    1529366400, 1529452799, DIALECT_RFC7489, 0 },
	{ PD "ikea.com!example.de!1538690400!1538776800.xml", 0, 1, 1, 0, 0, 0, "example.de",
	    1538690400, 1538776800, DIALECT_DRAFT, W_XML_REPAIRED },
	{ PD "invalid_utf_8.xml", 0, 1, 1, 0, 0, 0, "example.com", 1538413632, 1538413632,
	    DIALECT_DRAFT, W_ENCODING_REPAIRED | W_ORG_FALLBACK },
	{ PD "invalid_xml.xml", REFUSE_XML_MALFORMED, 0, 0, 0, 0, 0, NULL, 0, 0, DIALECT_DRAFT, 0 },
	{ PD "nice-input.xml", 0, 20, 3047, 3047, 3046, 2637, "example.com", 1718236800, 1718323199,
	    DIALECT_RFC9990, 0 },
	{ PD "old_draft_from_wiki.xml", 0, 1, 2, 2, 0, 2, "example.com", 1335571200, 1335657599,
	    DIALECT_DRAFT, 0 },
	{ PD "protection.outlook.com!example.com!1711756800!1711843200.xml", 0, 1, 1, 0, 0, 0,
	    "example.com", 1711756800, 1711843200, DIALECT_RFC7489, 0 },
	{ PD "report_with_upper_cased_pass.xml", 0, 1, 1, 1, 1, 1, "example.com", 1574955300,
	    1575304683, DIALECT_DRAFT, 0 },
	{ PD "rfc9990-example.net!example.com!1700000000!1700086399.xml", 0, 2, 7, 5, 5, 5,
	    "example.com", 1700000000, 1700086399, DIALECT_RFC9990, 0 },
	/* RFC 9990's own sample is dated 1979: before DMARC reporting, so implausible */
	{ PD "rfc9990-sample.xml", REFUSE_IMPLAUSIBLE_PERIOD, 0, 0, 0, 0, 0, NULL, 0, 0,
	    DIALECT_RFC9990, 0 },
	{ PD "usssa.com!example.com!1538784000!1538870399.xml", 0, 2, 2, 0, 0, 0, "example.com",
	    1538784000, 1538870399, DIALECT_RFC7489, 0 },
	{ PD "veeam.com!example.com!1530133200!1530219600.xml", 0, 1, 1, 0, 0, 0, "example.com",
	    1530133200, 1530219600, DIALECT_DRAFT, 0 },
	{ PD "zoho.com!example.com!1581753600!1581840000.xml", 0, 8, 9, 0, 0, 0, "example.com",
	    1581753600, 1581840000, DIALECT_DRAFT, 0 },
};

Test(report_xml, corpus_every_aggregate_xml)
{
	char rel[512];
	size_t i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < sizeof CORPUS / sizeof CORPUS[0]; i++) {
		const struct corpus_case *c = &CORPUS[i];
		struct rsink s = { 0 };
		struct errbuf e = { "" };
		enum refusal why;

		snprintf(rel, sizeof rel, "corpus/%s", c->path);
		why = rsink_parse_file(tu_shared(rel), strrchr(c->path, '/') + 1, &s, &e);
		cr_assert_eq(why, c->why, "%s: refusal %s (%s)", c->path, refusal_code(why), e.msg);
		if (c->why != REFUSE_NONE) {
			cr_assert_eq(s.n_end, 0, "%s", c->path);
			cr_assert_eq(s.n_begin, s.n_abort, "%s: aborted if begun", c->path);
			rsink_free(&s);
			continue;
		}
		cr_assert_eq(s.n_end, 1, "%s", c->path);
		cr_assert_eq(s.totals.records, c->records, "%s: records %llu", c->path,
		    (unsigned long long)s.totals.records);
		cr_assert_eq(s.totals.messages, c->messages, "%s: messages", c->path);
		cr_assert_eq(s.totals.dmarc_pass, c->dmarc_pass, "%s: dmarc pass", c->path);
		cr_assert_eq(s.totals.dkim_aligned, c->dkim_aligned, "%s: dkim", c->path);
		cr_assert_eq(s.totals.spf_aligned, c->spf_aligned, "%s: spf", c->path);
		cr_assert_eq(s.totals.records_dropped, 0, "%s", c->path);
		cr_assert_eq(s.n_records, c->records, "%s: records at the sink", c->path);
		cr_assert_eq(s.seen.messages, c->messages, "%s", c->path);
		cr_assert_str_eq(s.h.policy_domain, c->domain, "%s", c->path);
		cr_assert_eq(s.h.begin, c->begin, "%s: begin %lld", c->path, (long long)s.h.begin);
		cr_assert_eq(s.h.end, c->end, "%s: end", c->path);
		cr_assert_eq(s.h.dialect, c->dialect, "%s: dialect %s", c->path,
		    dialect_name(s.h.dialect));
		cr_assert_eq(s.end_flags & c->flags, c->flags, "%s: flags %#llx", c->path,
		    (unsigned long long)s.end_flags);
		rsink_free(&s);
	}
}

Test(report_xml, corpus_refusals_say_why)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(rsink_parse_file(tu_shared("corpus/" PD "empty.xml"), NULL, &s, &e),
	    REFUSE_NO_REPORT);
	cr_assert(strstr(e.msg, "empty document") != NULL, "%s", e.msg);
	cr_assert_eq(rsink_parse_file(tu_shared("corpus/" PD "invalid_xml.xml"), NULL, &s, &e),
	    REFUSE_XML_MALFORMED);
	cr_assert(strncmp(e.msg, "line 5: ", 8) == 0, "%s", e.msg);
	rsink_free(&s);
}

Test(report_xml, corpus_invalid_utf8_refused_then_stored_after_repair)
{
	const char *path;
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why = REFUSE_NONE;
	unsigned char *buf;
	size_t len;

	TU_REQUIRE_SHARED();
	path = tu_shared("corpus/" PD "invalid_utf_8.xml");
	buf = tu_read_file(path, &len);
	cr_assert_eq(rsink_parse_mem(buf, len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_XML_ENCODING, "%s", e.msg);
	cr_assert(strstr(e.msg, "UTF-8") != NULL, "%s", e.msg);
	cr_assert_eq(s.n_begin, 1, "the bad byte is inside a record: the sink had begun");
	cr_assert_eq(s.n_abort, 1);
	cr_assert_eq(s.n_end, 0);
	free(buf);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	cr_assert_eq(rsink_parse_file(path, NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert(s.end_flags & W_ENCODING_REPAIRED);
	cr_assert(strstr(s.lines[0], "hf=bad_byte\xef\xbf\xbd ") != NULL, "%s", s.lines[0]);
	cr_assert_str_eq(s.h.org_name, "accurateplastics.com");
	rsink_free(&s);
}

Test(report_xml, corpus_enumerations_are_case_folded)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(rsink_parse_file(tu_shared("corpus/" PD "report_with_upper_cased_pass.xml"),
	                 NULL, &s, &e),
	    REFUSE_NONE);
	cr_assert(strstr(s.lines[0], " disp=none pe=pass/pass ") != NULL, "%s", s.lines[0]);
	cr_assert(strstr(s.lines[0],
	              "dkim=[example.com/-/pass/verify result: all signatures "
	              "verified] spf=[example.com/-/pass/-]") != NULL,
	    "%s", s.lines[0]);
	cr_assert(s.rec_flags[0] & W_ENUM_CASE);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	cr_assert_eq(rsink_parse_file(tu_shared("corpus/" CI "invalid_casing.xml"), NULL, &s, &e),
	    REFUSE_NONE);
	cr_assert(
	    strstr(s.lines[0],
	        "spf=[mydomain.org/-/none/-,mydomain.org/-/neutral/-,"
	        "mydomain.org/-/pass/-,mydomain.org/-/fail/-,mydomain.org/-/fail:HardFail/-,"
	        "mydomain.org/-/softfail/-,mydomain.org/-/temperror/-,mydomain.org/-/permerror/-]") !=
	        NULL,
	    "%s", s.lines[0]);
	rsink_free(&s);
}

/* ---- own fixtures (tests/fixtures/xml) ---- */

static enum refusal
parse_fixture(const char *name, const char *filename, struct rsink *s, struct errbuf *e)
{
	char rel[128];

	snprintf(rel, sizeof rel, "xml/%s", name);
	return rsink_parse_file(tu_fixture(rel), filename, s, e);
}

Test(report_xml, doctype_billion_laughs_refused_unexpanded)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	clock_t t0 = clock();

	cr_assert_eq(parse_fixture("doctype_billion_laughs.xml", NULL, &s, &e), REFUSE_XML_DOCTYPE,
	    "%s", e.msg);
	cr_assert(strstr(e.msg, "DOCTYPE") != NULL, "%s", e.msg);
	cr_assert_eq(s.n_begin, 0);
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
}

Test(report_xml, doctype_external_entity_refused)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("doctype_external_entity.xml", NULL, &s, &e), REFUSE_XML_DOCTYPE,
	    "%s", e.msg);
	cr_assert_eq(s.n_begin, 0);
	cr_assert(strstr(e.msg, "root:") == NULL, "no file content leaks: %s", e.msg);
}

Test(report_xml, deep_nesting_refused_quickly)
{
	const size_t depth = 100000;
	GString *g = g_string_new("<?xml version=\"1.0\"?><feedback><report_metadata>");
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why;
	clock_t t0 = clock();
	size_t i;

	for (i = 0; i < depth; i++)
		g_string_append(g, "<x>");
	for (i = 0; i < depth; i++)
		g_string_append(g, "</x>");
	g_string_append(g, "</report_metadata></feedback>");
	cr_assert_eq(rsink_parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_XML_LIMIT, "%s: %s", refusal_code(why), e.msg);
	cr_assert(strstr(e.msg, "nested deeper than 32") != NULL, "%s", e.msg);
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
	g_string_free(g, TRUE);
}

Test(report_xml, counts_at_the_plausible_bound_are_kept)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("counts_at_bound.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_records, 2);
	cr_assert(strstr(s.lines[0], " n=1000000000 ") != NULL, "%s", s.lines[0]);
	cr_assert(strstr(s.lines[1], " n=1000000000 ") != NULL, "%s", s.lines[1]);
	cr_assert_eq(s.rec_flags[0], 0);
	cr_assert_eq(s.rec_flags[1], 0, "'+' and spaces are fine, no flag");
	cr_assert_eq(s.totals.messages, UINT64_C(2000000000));
	cr_assert_eq(s.totals.records_dropped, 0);
	rsink_free(&s);
}

/* A document of n records of count each (text), the last one of count last. */
static GString *
counted_doc(unsigned n, const char *count, const char *last)
{
	GString *g = g_string_new("<feedback><report_metadata><org_name>o</org_name>"
	                          "<report_id>i</report_id><date_range><begin>1700000000</begin>"
	                          "<end>1700086399</end></date_range></report_metadata>"
	                          "<policy_published><domain>example.com</domain>"
	                          "</policy_published>");
	unsigned i;

	for (i = 0; i < n; i++)
		g_string_append_printf(g,
		    "<record><row><source_ip>192.0.2.%u</source_ip><count>%s</count>"
		    "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
		    "<spf>pass</spf></policy_evaluated></row><identifiers><header_from>"
		    "example.com</header_from></identifiers></record>",
		    i + 1, i + 1 == n ? last : count);
	g_string_append(g, "</feedback>");
	return g;
}

Test(report_xml, a_count_past_the_plausible_bound_refuses_the_report)
{
	static const char *const counts[] = { "1000000001", "9223372036854775807",
		"18446744073709551616", "99999999999999999999999999999999999999999999" };
	size_t i;

	for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		GString *g = counted_doc(3, "7", counts[i]);
		struct rsink s = { 0 };
		struct errbuf e = { "" };
		enum refusal why;

		cr_assert_eq(rsink_parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
		cr_assert_eq(why, REFUSE_IMPLAUSIBLE_COUNT, "%s: %s", counts[i], refusal_code(why));
		cr_assert(strstr(e.msg, "a record claims ") != NULL &&
		        strstr(e.msg, " messages (at most 1000000000)") != NULL,
		    "%s", e.msg);
		cr_assert_eq(s.n_end, 0, "never ended: nothing reaches a total");
		cr_assert_eq(s.n_abort, 1, "the records already sent are taken back");
		rsink_free(&s);
		g_string_free(g, TRUE);
	}
}

Test(report_xml, the_report_total_past_the_plausible_bound_refuses_the_report)
{
	GString *ok = counted_doc(10, "1000000000", "1000000000");
	GString *past = counted_doc(11, "1000000000", "1");
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why;

	cr_assert_eq(rsink_parse_mem(ok->str, ok->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "10^10 messages is the bound itself: %s", e.msg);
	cr_assert_eq(s.totals.messages, UINT64_C(10000000000));
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	cr_assert_eq(rsink_parse_mem(past->str, past->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_IMPLAUSIBLE_COUNT, "%s", refusal_code(why));
	cr_assert(strstr(e.msg, "the records claim more than 10000000000 messages in one report") !=
	        NULL,
	    "%s", e.msg);
	cr_assert_eq(s.n_end, 0);
	cr_assert_eq(s.n_abort, 1);
	rsink_free(&s);
	g_string_free(ok, TRUE);
	g_string_free(past, TRUE);
}

Test(report_xml, junk_before_root_is_cut)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("junk_before_root.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert(s.end_flags & W_XML_REPAIRED);
	cr_assert(s.h.flags & W_XML_REPAIRED, "known at begin already");
	cr_assert_eq(s.totals.records, 1);
	rsink_free(&s);
}

Test(report_xml, trailing_junk_ignored_but_hashed)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	unsigned char *buf;
	uint8_t want[32];
	size_t len;

	cr_assert_eq(parse_fixture("trailing_junk.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.totals.records, 1);
	cr_assert_eq(s.end_flags & W_XML_REPAIRED, 0);
	buf = tu_read_file(tu_fixture("xml/trailing_junk.xml"), &len);
	cr_assert_eq(buf[len - 1], '\n');
	rsink_sha256(buf, len - 1, want); /* the canonical form drops the final LF only */
	cr_assert_arr_eq(s.sha, want, 32);
	free(buf);
	rsink_free(&s);
}

Test(report_xml, millisecond_timestamps)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("millis_timestamps.xml", NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.h.begin, 1700000000);
	cr_assert_eq(s.h.end, 1700086399);
	cr_assert(s.h.flags & W_TS_MILLIS);
	rsink_free(&s);
}

Test(report_xml, begin_after_end_swapped)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("begin_after_end.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.h.begin, 1700000000);
	cr_assert_eq(s.h.end, 1700086399);
	cr_assert(s.h.flags & W_DATE_REVERSED);
	rsink_free(&s);
}

Test(report_xml, missing_org_name_falls_back_to_email_domain)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("missing_org_name.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_str_eq(s.h.org_name, "mail.fallback.example");
	cr_assert_str_eq(s.h.org_key, "mail.fallback.example");
	cr_assert(s.h.flags & W_ORG_FALLBACK);
	rsink_free(&s);
}

#define FN_RID "reports/Receiver.Example!example.com!1700000000!1700086399!abc123.xml.gz"

Test(report_xml, missing_report_id_falls_back_to_file_name)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("missing_report_id.xml", FN_RID, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_str_eq(s.h.report_id, "abc123");
	cr_assert(s.h.flags & W_REPORT_ID_SYNTH);
	cr_assert_eq(s.h.flags & W_FILENAME_MISMATCH, 0, "file name agrees with the XML");
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	{
		struct report_hints hints = { FN_RID,
			"Report Domain: example.com\r\n "
			"Submitter: receiver.example Report-ID: <rid-42@receiver.example>",
			NULL };
		struct report_sink sink = rsink_sink(&s);
		struct mem_reader m;
		struct byte_reader rd;
		enum refusal why;
		unsigned char *buf;
		size_t len;

		buf = tu_read_file(tu_fixture("xml/missing_report_id.xml"), &len);
		rd = mem_reader_init(&m, buf, len);
		cr_assert_eq(report_xml_parse(&rd, &hints, 0, &sink, &why, &e), 0);
		cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
		cr_assert_str_eq(s.h.report_id, "rid-42@receiver.example",
		    "the Subject comes first");
		free(buf);
		rsink_free(&s);
		memset(&s, 0, sizeof s);
	}
	cr_assert_eq(parse_fixture("missing_report_id.xml", NULL, &s, &e), REFUSE_NONE);
	cr_assert_eq(strlen(s.h.report_id), 7 + 32, "%s", s.h.report_id);
	cr_assert(strncmp(s.h.report_id, "sha256:", 7) == 0, "%s", s.h.report_id);
	cr_assert(s.h.flags & W_REPORT_ID_SYNTH);
	rsink_free(&s);
}

Test(report_xml, rfc9990_extension_content_skipped)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("rfc9990_extension.xml", NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_RFC9990);
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_eq(s.totals.records, 2);
	cr_assert_eq(s.totals.messages, 3, "x:row/x:count is not ours");
	cr_assert_eq(s.totals.dmarc_pass, 1);
	cr_assert(strstr(s.lines[0], "evil") == NULL, "%s", s.lines[0]);
	cr_assert_eq(s.rec_flags[0] & W_DUP_ELEMENT, 0);
	rsink_free(&s);
}

Test(report_xml, utf8_bom_skipped_and_not_hashed)
{
	struct rsink a = { 0 }, b = { 0 };
	struct errbuf e = { "" };
	enum refusal why;
	unsigned char *buf;
	size_t len;

	cr_assert_eq(parse_fixture("bom.xml", NULL, &a, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(a.end_flags & W_XML_REPAIRED, 0, "a BOM is no repair");
	buf = tu_read_file(tu_fixture("xml/bom.xml"), &len);
	cr_assert_arr_eq(buf, "\xef\xbb\xbf<?xml", 8);
	cr_assert_eq(rsink_parse_mem(buf + 3, len - 3, NULL, &b, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE);
	cr_assert_arr_eq(a.sha, b.sha, 32);
	free(buf);
	rsink_free(&a);
	rsink_free(&b);
}
