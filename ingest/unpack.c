#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "flags.h"
#include "sniff.h"

#define UNPACK_CHUNK (64 * 1024)
#define UNPACK_SNIFF 512 /* bytes gathered before a document is sniffed */
#define UNPACK_NAME 256

/*
 * A document is read through at most two layers: layer 1 is the input
 * itself (plain XML, the gzip stream, or a zip entry); layer 2 is a gzip
 * stream inside a zip entry (or inside a gzip). Documents stream: a bomb,
 * corruption or a CRC mismatch fails a read, and trailing bytes are known
 * (unpack_flags) once the document has been read to its end.
 */
struct unpack {
	const unsigned char *buf;
	size_t len;
	struct bounds b;
	enum sniff_kind kind;  /* of the whole input */
	const char *tool;      /* "gunzip" or "unzip", for messages */
	struct archive *outer; /* layer 1; NULL for plain XML */
	struct archive *inner; /* layer 2 over the current entry, or NULL */
	unsigned l1_layers;    /* compression layers libarchive undoes in layer 1 */
	unsigned headers;      /* entry headers read from outer */
	bool ended;
	uint64_t flags;

	/* the current document */
	char name[UNPACK_NAME];
	enum refusal fail_why; /* sticky: every read fails once set */
	struct errbuf fail;
	uint64_t l1_out, l2_out; /* bytes produced by each layer */
	uint32_t crc;            /* of layer 1's output, for a gzip input */
	bool l1_eof;
	size_t mem_off;  /* plain XML: next byte */
	uint64_t handed; /* layer-1 bytes handed to layer 2 */
	size_t l1_len, l1_off;
	size_t l2_len, l2_off;
	/* last, and never zeroed: only the bytes counted above are read */
	unsigned char l1buf[UNPACK_CHUNK];
	unsigned char l2buf[UNPACK_CHUNK];
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Cuts the line end that some libarchive messages carry. */
static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Fails the current document; the first failure is the one kept. */
static void __attribute__((format(printf, 3, 4)))
set_fail(struct unpack *u, enum refusal why, const char *fmt, ...)
{
	va_list ap;

	if (u->fail_why != REFUSE_NONE)
		return;
	u->fail_why = why;
	va_start(ap, fmt);
	vsnprintf(u->fail.msg, sizeof u->fail.msg, fmt, ap);
	va_end(ap);
	trim_end(u->fail.msg);
}

/* Records an archive error; libarchive sometimes leaves no message. */
static void
fail_archive(struct unpack *u, struct archive *a, const char *tool)
{
	const char *msg = archive_error_string(a);
	enum refusal why = REFUSE_DECOMPRESS;

	if (msg == NULL)
		msg = "truncated or corrupt data";
	if (strstr(msg, "Unsupported ZIP compression method") != NULL ||
	    strstr(msg, "ncrypt") != NULL || strstr(msg, "assphrase") != NULL)
		why = REFUSE_ZIP_UNSUPPORTED;
	set_fail(u, why, "%s: %s", tool, msg);
}

/* Counts n more bytes out of a layer and applies the document and ratio caps. */
static int
produced(struct unpack *u, uint64_t *counter, size_t n, const char *tool)
{
	*counter += n;
	if (*counter > u->b.max_document) {
		set_fail(u, REFUSE_SIZE_LIMIT, "%s: document exceeds %" PRIu64 " bytes", tool,
		    u->b.max_document);
		return -1;
	}
	if (*counter > BOUND_RATIO_GRACE && u->len <= UINT64_MAX / u->b.max_ratio &&
	    *counter > u->b.max_ratio * u->len) {
		set_fail(u, REFUSE_SIZE_LIMIT, "%s: output exceeds %" PRIu64 "x the input (bomb?)",
		    tool, u->b.max_ratio);
		return -1;
	}
	return 0;
}

/*
 * At the end of a gzip input: bytes after the last member are tolerated
 * (W_TRAILING_GARBAGE). libarchive checks neither CRC nor length, so they
 * are checked here; with several members only the last one's trailer is
 * known, and a length that does not match the whole output is taken for
 * that case rather than for corruption.
 */
static int
gzip_end(struct unpack *u)
{
	int64_t used = archive_filter_bytes(u->outer, -1);
	const unsigned char *t;

	if (used < 18 || (uint64_t)used > u->len)
		return 0;
	if ((size_t)used < u->len)
		u->flags |= W_TRAILING_GARBAGE;
	if (u->l1_layers != 1)
		return 0; /* the trailer is the outer stream's, not this output's */
	t = u->buf + used - 8;
	if (le32(t + 4) == (uint32_t)u->l1_out && le32(t) != u->crc) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: CRC mismatch");
		return -1;
	}
	return 0;
}

