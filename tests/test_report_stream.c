/*
 * ingest/report_xml.c as a stream: the canonical hash across transports,
 * the sink's answers, 100,000 records in bounded memory, byte sources that
 * fail, and the end of the root found in any slicing.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flags.h"
#include "mem_reader.h"
#include "report_sink.h"
#include "report_xml.h"
#include "testutil.h"

TestSuite(report_xml, .init = rsink_setup);

/* ---- the canonical hash (FORMATS.md "Duplicates and conflicts") ---- */

struct trickle {
	struct mem_reader m;
	size_t step;
};

static ssize_t
trickle_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct trickle *t = ctx;

	(void)why;
	(void)e;
	if (len > t->step)
		len = t->step;
	if (len > t->m.len - t->m.off)
		len = t->m.len - t->m.off;
	memcpy(buf, t->m.buf + t->m.off, len);
	t->m.off += len;
	return (ssize_t)len;
}

/* Parses buf read step bytes at a time and returns its hash in out. */
static void
hash_of(const void *buf, size_t len, size_t step, uint8_t out[32])
{
	struct trickle t = { { buf, len, 0 }, step };
	struct byte_reader rd = { &t, trickle_read };
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why;

	cr_assert_eq(rsink_parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_end, 1);
	memcpy(out, s.sha, 32);
	rsink_free(&s);
}

/* LF to CRLF, with prefix and suffix around it. */
static GString *
variant(const unsigned char *buf, size_t len, const char *prefix, const char *suffix, bool crlf)
{
	GString *g = g_string_new(prefix);
	size_t i;

	for (i = 0; i < len; i++) {
		if (crlf && buf[i] == '\n')
			g_string_append_c(g, '\r');
		g_string_append_c(g, (char)buf[i]);
	}
	g_string_append(g, suffix);
	return g;
}

Test(report_xml, canonical_hash_equal_across_transports)
{
	unsigned char *buf;
	uint8_t base[32], want[32], got[32];
	char spaces[2000];
	size_t len, i, k;
	GString *g;

	memset(spaces, ' ', sizeof spaces - 1);
	spaces[sizeof spaces - 1] = '\0';
	buf = tu_read_file(tu_fixture("xml/counts_at_bound.xml"), &len);
	hash_of(buf, len, 1 << 20, base);
	rsink_sha256(buf, len - 1, want);
	cr_assert_arr_eq(base, want, 32, "sha256 of the text without its final LF");
	{
		const struct {
			const char *prefix, *suffix;
			bool crlf;
		} v[] = {
			{ "", "", true },              /* QP text body: CRLF */
			{ "\xef\xbb\xbf", "", false }, /* BOM */
			{ "\xef\xbb\xbf \r\n\t", "\r\n\r\n  \t", true },
			{ "\n\n", spaces, false }, /* a long trailing run */
			{ "", "\r", false },       /* lone CR at the end */
		};
		static const size_t steps[] = { 1, 2, 3, 63, 64, 65, 4096, 1 << 20 };

		for (i = 0; i < sizeof v / sizeof v[0]; i++) {
			g = variant(buf, len, v[i].prefix, v[i].suffix, v[i].crlf);
			for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
				hash_of(g->str, g->len, steps[k], got);
				cr_assert_arr_eq(got, base, 32, "variant %zu, step %zu", i,
				    steps[k]);
			}
			g_string_free(g, TRUE);
		}
	}
	/* inner whitespace counts: a long run inside the document changes the hash */
	g = variant(buf, len - 1, "", "", false);
	g_string_insert(g, (gssize)(strstr(g->str, "<feedback>") - g->str), spaces);
	hash_of(g->str, g->len, 1 << 20, want);
	cr_assert(memcmp(want, base, 32) != 0);
	hash_of(g->str, g->len, 7, got);
	cr_assert_arr_eq(got, want, 32, "same hash whatever the read size");
	g_string_free(g, TRUE);
	free(buf);
}

/* ---- the sink's answers ---- */

