/*
 * Hostile inputs through the whole ingest path, as a stranger's mail or
 * file reaches it: extract_input with the default bounds (hostile_util.h).
 * Each case ends in a specific refusal (code and reason) or in a bounded
 * outcome, and the bombs and the large inputs are built here, in memory.
 * Here decompression and MIME; the XML cases are in test_hostile_xml.c.
 *
 * The unit-level cases stay next to their module and are not repeated:
 * test_unpack.c (gzip_bomb_is_refused_at_the_cap, zip_bomb_with_default_bounds,
 * gzip_inside_zip_is_a_second_layer, gzip_layers, zip_entry_cap),
 * test_report_xml.c (doctype_billion_laughs_refused_unexpanded,
 * doctype_external_entity_refused, deep_nesting_refused_quickly,
 * count_beyond_uint64_drops_the_record), test_report_values.c
 * (small_documents_values), test_mime.c (depth_cap, leaf_cap) and
 * test_extract.c (size_limits, invalid_utf8_inside_gzip_is_repaired).
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

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

/* A report whose root holds fill spaces: inflates to fill bytes, all of them well-formed. */
static struct blob
space_bomb(int window_bits, size_t fill)
{
	static const char head[] = XML_DECL "<feedback>";

	return hostile_squeeze(window_bits, head, sizeof head - 1, ' ', fill, "</feedback>\n");
}

/* One zip entry: deflated bytes, with sizes declared as given (UINT64_MAX: the real ones). */
struct zentry {
	const char *name;
	const struct blob *data; /* raw deflate, or the stored bytes when stored */
	int stored;
	uint64_t csize, usize; /* declared; a zip64 extra field when past 32 bits */
};

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/*
 * Writes the local (30-byte) or the central (46-byte) header of z at p, with
 * its name and, for sizes past 32 bits, a zip64 extra field. Returns its length.
 */
static size_t
zip_header(unsigned char *p, const struct zentry *z, int central, uint32_t offset)
{
	uint64_t c = z->csize == UINT64_MAX ? z->data->len : z->csize;
	uint64_t u = z->usize == UINT64_MAX ? z->data->raw_len : z->usize;
	int z64 = c >= UINT32_MAX || u >= UINT32_MAX;
	size_t nl = strlen(z->name), at = central ? 46 : 30, d = central ? 2 : 0;
	unsigned char *x = p + at + nl;

	memset(p, 0, at);
	put32(p, central ? 0x02014b50 : 0x04034b50);
	if (central) {
		put16(p + 4, 0x031e);          /* made by: Unix, 3.0 */
		put32(p + 38, 0100644u << 16); /* a regular file */
		put32(p + 42, offset);
	}
	/* the fields both headers share sit 2 bytes later in the central one */
	put16(p + d + 4, z64 ? 45 : 20);
	put16(p + d + 8, z->stored ? 0 : 8);
	put32(p + d + 14, z->data->crc);
	put32(p + d + 18, z64 ? UINT32_MAX : (uint32_t)c);
	put32(p + d + 22, z64 ? UINT32_MAX : (uint32_t)u);
	put16(p + d + 26, (unsigned)nl);
	put16(p + d + 28, z64 ? 20 : 0);
	memcpy(p + at, z->name, nl);
	if (z64) {
		put16(x, 1);
		put16(x + 2, 16);
		put32(x + 4, (uint32_t)u);
		put32(x + 8, (uint32_t)(u >> 32));
		put32(x + 12, (uint32_t)c);
		put32(x + 16, (uint32_t)(c >> 32));
	}
	return at + nl + (z64 ? 20 : 0);
}

static struct blob
zip_of(const struct zentry *e, size_t n)
{
	struct blob out = { NULL, 0, 0, 0 };
	uint32_t *offsets = calloc(n, sizeof *offsets), cd;
	size_t cap = 22, i;

	cr_assert_not_null(offsets);
	for (i = 0; i < n; i++)
		cap += 2 * (66 + strlen(e[i].name)) + e[i].data->len;
	out.p = malloc(cap);
	cr_assert_not_null(out.p);
	for (i = 0; i < n; i++) {
		offsets[i] = (uint32_t)out.len;
		out.len += zip_header(out.p + out.len, &e[i], 0, 0);
		memcpy(out.p + out.len, e[i].data->p, e[i].data->len);
		out.len += e[i].data->len;
	}
	cd = (uint32_t)out.len;
	for (i = 0; i < n; i++)
		out.len += zip_header(out.p + out.len, &e[i], 1, offsets[i]);
	memset(out.p + out.len, 0, 22);
	put32(out.p + out.len, 0x06054b50);
	put16(out.p + out.len + 8, (unsigned)n);
	put16(out.p + out.len + 10, (unsigned)n);
	put32(out.p + out.len + 12, (uint32_t)out.len - cd);
	put32(out.p + out.len + 16, cd);
	out.len += 22;
	free(offsets);
	return out;
}

