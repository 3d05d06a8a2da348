#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "flags.h"
#include "mime.h"
#include "testutil.h"
#include "unpack.h"

/* Archives written in memory with libarchive's writer. */
struct wbuf {
	unsigned char *p;
	size_t len, cap;
};

static la_ssize_t
wb_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct wbuf *w = ctx;

	(void)a;
	if (n > w->cap - w->len) {
		while (n > w->cap - w->len)
			w->cap = w->cap ? w->cap * 2 : 4096;
		w->p = realloc(w->p, w->cap);
		cr_assert_not_null(w->p);
	}
	memcpy(w->p + w->len, buf, n);
	w->len += n;
	return (la_ssize_t)n;
}

/* One archive member: bytes, or fill bytes of the character fill_char. */
struct member {
	const char *name;
	const void *data;
	size_t len;
	char fill_char;
	size_t fill;
	int dir;
};

static void
write_member(struct archive *a, const struct member *m)
{
	static char chunk[1 << 20];
	struct archive_entry *e = archive_entry_new();
	size_t left;

	archive_entry_set_pathname(e, m->name);
	archive_entry_set_filetype(e, m->dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, m->dir ? 0 : (la_int64_t)(m->len + m->fill));
	cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
	if (m->len > 0)
		cr_assert_eq(archive_write_data(a, m->data, m->len), (la_ssize_t)m->len);
	memset(chunk, m->fill_char, sizeof chunk);
	for (left = m->fill; left > 0;) {
		size_t n = left < sizeof chunk ? left : sizeof chunk;

		cr_assert_eq(archive_write_data(a, chunk, n), (la_ssize_t)n);
		left -= n;
	}
	archive_entry_free(e);
}

static unsigned char *
write_archive(int zip, const char *passphrase, const struct member *m, size_t n, size_t *len)
{
	struct archive *a = archive_write_new();
	struct wbuf w = { 0 };
	size_t i;

	if (zip) {
		archive_write_set_format_zip(a);
		if (passphrase != NULL) {
			cr_assert_eq(archive_write_set_options(a, "zip:encryption=zipcrypt"),
			    ARCHIVE_OK, "%s", archive_error_string(a));
			archive_write_set_passphrase(a, passphrase);
		}
	} else {
		archive_write_add_filter_gzip(a);
		archive_write_set_format_raw(a);
	}
	archive_write_set_bytes_in_last_block(a, 1);
	cr_assert_eq(archive_write_open(a, &w, NULL, wb_write, NULL), ARCHIVE_OK);
	for (i = 0; i < n; i++)
		write_member(a, &m[i]);
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
	archive_write_free(a);
	*len = w.len;
	return w.p;
}

static unsigned char *
gzip_of(const void *data, size_t len, size_t *out_len)
{
	struct member m = { "x", data, len, 0, 0, 0 };

	return write_archive(0, NULL, &m, 1, out_len);
}

static unsigned char *
gzip_fill(char c, size_t fill, size_t *out_len)
{
	struct member m = { "x", NULL, 0, c, fill, 0 };

	return write_archive(0, NULL, &m, 1, out_len);
}

/* Reads the current document whole; returns its length, or -1 with why/e. */
static ssize_t
read_doc(struct unpack *u, unsigned char **out, enum refusal *why, struct errbuf *e)
{
	struct byte_reader rd = unpack_reader(u);
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		n = rd.read(rd.ctx, buf + len, cap - len, why, e);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return n < 0 ? -1 : (ssize_t)len;
}

static const char XML[] = "<?xml version=\"1.0\"?>\n<feedback><report_metadata/></feedback>\n";

static struct bounds
default_bounds(void)
{
	struct bounds b;

	bounds_default(&b);
	return b;
}

/* Every document of an input: names joined by '|', and a refusal count. */
struct docs {
	char names[1024];
	int n, refused;
	enum refusal first_why;
	char first_msg[ERRBUF_SIZE];
	uint64_t flags;
	int next_rc;
};

