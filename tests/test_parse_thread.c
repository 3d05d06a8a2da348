/*
 * The parse thread (cli/parse_thread.c) and report_pack: what a parse on the parser
 * thread hands to the writer's sinks equals, call for call and field for
 * field, what extract_input gives a sink directly; a sink's error stops
 * the parse thread and is returned; records larger than a chunk cross too.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "parse_thread.h"
#include "report_pack.h"
#include "testutil.h"

/* ---- a sink that writes down every call and every field ---- */

struct trace {
	FILE *f;
	char *text;
	size_t len;
	int fail_at_record; /* the n-th record call fails (from 1), 0: never */
	int records;
};

static void
str(FILE *f, const char *name, const char *s)
{
	fprintf(f, " %s=%s", name, s != NULL ? s : "(null)");
}

static void
trace_report(FILE *f, const struct agg_report *r)
{
	int i;

	fprintf(f, " dialect=%d", (int)r->dialect);
	str(f, "ns", r->xml_namespace);
	str(f, "version", r->xml_version);
	str(f, "org", r->org_name);
	str(f, "org_key", r->org_key);
	str(f, "email", r->org_email);
	str(f, "extra", r->extra_contact);
	str(f, "generator", r->generator);
	str(f, "id", r->report_id);
	fprintf(f, " begin=%lld end=%lld", (long long)r->begin_ts, (long long)r->end_ts);
	str(f, "errors", r->errors);
	str(f, "domain", r->policy_domain);
	fprintf(f, " p=%d sp=%d np=%d adkim=%d aspf=%d testing=%d pct=%d", (int)r->p, (int)r->sp,
	    (int)r->np, r->adkim, r->aspf, r->testing, r->pct);
	str(f, "fo", r->fo);
	str(f, "discovery", r->discovery_method);
	fprintf(f, " sha=");
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", r->xml_sha256[i]);
	fprintf(f, " totals=%llu/%llu/%llu/%llu/%llu/%llu flags=%llx\n",
	    (unsigned long long)r->totals.records, (unsigned long long)r->totals.messages,
	    (unsigned long long)r->totals.dmarc_pass, (unsigned long long)r->totals.dkim_aligned,
	    (unsigned long long)r->totals.spf_aligned,
	    (unsigned long long)r->totals.records_dropped, (unsigned long long)r->flags);
}

static void
trace_record(FILE *f, const struct agg_record *rec)
{
	size_t i;

	str(f, "ip_raw", rec->source_ip_raw);
	str(f, "ip", rec->source_ip);
	fprintf(f, " family=%d count=%lld disp=%d", rec->ip_family, (long long)rec->count,
	    (int)rec->disposition);
	str(f, "disp_raw", rec->disposition_raw);
	fprintf(f, " pe=%d/%d", (int)rec->pe_dkim, (int)rec->pe_spf);
	str(f, "hfrom", rec->header_from);
	str(f, "efrom", rec->envelope_from);
	str(f, "eto", rec->envelope_to);
	for (i = 0; i < rec->n_reasons && i < BOUND_RECORD_REASONS; i++) {
		fprintf(f, " reason=%d", (int)rec->reasons[i].type);
		str(f, "raw", rec->reasons[i].type_raw);
		str(f, "comment", rec->reasons[i].comment);
	}
	for (i = 0; i < rec->n_dkim && i < BOUND_RECORD_DKIM; i++) {
		str(f, "dkim", rec->dkim[i].domain);
		str(f, "sel", rec->dkim[i].selector);
		str(f, "human", rec->dkim[i].human_result);
		str(f, "raw", rec->dkim[i].result_raw);
		fprintf(f, " result=%d", (int)rec->dkim[i].result);
	}
	for (i = 0; i < rec->n_spf && i < BOUND_RECORD_SPF; i++) {
		str(f, "spf", rec->spf[i].domain);
		str(f, "human", rec->spf[i].human_result);
		str(f, "raw", rec->spf[i].result_raw);
		fprintf(f, " scope=%d result=%d", (int)rec->spf[i].scope, (int)rec->spf[i].result);
	}
	fprintf(f, " n=%zu/%zu/%zu flags=%llx\n", rec->n_reasons, rec->n_dkim, rec->n_spf,
	    (unsigned long long)rec->flags);
}