/* A deflated entry, its sizes declared as they are. */
static struct zentry
entry(const char *name, const struct blob *data)
{
	struct zentry z = { name, data, 0, UINT64_MAX, UINT64_MAX };

	return z;
}

/* b's bytes taken as they are, for a stored entry (shares b's memory). */
static struct blob
as_stored(const struct blob *b)
{
	struct blob s = { b->p, b->len, (uint32_t)crc32_z(0, b->p, b->len), b->len };

	return s;
}

/* A mail carrying data as one base64 attachment of the given type and file name. */
static GString *
mail_with(const char *type, const char *filename, const void *data, size_t len)
{
	gchar *b64 = g_base64_encode(data, len);
	size_t n = strlen(b64), i;
	GString *g =
	    g_string_new("From: DMARC <r@org.example>\nSubject: Report domain: example.com\n"
	                 "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n--BB\n");

	g_string_append_printf(g,
	    "Content-Type: %s; name=%s\nContent-Transfer-Encoding: base64\n\n", type, filename);
	for (i = 0; i < n; i += 76) {
		g_string_append_len(g, b64 + i, (gssize)(n - i < 76 ? n - i : 76));
		g_string_append_c(g, '\n');
	}
	g_string_append(g, "--BB--\n");
	g_free(b64);
	return g;
}

/* ---- decompression ---- */

Test(hostile, gzip_bomb_bare_and_mailed)
{
	struct blob bomb = space_bomb(31, 64 * MiB);
	struct extract_result res;
	struct tally t;
	GString *mail;

	cr_assert_lt(bomb.len, 70000, "64 MiB in %zu bytes", bomb.len);
	cr_assert_lt(hostile_run(bomb.p, bomb.len, "bomb.xml.gz", &t, &res), 32,
	    "inflated in memory?");
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	cr_assert_eq(res.documents, 0);
	cr_assert_eq(t.begun, 0);

	mail = mail_with("application/gzip", "bomb.xml.gz", bomb.p, bomb.len);
	cr_assert_lt(hostile_run(mail->str, mail->len, NULL, &t, &res), 32);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "part 1 (bomb.xml.gz): E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	cr_assert_eq(res.kind, EXTRACT_AGGREGATE);
	g_string_free(mail, TRUE);
	hostile_blob_free(&bomb);
}

Test(hostile, gzip_of_gzip_bomb)
{
	struct blob inner = space_bomb(31, 64 * MiB), outer = hostile_gzip_of(inner.p, inner.len);
	struct blob third = hostile_gzip_of(outer.p, outer.len);
	struct extract_result res;
	struct tally t;

	/* the inner layer's output is held to 1000x the outer input: a few MiB, not 64 */
	cr_assert_lt(outer.len, 4096, "%zu", outer.len);
	cr_assert_lt(hostile_run(outer.p, outer.len, "bomb.xml.gz.gz", &t, &res), 32);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	hostile_run(third.p, third.len, "bomb.xml.gz.gz.gz", &t, &res);
	hostile_assert_refused(&res, REFUSE_DECOMPRESS,
	    "E_DECOMPRESS: gunzip: a third compression layer is refused");
	hostile_blob_free(&third);
	hostile_blob_free(&outer);
	hostile_blob_free(&inner);
}