static struct docs
all_docs(const void *buf, size_t len, const struct bounds *b)
{
	struct unpack *u = unpack_new(buf, len, b);
	struct docs d = { .first_why = REFUSE_NONE };
	struct errbuf e = { "" };
	enum refusal why = REFUSE_NONE;
	const char *name;
	int r;

	cr_assert_not_null(u);
	while ((r = unpack_next(u, &name, &why, &e)) == 1) {
		if (d.n++ > 0)
			strncat(d.names, "|", sizeof d.names - strlen(d.names) - 1);
		strncat(d.names, name, sizeof d.names - strlen(d.names) - 1);
		if (read_doc(u, NULL, &why, &e) == -1) {
			if (d.refused++ == 0) {
				d.first_why = why;
				snprintf(d.first_msg, sizeof d.first_msg, "%s", e.msg);
			}
		}
	}
	d.next_rc = r;
	if (r == -1 && d.first_why == REFUSE_NONE) {
		d.first_why = why;
		snprintf(d.first_msg, sizeof d.first_msg, "%s", e.msg);
	}
	d.flags = unpack_flags(u);
	unpack_free(u);
	return d;
}

Test(unpack, plain_xml_passes_through_unchanged)
{
	struct bounds b = default_bounds();
	struct unpack *u = unpack_new(XML, strlen(XML), &b);
	enum refusal why;
	struct errbuf e;
	const char *name;
	unsigned char *out;

	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_str_eq(name, "");
	cr_assert_eq(read_doc(u, &out, &why, &e), (ssize_t)strlen(XML));
	cr_assert_eq(memcmp(out, XML, strlen(XML)), 0);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
	cr_assert_eq(unpack_flags(u), 0);
	free(out);
	unpack_free(u);
}

Test(unpack, empty_and_non_xml_inputs)
{
	struct bounds b = default_bounds();
	struct docs d = all_docs("", 0, &b);

	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.next_rc, 0);
	d = all_docs("{\"a\":1}", 7, &b);
	cr_assert_eq(d.next_rc, -1);
	cr_assert_eq(d.first_why, REFUSE_NO_REPORT);
	cr_assert_str_eq(d.first_msg, "unpack: neither gzip, zip nor XML (json)");
}

Test(unpack, gzip_document)
{
	struct bounds b = default_bounds();
	size_t gzlen;
	unsigned char *gz = gzip_of(XML, strlen(XML), &gzlen), *out;
	struct unpack *u = unpack_new(gz, gzlen, &b);
	enum refusal why;
	struct errbuf e;
	const char *name;

	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_eq(read_doc(u, &out, &why, &e), (ssize_t)strlen(XML));
	cr_assert_eq(memcmp(out, XML, strlen(XML)), 0);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
	cr_assert_eq(unpack_flags(u), 0);
	free(out);
	unpack_free(u);
	free(gz);
}

Test(unpack, gzip_with_trailing_crlf_is_flagged_and_readable)
{
	struct bounds b = default_bounds();
	size_t gzlen;
	unsigned char *gz = gzip_of(XML, strlen(XML), &gzlen), *out;
	struct unpack *u;
	enum refusal why;
	struct errbuf e;
	const char *name;

	gz = realloc(gz, gzlen + 2);
	memcpy(gz + gzlen, "\r\n", 2);
	u = unpack_new(gz, gzlen + 2, &b);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_eq(unpack_flags(u), W_TRAILING_GARBAGE, "known before the first read");
	cr_assert_eq(read_doc(u, &out, &why, &e), (ssize_t)strlen(XML));
	cr_assert_eq(memcmp(out, XML, strlen(XML)), 0);
	free(out);
	unpack_free(u);
	free(gz);
}

Test(unpack, concatenated_gzip_members_are_one_document)
{
	struct bounds b = default_bounds();
	size_t l1, l2;
	unsigned char *g1 = gzip_of("<feedback>", 10, &l1);
	unsigned char *g2 = gzip_of("</feedback>", 11, &l2), *out;
	unsigned char *both = malloc(l1 + l2);
	struct unpack *u;
	enum refusal why;
	struct errbuf e;
	const char *name;

	memcpy(both, g1, l1);
	memcpy(both + l1, g2, l2);
	u = unpack_new(both, l1 + l2, &b);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_eq(read_doc(u, &out, &why, &e), 21);
	cr_assert_eq(memcmp(out, "<feedback></feedback>", 21), 0);
	cr_assert_eq(unpack_flags(u), 0);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
	free(out);
	unpack_free(u);
	free(both);
	free(g1);
	free(g2);
}

