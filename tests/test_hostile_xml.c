/*
 * Hostile XML through the whole ingest path (hostile_util.h): DOCTYPE,
 * XXE and billion laughs (also gzipped and in UTF-16), deep nesting, huge
 * values and attribute lists, numbers past 2^64, invalid UTF-8, NUL bytes.
 * Decompression and MIME: test_hostile.c.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "extract.h"
#include "flags.h"
#include "hostile_util.h"
#include "testutil.h"

static void
setup(void)
{
	extract_init();
}

TestSuite(hostile, .init = setup);

/* ---- XML ---- */

/* Extracts a NUL-terminated document as a bare .xml file. */
static void
run_xml(const char *doc, struct tally *t, struct extract_result *res)
{
	hostile_run(doc, strlen(doc), "r.xml", t, res);
}

/* doc (ASCII) as UTF-16LE with a BOM. */
static GString *
utf16le(const char *doc)
{
	GString *g = g_string_new_len("\xff\xfe", 2);

	for (; *doc != '\0'; doc++) {
		g_string_append_c(g, *doc);
		g_string_append_c(g, '\0');
	}
	return g;
}

Test(hostile, doctype_xxe_and_billion_laughs_refused_unexpanded)
{
	static const char *const docs[] = {
		XML_DECL "<!DOCTYPE feedback>\n<feedback>" META POLICY RECORD "</feedback>",
		XML_DECL
		"<!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>",
		XML_DECL
		"<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>\n"
		"<feedback>&lol4;</feedback>",
		XML_DECL "<!DOCTYPE f [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>"
		         "<feedback/>",
	};
	const char *reason = "E_XML_DOCTYPE: document has a DOCTYPE declaration (refused: DMARC "
	                     "reports never need one)";
	struct extract_result res;
	struct tally t;
	struct blob gz;
	GString *g;
	size_t i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		run_xml(docs[i], &t, &res);
		hostile_assert_refused(&res, REFUSE_XML_DOCTYPE, reason);
		cr_assert_eq(t.begun, 0);
		gz = hostile_gzip_of(docs[i], strlen(docs[i]));
		hostile_run(gz.p, gz.len, "r.xml.gz", &t, &res);
		hostile_assert_refused(&res, REFUSE_XML_DOCTYPE, reason);
		hostile_blob_free(&gz);
	}
	/* UTF-16 goes to libxml2 untracked: its DOCTYPE callback refuses it */
	g = utf16le("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE feedback [<!ENTITY x "
	            "SYSTEM \"file:///etc/passwd\">]><feedback>&x;</feedback>");
	hostile_run(g->str, g->len, "r.xml", &t, &res);
	hostile_assert_refused(&res, REFUSE_XML_DOCTYPE,
	    "E_XML_DOCTYPE: line 1: document has a DOCTYPE "
	    "or entity declarations (refused: never expanded)");
	cr_assert_eq(t.begun, 0);
	g_string_free(g, TRUE);
}

Test(hostile, nesting_100000_deep)
{
	static const char *const opens[] = { "<extension>", "" };
	struct extract_result res;
	struct tally t;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		GString *g = g_string_new(XML_DECL "<feedback>" META POLICY);

		/* inside an element that is skipped, then records never closed */
		g_string_append(g, opens[k]);
		for (i = 0; i < 100000; i++)
			g_string_append(g, k == 0 ? "<x>" : "<record>");
		hostile_run(g->str, g->len, "r.xml", &t, &res);
		hostile_assert_refused(&res, REFUSE_XML_LIMIT,
		    "E_XML_LIMIT: line 2: elements nested deeper than 32");
		cr_assert_eq(t.ended, 0);
		g_string_free(g, TRUE);
	}
}

/* A document of prefix, n bytes of c, then suffix. */
static GString *
report_around(const char *prefix, char c, size_t n, const char *suffix)
{
	GString *g = g_string_sized_new(n + 1024);

	g_string_append(g, prefix);
	memset(g->str + g->len, c, n);
	g_string_set_size(g, g->len + n);
	g_string_append(g, suffix);
	return g;
}

