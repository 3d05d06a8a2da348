#include <criterion/criterion.h>
#include <string.h>

#include <openssl/evp.h>
#include <stdio.h>

#include "ingest_int.h"
#include "reader.h"

/* A reader that hands out at most step bytes per call from inner. */
struct trickle {
	struct byte_reader inner;
	size_t step;
};

static ssize_t
trickle_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct trickle *t = ctx;

	return t->inner.read(t->inner.ctx, buf, len < t->step ? len : t->step, why, e);
}

/* Reads all of rd with reads of at most step bytes; returns the length. */
static size_t
drain(struct byte_reader rd, unsigned char *out, size_t cap, size_t step)
{
	enum refusal why = REFUSE_NONE;
	struct errbuf e = { "" };
	size_t len = 0;
	ssize_t n;

	for (;;) {
		cr_assert_lt(len, cap, "output larger than expected");
		n = rd.read(rd.ctx, out + len, step < cap - len ? step : cap - len, &why, &e);
		cr_assert_geq(n, 0);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return len;
}

Test(reader, mem_reader_reads_all_then_eof)
{
	struct mem_reader m;
	struct byte_reader rd = mem_reader_init(&m, "hello world", 11);
	unsigned char out[32];

	cr_assert_eq(drain(rd, out, sizeof out, 4), 11);
	cr_assert_arr_eq(out, "hello world", 11);
	cr_assert_eq(drain(rd, out, sizeof out, 4), 0, "a drained reader stays at EOF");
}

#define FFFD "\xef\xbf\xbd"

static const struct {
	const char *name, *in, *out;
} REPAIR_CASES[] = {
	{ "ascii passes", "plain <xml/>", "plain <xml/>" },
	{ "valid multibyte passes", "\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9", "\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9" },
	{ "cp1252 quote", "bad_byte\x91</x>", "bad_byte" FFFD "</x>" },
	{ "overlong", "\xc0\x80", FFFD FFFD },
	{ "surrogate", "\xed\xa0\x80!", FFFD FFFD FFFD "!" },
	{ "truncated in the middle", "\xf0\x9f\x98" "A", FFFD "A" },
	{ "truncated at the end", "ok\xe2\x82", "ok" FFFD },
	{ "lone continuation", "\x80\xbf", FFFD FFFD },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },
	{ "invalid lead bytes", "\xf5\xff", FFFD FFFD },
};

Test(reader, utf8_repair_replaces_invalid_sequences_at_any_read_size)
{
	static const size_t steps_in[] = { 1, 2, 3, 7, 4096 };
	static const size_t steps_out[] = { 1, 2, 3, 5, 64 };
	unsigned char out[256];
	size_t c, i, o, n;

	for (c = 0; c < sizeof REPAIR_CASES / sizeof REPAIR_CASES[0]; c++) {
		for (i = 0; i < 5; i++) {
			for (o = 0; o < 5; o++) {
				struct mem_reader m;
				struct trickle t;
				struct utf8_repair u;
				struct byte_reader rd;

				t.inner = mem_reader_init(&m, REPAIR_CASES[c].in,
				    strlen(REPAIR_CASES[c].in));
				t.step = steps_in[i];
				rd = utf8_repair_init(&u, (struct byte_reader){ &t, trickle_read });
				n = drain(rd, out, sizeof out, steps_out[o]);
				cr_assert_eq(n, strlen(REPAIR_CASES[c].out),
				    "%s (in %zu, out %zu): length %zu", REPAIR_CASES[c].name,
				    steps_in[i], steps_out[o], n);
				cr_assert_arr_eq(out, REPAIR_CASES[c].out, n, "%s (in %zu, out %zu)",
				    REPAIR_CASES[c].name, steps_in[i], steps_out[o]);
			}
		}
	}
}

static ssize_t
failing_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	(void)ctx;
	(void)buf;
	(void)len;
	*why = REFUSE_SIZE_LIMIT;
	errbuf_set(e, "gunzip: output exceeds 64 MiB");
	return -1;
}

Test(reader, utf8_repair_passes_on_inner_failure)
{
	struct utf8_repair u;
	struct byte_reader rd = utf8_repair_init(&u, (struct byte_reader){ NULL, failing_read });
	enum refusal why = REFUSE_NONE;
	struct errbuf e = { "" };
	unsigned char out[16];

	cr_assert_eq(rd.read(rd.ctx, out, sizeof out, &why, &e), -1);
	cr_assert_eq(why, REFUSE_SIZE_LIMIT);
	cr_assert_str_eq(e.msg, "gunzip: output exceeds 64 MiB");
}

/* Hashes text through canon_* in slices of `step` bytes. */
static void
canon_of(const char *text, size_t len, size_t step, uint8_t out[32])
{
	struct canon_hash h;
	size_t off, n;

	cr_assert_eq(canon_init(&h), 0);
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		canon_update(&h, (const unsigned char *)text + off, n);
	}
	canon_final(&h, out);
	canon_free(&h);
}

Test(reader, canonical_hash_ignores_transport_differences)
{
	static const char canonical[] = "<feedback>\n  <a>x y</a>\n</feedback>";
	char trailing[2048];
	const char *variants[] = {
		"<feedback>\n  <a>x y</a>\n</feedback>",
		"\xef\xbb\xbf<feedback>\r\n  <a>x y</a>\r\n</feedback>\r\n",
		" \t\n\n<feedback>\r  <a>x y</a>\r</feedback>\n\n\t ",
		trailing,
	};
	static const size_t steps[] = { 1, 2, 3, 7, 300, 4096 };
	uint8_t want[32], got[32];
	unsigned int wlen = 32;
	size_t i, j;

	snprintf(trailing, sizeof trailing, "%s%*s", canonical, 1500, "\r\n");
	EVP_Digest(canonical, strlen(canonical), want, &wlen, EVP_sha256(), NULL);
	for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
			canon_of(variants[i], strlen(variants[i]), steps[j], got);
			cr_expect_arr_eq(got, want, 32, "variant %zu, slices of %zu", i, steps[j]);
		}
	}
	/* a long inner whitespace run is kept */
	snprintf(trailing, sizeof trailing, "<a>%*s</a>", 1000, "");
	canon_of(trailing, strlen(trailing), 5, got);
	EVP_Digest(trailing, strlen(trailing), want, &wlen, EVP_sha256(), NULL);
	cr_expect_arr_eq(got, want, 32, "inner run");
}