Test(report_xml, sink_failure_stops_the_parse)
{
	unsigned char *buf;
	size_t len;
	struct rsink s = { .fail_at = 1 };
	struct errbuf e = { "" };
	enum refusal why;

	buf = tu_read_file(tu_fixture("xml/counts_at_bound.xml"), &len);
	cr_assert_eq(rsink_parse_mem(buf, len, NULL, &s, &why, &e), -1);
	cr_assert_str_eq(e.msg, "disk full");
	cr_assert_eq(s.n_records, 1, "no record after the failing one");
	cr_assert_eq(s.n_end, 0);
	cr_assert_eq(s.n_abort, 1);
	free(buf);
	rsink_free(&s);
}

Test(report_xml, sink_skipping_records_still_gets_end_with_hash)
{
	unsigned char *buf;
	size_t len;
	struct rsink s = { .begin_rc = 1 };
	struct errbuf e = { "" };
	enum refusal why;
	uint8_t want[32];

	buf = tu_read_file(tu_fixture("xml/counts_at_bound.xml"), &len);
	cr_assert_eq(rsink_parse_mem(buf, len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE);
	cr_assert_eq(s.n_begin, 1);
	cr_assert_eq(s.n_records, 0);
	cr_assert_eq(s.n_end, 1);
	cr_assert_eq(s.n_abort, 0);
	rsink_sha256(buf, len - 1, want);
	cr_assert_arr_eq(s.sha, want, 32);
	cr_assert_eq(s.totals.records, 2, "totals are still computed");
	free(buf);
	rsink_free(&s);
}

/* ---- streaming: 100,000 records generated on the fly ---- */

struct gen {
	size_t records, next, off;
	char chunk[1024];
	size_t len;
	int part; /* 0 header, 1 records, 2 trailer, 3 done */
};

static ssize_t
gen_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct gen *g = ctx;
	int n;

	(void)why;
	(void)e;
	if (g->off == g->len) {
		g->off = 0;
		if (g->part == 0) {
			n = snprintf(g->chunk, sizeof g->chunk,
			    "<?xml version=\"1.0\"?>\n<feedback>"
			    "<report_metadata><org_name>Gen</org_name><email>g@gen.example</email>"
			    "<report_id>gen-1</report_id><date_range><begin>1700000000</begin>"
			    "<end>1700086399</end></date_range></report_metadata><policy_published>"
			    "<domain>example.com</domain><p>none</p></policy_published>\n");
			g->part = 1;
		} else if (g->part == 1 && g->next < g->records) {
			n = snprintf(g->chunk, sizeof g->chunk,
			    "<record><row><source_ip>10.%zu.%zu.%zu"
			    "</source_ip><count>%zu</count><policy_evaluated><disposition>none"
			    "</disposition><dkim>%s</dkim><spf>fail</spf></policy_evaluated></row>"
			    "<identifiers><header_from>example.com</header_from></identifiers>"
			    "<auth_results><dkim><domain>example.com</domain><selector>s</selector>"
			    "<result>pass</result></dkim><spf><domain>example.com</domain>"
			    "<result>fail</result></spf></auth_results></record>\n",
			    (g->next >> 16) & 255, (g->next >> 8) & 255, g->next & 255,
			    g->next % 7 + 1, g->next % 2 ? "pass" : "fail");
			g->next++;
		} else if (g->part == 1) {
			n = snprintf(g->chunk, sizeof g->chunk, "</feedback>\n");
			g->part = 2;
		} else {
			n = 0;
			g->part = 3;
		}
		g->len = (size_t)n;
	}
	if (len > g->len - g->off)
		len = g->len - g->off;
	memcpy(buf, g->chunk + g->off, len);
	g->off += len;
	return (ssize_t)len;
}

Test(report_xml, streams_100k_records_in_bounded_memory, .timeout = 120)
{
	struct gen g = { .records = 100000 };
	struct byte_reader rd = { &g, gen_read };
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why;
	uint64_t messages = 0, pass = 0;
	size_t i;

	for (i = 0; i < g.records; i++) {
		messages += i % 7 + 1;
		if (i % 2)
			pass += i % 7 + 1;
	}
	cr_assert_eq(rsink_parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_records, 100000);
	cr_assert_eq(s.totals.records, 100000);
	cr_assert_eq(s.totals.messages, messages);
	cr_assert_eq(s.totals.dmarc_pass, pass);
	cr_assert_eq(s.totals.dkim_aligned, pass);
	cr_assert_eq(s.totals.spf_aligned, 0);
	cr_assert_eq(s.seen.messages, messages, "the sink saw every record");
	cr_assert_eq(g.part, 3, "read to the end");
	rsink_free(&s);
}

