#include <criterion/criterion.h>
#include <string.h>

#include "sniff.h"

struct sniff_case {
	const char *label;
	const char *bytes;
	size_t len;
	enum sniff_kind want;
};

/* clang-format off */
#define CASE(label, lit, want) { label, lit, sizeof lit - 1, want }
/* clang-format on */

static const struct sniff_case cases[] = {
	CASE("empty", "", SNIFF_EMPTY),
	CASE("blanks only", " \r\n\t", SNIFF_EMPTY),
	CASE("gzip member", "\x1f\x8b\x08\x08\0\0\0\0", SNIFF_GZIP),
	CASE("gzip magic alone", "\x1f\x8b", SNIFF_GZIP),
	CASE("zip local header", "PK\x03\x04\x14\0", SNIFF_ZIP),
	CASE("empty zip", "PK\x05\x06\0\0", SNIFF_ZIP),
	CASE("zip spanning marker is not a zip", "PK\x07\x08", SNIFF_OTHER),
	CASE("xml declaration", "<?xml version=\"1.0\"?><feedback/>", SNIFF_XML),
	CASE("xml without declaration", "<feedback>", SNIFF_XML),
	CASE("xml after blank lines", "\r\n\r\n  \t<feedback>", SNIFF_XML),
	CASE("utf-8 bom then xml", "\xef\xbb\xbf<?xml", SNIFF_XML),
	CASE("utf-8 bom, blank, xml", "\xef\xbb\xbf\n <feedback>", SNIFF_XML),
	CASE("utf-16le bom", "\xff\xfe<\0?\0", SNIFF_XML),
	CASE("utf-16be bom", "\xfe\xff\0<\0?", SNIFF_XML),
	CASE("json", "{\"organization-name\":\"x\"}", SNIFF_JSON),
	CASE("json after blanks", "\n  {", SNIFF_JSON),
	CASE("ole (outlook .msg)", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", SNIFF_OLE),
	CASE("tnef (winmail.dat)", "\x78\x9f\x3e\x22\x01\x00", SNIFF_OLE),
	CASE("mbox From line", "From MAILER-DAEMON Tue Apr 30 02:09:16 2019\n", SNIFF_MAIL),
	CASE("header block", "Received: from x\nFrom: a@b\nSubject: s\n\nbody", SNIFF_MAIL),
	CASE("header block, CRLF", "Return-Path: <a@b>\r\nTo: c@d\r\n\r\n", SNIFF_MAIL),
	CASE("header with a known field later", "X-Mailer: m\nX-Id: 1\nMessage-ID: <a@b>\n\n",
	    SNIFF_MAIL),
	CASE("known field only after the blank line", "X-Note: a\n\nFrom: x\n", SNIFF_OTHER),
	CASE("prose with a colon", "Note: see the attachment\n", SNIFF_OTHER),
	CASE("first line not a field", "Hello\nFrom: a@b\n", SNIFF_OTHER),
	CASE("html", "<p>hello</p>", SNIFF_XML),
	CASE("random text", "just text", SNIFF_OTHER),
	CASE("binary", "\x00\x01\x02", SNIFF_OTHER),
};

Test(sniff, table)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(sniff(cases[i].bytes, cases[i].len), cases[i].want, "%s: got %s",
		    cases[i].label, sniff_name(sniff(cases[i].bytes, cases[i].len)));
}

Test(sniff, never_reads_past_len)
{
	/* the bytes after len would change the verdict if they were read */
	cr_assert_eq(sniff("\x1f\x8b", 1), SNIFF_OTHER);
	cr_assert_eq(sniff("PK\x03\x04", 3), SNIFF_OTHER);
	cr_assert_eq(sniff("   <", 3), SNIFF_EMPTY);
	cr_assert_eq(sniff("From ", 4), SNIFF_OTHER);
	cr_assert_eq(sniff(NULL, 0), SNIFF_EMPTY);
}

Test(sniff, names)
{
	cr_assert_str_eq(sniff_name(SNIFF_GZIP), "gzip");
	cr_assert_str_eq(sniff_name(SNIFF_ZIP), "zip");
	cr_assert_str_eq(sniff_name(SNIFF_XML), "xml");
	cr_assert_str_eq(sniff_name(SNIFF_JSON), "json");
	cr_assert_str_eq(sniff_name(SNIFF_MAIL), "mail");
	cr_assert_str_eq(sniff_name(SNIFF_OLE), "ole");
	cr_assert_str_eq(sniff_name(SNIFF_EMPTY), "empty");
	cr_assert_str_eq(sniff_name(SNIFF_OTHER), "other");
}
