/* The recording report sink and parse helpers of the report_xml tests (report_sink.h). */
#include "report_sink.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "mem_reader.h"
#include "report_xml.h"
#include "testutil.h"
#include "utf8_repair.h"

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
hdr_free(struct hdr *h)
{
	free(h->ns);
	free(h->version);
	free(h->org_name);
	free(h->org_key);
	free(h->org_email);
	free(h->extra);
	free(h->generator);
	free(h->report_id);
	free(h->errors);
	free(h->policy_domain);
	free(h->fo);
	free(h->discovery);
	memset(h, 0, sizeof *h);
}

static int
s_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct rsink *s = ctx;

	(void)e;
	s->n_begin++;
	hdr_free(&s->h);
	s->h = (struct hdr){ r->dialect, dup_or_null(r->xml_namespace), dup_or_null(r->xml_version),
		dup_or_null(r->org_name), dup_or_null(r->org_key), dup_or_null(r->org_email),
		dup_or_null(r->extra_contact), dup_or_null(r->generator), dup_or_null(r->report_id),
		dup_or_null(r->errors), dup_or_null(r->policy_domain), dup_or_null(r->fo),
		dup_or_null(r->discovery_method), r->begin_ts, r->end_ts, r->p, r->sp, r->np,
		r->adkim, r->aspf, r->testing, r->pct, r->flags };
	cr_assert_not_null(r->org_name);
	cr_assert_not_null(r->report_id);
	cr_assert_not_null(r->policy_domain);
	cr_assert_leq(r->begin_ts, r->end_ts);
	return s->begin_rc;
}

#define OR_DASH(x) ((x) != NULL ? (x) : "-")

/* One line per record: every field the parser normalises. */
static char *
describe(const struct agg_record *rec)
{
	GString *g = g_string_new(NULL);
	size_t i;

	g_string_append_printf(g, "ip=%s/%d raw=%s n=%lld disp=%s%s%s pe=%s/%s hf=%s ef=%s et=%s",
	    rec->source_ip, rec->ip_family, OR_DASH(rec->source_ip_raw), (long long)rec->count,
	    OR_DASH(disposition_name(rec->disposition)), rec->disposition_raw ? ":" : "",
	    rec->disposition_raw ? rec->disposition_raw : "",
	    OR_DASH(dmarc_result_name(rec->pe_dkim)), OR_DASH(dmarc_result_name(rec->pe_spf)),
	    OR_DASH(rec->header_from), OR_DASH(rec->envelope_from), OR_DASH(rec->envelope_to));
	g_string_append(g, " reasons=[");
	for (i = 0; i < rec->n_reasons; i++)
		g_string_append_printf(g, "%s%s%s%s/%s", i ? "," : "",
		    override_name(rec->reasons[i].type), rec->reasons[i].type_raw ? ":" : "",
		    rec->reasons[i].type_raw ? rec->reasons[i].type_raw : "",
		    OR_DASH(rec->reasons[i].comment));
	g_string_append(g, "] dkim=[");
	for (i = 0; i < rec->n_dkim; i++)
		g_string_append_printf(g, "%s%s/%s/%s%s%s/%s", i ? "," : "",
		    OR_DASH(rec->dkim[i].domain), OR_DASH(rec->dkim[i].selector),
		    OR_DASH(auth_result_name(rec->dkim[i].result)),
		    rec->dkim[i].result_raw ? ":" : "",
		    rec->dkim[i].result_raw ? rec->dkim[i].result_raw : "",
		    OR_DASH(rec->dkim[i].human_result));
	g_string_append(g, "] spf=[");
	for (i = 0; i < rec->n_spf; i++)
		g_string_append_printf(g, "%s%s/%s/%s%s%s/%s", i ? "," : "",
		    OR_DASH(rec->spf[i].domain), OR_DASH(spf_scope_name(rec->spf[i].scope)),
		    OR_DASH(auth_result_name(rec->spf[i].result)),
		    rec->spf[i].result_raw ? ":" : "",
		    rec->spf[i].result_raw ? rec->spf[i].result_raw : "",
		    OR_DASH(rec->spf[i].human_result));
	g_string_append(g, "]");
	return g_string_free(g, FALSE);
}