static int
t_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct trace *t = ctx;

	(void)e;
	fprintf(t->f, "begin");
	trace_report(t->f, r);
	return 0;
}

static int
t_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct trace *t = ctx;

	if (++t->records == t->fail_at_record) {
		errbuf_set(e, "the disk is full at record %d", t->records);
		return -1;
	}
	fprintf(t->f, "record of %s:", r->report_id);
	trace_record(t->f, rec);
	return 0;
}

static int
t_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct trace *t = ctx;

	(void)e;
	fprintf(t->f, "end");
	trace_report(t->f, r);
	return 0;
}

static void
t_abort(void *ctx)
{
	struct trace *t = ctx;

	fprintf(t->f, "abort\n");
}

static int
t_put(void *ctx, const struct failure_report *fr, struct errbuf *e)
{
	struct trace *t = ctx;

	(void)e;
	fprintf(t->f, "failure");
	str(t->f, "reporter", fr->reporter);
	str(t->f, "ip", fr->source_ip);
	str(t->f, "domain", fr->reported_domain);
	str(t->f, "subject", fr->sample_subject);
	fprintf(t->f, " arrival=%lld\n", (long long)fr->arrival_ts);
	return 0;
}

static void
trace_open(struct trace *t)
{
	memset(t, 0, sizeof *t);
	t->f = open_memstream(&t->text, &t->len);
	cr_assert_not_null(t->f);
}

static char *
trace_close(struct trace *t)
{
	fclose(t->f);
	return t->text;
}

static void
trace_result(FILE *f, const char *name, int rc, const struct extract_result *res)
{
	fprintf(f, "job %s rc=%d kind=%d documents=%u failures=%u refused=%u why=%d reason=%s\n",
	    name, rc, (int)res->kind, res->documents, res->failures, res->refused, (int)res->why,
	    res->reason.msg);
}

/* Expects equal traces; on a difference, says where (whole traces are megabytes). */
static void
expect_same(const char *got, const char *want)
{
	size_t at = 0;

	while (got[at] != '\0' && got[at] == want[at])
		at++;
	cr_expect(got[at] == want[at], "traces differ at byte %zu: got \"%.120s\", want \"%.120s\"",
	    at, got + at, want + at);
}

/* ---- inputs ---- */

struct input {
	char name[64];
	unsigned char *data;
	size_t len;
};

#define N_FIXTURES 16

static const char *const fixtures[N_FIXTURES] = { "xml/bom.xml", "xml/junk_before_root.xml",
	"xml/rfc9990_extension.xml", "xml/millis_timestamps.xml", "xml/count_overflow.xml",
	"xml/missing_org_name.xml", "xml/doctype_external_entity.xml", "xml/trailing_junk.xml",
	"xml/begin_after_end.xml", "xml/counts_at_bound.xml", "mail/base64-unpadded-gzip.eml",
	"failure/minimal-auth-failure.eml", "failure/source-ip-hostname.eml",
	"failure/abuse-not-dmarc.eml", "failure/garbled-missing-fields.eml",
	"regress/regress-plaintext-truncated-sample.eml" };

/* One record with three DKIM results of 60 KiB texts: larger than a chunk. */
static void
big_record(struct input *in)
{
	FILE *f;
	char *text = malloc(60 * 1024 + 1);
	int i;

	cr_assert_not_null(text);
	memset(text, 'h', 60 * 1024);
	text[60 * 1024] = '\0';
	snprintf(in->name, sizeof in->name, "big-record.xml");
	f = open_memstream((char **)&in->data, &in->len);
	fprintf(f,
	    "<feedback><report_metadata><org_name>Big</org_name><report_id>big-1"
	    "</report_id><date_range><begin>1709683200</begin><end>1709769599</end>"
	    "</date_range></report_metadata><policy_published><domain>example.com</domain>"
	    "<p>none</p></policy_published><record><row><source_ip>192.0.2.1</source_ip>"
	    "<count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
	    "<spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com"
	    "</header_from></identifiers><auth_results>");
	for (i = 0; i < 3; i++)
		fprintf(f,
		    "<dkim><domain>d%d.example.com</domain><result>pass</result>"
		    "<human_result>%s</human_result></dkim>",
		    i, text);
	fprintf(f,
	    "<spf><domain>example.com</domain><result>fail</result></spf>"
	    "</auth_results></record></feedback>\n");
	fclose(f);
	free(text);
}