Test(unpack, truncated_or_corrupt_gzip_is_refused)
{
	struct bounds b = default_bounds();
	unsigned char big[20000], *gz;
	size_t gzlen, i, cuts[5];
	struct docs d;

	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)('a' + (i * 7919 % 26));
	memcpy(big, "<feedback>", 10);
	gz = gzip_of(big, sizeof big, &gzlen);
	cuts[0] = 5;
	cuts[1] = 12;
	cuts[2] = 40;
	cuts[3] = gzlen / 2;
	cuts[4] = gzlen - 9;
	for (i = 0; i < 5; i++) {
		d = all_docs(gz, cuts[i], &b);
		cr_assert_eq(d.first_why, REFUSE_DECOMPRESS, "cut at %zu: %s", cuts[i],
		    d.first_msg);
		cr_assert(strncmp(d.first_msg, "gunzip: ", 8) == 0, "%s", d.first_msg);
	}
	/* a flipped CRC byte: libarchive does not check it, unpack does */
	gz[gzlen - 8] ^= 0xff;
	d = all_docs(gz, gzlen, &b);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 1);
	cr_assert_str_eq(d.first_msg, "gunzip: CRC mismatch");
	free(gz);
}

Test(unpack, zip_with_several_entries)
{
	static const char other[] = "just text, not a report\n";
	struct member m[] = {
		{ "dir/", NULL, 0, 0, 0, 1 },
		{ "dir/a.xml", XML, sizeof XML - 1, 0, 0, 0 },
		{ "__MACOSX/dir/._a.xml", "\0\5\26\7junk", 8, 0, 0, 0 },
		{ "empty.xml", NULL, 0, 0, 0, 0 },
		{ "readme.txt", other, sizeof other - 1, 0, 0, 0 },
		{ "../../etc/passwd", XML, sizeof XML - 1, 0, 0, 0 },
		{ "b.xml", "\xef\xbb\xbf  <feedback/>", 17, 0, 0, 0 },
	};
	struct bounds b = default_bounds();
	size_t len;
	unsigned char *zip = write_archive(1, NULL, m, 7, &len);
	struct docs d = all_docs(zip, len, &b);

	cr_assert_eq(d.n, 3);
	cr_assert_str_eq(d.names, "dir/a.xml|../../etc/passwd|b.xml");
	cr_assert_eq(d.refused, 0, "%s", d.first_msg);
	cr_assert_eq(d.flags, 0);
	free(zip);
}

Test(unpack, gzip_inside_zip_is_a_second_layer)
{
	struct bounds b = default_bounds();
	size_t gzlen, ziplen, g3len;
	unsigned char *gz = gzip_of(XML, strlen(XML), &gzlen);
	unsigned char *gzgz = gzip_of(gz, gzlen, &g3len);
	struct member m[] = {
		{ "r.xml.gz", gz, gzlen, 0, 0, 0 },
		{ "deep.xml.gz.gz", gzgz, g3len, 0, 0, 0 },
		{ "r2.xml", XML, sizeof XML - 1, 0, 0, 0 },
	};
	unsigned char *zip = write_archive(1, NULL, m, 3, &ziplen), *out;
	struct unpack *u = unpack_new(zip, ziplen, &b);
	enum refusal why = REFUSE_NONE;
	struct errbuf e;
	const char *name;

	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_str_eq(name, "r.xml.gz");
	cr_assert_eq(read_doc(u, &out, &why, &e), (ssize_t)strlen(XML));
	cr_assert_eq(memcmp(out, XML, strlen(XML)), 0);
	free(out);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_str_eq(name, "deep.xml.gz.gz");
	cr_assert_eq(read_doc(u, NULL, &why, &e), -1);
	cr_assert_eq(why, REFUSE_DECOMPRESS);
	cr_assert_str_eq(e.msg, "gunzip: a third compression layer is refused");
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	cr_assert_str_eq(name, "r2.xml");
	cr_assert_eq(read_doc(u, NULL, &why, &e), (ssize_t)strlen(XML));
	cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
	cr_assert_eq(unpack_flags(u), 0);
	unpack_free(u);
	free(zip);
	free(gzgz);
	free(gz);
}