/* Reads layer 1 (the input, the gzip stream or the zip entry) into dst. */
static ssize_t
l1_read(struct unpack *u, void *dst, size_t n)
{
	ssize_t got;

	if (u->fail_why != REFUSE_NONE)
		return -1;
	if (u->l1_eof)
		return 0;
	if (u->outer == NULL) {
		got = (ssize_t)(n < u->len - u->mem_off ? n : u->len - u->mem_off);
		memcpy(dst, u->buf + u->mem_off, (size_t)got);
		u->mem_off += (size_t)got;
	} else {
		got = archive_read_data(u->outer, dst, n);
		if (got < 0) {
			fail_archive(u, u->outer, u->tool);
			return -1;
		}
	}
	if (got == 0) {
		u->l1_eof = true;
		if (u->kind == SNIFF_GZIP && gzip_end(u) == -1)
			return -1;
		return 0;
	}
	if (u->kind == SNIFF_GZIP)
		u->crc = (uint32_t)crc32_z(u->crc, dst, (size_t)got);
	if (produced(u, &u->l1_out, (size_t)got, u->tool) == -1)
		return -1;
	return got;
}

/* Gathers at least UNPACK_SNIFF bytes of layer 1 (fewer at its end) in l1buf. */
static int
l1_gather(struct unpack *u)
{
	ssize_t got;

	while (u->l1_len < UNPACK_SNIFF) {
		got = l1_read(u, u->l1buf + u->l1_len, sizeof u->l1buf - u->l1_len);
		if (got <= 0)
			return (int)got;
		u->l1_len += (size_t)got;
	}
	return 0;
}

/* libarchive's read callback for layer 2: layer 1's bytes, buffered first. */
static la_ssize_t
inner_read_cb(struct archive *a, void *ctx, const void **out)
{
	struct unpack *u = ctx;
	ssize_t got;

	if (u->l1_off == u->l1_len) {
		u->l1_off = u->l1_len = 0;
		got = l1_read(u, u->l1buf, sizeof u->l1buf);
		if (got < 0) {
			archive_set_error(a, EIO, "%s", u->fail.msg);
			return -1;
		}
		u->l1_len = (size_t)got;
	}
	*out = u->l1buf + u->l1_off;
	got = (ssize_t)(u->l1_len - u->l1_off);
	u->l1_off = u->l1_len;
	u->handed += (uint64_t)got;
	return got;
}

/* After layer 2 ended: anything left in layer 1 is trailing garbage. */
static void
l2_end(struct unpack *u)
{
	int64_t used = archive_filter_bytes(u->inner, -1);

	if (used >= 0 && (uint64_t)used < u->handed)
		u->flags |= W_TRAILING_GARBAGE;
	else if (u->l1_off == u->l1_len && l1_read(u, u->l1buf, sizeof u->l1buf) > 0)
		u->flags |= W_TRAILING_GARBAGE;
}

static ssize_t
l2_read(struct unpack *u, void *dst, size_t n)
{
	ssize_t got;

	if (u->fail_why != REFUSE_NONE)
		return -1;
	got = archive_read_data(u->inner, dst, n);
	if (got < 0) {
		fail_archive(u, u->inner, "gunzip");
		return -1;
	}
	if (got == 0) {
		l2_end(u);
		return u->fail_why != REFUSE_NONE ? -1 : 0;
	}
	if (produced(u, &u->l2_out, (size_t)got, "gunzip") == -1)
		return -1;
	return got;
}

static int
l2_gather(struct unpack *u)
{
	ssize_t got;

	while (u->l2_len < UNPACK_SNIFF) {
		got = l2_read(u, u->l2buf + u->l2_len, sizeof u->l2buf - u->l2_len);
		if (got <= 0)
			return (int)got;
		u->l2_len += (size_t)got;
	}
	return 0;
}

static ssize_t
doc_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct unpack *u = ctx;
	unsigned char *pending = u->inner != NULL ? u->l2buf : u->l1buf;
	size_t *plen = u->inner != NULL ? &u->l2_len : &u->l1_len;
	size_t *poff = u->inner != NULL ? &u->l2_off : &u->l1_off;
	ssize_t got;

	if (u->fail_why != REFUSE_NONE)
		goto fail;
	if (*poff < *plen) {
		got = (ssize_t)(len < *plen - *poff ? len : *plen - *poff);
		memcpy(buf, pending + *poff, (size_t)got);
		*poff += (size_t)got;
		return got;
	}
	got = u->inner != NULL ? l2_read(u, buf, len) : l1_read(u, buf, len);
	if (got >= 0)
		return got;
