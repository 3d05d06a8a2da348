/*
 * Hostile inputs through the whole ingest path, as a stranger's mail or
 * file reaches it: extract_input with the default bounds. Each case ends in
 * a specific refusal (code and reason) or in a bounded outcome, and the
 * bombs and the large inputs are built here, in memory.
 *
 * The unit-level cases stay next to their module and are not repeated:
 * test_unpack.c (gzip_bomb_is_refused_at_the_cap, zip_bomb_with_default_bounds,
 * gzip_inside_zip_is_a_second_layer, gzip_layers, zip_entry_cap),
 * test_report_xml.c (doctype_billion_laughs_refused_unexpanded,
 * doctype_external_entity_refused, deep_nesting_refused_quickly,
 * count_beyond_uint64_drops_the_record, small_documents_values),
 * test_mime.c (depth_cap, leaf_cap) and test_extract.c (size_limits,
 * invalid_utf8_inside_gzip_is_repaired).
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
#include "testutil.h"

static void
setup(void)
{
	extract_init();
}

TestSuite(hostile, .init = setup);

#define MiB (1024u * 1024u)

#define XML_DECL "<?xml version=\"1.0\"?>\n"
/* clang-format off */
#define META                                                                                       \
	"<report_metadata><org_name>Org</org_name><email>r@org.example</email>"                    \
	"<report_id>id-1</report_id><date_range><begin>1700000000</begin>"                         \
	"<end>1700086399</end></date_range></report_metadata>"
/* clang-format on */
#define POLICY "<policy_published><domain>example.com</domain><p>none</p></policy_published>"
/* clang-format off */
#define RECORD                                                                                     \
	"<record><row><source_ip>192.0.2.1</source_ip><count>3</count>"                            \
	"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"        \
	"</policy_evaluated></row><identifiers><header_from>example.com</header_from>"             \
	"</identifiers><auth_results></auth_results></record>"
/* clang-format on */
#define REPORT XML_DECL "<feedback>" META POLICY RECORD "</feedback>\n"

/* ---- what reached the sinks ---- */

struct tally {
	int begun, ended, aborted, failures;
	long records;
	char org[128];  /* the last report's org_name, cut to fit */
	size_t org_len; /* its whole length */
	uint64_t flags; /* of the last report ended */
};

static int
t_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	(void)r;
	(void)e;
	((struct tally *)ctx)->begun++;
	return 0;
}

static int
t_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	(void)r;
	(void)rec;
	(void)e;
	((struct tally *)ctx)->records++;
	return 0;
}

static int
t_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct tally *t = ctx;

	(void)e;
	t->ended++;
	t->flags = r->flags;
	snprintf(t->org, sizeof t->org, "%s", r->org_name);
	t->org_len = strlen(r->org_name);
	return 0;
}

static void
t_abort(void *ctx)
{
	((struct tally *)ctx)->aborted++;
}

static int
t_put(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	(void)f;
	(void)e;
	((struct tally *)ctx)->failures++;
	return 0;
}