Test(unpack, gzip_inside_zip_with_trailing_bytes)
{
	struct bounds b = default_bounds();
	size_t gzlen, ziplen;
	unsigned char *gz = gzip_of(XML, strlen(XML), &gzlen), *zip;
	struct member m = { "r.xml.gz", NULL, 0, 0, 0, 0 };
	struct docs d;

	gz = realloc(gz, gzlen + 2);
	memcpy(gz + gzlen, "\r\n", 2);
	m.data = gz;
	m.len = gzlen + 2;
	zip = write_archive(1, NULL, &m, 1, &ziplen);
	d = all_docs(zip, ziplen, &b);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 0, "%s", d.first_msg);
	cr_assert_eq(d.flags, W_TRAILING_GARBAGE);
	free(zip);
	free(gz);
}

Test(unpack, zip_entry_cap)
{
	struct member m[BOUND_ZIP_ENTRIES + 3];
	char names[BOUND_ZIP_ENTRIES + 3][16];
	struct bounds b = default_bounds();
	unsigned char *zip;
	size_t len, i;
	struct docs d;

	for (i = 0; i < BOUND_ZIP_ENTRIES + 3; i++) {
		snprintf(names[i], sizeof names[i], "r%zu.xml", i);
		m[i] = (struct member){ names[i], XML, sizeof XML - 1, 0, 0, 0 };
	}
	zip = write_archive(1, NULL, m, BOUND_ZIP_ENTRIES + 3, &len);
	d = all_docs(zip, len, &b);
	cr_assert_eq(d.n, BOUND_ZIP_ENTRIES);
	cr_assert_eq(d.flags, W_LIMIT_TRUNCATED);
	free(zip);
}

Test(unpack, encrypted_zip_entry_is_unsupported)
{
	struct member m[] = {
		{ "secret.xml", XML, sizeof XML - 1, 0, 0, 0 },
	};
	struct bounds b = default_bounds();
	size_t len;
	unsigned char *zip = write_archive(1, "hunter2", m, 1, &len);
	struct docs d = all_docs(zip, len, &b);

	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 1);
	cr_assert_eq(d.first_why, REFUSE_ZIP_UNSUPPORTED, "%s", d.first_msg);
	free(zip);
}

Test(unpack, corrupt_and_truncated_zip_are_refused)
{
	struct member m[] = {
		{ "a.xml", NULL, 0, 'x', 300000, 0 },
	};
	struct bounds b = default_bounds();
	size_t len;
	unsigned char *zip = write_archive(1, NULL, m, 1, &len);
	struct docs d;

	/* the entry's data starts after the 30-byte local header and its name */
	zip[30 + 5] = '<';
	d = all_docs(zip, len / 2, &b);
	cr_assert_eq(d.first_why, REFUSE_DECOMPRESS, "%s", d.first_msg);
	cr_assert(strncmp(d.first_msg, "unzip: ", 7) == 0, "%s", d.first_msg);
	free(zip);
}

Test(unpack, zip_crc_error_is_refused)
{
	struct member m[] = {
		{ "a.xml", XML, sizeof XML - 1, 0, 0, 0 },
	};
	struct archive *a = archive_write_new();
	struct wbuf w = { 0 };
	struct bounds b = default_bounds();
	struct docs d;
	size_t i;

	/* stored, so that a changed data byte reaches the CRC check */
	archive_write_set_format_zip(a);
	archive_write_set_options(a, "zip:compression=store");
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open(a, &w, NULL, wb_write, NULL);
	write_member(a, &m[0]);
	archive_write_close(a);
	archive_write_free(a);
	for (i = 0; i + 10 < w.len; i++)
		if (memcmp(w.p + i, "report_metadata", 15) == 0)
			break;
	w.p[i] = 'R';
	d = all_docs(w.p, w.len, &b);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 1);
	cr_assert_eq(d.first_why, REFUSE_DECOMPRESS, "%s", d.first_msg);
	free(w.p);
}

/*
 * "<feedback>" and 1 GiB of spaces in ~1 MB: a 16 MiB member of spaces
 * repeated 64 times (concatenated members) after a first member.
 */
static unsigned char *
gzip_bomb(size_t *len)
{
	size_t hlen, mlen, i;
	unsigned char *head = gzip_of("<feedback>", 10, &hlen);
	unsigned char *member = gzip_fill(' ', 16u << 20, &mlen), *bomb;

	bomb = malloc(hlen + mlen * 64);
	memcpy(bomb, head, hlen);
	for (i = 0; i < 64; i++)
		memcpy(bomb + hlen + i * mlen, member, mlen);
	free(member);
	free(head);
	*len = hlen + mlen * 64;
	return bomb;
}