fail:
	if (why != NULL)
		*why = u->fail_why;
	if (e != NULL)
		*e = u->fail;
	return -1;
}

static void
close_doc(struct unpack *u)
{
	if (u->inner != NULL)
		archive_read_free(u->inner);
	u->inner = NULL;
	u->name[0] = '\0';
	u->fail_why = REFUSE_NONE;
	errbuf_clear(&u->fail);
	u->l1_out = u->l2_out = u->handed = 0;
	u->crc = 0;
	u->l1_eof = false;
	u->mem_off = 0;
	u->l1_len = u->l1_off = u->l2_len = u->l2_off = 0;
}

/* Opens layer 1 afresh: only the filter and format that the magic bytes named. */
static int
open_outer(struct unpack *u, enum refusal *why, struct errbuf *e)
{
	const char *msg;

	if (u->outer != NULL)
		archive_read_free(u->outer);
	u->headers = 0;
	if ((u->outer = archive_read_new()) == NULL)
		goto nomem;
	if (u->kind == SNIFF_GZIP) {
		archive_read_support_filter_gzip(u->outer);
		archive_read_support_format_raw(u->outer);
	} else
		archive_read_support_format_zip(u->outer);
	if (archive_read_open_memory(u->outer, u->buf, u->len) != ARCHIVE_OK)
		goto bad;
	if (u->kind == SNIFF_GZIP && archive_filter_code(u->outer, 0) != ARCHIVE_FILTER_GZIP) {
		errbuf_set(e, "gunzip: not a gzip stream");
		goto fail;
	}
	/* libarchive stacks a gzip filter for each gzip layer it finds */
	u->l1_layers = u->kind == SNIFF_GZIP ? (unsigned)archive_filter_count(u->outer) - 1 : 1;
	return 0;
nomem:
	errbuf_set(e, "%s: out of memory", u->tool);
	goto fail;
bad:
	msg = archive_error_string(u->outer);
	errbuf_set(e, "%s: %s", u->tool, msg != NULL ? msg : "truncated or corrupt data");
	trim_end(e->msg);
fail:
	*why = REFUSE_DECOMPRESS;
	archive_read_free(u->outer);
	u->outer = NULL;
	u->ended = true;
	return -1;
}

/* Copies an entry name as a label: bounded, control bytes replaced. */
static void
set_name(struct unpack *u, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < sizeof u->name; i++)
		u->name[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	u->name[i] = '\0';
}

/* Reads the next entry header of layer 1. 1 entry, 0 end, -1 error. */
static int
next_header(struct unpack *u, struct archive_entry **ent, enum refusal *why, struct errbuf *e)
{
	const char *msg;
	int r;

	if (u->headers >= BOUND_ZIP_ENTRIES) {
		if (archive_read_next_header(u->outer, ent) == ARCHIVE_OK)
			u->flags |= W_LIMIT_TRUNCATED;
		u->ended = true;
		return 0;
	}
	r = archive_read_next_header(u->outer, ent);
	if (r == ARCHIVE_EOF) {
		u->ended = true;
		return 0;
	}
	if (r < ARCHIVE_WARN) {
		msg = archive_error_string(u->outer);
		errbuf_set(e, "%s: %s", u->tool, msg != NULL ? msg : "corrupt archive");
		trim_end(e->msg);
		*why = REFUSE_DECOMPRESS;
		u->ended = true;
		return -1;
	}
	u->headers++;
	return 1;
}

/* An entry that cannot hold a report: directory, resource fork, empty. */
static bool
skip_entry(struct archive_entry *ent, const char *name)
{
	size_t n = strlen(name);

	if (archive_entry_filetype(ent) == AE_IFDIR || (n > 0 && name[n - 1] == '/'))
		return true;
	if (strncmp(name, "__MACOSX/", 9) == 0 || strstr(name, "/__MACOSX/") != NULL)
		return true;
	return archive_entry_size_is_set(ent) && archive_entry_size(ent) == 0;
}

/* Opens layer 2 (a gzip stream) over the current layer-1 bytes. */
static int
open_inner(struct unpack *u)
{
	struct archive_entry *ent;

	if ((u->inner = archive_read_new()) == NULL) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: out of memory");
		return -1;
	}
	archive_read_support_filter_gzip(u->inner);
	archive_read_support_format_raw(u->inner);
	if (archive_read_open(u->inner, u, NULL, inner_read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(u->inner, &ent) != ARCHIVE_OK) {
		fail_archive(u, u->inner, "gunzip");
		return -1;
	}
	if (u->l1_layers + (unsigned)archive_filter_count(u->inner) - 1 > BOUND_UNPACK_LAYERS) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: a third compression layer is refused");
		return -1;
	}
	return 0;
}