Test(hostile, values_of_10_mib)
{
	static const struct {
		const char *name, *prefix, *suffix;
		enum refusal why;
	} cases[] = {
		{ "attribute", XML_DECL "<feedback a=\"", "\">" META POLICY RECORD "</feedback>",
		    REFUSE_XML_LIMIT },
		{ "comment", XML_DECL "<feedback>" META "<!--", "-->" POLICY RECORD "</feedback>",
		    REFUSE_XML_LIMIT },
		{ "CDATA", XML_DECL "<feedback>" META POLICY "<record><row><source_ip><![CDATA[",
		    "]]></source_ip></row></record></feedback>", REFUSE_XML_LIMIT },
		{ "element name", XML_DECL "<feedback>" META "<", "/>" POLICY RECORD "</feedback>",
		    REFUSE_XML_LIMIT },
		/* text streams: kept up to BOUND_XML_TEXT, or skipped */
		{ "text skipped", XML_DECL "<feedback>" META POLICY "<extension>",
		    "</extension>" RECORD "</feedback>", REFUSE_NONE },
		{ "text kept", XML_DECL "<feedback><report_metadata><org_name>",
		    "</org_name><report_id>x</report_id><date_range><begin>1700000000</begin>"
		    "<end>1700086399</end></date_range></report_metadata>" POLICY RECORD
		    "</feedback>",
		    REFUSE_NONE },
	};
	struct extract_result res;
	struct tally t;
	size_t i;
	long grew;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		GString *g = report_around(cases[i].prefix, 'A', 10 * MiB, cases[i].suffix);

		grew = hostile_run(g->str, g->len, "r.xml", &t, &res);
		cr_assert_lt(grew, 128, "%s: %ld MiB", cases[i].name, grew);
		cr_assert_eq(res.why, cases[i].why, "%s: %s", cases[i].name, res.reason.msg);
		if (cases[i].why == REFUSE_XML_LIMIT)
			cr_assert_str_eq(res.reason.msg,
			    "E_XML_LIMIT: line 2: internal error: Huge input lookup (a single "
			    "name, value, comment or section longer than libxml2's limit)",
			    "%s", cases[i].name);
		else
			cr_assert_eq(t.records, 1, "%s", cases[i].name);
		g_string_free(g, TRUE);
	}
	cr_assert_eq(t.org_len, BOUND_XML_TEXT, "the 10 MiB name, cut");
	cr_assert(t.flags & W_TEXT_TRUNCATED);
}

/* A report whose <record> start tag has n attributes: name, its index, then rest. */
static GString *
many_attributes(size_t n, const char *name, const char *rest)
{
	GString *g = g_string_new(XML_DECL "<feedback>" META POLICY "<record");
	size_t i;

	for (i = 0; i < n; i++)
		g_string_append_printf(g, " %s%zu%s", name, i, rest);
	g_string_append(g, ">");
	g_string_append(g, &RECORD[strlen("<record>")]);
	g_string_append(g, "</feedback>");
	return g;
}

Test(hostile, start_tag_with_100000_attributes)
{
	static const char *const attrs[][2] = { { "a", "=\"\"" }, { "xmlns:p", " = 'u'" },
		{ "a", "=\"&lt;>\"" } };
	struct extract_result res;
	struct tally t;
	GString *g, *u;
	size_t i;

	/* libxml2 checks duplicates pairwise: 100,000 would cost it minutes */
	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		g = many_attributes(100000, attrs[i][0], attrs[i][1]);
		hostile_run(g->str, g->len, "r.xml", &t, &res);
		hostile_assert_refused(&res, REFUSE_XML_LIMIT,
		    "E_XML_LIMIT: an element has more than 256 attributes");
		if (i == 0) {
			u = utf16le(g->str);
			hostile_run(u->str, u->len, "r.xml", &t, &res);
			hostile_assert_refused(&res, REFUSE_XML_LIMIT,
			    "E_XML_LIMIT: an element has more than 256 attributes");
			g_string_free(u, TRUE);
		}
		g_string_free(g, TRUE);
	}
	g = many_attributes(BOUND_XML_ATTRS, attrs[0][0], attrs[0][1]);
	hostile_run(g->str, g->len, "r.xml", &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "up to the bound: %s", res.reason.msg);
	cr_assert_eq(t.records, 1);
	g_string_free(g, TRUE);
}