/* Reads a document to its end or failure; returns the bytes delivered before that. */
static uint64_t
drain(struct unpack *u, enum refusal *why, struct errbuf *e, ssize_t *last)
{
	struct byte_reader rd = unpack_reader(u);
	unsigned char buf[65536];
	uint64_t total = 0;

	while ((*last = rd.read(rd.ctx, buf, sizeof buf, why, e)) > 0)
		total += (uint64_t)*last;
	return total;
}

Test(unpack, gzip_bomb_is_refused_at_the_cap)
{
	struct bounds b = default_bounds();
	size_t len;
	unsigned char *bomb = gzip_bomb(&len);
	struct unpack *u;
	enum refusal why = REFUSE_NONE;
	struct errbuf e;
	const char *name;
	ssize_t last;
	uint64_t got;

	/* the document cap: inflation stops there, nothing past it is delivered */
	b.max_document = 32u << 20;
	u = unpack_new(bomb, len, &b);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	got = drain(u, &why, &e, &last);
	cr_assert_eq(last, -1);
	cr_assert_leq(got, b.max_document);
	cr_assert_eq(why, REFUSE_SIZE_LIMIT);
	cr_assert_str_eq(e.msg, "gunzip: document exceeds 33554432 bytes");
	unpack_free(u);

	/* the ratio guard */
	b = default_bounds();
	b.max_ratio = 20;
	u = unpack_new(bomb, len, &b);
	cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
	got = drain(u, &why, &e, &last);
	cr_assert_eq(last, -1);
	cr_assert_leq(got, 20 * (uint64_t)len);
	cr_assert_eq(why, REFUSE_SIZE_LIMIT);
	cr_assert_str_eq(e.msg, "gunzip: output exceeds 20x the input (bomb?)");
	cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
	unpack_free(u);
	free(bomb);
}

Test(unpack, zip_bomb_with_default_bounds)
{
	struct bounds b = default_bounds();
	size_t gzlen, ziplen;
	unsigned char *gz = gzip_bomb(&gzlen), *zip;
	struct member m[] = {
		{ "bomb.xml.gz", NULL, 0, 0, 0, 0 },
		{ "plain.xml", "<feedback>", 10, ' ', 256u << 20, 0 },
		{ "after.xml", XML, sizeof XML - 1, 0, 0, 0 },
	};
	struct docs d;

	m[0].data = gz;
	m[0].len = gzlen;
	zip = write_archive(1, NULL, m, 3, &ziplen);
	cr_assert_lt(ziplen, 1u << 20);
	d = all_docs(zip, ziplen, &b);
	cr_assert_eq(d.n, 3);
	cr_assert_str_eq(d.names, "bomb.xml.gz|plain.xml|after.xml");
	cr_assert_eq(d.refused, 2, "both bombs, not the report after them");
	cr_assert_eq(d.first_why, REFUSE_SIZE_LIMIT);
	cr_assert_str_eq(d.first_msg, "gunzip: output exceeds 1000x the input (bomb?)");
	free(zip);
	free(gz);
}

Test(unpack, corpus_gzip_and_zip)
{
	static const char *const files[] = {
		"corpus/domainaware+parsedmarc/nice-input.xml.gz",
		"corpus/domainaware+parsedmarc/nice-input.xml.zip",
	};
	struct bounds b = default_bounds();
	unsigned char *xml, *in, *out;
	size_t xlen, inlen, i;
	struct unpack *u;
	enum refusal why;
	struct errbuf e;
	const char *name;

	TU_REQUIRE_SHARED();
	xml = tu_read_file(tu_shared("corpus/domainaware+parsedmarc/nice-input.xml"), &xlen);
	for (i = 0; i < 2; i++) {
		in = tu_read_file(tu_shared(files[i]), &inlen);
		u = unpack_new(in, inlen, &b);
		cr_assert_eq(unpack_next(u, &name, &why, &e), 1, "%s", files[i]);
		cr_assert_str_eq(name, "nice-input.xml");
		cr_assert_eq(read_doc(u, &out, &why, &e), (ssize_t)xlen, "%s", files[i]);
		cr_assert_eq(memcmp(out, xml, xlen), 0);
		cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
		cr_assert_eq(unpack_flags(u), 0);
		free(out);
		unpack_free(u);
		free(in);
	}
	free(xml);
}

