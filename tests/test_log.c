/* common/log.c: escaping of untrusted text before it reaches a log line. */
#include <criterion/criterion.h>

#include "log.h"

Test(log, escape_makes_control_bytes_visible)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "ok.example", "ok.example" },
		{ "fake\nline", "fake\\x0aline" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "back\\slash", "back\\\\slash" },
		{ "caf\xc3\xa9", "caf\\xc3\\xa9" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_str_eq(log_escape(cases[i].in, buf, sizeof buf), cases[i].out, "case %zu",
		    i);
}

Test(log, escape_truncates_without_splitting_an_escape)
{
	char buf[8];

	cr_expect_str_eq(log_escape("abcd\n1234", buf, sizeof buf), "abcd");
	cr_expect_str_eq(log_escape("abcdefghij", buf, sizeof buf), "abcdefg");
}