/* This process's peak resident size, in KiB. */
static long
peak_kib(void)
{
	struct rusage ru;

	cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * Extracts len bytes named name with bounds b (the defaults when NULL) into
 * a fresh tally, and checks the sinks' contract: every report begun was ended
 * or aborted, and no failure report came out. Returns the growth of the peak
 * resident size, in MiB.
 */
static long
run_with(const struct bounds *b, const void *buf, size_t len, const char *name, struct tally *t,
    struct extract_result *res)
{
	struct report_sink sink = { t, t_begin, t_record, t_end, t_abort };
	struct failure_sink failures = { t, t_put };
	struct bounds def;
	struct errbuf e = { "" };
	long before = peak_kib();

	if (b == NULL) {
		bounds_default(&def);
		b = &def;
	}
	memset(t, 0, sizeof *t);
	cr_assert_eq(extract_input(buf, len, name, b, &sink, &failures, res, &e), 0, "%s", e.msg);
	cr_assert_eq(t->begun, t->ended + t->aborted, "every report begun was ended or aborted");
	cr_assert_eq(t->failures, 0, "no hostile input here is a failure report");
	return (peak_kib() - before) / 1024;
}

static long
run(const void *buf, size_t len, const char *name, struct tally *t, struct extract_result *res)
{
	return run_with(NULL, buf, len, name, t, res);
}

/* Asserts a refusal: its code, and its reason (with context) exactly. */
static void
assert_refused(const struct extract_result *res, enum refusal why, const char *reason)
{
	cr_assert_eq(res->why, why, "%s: %s", refusal_code(res->why), res->reason.msg);
	cr_assert_str_eq(res->reason.msg, reason);
}

/* ---- compressed data, built in memory ---- */

struct blob {
	unsigned char *p;
	size_t len;
	uint32_t crc;   /* of the uncompressed bytes */
	size_t raw_len; /* uncompressed length */
};

static void
blob_free(struct blob *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Deflates n bytes of p into out (cap bytes allocated, grown as needed). */
static void
squeeze_step(z_stream *z, struct blob *out, size_t *cap, const void *p, size_t n, int flush)
{
	int rc;

	z->next_in = (unsigned char *)p;
	z->avail_in = (uInt)n;
	do {
		if (*cap - out->len < 65536) {
			*cap *= 2;
			out->p = realloc(out->p, *cap);
			cr_assert_not_null(out->p);
		}
		z->next_out = out->p + out->len;
		z->avail_out = (uInt)(*cap - out->len);
		rc = deflate(z, flush);
		cr_assert(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		out->len = *cap - z->avail_out;
	} while (z->avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

/*
 * Deflates head, fill bytes of the character c, then tail: a gzip stream
 * (window_bits 31) or raw deflate for a zip entry (-15). Streams the fill:
 * gigabytes cost a megabyte of memory.
 */
static struct blob
squeeze(int window_bits, const void *head, size_t hlen, char c, size_t fill, const char *tail)
{
	static unsigned char chunk[1 << 20];
	struct blob out = { NULL, 0, 0, hlen + fill + strlen(tail) };
	size_t cap = 1 << 20, n;
	z_stream z;

	memset(&z, 0, sizeof z);
	memset(chunk, c, sizeof chunk);
	out.p = malloc(cap);
	cr_assert_not_null(out.p);
	cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
	out.crc = (uint32_t)crc32_z(0, head, hlen);
	squeeze_step(&z, &out, &cap, head, hlen, Z_NO_FLUSH);
	for (; fill > 0; fill -= n) {
		n = fill < sizeof chunk ? fill : sizeof chunk;
		out.crc = (uint32_t)crc32_z(out.crc, chunk, n);
		squeeze_step(&z, &out, &cap, chunk, n, Z_NO_FLUSH);
	}
	out.crc = (uint32_t)crc32_z(out.crc, (const unsigned char *)tail, strlen(tail));
	squeeze_step(&z, &out, &cap, tail, strlen(tail), Z_FINISH);
	deflateEnd(&z);
	return out;
}

static struct blob
gzip_of(const void *p, size_t len)
{
	return squeeze(31, p, len, 0, 0, "");
}

/* A report whose root holds fill spaces: inflates to fill bytes, all of them well-formed. */
static struct blob
space_bomb(int window_bits, size_t fill)
{
	static const char head[] = XML_DECL "<feedback>";

	return squeeze(window_bits, head, sizeof head - 1, ' ', fill, "</feedback>\n");
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
	cr_assert_lt(run(bomb.p, bomb.len, "bomb.xml.gz", &t, &res), 32, "inflated in memory?");
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	cr_assert_eq(res.documents, 0);
	cr_assert_eq(t.begun, 0);

	mail = mail_with("application/gzip", "bomb.xml.gz", bomb.p, bomb.len);
	cr_assert_lt(run(mail->str, mail->len, NULL, &t, &res), 32);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "part 1 (bomb.xml.gz): E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	cr_assert_eq(res.kind, INPUT_AGGREGATE);
	g_string_free(mail, TRUE);
	blob_free(&bomb);
}

Test(hostile, gzip_of_gzip_bomb)
{
	struct blob inner = space_bomb(31, 64 * MiB), outer = gzip_of(inner.p, inner.len);
	struct blob third = gzip_of(outer.p, outer.len);
	struct extract_result res;
	struct tally t;

	/* the inner layer's output is held to 1000x the outer input: a few MiB, not 64 */
	cr_assert_lt(outer.len, 4096, "%zu", outer.len);
	cr_assert_lt(run(outer.p, outer.len, "bomb.xml.gz.gz", &t, &res), 32);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: gunzip: output exceeds 1000x the input (bomb?)");
	run(third.p, third.len, "bomb.xml.gz.gz.gz", &t, &res);
	assert_refused(&res, REFUSE_DECOMPRESS,
	    "E_DECOMPRESS: gunzip: a third compression layer is refused");
	blob_free(&third);
	blob_free(&outer);
	blob_free(&inner);
}

Test(hostile, zip_bombs_and_archives_in_archives)
{
	struct blob raw = space_bomb(-15, 64 * MiB), gz = space_bomb(31, 64 * MiB);
	struct blob good = squeeze(-15, REPORT, strlen(REPORT), 0, 0, "");
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
		cr_assert_lt(run(zip.p, zip.len, "r.zip", &t, &res), 32);
		assert_refused(&res, REFUSE_SIZE_LIMIT, reasons[i]);
		cr_assert_eq(res.refused, 1);
		cr_assert_eq(res.documents, 1);
		cr_assert_eq(t.records, 1);
		cr_assert_str_eq(t.org, "Org");
		blob_free(&zip);
	}

	/* a zip inside a zip, or inside a gzip, is not opened */
	inner = zip_of(&e[0][1], 1);
	inner_view = as_stored(&inner);
	in_zip = entry("inner.zip", &inner_view);
	in_zip.stored = 1;
	zip = zip_of(&in_zip, 1);
	run(zip.p, zip.len, "r.zip", &t, &res);
	assert_refused(&res, REFUSE_DECOMPRESS,
	    "entry inner.zip: E_DECOMPRESS: unzip: a zip inside an archive is not read");
	gzzip = gzip_of(inner.p, inner.len);
	run(gzzip.p, gzzip.len, "r.zip.gz", &t, &res);
	assert_refused(&res, REFUSE_DECOMPRESS,
	    "E_DECOMPRESS: gunzip: a zip inside an archive is not read");
	cr_assert_eq(t.begun, 0);
	blob_free(&gzzip);
	blob_free(&zip);
	blob_free(&inner);
	blob_free(&good);
	blob_free(&gz);
	blob_free(&raw);
}

Test(hostile, zip_of_many_large_entries_stops_at_the_message_cap)
{
	static const char head[] = XML_DECL "<feedback>" META POLICY RECORD;
	struct blob big = squeeze(-15, head, sizeof head - 1, ' ', 64 * MiB, "</feedback>");
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
	cr_assert_lt(run_with(&b, zip.p, zip.len, "many.zip", &t, &res), 32);
	cr_assert_eq(res.documents, 2, "%s", res.reason.msg);
	cr_assert_eq(res.refused, 1, "the entries after the cap are not read");
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "entry r3.xml: E_SIZE_LIMIT: input: decompressed output exceeds 167772160 bytes");
	blob_free(&zip);
	blob_free(&big);
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
	struct blob deflated = squeeze(-15, REPORT, strlen(REPORT), 0, 0, "");
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
		run(zip.p, zip.len, "r.zip", &t, &res);
		cr_assert_eq(res.why, cases[i].why, "%s: %s", cases[i].name, res.reason.msg);
		if (cases[i].reason != NULL)
			cr_assert_str_eq(res.reason.msg, cases[i].reason, "%s", cases[i].name);
		else
			cr_assert(strstr(res.reason.msg, "ZIP compressed data is wrong size") !=
			        NULL,
			    "%s: %s", cases[i].name, res.reason.msg);
		cr_assert_eq(t.begun, 0, "%s", cases[i].name);
		blob_free(&zip);
	}
	blob_free(&deflated);
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
	cr_assert_lt(run(zip.p, zip.len, "r.zip", &t, &res), 32);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "entry small.xml: E_SIZE_LIMIT: unzip: output exceeds 1000x the input (bomb?)");
	blob_free(&zip);
	blob_free(&bomb);
}

/* ---- XML ---- */

/* Extracts a NUL-terminated document as a bare .xml file. */
static void
run_xml(const char *doc, struct tally *t, struct extract_result *res)
{
	run(doc, strlen(doc), "r.xml", t, res);
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
		assert_refused(&res, REFUSE_XML_DOCTYPE, reason);
		cr_assert_eq(t.begun, 0);
		gz = gzip_of(docs[i], strlen(docs[i]));
		run(gz.p, gz.len, "r.xml.gz", &t, &res);
		assert_refused(&res, REFUSE_XML_DOCTYPE, reason);
		blob_free(&gz);
	}
	/* UTF-16 goes to libxml2 untracked: its DOCTYPE callback refuses it */
	g = utf16le("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE feedback [<!ENTITY x "
	            "SYSTEM \"file:///etc/passwd\">]><feedback>&x;</feedback>");
	run(g->str, g->len, "r.xml", &t, &res);
	assert_refused(&res, REFUSE_XML_DOCTYPE,
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
		run(g->str, g->len, "r.xml", &t, &res);
		assert_refused(&res, REFUSE_XML_LIMIT,
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

		grew = run(g->str, g->len, "r.xml", &t, &res);
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
		run(g->str, g->len, "r.xml", &t, &res);
		assert_refused(&res, REFUSE_XML_LIMIT,
		    "E_XML_LIMIT: an element has more than 256 attributes");
		if (i == 0) {
			u = utf16le(g->str);
			run(u->str, u->len, "r.xml", &t, &res);
			assert_refused(&res, REFUSE_XML_LIMIT,
			    "E_XML_LIMIT: an element has more than 256 attributes");
			g_string_free(u, TRUE);
		}
		g_string_free(g, TRUE);
	}
	g = many_attributes(BOUND_XML_ATTRS, attrs[0][0], attrs[0][1]);
	run(g->str, g->len, "r.xml", &t, &res);
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
	assert_refused(&res, REFUSE_XML_LIMIT,
	    "E_XML_LIMIT: encoding UTF-7 is not read (UTF-8, "
	    "UTF-16, US-ASCII, ISO-8859-n or Windows-125n)");
	run_xml("<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?><feedback>" META POLICY RECORD
	        "</feedback>",
	    &t, &res);
	assert_refused(&res, REFUSE_XML_LIMIT,
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
		/* a count past 2^64 drops its record, not the report */
		g = g_string_new(XML_DECL "<feedback>" META POLICY);
		g_string_append_printf(g,
		    "<record><row><source_ip>192.0.2.9</source_ip><count>%s"
		    "</count></row></record>" RECORD "</feedback>",
		    counts[i]);
		run(g->str, g->len, "r.xml", &t, &res);
		cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
		cr_assert_eq(t.records, 1);
		cr_assert(t.flags & W_RECORD_DROPPED);
		g_string_free(g, TRUE);

		/* a begin past 2^64 refuses the report */
		g = g_string_new(XML_DECL "<feedback><report_metadata><org_name>O</org_name>"
		                          "<report_id>i</report_id><date_range><begin>");
		g_string_append_printf(g,
		    "%s</begin><end>1700086399</end></date_range>"
		    "</report_metadata>" POLICY RECORD "</feedback>",
		    counts[i]);
		run(g->str, g->len, "r.xml", &t, &res);
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
	run(g->str, g->len, "r.xml", &t, &res);
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
	cr_assert_lt(run(g->str, g->len, "r.xml", &t, &res), 128);
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
		run(g->str, g->len, "r.xml", &t, &res);
		snprintf(want, sizeof want,
		    "E_XML_MALFORMED: line %d: Char 0x0 out of allowed range", i == 3 ? 1 : 2);
		assert_refused(&res, REFUSE_XML_MALFORMED, want);
		cr_assert_eq(t.ended, 0, "%s", cases[i].name);
		g_string_free(g, TRUE);
	}
	/* after the root: trailing bytes, never parsed */
	g = g_string_new(REPORT);
	g_string_append_len(g, "\0\0\0\0", 4);
	run(g->str, g->len, "r.xml", &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(t.records, 1);
	g_string_free(g, TRUE);
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
	struct blob gz = gzip_of(REPORT, strlen(REPORT));
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
	blob_free(&gz);
	return g;
}

Test(hostile, mail_with_10000_parts)
{
	struct extract_result res;
	struct tally t;
	GString *g = mail_of_parts(10000);

	/* refused before GMime builds 10,000 parts (about 1 KiB each, 7 bytes of mail apiece) */
	cr_assert_lt(run(g->str, g->len, NULL, &t, &res), 16);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 4096 lines starting with \"--\" (MIME parts)");
	g_string_free(g, TRUE);

	/* under that, the walk reads the first BOUND_MIME_PARTS leaves */
	g = mail_of_parts(BOUND_MIME_DELIMITERS - 1);
	run(g->str, g->len, NULL, &t, &res);
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
	run(g->str, g->len, NULL, &t, &res);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 4096 lines starting with \"--\" (MIME parts)");
	g_string_free(g, TRUE);

	g = g_string_new(MAIL_HEAD);
	for (i = 0; i < 100000; i++)
		g_string_append(g, "Content-Type: message/rfc822\n\n");
	g_string_append(g, "Content-Type: text/xml\n\n" REPORT);
	run(g->str, g->len, NULL, &t, &res);
	assert_refused(&res, REFUSE_SIZE_LIMIT,
	    "E_SIZE_LIMIT: mime: more than 1048576 bytes of header fields");
	g_string_free(g, TRUE);
}

/* A mail of prefix, fill repeated to size bytes, suffix, then a gzipped report as part 2. */
static GString *
mail_with_big_header(const char *prefix, const char *fill, size_t size, const char *suffix)
{
	struct blob gz = gzip_of(REPORT, strlen(REPORT));
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
	blob_free(&gz);
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
		cr_assert_lt(run(g->str, g->len, NULL, &t, &res), 16, "%s", cases[i].name);
		assert_refused(&res, REFUSE_SIZE_LIMIT,
		    "E_SIZE_LIMIT: mime: more than 1048576 bytes of header fields");
		g_string_free(g, TRUE);
	}
	/* a large header under the bound is read */
	g = mail_with_big_header(MAIL_HEAD "X-Junk: ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n ",
	    BOUND_MIME_HEADER_BYTES / 2, "\nContent-Type: multipart/mixed; boundary=B\n\n");
	run(g->str, g->len, NULL, &t, &res);
	cr_assert_eq(res.why, REFUSE_NONE, "%s", res.reason.msg);
	cr_assert_eq(t.records, 1);
	g_string_free(g, TRUE);
}
