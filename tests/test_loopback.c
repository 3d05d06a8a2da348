/* common/loopback.c: which hosts may be sent an IMAP password in clear. */
#include <criterion/criterion.h>

#include "loopback.h"

static const struct {
	const char *host;
	bool loopback;
} cases[] = {
	{ "127.0.0.1", true },
	{ "127.255.0.9", true },
	{ "[::1]", true },
	{ "::1", true },
	{ "[0:0:0:0:0:0:0:1]", true },
	{ "localhost", true },
	{ "LocalHost", true },
	/* names that only look like loopback: anyone's DNS answers for them */
	{ "127.mail.attacker.test", false },
	{ "127.0.0.1.nip.io", false },
	{ "127.", false },
	{ "localhost.", false },
	{ "a.localhost", false },
	{ "localhost.attacker.test", false },
	/* not the dotted quad: left to no resolver's guess */
	{ "127.1", false },
	{ "0x7f.0.0.1", false },
	{ "2130706433", false },
	{ "128.0.0.1", false },
	{ "10.0.0.1", false },
	{ "[::2]", false },
	{ "[::ffff:127.0.0.1]", false },
	{ "[::1", false },
	{ "::1]", false },
	{ "[::1%25lo]", false },
	{ "[]", false },
	{ "", false },
	{ "["
	  "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001]",
	    false },
};

Test(loopback, only_loopback_literals_and_localhost)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(loopback_host(cases[i].host), cases[i].loopback, "%s: want %s",
		    cases[i].host, cases[i].loopback ? "loopback" : "not loopback");
}
