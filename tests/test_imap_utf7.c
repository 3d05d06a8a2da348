/* ingest/imap_utf7.c: mailbox names in IMAP's modified UTF-7 (RFC 3501 5.1.3). */
#include <criterion/criterion.h>
#include <string.h>

#include "imap.h"
#include "imap_utf7.h"

static const struct {
	const char *utf8, *wire;
} cases[] = {
	{ "INBOX", "INBOX" },
	{ "Archive/DMARC", "Archive/DMARC" },
	{ "Entwürfe", "Entw&APw-rfe" },
	{ "A&B", "A&-B" },
	{ "&", "&-" },
	/* RFC 3501's example */
	{ "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "Входящие", "&BBIERQQ+BDQETwRJBDgENQ-" },
	{ "Berichte/Öffentlich", "Berichte/&ANY-ffentlich" },
	/* outside the BMP: a UTF-16 surrogate pair */
	{ "📁 DMARC", "&2D3cwQ- DMARC" },
	{ "", "" },
};

Test(imap_utf7, names_encode_as_imap_sends_them)
{
	char out[256];
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(imap_utf7_encode(cases[i].utf8, out, sizeof out, &e), 0, "%s: %s",
		    cases[i].utf8, e.msg);
		cr_expect_str_eq(out, cases[i].wire, "%s", cases[i].utf8);
	}
}

Test(imap_utf7, bad_names_are_refused_with_a_reason)
{
	static const char *const bad[] = {
		"caf\xe9",          /* Latin-1, not UTF-8 */
		"\xc0\xaf",         /* overlong '/' */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"x\xe2\x82",        /* cut short */
	};
	char out[64];
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect_eq(imap_utf7_encode(bad[i], out, sizeof out, &e), -1, "case %zu", i);
		cr_expect_not_null(strstr(e.msg, "is not valid UTF-8"), "%s", e.msg);
	}
	cr_expect_eq(imap_utf7_encode("tab\there", out, sizeof out, &e), -1);
	cr_expect_not_null(strstr(e.msg, "control character"), "%s", e.msg);
	/* "Entw&APw-rfe" needs 13 bytes with its NUL */
	cr_expect_eq(imap_utf7_encode("Entwürfe", out, 12, &e), -1);
	cr_expect_not_null(strstr(e.msg, "too long"), "%s", e.msg);
	cr_expect_eq(imap_utf7_encode("Entwürfe", out, 13, &e), 0);
}

/* A folder in the URL is checked before any connection: its own reason comes back. */
Test(imap_utf7, a_url_folder_that_is_not_utf8_is_refused_before_connecting)
{
	struct imap_options o = { .url = "imap://127.0.0.1:1/Caf%E9",
		.user = "u",
		.password = "p",
		.timeout = 1 };
	struct imap *c = NULL;
	struct errbuf e = { "" };

	cr_assert_eq(imap_open(&o, &c, &e), -1);
	cr_expect_null(c);
	cr_expect_not_null(strstr(e.msg, "is not valid UTF-8"), "%s", e.msg);
}