static void
sat(uint64_t *sum, uint64_t v)
{
	*sum = v > UINT64_MAX - *sum ? UINT64_MAX : *sum + v;
}

static int
s_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct rsink *s = ctx;

	(void)r;
	s->n_records++;
	sat(&s->seen.records, 1);
	sat(&s->seen.messages, (uint64_t)rec->count);
	if (agg_record_dmarc_pass(rec))
		sat(&s->seen.dmarc_pass, (uint64_t)rec->count);
	if (s->keep && s->n_records <= RSINK_LINES) {
		g_free(s->lines[s->n_records - 1]);
		s->lines[s->n_records - 1] = describe(rec);
		s->rec_flags[s->n_records - 1] = rec->flags;
	}
	if (s->fail_at != 0 && s->n_records == s->fail_at) {
		errbuf_set(e, "disk full");
		return -1;
	}
	return 0;
}

static int
s_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct rsink *s = ctx;

	(void)e;
	s->n_end++;
	s->end_flags = r->flags;
	s->totals = r->totals;
	memcpy(s->sha, r->xml_sha256, sizeof s->sha);
	return 0;
}

static void
s_abort(void *ctx)
{
	((struct rsink *)ctx)->n_abort++;
}

void
rsink_free(struct rsink *s)
{
	size_t i;

	hdr_free(&s->h);
	for (i = 0; i < RSINK_LINES; i++) {
		g_free(s->lines[i]);
		s->lines[i] = NULL;
	}
}

void
rsink_setup(void)
{
	report_xml_init();
}

int
rsink_parse_rd(const struct byte_reader *rd, const char *filename, uint64_t flags, struct rsink *s,
    enum refusal *why, struct errbuf *e)
{
	struct report_sink sink = rsink_sink(s);
	struct report_hints hints = { filename, NULL, NULL };

	return report_xml_parse(rd, &hints, flags, &sink, why, e);
}

int
rsink_parse_mem(const void *buf, size_t len, const char *filename, struct rsink *s,
    enum refusal *why, struct errbuf *e)
{
	struct mem_reader m;
	struct byte_reader rd = mem_reader_init(&m, buf, len);

	return rsink_parse_rd(&rd, filename, 0, s, why, e);
}

enum refusal
rsink_parse_file(const char *path, const char *filename, struct rsink *s, struct errbuf *e)
{
	enum refusal why = REFUSE_NONE;
	unsigned char *buf;
	size_t len;

	buf = tu_read_file(path, &len);
	s->keep = true;
	cr_assert_eq(rsink_parse_mem(buf, len, filename, s, &why, e), 0, "%s: %s", path, e->msg);
	if (why == REFUSE_XML_ENCODING) {
		struct mem_reader m;
		struct utf8_repair u;
		struct byte_reader rd = utf8_repair_init(&u, mem_reader_init(&m, buf, len));

		cr_assert_eq(s->n_abort, s->n_begin, "a refusal after begin aborts the sink");
		cr_assert_eq(s->n_end, 0);
		s->n_records = 0;
		cr_assert_eq(rsink_parse_rd(&rd, filename, W_ENCODING_REPAIRED, s, &why, e), 0);
	}
	free(buf);
	return why;
}

const char *
rsink_example(const char *name)
{
	static char rel[256];

	snprintf(rel, sizeof rel, "spec/examples/%s", name);
	return tu_shared(rel);
}

struct report_sink
rsink_sink(struct rsink *s)
{
	struct report_sink sink = { s, s_begin, s_record, s_end, s_abort };

	return sink;
}

void
rsink_sha256(const void *buf, size_t len, uint8_t out[32])
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize n = 32;

	g_checksum_update(c, buf, (gssize)len);
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}
