#include <criterion/criterion.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "canon.h"
#include "mem_reader.h"
#include "utf8_repair.h"
#include "xml_feed.h"

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
	{ "valid multibyte passes", "\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9",
	    "\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9" },
	{ "cp1252 quote", "bad_byte\x91</x>", "bad_byte" FFFD "</x>" },
	{ "overlong", "\xc0\x80", FFFD FFFD },
	{ "surrogate", "\xed\xa0\x80!", FFFD FFFD FFFD "!" },
	{ "truncated in the middle",
	    "\xf0\x9f\x98"
	    "A",
	    FFFD "A" },
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
				cr_assert_arr_eq(out, REPAIR_CASES[c].out, n,
				    "%s (in %zu, out %zu)", REPAIR_CASES[c].name, steps_in[i],
				    steps_out[o]);
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

/*
 * Reads a feed over doc in reads of step bytes to its end (not stopping at
 * the root's end, as a parser would) and checks that the chunks are doc
 * itself and that one of them ends right after the root's end tag, at cut.
 */
static void
feed_chunks(const char *doc, size_t cut, size_t step)
{
	struct mem_reader m;
	struct trickle t = { mem_reader_init(&m, doc, strlen(doc)), step };
	struct byte_reader rd = { &t, trickle_read };
	const unsigned char *chunk;
	struct xml_feed f;
	size_t off = 0;
	bool cut_seen = false;
	ssize_t n;

	cr_assert_eq(xml_feed_init(&f, &rd), 0);
	while ((n = xml_feed_read(&f, &chunk)) > 0) {
		cr_assert_leq((size_t)n, strlen(doc) - off);
		cr_assert(memcmp(chunk, doc + off, (size_t)n) == 0, "step %zu, at %zu", step, off);
		cr_assert(off >= cut || off + (size_t)n <= cut,
		    "step %zu: a chunk [%zu, %zu) runs past the root's end at %zu", step, off,
		    off + (size_t)n, cut);
		off += (size_t)n;
		cut_seen |= off == cut;
	}
	cr_assert_eq(n, 0, "step %zu: %s", step, f.err.msg);
	cr_assert(cut_seen, "step %zu: no chunk ends at %zu", step, cut);
	xml_feed_free(&f);
}

Test(reader, xml_feed_ends_a_chunk_at_the_root_end)
{
	/* PAD puts the end past the first window, which is read whole */
	static const char *docs[] = {
		"<?xml version=\"1.0\"?>\n<feedback>PAD<a>x</a></feedback>\n<junk",
		"<d:feedback xmlns:d=\"urn:x\" a='>'>PAD<a/></d:feedback \r\n >junk</d:feedback>",
		"<feedback>PAD<x><feedback>in</feedback></x><!-- </feedback> --><![CDATA["
		"</feedback>]]><feedbacks/></feedbac</feedback>junk",
		"<feedback/>junk</feedback>",
	};
	static const char *ends[] = {
		"</feedback>",
		"</d:feedback \r\n >",
		"</feedbac</feedback>",
		"<feedback/>",
	};
	static const size_t steps[] = { 1, 2, 3, 5, 7, 11, 13, 4096 };
	size_t i, j, cut, at;
	GString *doc, *pad = g_string_new("<pad>");

	for (j = 0; j < 5000; j++)
		g_string_append_c(pad, "x y\n"[j % 4]);
	g_string_append(pad, "</pad>");
	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		doc = g_string_new(docs[i]);
		if (strstr(doc->str, "PAD") != NULL) {
			at = (size_t)(strstr(doc->str, "PAD") - doc->str);
			g_string_erase(doc, (gssize)at, 3);
			g_string_insert(doc, (gssize)at, pad->str);
		}
		cut = (size_t)(strstr(doc->str, ends[i]) - doc->str) + strlen(ends[i]);
		for (j = 0; j < sizeof steps / sizeof steps[0]; j++)
			feed_chunks(doc->str, cut, steps[j]);
		g_string_free(doc, TRUE);
	}
	g_string_free(pad, TRUE);
}

Test(reader, xml_feed_refuses_a_doctype_before_the_parser)
{
	static const size_t steps[] = { 1, 3, 4096 };
	const unsigned char *chunk;
	char doc[6000];
	size_t j, off, at;
	ssize_t n;

	/* past the first window, so that bytes before it reach the parser */
	snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?><!--%*s-->%s", 5000, "",
	    "<!DOCTYPE feedback [<!ENTITY a \"b\">]><feedback>&a;</feedback>");
	at = (size_t)(strstr(doc, "<!DOCTYPE") - doc);
	for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
		struct mem_reader m;
		struct trickle t = { mem_reader_init(&m, doc, strlen(doc)), steps[j] };
		struct byte_reader rd = { &t, trickle_read };
		struct xml_feed f;

		cr_assert_eq(xml_feed_init(&f, &rd), 0);
		off = 0;
		while ((n = xml_feed_read(&f, &chunk)) > 0)
			off += (size_t)n;
		cr_assert_eq(n, -1);
		cr_assert_eq(f.why, REFUSE_XML_DOCTYPE);
		cr_assert_geq(off, 4096, "step %zu: the first window went out", steps[j]);
		cr_assert_lt(off, at + strlen("<!DOCTYPE"), "step %zu: the parser saw the keyword",
		    steps[j]);
		xml_feed_free(&f);
	}
}
