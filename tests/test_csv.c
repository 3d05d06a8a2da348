/* web/csv.c: RFC 4180 quoting and the spreadsheet formula guard. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static char *
render_field(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(csv_write_field(f, s), 0);
	fclose(f);
	return buf;
}

Test(csv, fields_are_quoted_and_guarded)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "example.com", "example.com" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "+1", "\"'+1\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tcmd", "\"'\tcmd\"" },
		{ "\rcmd", "\"'\rcmd\"" },
		{ "a=b", "a=b" },
		{ "a;b", "\"a;b\"" },
		{ "=1;2", "\"'=1;2\"" },
		{ " =cmd", "\"' =cmd\"" },
		{ "   @SUM(A1)", "\"'   @SUM(A1)\"" },
		{ "\"=cmd", "\"'\"\"=cmd\"" },
		{ "'=cmd", "\"''=cmd\"" },
		{ " \"-1+2", "\"' \"\"-1+2\"" },
		{ "\n+1", "\"'\n+1\"" },
		{ "-5", "\"'-5\"" },
		{ " a", " a" },
		{ "'quoted'", "'quoted'" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = render_field(cases[i].in);

		cr_expect_str_eq(got, cases[i].out, "case %zu", i);
		free(got);
	}
}

/* A number cell stays a number, negative too; the same text from a text column is guarded. */
Test(csv, numbers_stay_numbers_and_text_that_looks_like_one_is_guarded)
{
	struct cell cells[] = {
		{ .type = CELL_INT, .i = -5 },
		{ .type = CELL_REAL, .r = -0.25 },
		{ .type = CELL_TEXT, .s = "-5" },
		{ .type = CELL_TEXT, .s = "a;b" },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(csv_write_row(f, 4, cells), 0);
	fclose(f);
	cr_expect_str_eq(buf, "-5,-0.2500,\"'-5\",\"a;b\"\r\n");
	free(buf);
}

Test(csv, rows_end_in_crlf_and_render_each_cell_type)
{
	const char *names[] = { "ip", "count", "rate", "none" };
	struct cell cells[] = {
		{ .type = CELL_TEXT, .s = "192.0.2.1" },
		{ .type = CELL_INT, .i = 9223372036854775807LL },
		{ .type = CELL_REAL, .r = 0.5 },
		{ .type = CELL_NULL },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(csv_write_header(f, 4, names), 0);
	cr_assert_eq(csv_write_row(f, 4, cells), 0);
	fclose(f);
	cr_expect_str_eq(buf, "ip,count,rate,none\r\n192.0.2.1,9223372036854775807,0.5000,\r\n");
	free(buf);
}