Test(hostile, zip_bombs_and_archives_in_archives)
{
	struct blob raw = space_bomb(-15, 64 * MiB), gz = space_bomb(31, 64 * MiB);
	struct blob good = hostile_squeeze(-15, REPORT, strlen(REPORT), 0, 0, "");
	struct blob gz_view = as_stored(&gz), zip, inner, inner_view, gzzip;
	struct zentry e[][2] = {
		{ entry("bomb.xml", &raw), entry("report.xml", &good) },
		{ entry("bomb.xml.gz", &gz_view), entry("report.xml", &good) },
	};
	static const char *const reasons[] = {
		"entry bomb.xml: E_SIZE_LIMIT: unzip: output exceeds 1000x the input (bomb?)",
		"entry bomb.xml.gz: E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)",
	};
	struct zentry in_zip;
	struct extract_result res;
	struct tally t;
	size_t i;

	/* a bomb is refused on its own; the report after it still goes in */
	e[1][0].stored = 1;
	for (i = 0; i < 2; i++) {
		zip = zip_of(e[i], 2);
		cr_assert_lt(hostile_run(zip.p, zip.len, "r.zip", &t, &res), 32);
		hostile_assert_refused(&res, REFUSE_SIZE_LIMIT, reasons[i]);
		cr_assert_eq(res.refused, 1);
		cr_assert_eq(res.documents, 1);
		cr_assert_eq(t.records, 1);
		cr_assert_str_eq(t.org, "Org");
		hostile_blob_free(&zip);
	}

	/* a zip inside a zip, or inside a gzip, is not opened */
	inner = zip_of(&e[0][1], 1);
	inner_view = as_stored(&inner);
	in_zip = entry("inner.zip", &inner_view);
	in_zip.stored = 1;
	zip = zip_of(&in_zip, 1);
	hostile_run(zip.p, zip.len, "r.zip", &t, &res);
	hostile_assert_refused(&res, REFUSE_DECOMPRESS,
	    "entry inner.zip: E_DECOMPRESS: unzip: a zip inside an archive is not read");
	gzzip = hostile_gzip_of(inner.p, inner.len);
	hostile_run(gzzip.p, gzzip.len, "r.zip.gz", &t, &res);
	hostile_assert_refused(&res, REFUSE_DECOMPRESS,
	    "E_DECOMPRESS: gunzip: a zip inside an archive is not read");
	cr_assert_eq(t.begun, 0);
	hostile_blob_free(&gzzip);
	hostile_blob_free(&zip);
	hostile_blob_free(&inner);
	hostile_blob_free(&good);
	hostile_blob_free(&gz);
	hostile_blob_free(&raw);
}

Test(hostile, zip_of_many_large_entries_stops_at_the_message_cap)
{
	static const char head[] = XML_DECL "<feedback>" META POLICY RECORD;
	struct blob big = hostile_squeeze(-15, head, sizeof head - 1, ' ', 64 * MiB, "</feedback>");
	struct zentry e[BOUND_ZIP_ENTRIES];
	char names[BOUND_ZIP_ENTRIES][16];
	struct extract_result res;
	struct bounds b;
	struct blob zip;
	struct tally t;
	size_t i;

	/*
	 * 32 entries of 64 MiB each stay under the ratio guard, which weighs each
	 * document against the whole archive: the per-input cap ends the archive
	 * (4 GiB by default, 160 MiB here to keep the test short).
	 */
	for (i = 0; i < BOUND_ZIP_ENTRIES; i++) {
		snprintf(names[i], sizeof names[i], "r%zu.xml", i + 1);
		e[i] = entry(names[i], &big);
	}
	zip = zip_of(e, BOUND_ZIP_ENTRIES);
	bounds_default(&b);
	b.max_message_out = 160 * MiB;
	cr_assert_lt(hostile_run_with(&b, zip.p, zip.len, "many.zip", &t, &res), 32);
	cr_assert_eq(res.documents, 2, "%s", res.reason.msg);
	cr_assert_eq(res.refused, 1, "the entries after the cap are not read");
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "entry r3.xml: E_SIZE_LIMIT: input: decompressed output exceeds 167772160 bytes");
	hostile_blob_free(&zip);
	hostile_blob_free(&big);
}