static size_t
load_inputs(struct input *in)
{
	size_t i;

	for (i = 0; i < N_FIXTURES; i++) {
		snprintf(in[i].name, sizeof in[i].name, "%s", fixtures[i]);
		in[i].data = tu_read_file(tu_fixture(fixtures[i]), &in[i].len);
		cr_assert_not_null(in[i].data, "%s", fixtures[i]);
	}
	big_record(&in[i]);
	return i + 1;
}

static void
free_inputs(struct input *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(in[i].data);
}

/* ---- the parse thread's writer side ---- */

struct writer {
	struct trace *t;
	struct report_sink sink;
	struct failure_sink failures;
	int ended;
};

static int
w_begin(void *ctx, struct parse_thread_job *job, const struct report_sink **sink,
    const struct failure_sink **failures, struct errbuf *e)
{
	struct writer *w = ctx;

	(void)e;
	*sink = &w->sink;
	*failures = &w->failures;
	fprintf(w->t->f, "-- %s\n", job->name);
	return 0;
}

static int
w_end(void *ctx, struct parse_thread_job *job, struct errbuf *e)
{
	struct writer *w = ctx;

	(void)e;
	trace_result(w->t->f, job->name, job->rc, &job->res);
	w->ended++;
	return 0;
}

static void
writer_init(struct writer *w, struct trace *t)
{
	w->t = t;
	w->sink = (struct report_sink){ t, t_begin, t_record, t_end, t_abort };
	w->failures = (struct failure_sink){ t, t_put };
	w->ended = 0;
}

/* The trace of rounds passes over the inputs given straight to extract_input. */
static char *
direct_trace(const struct input *in, size_t n, int rounds)
{
	struct bounds b;
	struct trace t;
	struct writer w;
	struct extract_result res;
	struct errbuf e;
	size_t i;
	int k, rc;

	bounds_default(&b);
	trace_open(&t);
	writer_init(&w, &t);
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < n; i++) {
			fprintf(t.f, "-- %s\n", in[i].name);
			rc = extract_input(in[i].data, in[i].len, in[i].name, &b, &w.sink,
			    &w.failures, &res, &e);
			trace_result(t.f, in[i].name, rc, &res);
		}
	}
	return trace_close(&t);
}

Test(parse_thread, the_writer_sees_what_a_direct_parse_gives)
{
	struct input in[N_FIXTURES + 1];
	struct parse_thread_job jobs[5][N_FIXTURES + 1];
	size_t n = load_inputs(in), i;
	struct parse_thread_handlers h;
	struct parse_thread *r;
	struct bounds b;
	struct trace t;
	struct writer w;
	struct errbuf e;
	char *direct, *relayed;
	int k;

	extract_init();
	bounds_default(&b);
	direct = direct_trace(in, n, 5);
	trace_open(&t);
	writer_init(&w, &t);
	h = (struct parse_thread_handlers){ &w, w_begin, w_end };
	cr_assert_eq(parse_thread_start(&b, &h, &r, &e), 0, "%s", e.msg);
	for (k = 0; k < 5; k++) {
		for (i = 0; i < n; i++) {
			jobs[k][i] = (struct parse_thread_job){ .data = in[i].data,
				.len = in[i].len,
				.name = in[i].name };
			cr_assert_eq(parse_thread_submit(r, &jobs[k][i], &e), 0, "%s", e.msg);
		}
	}
	cr_assert_eq(parse_thread_finish(r, &e), 0, "%s", e.msg);
	parse_thread_free(r);
	relayed = trace_close(&t);

	cr_expect_eq(w.ended, (int)(5 * n));
	expect_same(relayed, direct);
	/* The trace holds what it should: the big record's texts, failures, refusals, records. */
	cr_expect_not_null(strstr(relayed, "dkim=d2.example.com sel=(null) human=hhhh"),
	    "big record");
	cr_expect_not_null(strstr(relayed, "failure reporter="), "failure reports");
	cr_expect_not_null(strstr(relayed, "record of "), "records");
	cr_expect_not_null(strstr(relayed, "refused=1"), "refusals");
	free(direct);
	free(relayed);
	free_inputs(in, n);
}