/*
 * Decides what the current entry is: 1 a document (which may already carry
 * its refusal), 0 not a document (skip it).
 */
static int
select_doc(struct unpack *u, struct archive_entry *ent)
{
	enum sniff_kind k;

	if (ent != NULL) {
		set_name(u, archive_entry_pathname(ent));
		if (u->kind == SNIFF_GZIP && strcmp(u->name, "data") == 0)
			u->name[0] = '\0'; /* libarchive's name for a gzip without FNAME */
		if (u->kind == SNIFF_ZIP && skip_entry(ent, u->name))
			return 0;
		if (archive_entry_is_encrypted(ent)) {
			set_fail(u, REFUSE_ZIP_UNSUPPORTED, "unzip: entry is encrypted");
			return 1;
		}
	}
	if (u->l1_layers > BOUND_UNPACK_LAYERS) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: a third compression layer is refused");
		return 1;
	}
	if (l1_gather(u) == -1)
		return 1;
	k = sniff(u->l1buf, u->l1_len);
	if (k == SNIFF_XML)
		return 1;
	if (k == SNIFF_ZIP) {
		set_fail(u, REFUSE_DECOMPRESS, "%s: a zip inside an archive is not read", u->tool);
		return 1;
	}
	if (k != SNIFF_GZIP)
		return 0;
	if (u->l1_layers >= BOUND_UNPACK_LAYERS) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: a third compression layer is refused");
		return 1;
	}
	if (open_inner(u) == -1 || l2_gather(u) == -1)
		return 1;
	k = sniff(u->l2buf, u->l2_len);
	if (k == SNIFF_GZIP || k == SNIFF_ZIP) {
		set_fail(u, REFUSE_DECOMPRESS, "gunzip: a third compression layer is refused");
		return 1;
	}
	return k == SNIFF_XML;
}

struct unpack *
unpack_new(const void *buf, size_t len, const struct bounds *b)
{
	struct unpack *u;

	if ((u = malloc(sizeof *u)) == NULL)
		return NULL;
	memset(u, 0, offsetof(struct unpack, l1buf));
	u->buf = buf;
	u->len = len;
	u->b = *b;
	if (u->b.max_ratio == 0)
		u->b.max_ratio = 1;
	u->kind = sniff(buf, len);
	u->tool = u->kind == SNIFF_ZIP ? "unzip" : "gunzip";
	return u;
}

void
unpack_free(struct unpack *u)
{
	if (u == NULL)
		return;
	if (u->inner != NULL)
		archive_read_free(u->inner);
	if (u->outer != NULL)
		archive_read_free(u->outer);
	free(u);
}

/* Plain XML: one document, the input itself. */
static int
next_plain(struct unpack *u, const char **name, enum refusal *why, struct errbuf *e)
{
	if (u->ended)
		return 0;
	u->ended = true;
	if (u->kind == SNIFF_EMPTY)
		return 0;
	if (u->kind != SNIFF_XML) {
		errbuf_set(e, "unpack: neither gzip, zip nor XML (%s)", sniff_name(u->kind));
		*why = REFUSE_NO_REPORT;
		return -1;
	}
	*name = u->name;
	return 1;
}

int
unpack_next(struct unpack *u, const char **name, enum refusal *why, struct errbuf *e)
{
	struct archive_entry *ent;
	bool first = u->outer == NULL;
	int r;

	close_doc(u);
	if (u->kind != SNIFF_GZIP && u->kind != SNIFF_ZIP)
		return next_plain(u, name, why, e);
	if (u->ended)
		return 0;
	if (first && open_outer(u, why, e) == -1)
		return -1;
	for (;;) {
		close_doc(u);
		if (u->kind == SNIFF_GZIP && u->headers > 0) {
			u->ended = true;
			return 0;
		}
		if ((r = next_header(u, &ent, why, e)) != 1)
			return r;
		if (select_doc(u, ent) == 1)
			break;
	}
	*name = u->name;
	return 1;
}

struct byte_reader
unpack_reader(struct unpack *u)
{
	struct byte_reader rd = { u, doc_read };

	return rd;
}

uint64_t
unpack_flags(const struct unpack *u)
{
	return u->flags;
}