Test(hostile, zip_entries_with_absurd_declared_sizes)
{
	static const struct {
		const char *name;
		int stored;
		uint64_t csize, usize;
		enum refusal why;
		const char *reason;
	} cases[] = {
		{ "size 4 GiB", 0, UINT64_MAX, 0xfffffffe, REFUSE_DECOMPRESS,
		    "entry r.xml: E_DECOMPRESS: unzip: ZIP uncompressed data is wrong size "
		    "(read 575, expected 4294967294)" },
		{ "compressed size 4 GiB", 0, 0xfffffffe, UINT64_MAX, REFUSE_DECOMPRESS, NULL },
		{ "size 1", 0, UINT64_MAX, 1, REFUSE_DECOMPRESS,
		    "entry r.xml: E_DECOMPRESS: unzip: ZIP uncompressed data is wrong size "
		    "(read 575, expected 1)" },
		{ "zip64 size 2^63-1", 0, UINT64_MAX, INT64_MAX, REFUSE_DECOMPRESS,
		    "entry r.xml: E_DECOMPRESS: unzip: ZIP uncompressed data is wrong size "
		    "(read 575, expected 9223372036854775807)" },
		{ "zip64 compressed size 2^63-1", 0, INT64_MAX, UINT64_MAX, REFUSE_DECOMPRESS,
		    NULL },
		{ "zip64 sizes 2^64-1", 0, UINT64_MAX - 1, UINT64_MAX - 1, REFUSE_DECOMPRESS,
		    "E_DECOMPRESS: unzip: Malformed 64-bit uncompressed size" },
		{ "stored, sizes 4 GiB", 1, 0xfffffffe, 0xfffffffe, REFUSE_DECOMPRESS,
		    "entry r.xml: E_DECOMPRESS: unzip: Truncated ZIP file data" },
		/* an entry that declares nothing is skipped like an empty file */
		{ "size 0", 0, UINT64_MAX, 0, REFUSE_NO_REPORT,
		    "E_NO_REPORT: no XML document inside" },
	};
	struct blob deflated = hostile_squeeze(-15, REPORT, strlen(REPORT), 0, 0, "");
	struct blob plain = { (unsigned char *)REPORT, strlen(REPORT), deflated.crc,
		strlen(REPORT) };
	struct extract_result res;
	struct tally t;
	size_t i;

	cr_assert_eq(plain.raw_len, 575, "the reasons above name the report's length");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct zentry e = entry("r.xml", cases[i].stored ? &plain : &deflated);
		struct blob zip;

		e.stored = cases[i].stored;
		e.csize = cases[i].csize;
		e.usize = cases[i].usize;
		zip = zip_of(&e, 1);
		hostile_run(zip.p, zip.len, "r.zip", &t, &res);
		cr_assert_eq(res.why, cases[i].why, "%s: %s", cases[i].name, res.reason.msg);
		if (cases[i].reason != NULL)
			cr_assert_str_eq(res.reason.msg, cases[i].reason, "%s", cases[i].name);
		else
			cr_assert(strstr(res.reason.msg, "ZIP compressed data is wrong size") !=
			        NULL,
			    "%s: %s", cases[i].name, res.reason.msg);
		cr_assert_eq(t.begun, 0, "%s", cases[i].name);
		hostile_blob_free(&zip);
	}
	hostile_blob_free(&deflated);
}

Test(hostile, zip_entry_declaring_100_bytes_inflates_to_its_cap)
{
	struct blob bomb = space_bomb(-15, 64 * MiB), zip;
	struct zentry e = entry("small.xml", &bomb);
	struct extract_result res;
	struct tally t;

	/* the caps count the bytes that come out, never the sizes declared */
	e.usize = 100;
	zip = zip_of(&e, 1);
	cr_assert_lt(hostile_run(zip.p, zip.len, "r.zip", &t, &res), 32);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "entry small.xml: E_SIZE_LIMIT: unzip: output exceeds 1000x the input (bomb?)");
	hostile_blob_free(&zip);
	hostile_blob_free(&bomb);
}

/* ---- MIME ---- */

/* clang-format off */
#define MAIL_HEAD                                                                                  \
	"From: DMARC <r@org.example>\nSubject: Report domain: example.com\n"                       \
	"MIME-Version: 1.0\n"
/* clang-format on */

/* A mail of n parts, each a gzipped report as base64. */
static GString *
mail_of_parts(size_t n)
{
	struct blob gz = hostile_gzip_of(REPORT, strlen(REPORT));
	gchar *b64 = g_base64_encode(gz.p, gz.len);
	GString *g = g_string_new(MAIL_HEAD "Content-Type: multipart/mixed; boundary=B\n\n");
	size_t i;

	for (i = 0; i < n; i++)
		g_string_append_printf(g,
		    "--B\nContent-Type: application/gzip; name=r%zu.xml.gz\n"
		    "Content-Transfer-Encoding: base64\n\n%s\n",
		    i, b64);
	g_string_append(g, "--B--\n");
	g_free(b64);
	hostile_blob_free(&gz);
	return g;
}

