/* web/json.c: string escaping that is safe in JSON and inside HTML. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static char *
render(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(json_write_string(f, s), 0);
	fclose(f);
	return buf;
}

Test(json, strings_are_escaped)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "</script><b>&", "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"" },
		{ "tab\tnl\n\x01", "\"tab\\u0009nl\\u000a\\u0001\"" },
		{ "line\xe2\x80\xa8sep", "\"line\\u2028sep\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = render(cases[i].in);

		cr_expect_str_eq(got, cases[i].out, "case %zu", i);
		free(got);
	}
}

Test(json, objects_hold_typed_values)
{
	const char *names[] = { "domain", "messages", "rate", "p" };
	struct cell cells[] = {
		{ .type = CELL_TEXT, .s = "example.com" },
		{ .type = CELL_INT, .i = 42 },
		{ .type = CELL_REAL, .r = 0.25 },
		{ .type = CELL_NULL },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(json_write_object(f, 4, names, cells), 0);
	fclose(f);
	cr_expect_str_eq(buf,
	    "{\"domain\":\"example.com\",\"messages\":42,\"rate\":0.25,\"p\":null}");
	free(buf);
}