/* ---- failures of the byte source, other encodings ---- */

struct capped {
	struct mem_reader m;
	size_t cap; /* fail once this many bytes were given */
};

static ssize_t
capped_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct capped *c = ctx;

	if (c->m.off >= c->cap) {
		*why = REFUSE_SIZE_LIMIT;
		errbuf_set(e, "gunzip: output exceeds %zu bytes", c->cap);
		return -1;
	}
	if (len > c->cap - c->m.off)
		len = c->cap - c->m.off;
	if (len > c->m.len - c->m.off)
		len = c->m.len - c->m.off;
	memcpy(buf, c->m.buf + c->m.off, len);
	c->m.off += len;
	return (ssize_t)len;
}

Test(report_xml, source_failure_carries_its_reason)
{
	unsigned char *buf;
	size_t len, i, caps[5];
	const char *r0, *r1;
	GString *g;

	/* 20 records (about 10 KiB), then 8 KiB of junk after </feedback> */
	buf = tu_read_file(tu_fixture("xml/trailing_junk.xml"), &len);
	r0 = strstr((char *)buf, "  <record>");
	r1 = strstr((char *)buf, "</feedback>");
	g = g_string_new_len((char *)buf, r0 - (char *)buf);
	for (i = 0; i < 20; i++)
		g_string_append_len(g, r0, r1 - r0);
	g_string_append(g, r1);
	for (i = 0; i < 8192; i++)
		g_string_append_c(g, "junk\n"[i % 5]);
	caps[0] = 0;
	caps[1] = 10;
	caps[2] = 600;          /* inside the first window: before begin */
	caps[3] = 6000;         /* among the records: after begin */
	caps[4] = g->len - 100; /* in the junk, after </feedback> */
	for (i = 0; i < 5; i++) {
		struct capped c = { { (unsigned char *)g->str, g->len, 0 }, caps[i] };
		struct byte_reader rd = { &c, capped_read };
		struct rsink s = { 0 };
		struct errbuf e = { "" };
		char want[64];
		enum refusal why;

		cr_assert_eq(rsink_parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
		cr_assert_eq(why, REFUSE_SIZE_LIMIT, "cap %zu: %s %s", caps[i], refusal_code(why),
		    e.msg);
		snprintf(want, sizeof want, "gunzip: output exceeds %zu bytes", caps[i]);
		cr_assert_str_eq(e.msg, want);
		cr_assert_eq(s.n_end, 0, "cap %zu", caps[i]);
		cr_assert_eq(s.n_begin, i >= 3, "cap %zu", caps[i]);
		cr_assert_eq(s.n_abort, s.n_begin, "cap %zu", caps[i]);
		if (i == 4)
			cr_assert_eq(s.n_records, 20,
			    "every record went out before the junk failed");
		rsink_free(&s);
	}
	g_string_free(g, TRUE);
	free(buf);
}

Test(report_xml, utf16_with_bom_is_transcoded)
{
	unsigned char *buf;
	size_t len, i;
	GString *g = g_string_new_len("\xff\xfe", 2);
	struct rsink s = { .keep = true };
	struct errbuf e = { "" };
	enum refusal why;

	buf = tu_read_file(tu_fixture("xml/counts_at_bound.xml"), &len);
	cr_assert(strncmp((char *)buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
	g_string_append_len(g,
	    "<\0?\0x\0m\0l\0 \0v\0e\0r\0s\0i\0o\0n\0=\0\"\0001\0.\0000\0\"\0?\0>\0", 42);
	for (i = 38; i < len; i++) {
		g_string_append_c(g, (char)buf[i]);
		g_string_append_c(g, '\0');
	}
	cr_assert_eq(rsink_parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_records, 2);
	cr_assert_str_eq(s.h.org_name, "fixture.example");
	g_string_free(g, TRUE);
	free(buf);
	rsink_free(&s);
}

/* ---- the end of the root, found in a stream of any slicing ---- */

/* Reads at most step bytes at a time. */
struct sliced {
	struct byte_reader inner;
	size_t step;
};

static ssize_t
sliced_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct sliced *c = ctx;

	return c->inner.read(c->inner.ctx, buf, len < c->step ? len : c->step, why, e);
}

#define JUNK "\n--boundary--\n<html>not closed & not xml"

Test(report_xml, root_end_found_whatever_the_slicing)
{
	static const struct {
		const char *name, *doc;
		size_t records;
	} cases[] = {
		{ "plain", "<feedback>" META POLICY OK_REC "</feedback>" JUNK, 1 },
		{ "prefixed, spaces before '>'",
		    "<d:feedback xmlns:d=\"urn:example:d\">" META POLICY OK_REC OK_REC
		    "</d:feedback \n >" JUNK,
		    2 },
		{ "the root's name nested in extension content",
		    "<feedback>" META POLICY
		    "<extension><feedback><feedback>x</feedback></feedback><feedbackx/>"
		    "</extension>" OK_REC "</feedback>" JUNK,
		    1 },
		{ "look-alikes in a comment and CDATA",
		    "<feedback>" META POLICY "<!-- </feedback> -->" OK_REC
		    "<extension><![CDATA[</feedback>]]></extension>" OK_REC "</feedback>" JUNK,
		    2 },
		{ "look-alike with another name",
		    "<feedback>" META POLICY "<extension>"
		    "<feedbacks>a</feedbacks></extension>" OK_REC "</feedback>" JUNK,
		    1 },
		{ "empty root", "<?xml version=\"1.0\"?><!-- c --><feedback/>" JUNK, 0 },
	};
	static const size_t steps[] = { 1, 2, 3, 5, 7, 11, 64 * 1024 };
	size_t i, j;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
			struct mem_reader m;
			struct sliced c = { mem_reader_init(&m, cases[i].doc, strlen(cases[i].doc)),
				steps[j] };
			struct byte_reader rd = { &c, sliced_read };
			struct rsink s = { 0 };
			struct errbuf e = { "" };
			enum refusal why;

			cr_assert_eq(rsink_parse_rd(&rd,
			                 "r.example!example.com!1700000000!1700086399.xml", 0, &s,
			                 &why, &e),
			    0);
			cr_assert_eq(why, REFUSE_NONE, "%s, step %zu: %s %s", cases[i].name,
			    steps[j], refusal_code(why), e.msg);
			cr_assert_eq(s.n_end, 1, "%s, step %zu", cases[i].name, steps[j]);
			cr_assert_eq(s.totals.records, cases[i].records, "%s, step %zu",
			    cases[i].name, steps[j]);
			cr_assert_eq(s.end_flags & W_XML_REPAIRED, 0, "%s", cases[i].name);
			rsink_free(&s);
		}
	}
}