Test(hostile, mail_with_10000_parts)
{
	struct extract_result res;
	struct tally t;
	GString *g = mail_of_parts(10000);

	/* refused before GMime builds 10,000 parts (about 1 KiB each, 7 bytes of mail apiece) */
	cr_assert_lt(hostile_run(g->str, g->len, NULL, &t, &res), 16);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 4096 lines starting with \"--\" (MIME parts)");
	g_string_free(g, TRUE);

	/* under that, the walk reads the first BOUND_MIME_PARTS leaves */
	g = mail_of_parts(BOUND_MIME_DELIMITERS - 1);
	hostile_run(g->str, g->len, NULL, &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(res.documents, BOUND_MIME_PARTS);
	cr_assert_eq(t.records, BOUND_MIME_PARTS);
	g_string_free(g, TRUE);
}

Test(hostile, mime_nested_10000_deep)
{
	struct extract_result res;
	struct tally t;
	GString *g = g_string_new(MAIL_HEAD);
	size_t i;

	for (i = 0; i < 10000; i++)
		g_string_append_printf(g,
		    "Content-Type: multipart/mixed; boundary=b%zu\n\n--b%zu\n", i, i);
	g_string_append(g, "Content-Type: text/xml\n\n" REPORT);
	hostile_run(g->str, g->len, NULL, &t, &res);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 4096 lines starting with \"--\" (MIME parts)");
	g_string_free(g, TRUE);

	g = g_string_new(MAIL_HEAD);
	for (i = 0; i < 100000; i++)
		g_string_append(g, "Content-Type: message/rfc822\n\n");
	g_string_append(g, "Content-Type: text/xml\n\n" REPORT);
	hostile_run(g->str, g->len, NULL, &t, &res);
	hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 1048576 bytes of header fields");
	g_string_free(g, TRUE);
}

/* A mail of prefix, fill repeated to size bytes, suffix, then a gzipped report as part 2. */
static GString *
mail_with_big_header(const char *prefix, const char *fill, size_t size, const char *suffix)
{
	struct blob gz = hostile_gzip_of(REPORT, strlen(REPORT));
	gchar *b64 = g_base64_encode(gz.p, gz.len);
	GString *g = g_string_sized_new(size + 4096);
	size_t n = strlen(fill), start;

	g_string_append(g, prefix);
	start = g->len;
	while (g->len - start < size)
		g_string_append_len(g, fill, (gssize)n);
	g_string_append(g, suffix);
	g_string_append_printf(g,
	    "--B\nContent-Type: application/gzip; name=r.xml.gz\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n--B--\n",
	    b64);
	g_free(b64);
	hostile_blob_free(&gz);
	return g;
}

Test(hostile, mail_with_a_50_mb_header)
{
	static const struct {
		const char *name, *prefix, *fill, *suffix;
	} cases[] = {
		{ "folded X- field", MAIL_HEAD "X-Junk: ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n ",
		    "\nContent-Type: multipart/mixed; boundary=B\n\n" },
		{ "address list", "MIME-Version: 1.0\nFrom: ", "a@b.example, ",
		    "\nContent-Type: multipart/mixed; boundary=B\n\n" },
		{ "part parameters",
		    MAIL_HEAD "Content-Type: multipart/mixed; boundary=B\n\n"
		              "--B\nContent-Type: text/plain",
		    "; p=x", "\n\ntext\n" },
		{ "inner mail",
		    MAIL_HEAD "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
		              "Content-Type: message/rfc822\n\nTo: ",
		    "a@b.example, ", "\n\ntext\n" },
	};
	struct extract_result res;
	struct tally t;
	size_t i;
	GString *g;

	/* GMime would spend up to 35 bytes of memory per byte of such a field */
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		g = mail_with_big_header(cases[i].prefix, cases[i].fill, 50000000, cases[i].suffix);
		cr_assert_lt(g->len, 50 * MiB, "under max_input: reaches the MIME parser");
		cr_assert_lt(hostile_run(g->str, g->len, NULL, &t, &res), 16, "%s", cases[i].name);
		hostile_assert_refused(&res, REFUSE_SIZE_LIMIT,
		    "E_SIZE_LIMIT: mime: more than 1048576 bytes of header fields");
		g_string_free(g, TRUE);
	}
	/* a large header under the bound is read */
	g = mail_with_big_header(MAIL_HEAD "X-Junk: ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n ",
	    BOUND_MIME_HEADER_BYTES / 2, "\nContent-Type: multipart/mixed; boundary=B\n\n");
	hostile_run(g->str, g->len, NULL, &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(t.records, 1);
	g_string_free(g, TRUE);
}