Test(hostile, encodings_the_attribute_guard_cannot_read)
{
	struct extract_result res;
	struct tally t;

	/* '<' and '=' need not be their ASCII bytes there: refused after the first chunk */
	run_xml("<?xml version=\"1.0\" encoding=\"UTF-7\"?><feedback>" META POLICY RECORD
	        "</feedback>",
	    &t, &res);
	hostile_assert_refused(&res, REFUSE_XML_LIMIT,
	    "E_XML_LIMIT: encoding UTF-7 is not read (UTF-8, "
	    "UTF-16, US-ASCII, ISO-8859-n or Windows-125n)");
	run_xml("<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?><feedback>" META POLICY RECORD
	        "</feedback>",
	    &t, &res);
	hostile_assert_refused(&res, REFUSE_XML_LIMIT,
	    "E_XML_LIMIT: encoding EBCDIC-US is not read "
	    "(UTF-8, UTF-16, US-ASCII, ISO-8859-n or Windows-125n)");
	/* the usual ones are read */
	run_xml("<?xml version=\"1.0\" encoding=\"windows-1252\"?><feedback>" META POLICY RECORD
	        "</feedback>",
	    &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	run_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><feedback>" META POLICY RECORD
	        "</feedback>",
	    &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
}

Test(hostile, numbers_past_2_64)
{
	static const char *const counts[] = { "18446744073709551616",
		"99999999999999999999999999999999999999999999999999" };
	struct extract_result res;
	struct tally t;
	GString *g;
	size_t i;

	for (i = 0; i < 2; i++) {
		/* a count past 2^64 is an implausible claim: the report is refused */
		g = g_string_new(XML_DECL "<feedback>" META POLICY);
		g_string_append_printf(g,
		    "<record><row><source_ip>192.0.2.9</source_ip><count>%s"
		    "</count></row></record>" RECORD "</feedback>",
		    counts[i]);
		hostile_run(g->str, g->len, "r.xml", &t, &res);
		cr_assert_eq(res.why, REFUSE_IMPLAUSIBLE_COUNT, "%s", res.reason.msg);
		cr_assert_eq(res.documents, 0);
		g_string_free(g, TRUE);

		/* a begin past 2^64 refuses the report */
		g = g_string_new(XML_DECL "<feedback><report_metadata><org_name>O</org_name>"
		                          "<report_id>i</report_id><date_range><begin>");
		g_string_append_printf(g,
		    "%s</begin><end>1700086399</end></date_range>"
		    "</report_metadata>" POLICY RECORD "</feedback>",
		    counts[i]);
		hostile_run(g->str, g->len, "r.xml", &t, &res);
		cr_assert_eq(res.why, REFUSE_BAD_TIMESTAMP, "%s", res.reason.msg);
		cr_assert(strstr(res.reason.msg, "E_BAD_TIMESTAMP: date_range/begin '") != NULL &&
		        strstr(res.reason.msg, "' is out of range (negative or after year 9999)") !=
		            NULL,
		    "%s", res.reason.msg);
		g_string_free(g, TRUE);
	}
	/* 100,000 digits: the text is cut at BOUND_XML_TEXT, still out of range */
	g = report_around(XML_DECL "<feedback><report_metadata><org_name>O</org_name><report_id>i"
	                           "</report_id><date_range><begin>",
	    '9', 100000,
	    "</begin><end>1700086399</end>"
	    "</date_range></report_metadata>" POLICY RECORD "</feedback>");
	hostile_run(g->str, g->len, "r.xml", &t, &res);
	cr_assert_eq(res.why, REFUSE_BAD_TIMESTAMP, "%s", res.reason.msg);
	g_string_free(g, TRUE);
}

Test(hostile, invalid_utf8_is_repaired_and_flagged)
{
	struct extract_result res;
	struct tally t;
	GString *g;

	/* overlong NUL, a surrogate, a 5-byte form, 0xff 0xfe, past U+10FFFF, a cut sequence */
	run_xml(XML_DECL
	    "<feedback><report_metadata><org_name>\xc0\x80\xed\xa0\x80"
	    "\xf8\x88\x80\x80\x80\xff\xfe\xf4\x90\x80\x80</org_name><email>r@org.example</email>"
	    "<report_id>\x80\x80</report_id><date_range><begin>1700000000</begin><end>1700086399"
	    "</end></date_range></report_metadata>" POLICY RECORD "</feedback>\xe2\x82",
	    &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert(t.flags & W_ENCODING_REPAIRED);
	cr_assert(strncmp(t.org, "\xef\xbf\xbd", 3) == 0, "U+FFFD in place: %s", t.org);
	cr_assert_eq(t.records, 1);

	/* 10 MiB of 0xff: each becomes 3 bytes, and the text cap still holds */
	g = report_around(XML_DECL "<feedback><report_metadata><org_name>", '\xff', 10 * MiB,
	    "</org_name><report_id>x</report_id><date_range><begin>1700000000</begin>"
	    "<end>1700086399</end></date_range></report_metadata>" POLICY RECORD "</feedback>");
	cr_assert_lt(hostile_run(g->str, g->len, "r.xml", &t, &res), 128);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(t.flags & (W_ENCODING_REPAIRED | W_TEXT_TRUNCATED),
	    W_ENCODING_REPAIRED | W_TEXT_TRUNCATED);
	cr_assert(t.org_len <= BOUND_XML_TEXT && t.org_len > BOUND_XML_TEXT - 4, "%zu", t.org_len);
	cr_assert(strncmp(t.org, "\xef\xbf\xbd\xef\xbf\xbd", 6) == 0, "%s", t.org);
	g_string_free(g, TRUE);
}

Test(hostile, nul_bytes_inside_the_xml)
{
	static const struct {
		const char *name, *before, *after;
	} cases[] = {
		{ "in a text", XML_DECL "<feedback><report_metadata><org_name>a", "b</org_name>" },
		{ "between elements", XML_DECL "<feedback>" META, POLICY RECORD "</feedback>" },
		{ "in a name", XML_DECL "<feedback>" META "<pol", "icy_published/>" },
		{ "before the root", "<", "?xml version=\"1.0\"?><feedback/>" },
	};
	struct extract_result res;
	struct tally t;
	GString *g;
	size_t i;
	char want[128];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		g = g_string_new(cases[i].before);
		g_string_append_len(g, "\0", 1);
		g_string_append(g, cases[i].after);
		hostile_run(g->str, g->len, "r.xml", &t, &res);
		snprintf(want, sizeof want,
		    "E_XML_MALFORMED: line %d: Char 0x0 out of allowed range", i == 3 ? 1 : 2);
		hostile_assert_refused(&res, REFUSE_XML_MALFORMED, want);
		cr_assert_eq(t.ended, 0, "%s", cases[i].name);
		g_string_free(g, TRUE);
	}
	/* after the root: trailing bytes, never parsed */
	g = g_string_new(REPORT);
	g_string_append_len(g, "\0\0\0\0", 4);
	hostile_run(g->str, g->len, "r.xml", &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(t.records, 1);
	g_string_free(g, TRUE);
}
