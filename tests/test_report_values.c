/* ingest/report_xml.c, report_leaf.c, report_norm.c: small documents, table-driven. */
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

/* ---- small documents, table-driven ---- */

struct mini_case {
	const char *name;
	const char *doc; /* whole document, or NULL to build one */
	const char *meta, *policy, *records;
	const char *filename, *subject, *from;
	enum refusal why;
	const char *err_has; /* substring of the refusal reason */
	uint64_t rep_flags;  /* must be set on the report (at end) */
	const char *line0;   /* substring of the first record's line */
	uint64_t rec_flags0; /* the first record's flags, exactly */
};

static const struct mini_case MINI[] = {
	{ "root is not feedback", "<html><body>hello</body></html>", 0, 0, 0, 0, 0, 0,
	    REFUSE_NOT_DMARC, "root element is <html>", 0, NULL, 0 },
	{ "truncated document", "<feedback>" META POLICY "<record><row><source_ip>1.2", 0, 0, 0, 0,
	    0, 0, REFUSE_XML_MALFORMED, "line 1: ", 0, NULL, 0 },
	{ "entity without DOCTYPE", "<feedback>" META POLICY "&foo;</feedback>", 0, 0, 0, 0, 0, 0,
	    REFUSE_XML_MALFORMED, "foo", 0, NULL, 0 },
	{ "no policy domain anywhere", NULL, META,
	    "<policy_published><p>none</p>"
	    "</policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_MISSING_POLICY_DOMAIN, "policy_published/domain", 0, NULL, 0 },
	{ "policy domain from the Subject", NULL, META,
	    "<policy_published><domain> </domain>"
	    "</policy_published>",
	    OK_REC, 0,
	    "Report domain: Sub.Example Submitter: google.com "
	    "Report-ID: <1234>",
	    0, REFUSE_NONE, NULL, 0, " hf=example.com ", W_HFROM_OUTSIDE_DOMAIN },
	{ "no policy_published at all", NULL, META, "", OK_REC, FN, 0, 0, REFUSE_NONE, NULL,
	    W_POLICY_PUBLISHED_MISSING, NULL, 0 },
	{ "org from the sender", NULL,
	    "<report_metadata><report_id>x</report_id><date_range>"
	    "<begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, "DMARC Reports <noreply-dmarc@Mail.Example>", REFUSE_NONE, NULL,
	    W_ORG_FALLBACK, NULL, 0 },
	{ "no reporter anywhere", NULL,
	    "<report_metadata><org_name/><report_id>x</report_id>"
	    "<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_MISSING_REPORTER, "org_name", 0, NULL, 0 },
	{ "negative begin", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>-5</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, FN, 0, 0, REFUSE_BAD_TIMESTAMP, "date_range/begin '-5' is out of range",
	    0, NULL, 0 },
	{ "begin after 9999", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>999999999999999</begin><end>1</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_BAD_TIMESTAMP, "out of range", 0, NULL, 0 },
	{ "begin not a number", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>yesterday</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_BAD_TIMESTAMP,
	    "date_range/begin 'yesterday' is not a number", 0, NULL, 0 },
	{ "dates from the file name", NULL,
	    "<report_metadata><org_name>M</org_name>"
	    "<report_id>x</report_id></report_metadata>",
	    POLICY, OK_REC, FN, 0, 0, REFUSE_NONE, NULL, W_DATE_FROM_FILENAME, NULL, 0 },
	{ "file name disagrees", NULL, META, POLICY, OK_REC,
	    "r.example!other.example!1700000000!1700086399.xml", 0, 0, REFUSE_NONE, NULL,
	    W_FILENAME_MISMATCH, NULL, 0 },
	{ "weekly span is fine, 40 days is long", NULL,
	    "<report_metadata><org_name>M</org_name>"
	    "<report_id>x</report_id><date_range><begin>1700000000</begin><end>1703456000</end>"
	    "</date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_SPAN_LONG, NULL, 0 },
	/* plausibility of the period (bounds.h): 62 days at most, from 2012, not in the future */
	{ "62 days is the longest period", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>1700006400</begin><end>1705363199</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_SPAN_LONG, NULL, 0 },
	{ "63 days is implausible", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>1700006400</begin><end>1705449599</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD,
	    "date_range 2023-11-15T00:00:00Z..2024-01-16T23:59:59Z spans 63 days (at most 62)", 0,
	    NULL, 0 },
	{ "three years is implausible", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>1609459200</begin><end>1704153599</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD, "spans 1096 days (at most 62)", 0,
	    NULL, 0 },
	{ "before 2012", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>1325289600</begin><end>1325375999</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD,
	    "date_range 2011-12-31T00:00:00Z..2011-12-31T23:59:59Z begins before 2012", 0, NULL,
	    0 },
	{ "begin 0", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>0</begin><end>1700086399</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD, "1970-01-01T00:00:00Z", 0, NULL,
	    0 },
	{ "ends in 9999", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>253402214400</begin><end>253402300799</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD,
	    "9999-12-31T23:59:59Z ends more than 48 hours in the future", 0, NULL, 0 },
	{ "ends in 2038", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x</report_id><date_range>"
	    "<begin>2147400000</begin><end>2147483647</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_IMPLAUSIBLE_PERIOD, "in the future", 0, NULL, 0 },
	{ "empty report", "<feedback>" META POLICY "</feedback>", 0, 0, 0, 0, 0, 0, REFUSE_NONE,
	    NULL, W_NO_RECORDS, NULL, 0 },
	{ "bare root with every fallback", "<feedback/>", 0, 0, 0, FN, 0, 0, REFUSE_NONE, NULL,
	    W_NO_RECORDS | W_ORG_FALLBACK | W_DATE_FROM_FILENAME | W_POLICY_PUBLISHED_MISSING |
	        W_REPORT_ID_SYNTH,
	    NULL, 0 },
	{ "duplicate policy_published", NULL, META,
	    POLICY "<policy_published><domain>evil.example"
	           "</domain></policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_DUP_ELEMENT, " hf=example.com ", 0 },
	{ "duplicate count", NULL, META, POLICY,
	    REC("<row><source_ip>192.0.2.1</source_ip><count>"
	        "4</count><count>400</count><policy_evaluated>" PE_OK "</policy_evaluated></row>",
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " n=4 ", W_DUP_ELEMENT },
	{ "count N.0", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "12.0", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    0, " n=12 ", W_NUMBER_FORMAT },
	{ "count zero", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "0", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL, 0,
	    " n=0 ", W_COUNT_ZERO },
	{ "count 1.5 dropped", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1.5", PE_OK), HF("example.com"), "") OK_REC, 0, 0, 0, REFUSE_NONE,
	    NULL, W_RECORD_DROPPED, " n=1 ", 0 },
	{ "count -1 dropped", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "-1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    W_RECORD_DROPPED | W_NO_RECORDS, NULL, 0 },
	{ "row missing dropped", NULL, META, POLICY, "<record>" HF("example.com") "</record>", 0, 0,
	    0, REFUSE_NONE, NULL, W_RECORD_DROPPED, NULL, 0 },
	{ "bracketed IPv4", NULL, META, POLICY,
	    REC(ROW(" [192.0.2.1] ", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE,
	    NULL, 0, "ip=192.0.2.1/4 raw=[192.0.2.1] ", W_IP_NORMALIZED },
	{ "IPv6: prefix", NULL, META, POLICY,
	    REC(ROW("IPv6:2001:DB8:0:0::1", "1", PE_OK), HF("example.com"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, "ip=2001:db8::1/6 ", W_IP_NORMALIZED },
	{ "zone id", NULL, META, POLICY,
	    REC(ROW("fe80::1%eth0", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    0, "ip=fe80::1/6 raw=fe80::1%eth0 ", W_IP_NORMALIZED },
	{ "IPv4 with leading zeros", NULL, META, POLICY,
	    REC(ROW("010.1.1.1", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL, 0,
	    "ip=/0 raw=010.1.1.1 ", W_IP_INVALID },
	{ "header_from as an address", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("&lt;User@Mail.Example.COM.&gt;"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, " hf=mail.example.com ", W_DOMAIN_NORMALIZED },
	{ "header_from outside", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("example.community"), ""), 0, 0, 0, REFUSE_NONE,
	    NULL, 0, " hf=example.community ", W_HFROM_OUTSIDE_DOMAIN },
	{ "header_from missing", NULL, META, POLICY, REC(ROW("192.0.2.1", "1", PE_OK), "", ""), 0,
	    0, 0, REFUSE_NONE, NULL, 0, " hf=example.com ", W_HFROM_MISSING },
	{ "policy_evaluated words", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", "<disposition>discard</disposition><dkim>softfail</dkim>"),
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " disp=-:discard pe=fail/- ",
	    W_ENUM_UNKNOWN | W_PE_INCOMPLETE },
	{ "reasons", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1",
	            PE_OK
	            "<reason><comment>just a comment</comment></reason><reason><type>Weird</type></reason>"
	            "<reason><type/><comment/></reason><reason><type>Mailing_List</type></reason>"),
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0,
	    " reasons=[other/just a comment,other:Weird/-,mailing_list/-] ",
	    W_ENUM_UNKNOWN | W_ENUM_CASE },
	{ "dkim without selector, draft", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"),
	        "<dkim><domain>example.com</domain><result>pass</result></dkim>"),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " dkim=[example.com/-/pass/-] ", 0 },
	{ "dkim without selector, rfc9990",
	    NS9990 META POLICY REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"),
	        "<dkim><domain>example.com</domain>"
	        "<result>pass</result></dkim><spf><domain>example.com</domain><scope>helo</scope>"
	        "<result>pass</result></spf><spf><domain>example.com</domain><result>pass</result></spf>") "</feedback>",
	    0, 0, 0, 0, 0, 0, REFUSE_NONE, NULL, 0, " dkim=[example.com/-/pass/-] ",
	    W_DKIM_NO_SELECTOR | W_SPF_MULTI | W_RFC9990_DEVIATION },
	{ "rfc9990 without namespace: pct is a deviation", NULL,
	    META "<generator>g 1.0</generator>",
	    "<policy_published><domain>example.com</domain><p>none</p><pct>100</pct>"
	    "</policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_RFC9990_DEVIATION, NULL, 0 },
	{ "CDATA is text", NULL,
	    "<report_metadata><org_name><![CDATA[Cdata <Org>]]></org_name>"
	    "<report_id>x</report_id><date_range><begin>1700000000</begin><end>1700086399</end>"
	    "</date_range></report_metadata>",
	    POLICY, REC(ROW("192.0.2.1", "1", PE_OK), HF("<![CDATA[example.com]]>"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, " hf=example.com ", 0 },
	{ "unknown elements and stray text", NULL, META "<vendor><org_name>no</org_name></vendor>",
	    POLICY "stray",
	    REC(ROW("192.0.2.1", "3", PE_OK "<extra>1</extra>"),
	        HF("example.com") "<comment>x</comment>", ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " n=3 ", 0 },
	{ "declared Latin-1",
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback>"
	    "<report_metadata><org_name>Caf\xe9</org_name><report_id>x</report_id><date_range>"
	    "<begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>" POLICY
	        OK_REC "</feedback>",
	    0, 0, 0, 0, 0, 0, REFUSE_NONE, NULL, 0, NULL, 0 },
};

Test(report_xml, small_documents)
{
	size_t i;

	for (i = 0; i < sizeof MINI / sizeof MINI[0]; i++) {
		const struct mini_case *c = &MINI[i];
		struct report_hints hints = { c->filename, c->subject, c->from };
		struct rsink s = { .keep = true };
		struct report_sink sink = rsink_sink(&s);
		struct errbuf e = { "" };
		enum refusal why;
		struct mem_reader m;
		struct byte_reader rd;
		char *doc;

		doc = c->doc != NULL ?
		    g_strdup(c->doc) :
		    g_strdup_printf("<feedback>%s%s%s</feedback>", c->meta, c->policy, c->records);
		rd = mem_reader_init(&m, doc, strlen(doc));
		cr_assert_eq(report_xml_parse(&rd, &hints, 0, &sink, &why, &e), 0, "%s", c->name);
		cr_assert_eq(why, c->why, "%s: %s (%s)", c->name, refusal_code(why), e.msg);
		if (c->err_has != NULL)
			cr_assert(strstr(e.msg, c->err_has) != NULL, "%s: '%s'", c->name, e.msg);
		if (why != REFUSE_NONE) {
			cr_assert_eq(s.n_end, 0, "%s", c->name);
			cr_assert_eq(s.n_abort, s.n_begin, "%s", c->name);
		} else {
			cr_assert_eq(s.n_end, 1, "%s", c->name);
			cr_assert_eq(s.end_flags & c->rep_flags, c->rep_flags, "%s: %#llx", c->name,
			    (unsigned long long)s.end_flags);
		}
		if (c->line0 != NULL) {
			cr_assert_not_null(s.lines[0], "%s", c->name);
			cr_assert(strstr(s.lines[0], c->line0) != NULL, "%s: %s", c->name,
			    s.lines[0]);
			cr_assert_eq(s.rec_flags[0], c->rec_flags0, "%s: %#llx", c->name,
			    (unsigned long long)s.rec_flags[0]);
		}
		g_free(doc);
		rsink_free(&s);
	}
}

Test(report_xml, small_documents_values)
{
	struct rsink s = { .keep = true };
	struct errbuf e = { "" };
	enum refusal why;
	GString *g = g_string_new("<feedback><report_metadata><org_name>");
	size_t i;

	for (i = 0; i < 70000; i++)
		g_string_append_c(g, (char)('a' + i % 26));
	g_string_append(g,
	    "</org_name><report_id>x</report_id><date_range><begin>1700000000"
	    "</begin><end>1700086399</end></date_range></report_metadata>" POLICY
	    "<record>" ROW("192.0.2.1", "1", PE_OK) HF("example.com") "<auth_results>");
	for (i = 0; i < 101; i++)
		g_string_append_printf(g,
		    "<dkim><domain>d%zu.example</domain><selector>s"
		    "</selector><result>pass</result></dkim>",
		    i);
	g_string_append(g, "</auth_results></record></feedback>");
	cr_assert_eq(rsink_parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(strlen(s.h.org_name), BOUND_XML_TEXT);
	cr_assert(s.h.flags & W_TEXT_TRUNCATED);
	cr_assert(s.rec_flags[0] & W_LIMIT_TRUNCATED);
	cr_assert(strstr(s.lines[0], "d99.example/s/pass/-]") != NULL);
	cr_assert(strstr(s.lines[0], "d100.example") == NULL);
	g_string_free(g, TRUE);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	/* Latin-1 declared: stored as UTF-8 */
	cr_assert_eq(rsink_parse_mem(MINI[sizeof MINI / sizeof MINI[0] - 1].doc,
	                 strlen(MINI[sizeof MINI / sizeof MINI[0] - 1].doc), NULL, &s, &why, &e),
	    0);
	cr_assert_str_eq(s.h.org_name, "Caf\xc3\xa9");
	rsink_free(&s);
}