Test(report_xml, long_values_in_many_records)
{
	GString *g = g_string_new("<feedback>" META POLICY);
	struct rsink s = { .keep = true };
	struct errbuf e = { "" };
	char want[64];
	enum refusal why;
	size_t i, k, r;

	for (i = 0; i < 40; i++) {
		g_string_append(g,
		    "<record>" ROW("192.0.2.1", "1", PE_OK) HF("example.com") "<auth_results>");
		for (k = 0; k < 3; k++) {
			g_string_append_printf(g,
			    "<dkim><domain>d%zu.example</domain>"
			    "<human_result>",
			    k);
			g_string_append_printf(g, "%05zu", i);
			g_string_append_len(g, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			    (gssize)(i % 50));
			for (r = 0; r < 60 * i; r++)
				g_string_append_c(g, 'y');
			g_string_append(g, "</human_result><result>pass</result></dkim>");
		}
		g_string_append(g, "</auth_results></record>");
	}
	g_string_append(g, "</feedback>");
	cr_assert_eq(rsink_parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_records, 40);
	for (i = 0; i < 40; i++) {
		snprintf(want, sizeof want, "dkim=[d0.example/-/pass/%05zu", i);
		cr_assert(strstr(s.lines[i], want) != NULL, "%s", s.lines[i]);
		cr_assert_eq(strlen(s.lines[i]), strlen(s.lines[0]) + 3 * (i % 50 + 60 * i),
		    "record %zu", i);
	}
	g_string_free(g, TRUE);
	rsink_free(&s);
}