Test(parse_thread, a_skipped_job_comes_back_without_reports)
{
	struct input in[N_FIXTURES + 1];
	size_t n = load_inputs(in);
	struct parse_thread_job job = { .data = in[0].data,
		.len = in[0].len,
		.name = "skipped",
		.skip = true };
	struct parse_thread_handlers h;
	struct parse_thread *r;
	struct bounds b;
	struct trace t;
	struct writer w;
	struct errbuf e;
	char *text;

	extract_init();
	bounds_default(&b);
	trace_open(&t);
	writer_init(&w, &t);
	h = (struct parse_thread_handlers){ &w, w_begin, w_end };
	cr_assert_eq(parse_thread_start(&b, &h, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(parse_thread_submit(r, &job, &e), 0, "%s", e.msg);
	cr_assert_eq(parse_thread_finish(r, &e), 0, "%s", e.msg);
	parse_thread_free(r);
	text = trace_close(&t);
	cr_expect_str_eq(text,
	    "-- skipped\njob skipped rc=0 kind=0 documents=0 failures=0 "
	    "refused=0 why=0 reason=\n");
	free(text);
	free_inputs(in, n);
}

Test(parse_thread, a_sink_error_stops_the_relay_and_is_returned)
{
	struct input in[N_FIXTURES + 1];
	struct parse_thread_job jobs[40];
	size_t n = load_inputs(in), i;
	struct parse_thread_handlers h;
	struct parse_thread *r;
	struct bounds b;
	struct trace t;
	struct writer w;
	struct errbuf e = { "" };
	int rc = 0;
	char *text;

	extract_init();
	bounds_default(&b);
	trace_open(&t);
	t.fail_at_record = 3;
	writer_init(&w, &t);
	h = (struct parse_thread_handlers){ &w, w_begin, w_end };
	cr_assert_eq(parse_thread_start(&b, &h, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < 40 && rc == 0; i++) {
		jobs[i] = (struct parse_thread_job){ .data = in[i % n].data,
			.len = in[i % n].len,
			.name = in[i % n].name };
		rc = parse_thread_submit(r, &jobs[i], &e);
	}
	if (rc == 0)
		rc = parse_thread_finish(r, &e);
	cr_expect_eq(rc, -1);
	cr_expect_str_eq(e.msg, "the disk is full at record 3");
	/* Every later call answers with the same error. */
	cr_expect_eq(parse_thread_finish(r, &e), -1);
	cr_expect_str_eq(e.msg, "the disk is full at record 3");
	parse_thread_free(r);
	text = trace_close(&t);
	cr_expect_lt(w.ended, 40, "jobs after the error were not replayed");
	free(text);
	free_inputs(in, n);
}

/*
 * A report of n records that breaks after them (begin, n records, then
 * abort), with fixed-width values so that every record packs to the same
 * size, which pad (characters added to header_from) sets.
 */
static void
broken_report(struct input *in, int n, int pad)
{
	FILE *f;
	int i;

	snprintf(in->name, sizeof in->name, "broken-%03d-%d.xml", pad, n);
	f = open_memstream((char **)&in->data, &in->len);
	fprintf(f,
	    "<feedback><report_metadata><org_name>Broken</org_name><report_id>b-%03d</report_id>"
	    "<date_range><begin>1709683200</begin><end>1709769599</end></date_range>"
	    "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
	    "</policy_published>",
	    pad);
	for (i = 0; i < n; i++)
		fprintf(f,
		    "<record><row><source_ip>192.0.2.1%02d</source_ip><count>1%03d</count>"
		    "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
		    "<spf>fail</spf></policy_evaluated></row><identifiers><header_from>%.*s"
		    "example.com</header_from></identifiers></record>",
		    i % 100, i % 1000, pad,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	fprintf(f, "<record><row></feedback>\n");
	fclose(f);
}

/* The sizes the parse thread's messages have for broken_report (measured; see the test). */
#define HEAD_BYTES 16    /* struct msg_head */
#define BEGIN_BYTES 247  /* the job's begin and the report's, before the first record */
#define RECORD_BYTES 132 /* a record's message with pad 0; pad adds one byte per character */

/*
 * Aborts right where a chunk is full to less than a message head: there the
 * abort's head once overran the chunk (ASan saw it). For each pad whose
 * records fill the first chunk that closely, the job has exactly as many
 * records as fit, and one less and one more.
 */
Test(parse_thread, an_abort_at_a_full_chunk_stays_inside_it)
{
	struct input in[64];
	struct parse_thread_job jobs[64];
	struct parse_thread_handlers h;
	struct parse_thread *r;
	struct bounds b;
	struct trace t;
	struct writer w;
	struct errbuf e;
	char *direct, *relayed;
	size_t n = 0, i;
	int pad, fit, d;

	for (pad = 0; pad < 200 && n + 3 <= 64; pad++) {
		int size = RECORD_BYTES + pad;

		if ((PARSE_THREAD_CHUNK_SIZE - BEGIN_BYTES) % size >= HEAD_BYTES)
			continue;
		fit = (PARSE_THREAD_CHUNK_SIZE - BEGIN_BYTES) / size;
		for (d = -1; d <= 1; d++)
			broken_report(&in[n++], fit + d, pad);
	}
	cr_assert_geq(n, 6, "pads that fill a chunk that closely");
	extract_init();
	bounds_default(&b);
	direct = direct_trace(in, n, 1);
	trace_open(&t);
	writer_init(&w, &t);
	h = (struct parse_thread_handlers){ &w, w_begin, w_end };
	cr_assert_eq(parse_thread_start(&b, &h, &r, &e), 0, "%s", e.msg);
	for (i = 0; i < n; i++) {
		jobs[i] = (struct parse_thread_job){ .data = in[i].data,
			.len = in[i].len,
			.name = in[i].name };
		cr_assert_eq(parse_thread_submit(r, &jobs[i], &e), 0, "%s", e.msg);
	}
	cr_assert_eq(parse_thread_finish(r, &e), 0, "%s", e.msg);
	parse_thread_free(r);
	relayed = trace_close(&t);
	expect_same(relayed, direct);
	cr_expect_eq(w.ended, (int)n);
	cr_expect_not_null(strstr(relayed, "abort\njob broken-"), "the reports abort");
	free(direct);
	free(relayed);
	free_inputs(in, n);
}

/* ---- report_pack alone ---- */

Test(report_pack, a_record_too_large_for_the_buffer_asks_for_its_size)
{
	struct agg_record rec, back;
	char human[300];
	unsigned char small[64], *big;
	size_t need, again;

	memset(&rec, 0, sizeof rec);
	memset(human, 'x', sizeof human - 1);
	human[sizeof human - 1] = '\0';
	snprintf(rec.source_ip, sizeof rec.source_ip, "2001:db8::1");
	rec.ip_family = 6;
	rec.count = 42;
	rec.n_dkim = 2;
	rec.dkim[0].domain = "a.example";
	rec.dkim[1].human_result = human;
	rec.n_spf = BOUND_RECORD_SPF + 5; /* more than the bound: only the bound's worth */
	need = agg_record_pack(&rec, small, sizeof small);
	cr_assert_gt(need, sizeof small);
	cr_assert_not_null(big = malloc(need));
	again = agg_record_pack(&rec, big, need);
	cr_expect_eq(again, need);
	memset(&back, 0xaa, sizeof back);
	agg_record_unpack(big, &back);
	cr_expect_str_eq(back.source_ip, "2001:db8::1");
	cr_expect_eq(back.count, 42);
	cr_expect_eq(back.ip_family, 6);
	cr_expect_eq(back.n_dkim, 2);
	cr_expect_str_eq(back.dkim[0].domain, "a.example");
	cr_expect_null(back.dkim[0].selector);
	cr_expect_str_eq(back.dkim[1].human_result, human);
	cr_expect_eq(back.n_spf, BOUND_RECORD_SPF);
	cr_expect_null(back.header_from);
	free(big);
}
