#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "sniff.h"

#define UNPACK_CHUNK (64 * 1024)
#define UNPACK_SNIFF 512 /* bytes gathered before a document is sniffed */
#define UNPACK_NAME 256

/*
 * A document is read through at most two layers: layer 1 is the input
 * itself (plain XML, the gzip stream, or a zip entry); layer 2 is a gzip
 * stream inside a zip entry (or inside a gzip). Before a compressed
 * document is handed out it is inflated once to the end and discarded, so
 * that corruption, bombs and trailing bytes are known before the parser
 * starts (the flags then reach the report); the archive is then reopened
 * at the same entry.
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
	unsigned char l1buf[UNPACK_CHUNK];
	size_t l1_len, l1_off;
	unsigned char l2buf[UNPACK_CHUNK];
	size_t l2_len, l2_off;
};

/* CRC-32 as gzip computes it (polynomial 0xedb88320), a byte at a time. */
/* clang-format off */
static const uint32_t crc_table[256] = {
	0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f,
	0xe963a535, 0x9e6495a3, 0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988,
	0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91, 0x1db71064, 0x6ab020f2,
	0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
	0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9,
	0xfa0f3d63, 0x8d080df5, 0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172,
	0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b, 0x35b5a8fa, 0x42b2986c,
	0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
	0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423,
	0xcfba9599, 0xb8bda50f, 0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924,
	0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d, 0x76dc4190, 0x01db7106,
	0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
	0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d,
	0x91646c97, 0xe6635c01, 0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
	0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457, 0x65b0d9c6, 0x12b7e950,
	0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
	0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7,
	0xa4d1c46d, 0xd3d6f4fb, 0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0,
	0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9, 0x5005713c, 0x270241aa,
	0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
	0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81,
	0xb7bd5c3b, 0xc0ba6cad, 0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a,
	0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683, 0xe3630b12, 0x94643b84,
	0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
	0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb,
	0x196c3671, 0x6e6b06e7, 0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc,
	0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5, 0xd6d6a3e8, 0xa1d1937e,
	0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
	0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55,
	0x316e8eef, 0x4669be79, 0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236,
	0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f, 0xc5ba3bbe, 0xb2bd0b28,
	0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
	0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f,
	0x72076785, 0x05005713, 0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38,
	0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21, 0x86d3d2d4, 0xf1d4e242,
	0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
	0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69,
	0x616bffd3, 0x166ccf45, 0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2,
	0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db, 0xaed16a4a, 0xd9d65adc,
	0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
	0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693,
	0x54de5729, 0x23d967bf, 0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
	0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};
/* clang-format on */

static uint32_t
crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n-- > 0)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
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
		u->crc = crc32_update(u->crc, dst, (size_t)got);
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

/* Inflates the current document to its end, discarding it. */
static void
verify_doc(struct unpack *u)
{
	unsigned char sink[16384];
	ssize_t got;

	do
		got = doc_read(u, sink, sizeof sink, NULL, NULL);
	while (got > 0);
}

/* Reopens layer 1 and moves back to the current entry after a verification. */
static int
rewind_doc(struct unpack *u, enum refusal *why, struct errbuf *e)
{
	struct archive_entry *ent = NULL;
	unsigned target = u->headers, i;

	close_doc(u);
	if (open_outer(u, why, e) == -1)
		return -1;
	for (i = 0; i < target; i++) {
		if (next_header(u, &ent, why, e) != 1) {
			errbuf_set(e, "%s: entry %u vanished on second reading", u->tool, target);
			*why = REFUSE_DECOMPRESS;
			u->ended = true;
			return -1;
		}
	}
	if (select_doc(u, ent) != 1 || u->fail_why != REFUSE_NONE) {
		errbuf_set(e, "%s: entry %u read differently the second time", u->tool, target);
		*why = REFUSE_DECOMPRESS;
		u->ended = true;
		return -1;
	}
	return 0;
}

struct unpack *
unpack_new(const void *buf, size_t len, const struct bounds *b)
{
	struct unpack *u;

	if ((u = calloc(1, sizeof *u)) == NULL)
		return NULL;
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
	if (u->fail_why == REFUSE_NONE) {
		verify_doc(u);
		if (u->fail_why == REFUSE_NONE && rewind_doc(u, why, e) == -1)
			return -1;
	}
	*name = u->name;
	return 1;
}

struct byte_reader
unpack_reader(struct unpack *u)
{
	struct byte_reader rd = {u, doc_read};

	return rd;
}

uint64_t
unpack_flags(const struct unpack *u)
{
	return u->flags;
}