Test(unpack, corpus_names)
{
	static const struct {
		const char *file, *name;
		ssize_t len;
	} cases[] = {
		{ "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
		    "fastmail.com!example.com!1516060800!1516147199!102675056.xml", 1146 },
		{ "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
		    "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml",
		    887 },
	};
	struct bounds b = default_bounds();
	char rel[512];
	unsigned char *in;
	size_t len, i;
	struct unpack *u;
	enum refusal why;
	struct errbuf e;
	const char *name;

	TU_REQUIRE_SHARED();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(rel, sizeof rel, "corpus/domainaware+parsedmarc/%s", cases[i].file);
		in = tu_read_file(tu_shared(rel), &len);
		u = unpack_new(in, len, &b);
		cr_assert_eq(unpack_next(u, &name, &why, &e), 1);
		cr_assert_str_eq(name, cases[i].name);
		cr_assert_eq(read_doc(u, NULL, &why, &e), cases[i].len);
		cr_assert_eq(unpack_next(u, &name, &why, &e), 0);
		unpack_free(u);
		free(in);
	}
}

Test(unpack, gzip_layers)
{
	struct bounds b = default_bounds();
	size_t l1, l2, l3;
	unsigned char *g1 = gzip_of(XML, strlen(XML), &l1);
	unsigned char *g2 = gzip_of(g1, l1, &l2);
	unsigned char *g3 = gzip_of(g2, l2, &l3);
	struct docs d = all_docs(g2, l2, &b);

	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 0, "%s", d.first_msg);
	d = all_docs(g3, l3, &b);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.refused, 1);
	cr_assert_str_eq(d.first_msg, "gunzip: a third compression layer is refused");
	free(g3);
	free(g2);
	free(g1);
}

/* The attachment of a corpus mail, unpacked: its one document's name, size, flags. */
static void
expect_mail_attachment(const char *rel, int leaf, const char *name, ssize_t len, uint64_t flags)
{
	struct bounds b = default_bounds();
	size_t rawlen;
	unsigned char *raw = tu_read_file(tu_shared(rel), &rawlen);
	struct errbuf e = { "" };
	struct mime_message *m = mime_parse(raw, rawlen, &e);
	struct mime_part p;
	struct unpack *u;
	enum refusal why;
	const char *got;
	ssize_t n;
	int i;

	cr_assert_not_null(m, "%s", rel);
	for (i = 0; i < leaf; i++)
		cr_assert_eq(mime_next_part(m, &p), 1);
	u = unpack_new(p.data, p.len, &b);
	cr_assert_eq(unpack_next(u, &got, &why, &e), 1, "%s: %s", rel, e.msg);
	cr_assert_str_eq(got, name);
	n = read_doc(u, NULL, &why, &e);
	cr_assert_eq(n, len, "%s: %zd bytes", rel, n);
	cr_assert_eq(unpack_flags(u), flags, "%s: flags once read to the end", rel);
	cr_assert_eq(unpack_next(u, &got, &why, &e), 0);
	unpack_free(u);
	mime_free(m);
	free(raw);
}

Test(unpack, corpus_mail_attachments)
{
	TU_REQUIRE_SHARED();
	mime_init();
	expect_mail_attachment("corpus/domainaware+parsedmarc/mimecast-weird-gzip.eml", 1,
	    "mimecast.org!ab.id.au!1693353600!1693439999!"
	    "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml",
	    1260, W_TRAILING_GARBAGE);
	expect_mail_attachment("corpus/domainaware+parsedmarc/Report domain- borschow.com "
	                       "Submitter- google.com Report-ID- 949348866075514174.eml",
	    2, "google.com!borschow.com!1549929600!1550015999.xml", 1064, 0);
	expect_mail_attachment("corpus/domainaware+parsedmarc/twilight.eml", 1,
	    "google.com!twlnet.com!1549756800!1549843199.xml", 1186, 0);
	expect_mail_attachment("spec/examples/aggregate-email-zip-octet.eml", 2,
	    "receiver.example!example.com!1734912000!1734998399.xml", 3941, 0);
}
