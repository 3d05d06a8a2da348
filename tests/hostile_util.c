/* The hostile-input tests' helpers (hostile_util.h). */
#include "hostile_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "testutil.h"

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
long
hostile_peak_kib(void)
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
long
hostile_run_with(const struct bounds *b, const void *buf, size_t len, const char *name,
    struct tally *t, struct extract_result *res)
{
	struct report_sink sink = { t, t_begin, t_record, t_end, t_abort };
	struct failure_sink failures = { t, t_put };
	struct bounds def;
	struct errbuf e = { "" };
	long before = hostile_peak_kib();

	if (b == NULL) {
		bounds_default(&def);
		b = &def;
	}
	memset(t, 0, sizeof *t);
	cr_assert_eq(extract_input(buf, len, name, b, &sink, &failures, res, &e), 0, "%s", e.msg);
	cr_assert_eq(t->begun, t->ended + t->aborted, "every report begun was ended or aborted");
	cr_assert_eq(t->failures, 0, "no hostile input here is a failure report");
	return (hostile_peak_kib() - before) / 1024;
}

long
hostile_run(const void *buf, size_t len, const char *name, struct tally *t,
    struct extract_result *res)
{
	return hostile_run_with(NULL, buf, len, name, t, res);
}

/* Asserts a refusal: its code, and its reason (with context) exactly. */
void
hostile_assert_refused(const struct extract_result *res, enum refusal why, const char *reason)
{
	cr_assert_eq(res->why, why, "%s: %s", refusal_code(res->why), res->reason.msg);
	cr_assert_str_eq(res->reason.msg, reason);
}

void
hostile_blob_free(struct blob *b)
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
struct blob
hostile_squeeze(int window_bits, const void *head, size_t hlen, char c, size_t fill,
    const char *tail)
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

struct blob
hostile_gzip_of(const void *p, size_t len)
{
	return hostile_squeeze(31, p, len, 0, 0, "");
}
