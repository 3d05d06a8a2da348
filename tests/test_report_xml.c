#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flags.h"
#include "report_xml.h"
#include "testutil.h"

/* ---- a recording sink ---- */

#define MAX_LINES 64

struct hdr {
	enum report_dialect dialect;
	char *ns, *version, *org_name, *org_key, *org_email, *extra, *generator;
	char *report_id, *errors, *policy_domain, *fo, *discovery;
	int64_t begin, end;
	enum policy p, sp, np;
	char adkim, aspf, testing;
	int pct;
	uint64_t flags;
};

struct rsink {
	int begin_rc;   /* what begin returns */
	size_t fail_at; /* record returns -1 at this record (1-based), 0: never */
	bool keep;      /* keep a line per record */
	int n_begin, n_end, n_abort;
	size_t n_records;
	struct agg_totals seen; /* sums the sink computes itself */
	char *lines[MAX_LINES];
	uint64_t rec_flags[MAX_LINES];
	struct hdr h;
	uint64_t end_flags;
	struct agg_totals totals;
	uint8_t sha[32];
};

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
	if (s->keep && s->n_records <= MAX_LINES) {
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

static void
rsink_free(struct rsink *s)
{
	size_t i;

	hdr_free(&s->h);
	for (i = 0; i < MAX_LINES; i++) {
		g_free(s->lines[i]);
		s->lines[i] = NULL;
	}
}

static void
setup(void)
{
	report_xml_init();
}

/* Parses a byte_reader into s (keep = true); returns parse's rc. */
static int
parse_rd(const struct byte_reader *rd, const char *filename, uint64_t flags, struct rsink *s,
    enum refusal *why, struct errbuf *e)
{
	struct report_sink sink = { s, s_begin, s_record, s_end, s_abort };
	struct report_hints hints = { filename, NULL, NULL };

	return report_xml_parse(rd, &hints, flags, &sink, why, e);
}

static int
parse_mem(const void *buf, size_t len, const char *filename, struct rsink *s, enum refusal *why,
    struct errbuf *e)
{
	struct mem_reader m;
	struct byte_reader rd = mem_reader_init(&m, buf, len);

	return parse_rd(&rd, filename, 0, s, why, e);
}

/*
 * Parses a file the way the pipeline does: once, and once more through
 * utf8_repair (with W_ENCODING_REPAIRED) when refused for its encoding.
 */
static enum refusal
parse_file(const char *path, const char *filename, struct rsink *s, struct errbuf *e)
{
	enum refusal why = REFUSE_NONE;
	unsigned char *buf;
	size_t len;

	buf = tu_read_file(path, &len);
	s->keep = true;
	cr_assert_eq(parse_mem(buf, len, filename, s, &why, e), 0, "%s: %s", path, e->msg);
	if (why == REFUSE_XML_ENCODING) {
		struct mem_reader m;
		struct utf8_repair u;
		struct byte_reader rd = utf8_repair_init(&u, mem_reader_init(&m, buf, len));

		cr_assert_eq(s->n_abort, s->n_begin, "a refusal after begin aborts the sink");
		cr_assert_eq(s->n_end, 0);
		s->n_records = 0;
		cr_assert_eq(parse_rd(&rd, filename, W_ENCODING_REPAIRED, s, &why, e), 0);
	}
	free(buf);
	return why;
}

static const char *
example(const char *name)
{
	static char rel[256];

	snprintf(rel, sizeof rel, "spec/examples/%s", name);
	return tu_shared(rel);
}

/* ---- the spec's examples (section 8) ---- */

TestSuite(report_xml, .init = setup);

Test(report_xml, rfc7489_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(parse_file(example("aggregate-rfc7489.xml"), NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.n_begin, 1);
	cr_assert_eq(s.n_end, 1);
	cr_assert_eq(s.n_abort, 0);
	cr_assert_eq(s.h.dialect, DIALECT_RFC7489);
	cr_assert_str_eq(s.h.report_id, "17349120000.example.com");
	cr_assert_str_eq(s.h.org_name, "receiver.example");
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_eq(s.h.p, POLICY_NONE);
	cr_assert_eq(s.h.sp, POLICY_NONE);
	cr_assert_eq(s.h.pct, 100);
	cr_assert_str_eq(s.h.fo, "1");
	cr_assert_eq(s.h.begin / 86400, 20080);
	cr_assert_eq(s.h.begin, 1734912000);
	cr_assert_eq(s.h.end, 1734998399);
	cr_assert_eq(s.totals.records, 4);
	cr_assert_eq(s.totals.messages, 1006);
	cr_assert_eq(s.totals.dmarc_pass, 1000);
	cr_assert_eq(s.totals.dkim_aligned, 990);
	cr_assert_eq(s.totals.spf_aligned, 985);
	cr_assert_eq(s.n_records, 4);
	cr_assert_eq(s.end_flags, 0, "no warnings on a conforming report");
	cr_assert(strstr(s.lines[1], "ip=2001:db8:10::25/6 ") != NULL, "%s", s.lines[1]);
	rsink_free(&s);
}

Test(report_xml, rfc9990_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(parse_file(example("aggregate-rfc9990.xml"), NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_RFC9990);
	cr_assert_str_eq(s.h.ns, "urn:ietf:params:xml:ns:dmarc-2.0");
	cr_assert_str_eq(s.h.report_id, "1735084800.example.com@receiver.example");
	cr_assert_str_eq(s.h.generator, "Receiver Example DMARC reporter 4.2");
	cr_assert_str_eq(s.h.discovery, "treewalk");
	cr_assert_eq(s.h.p, POLICY_REJECT);
	cr_assert_eq(s.h.sp, POLICY_QUARANTINE);
	cr_assert_eq(s.h.np, POLICY_REJECT);
	cr_assert_eq(s.h.testing, 'y');
	cr_assert_eq(s.h.pct, -1);
	cr_assert_eq(s.h.adkim, 'r');
	cr_assert_eq(s.h.aspf, 's');
	cr_assert_eq(s.h.begin / 86400, 20082);
	cr_assert_eq(s.totals.messages, 520);
	cr_assert_eq(s.totals.dmarc_pass, 500);
	cr_assert_eq(s.totals.dkim_aligned, 500);
	cr_assert_eq(s.totals.spf_aligned, 480);
	cr_assert_eq(s.n_records, 3);
	cr_assert_str_eq(s.lines[1],
	    "ip=2001:db8:10::25/6 raw=2001:db8:10::25 n=20 disp=pass "
	    "pe=pass/fail hf=example.com ef=- et=- reasons=[] dkim=[example.com/esp1/pass/-] "
	    "spf=[mta.example.net/-/none/no SPF record for HELO-derived identity]");
	cr_assert_str_eq(s.lines[2],
	    "ip=203.0.113.77/4 raw=203.0.113.77 n=20 disp=quarantine "
	    "pe=fail/fail hf=example.com ef=spoofer.example.org et=- "
	    "reasons=[policy_test_mode/t=y: applied one level below p=reject] "
	    "dkim=[spoofer.example.org/x/pass/-] spf=[spoofer.example.org/mfrom/pass/-]");
	cr_assert_eq(s.rec_flags[2], 0, "the record extension element is skipped silently");
	rsink_free(&s);
}

Test(report_xml, legacy_quirks_example)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(parse_file(example("aggregate-legacy-quirks.xml"), NULL, &s, &e), REFUSE_NONE,
	    "%s", e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_DRAFT);
	cr_assert_str_eq(s.h.org_name, "Legacy Receiver");
	cr_assert_str_eq(s.h.org_key, "legacy receiver");
	cr_assert_str_eq(s.h.report_id, "legacy-0001@legacy.example");
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_str_eq(s.h.errors,
	    "sp tag had invalid value \"rejectt\"\n"
	    "multiple DMARC records found");
	cr_assert_eq(s.h.begin, 1700006400);
	cr_assert_eq(s.h.end, 1700092799);
	cr_assert_eq(s.h.begin / 86400, 19676);
	cr_assert_eq(s.h.p, POLICY_REJECT);
	cr_assert_eq(s.h.sp, POLICY_UNSET);
	cr_assert_eq(s.h.pct, 50);
	cr_assert(s.h.flags & W_ENUM_CASE, "<p>Reject</p>");
	cr_assert_eq(s.totals.messages, 13);
	cr_assert_eq(s.totals.dmarc_pass, 10);
	cr_assert_eq(s.totals.dkim_aligned, 3);
	cr_assert_eq(s.totals.spf_aligned, 10);
	cr_assert_eq(s.n_records, 3);
	cr_assert_str_eq(s.lines[0],
	    "ip=192.0.2.10/4 raw=::ffff:192.0.2.10 n=7 disp=none "
	    "pe=fail/pass hf=example.com ef=- et=- reasons=[] dkim=[example.com/-/fail/-] "
	    "spf=[mail.example.com/helo/pass/-,example.com/-/pass/-]");
	cr_assert_eq(s.rec_flags[0], W_IP_MAPPED | W_ENUM_CASE, "%#llx",
	    (unsigned long long)s.rec_flags[0]);
	cr_assert_str_eq(s.lines[2],
	    "ip=/0 raw=203.0.113.300 n=3 disp=quarantine "
	    "pe=fail/fail hf=example.com ef=- et=- reasons=[sampled_out/-] dkim=[] "
	    "spf=[bad.example.org/mfrom/fail:hardfail/-,bad.example.org/helo/temperror:unknown/-]");
	cr_assert_eq(s.rec_flags[2], W_IP_INVALID);
	rsink_free(&s);
}

/* ---- the shared corpus: every aggregate .xml (figures read off each file) ---- */

struct corpus_case {
	const char *path;
	enum refusal why;
	uint64_t records, messages, dmarc_pass, dkim_aligned, spf_aligned;
	const char *domain;
	int64_t begin, end;
	enum report_dialect dialect;
	uint64_t flags; /* report flags that must be set */
};

#define PD "domainaware+parsedmarc/"
#define CI "cry-inc+dmarc-report-viewer/"

static const struct corpus_case CORPUS[] = {
	{ CI "acme.xml", 0, 1, 2, 2, 0, 2, "example.com", 1335571200, 1335657599, DIALECT_DRAFT,
	    0 },
	{ CI "aol.xml", 0, 1, 1, 1, 1, 1, "website.com", 1504742400, 1504828800, DIALECT_DRAFT, 0 },
	{ CI "gmxnet.xml", 0, 1, 1, 1, 1, 1, "myserver.com", 1733184000, 1733270399,
	    DIALECT_RFC9990, 0 },
	{ CI "google.xml", 0, 1, 1, 1, 1, 1, "foo-bar.io", 1709683200, 1709769599, DIALECT_RFC9990,
	    0 },
	{ CI "hardfail.xml", 0, 1, 1, 0, 0, 0, "mydomain.org", 1727049600, 1727135999,
	    DIALECT_DRAFT, 0 },
	{ CI "invalid_casing.xml", 0, 1, 1, 0, 0, 0, "mydomain.org", 1727049600, 1727135999,
	    DIALECT_DRAFT, 0 },
	{ CI "mailru.xml", 0, 1, 1, 0, 0, 0, "foobar.de", 1721260800, 1721347200, DIALECT_DRAFT,
	    0 },
	{ CI "outlook.xml", 0, 2, 3, 3, 3, 3, "random.net", 1709683200, 1709769600, DIALECT_RFC7489,
	    0 },
	{ CI "solamora.xml", 0, 1, 2, 2, 0, 2, "bix-business.com", 1335571200, 1335657599,
	    DIALECT_DRAFT, 0 },
	{ CI "webde.xml", 0, 1, 1, 1, 1, 1, "foobar.com", 1722816000, 1722902399, DIALECT_RFC9990,
	    0 },
	{ CI "yahoo.xml", 0, 1, 1, 1, 1, 1, "random.org", 1709510400, 1709596799, DIALECT_DRAFT,
	    0 },
	{ PD "!example.com!1538204542!1538463818.xml", 0, 1, 1, 0, 0, 0, "example.com", 1538413632,
	    1538413632, DIALECT_DRAFT, W_ORG_FALLBACK | W_FILENAME_MISMATCH },
	{ PD "!large-example.com!1711897200!1711983600.xml", 0, 2286, 2286, 0, 0, 0, "example.com",
	    1711897200, 1711983600, DIALECT_DRAFT, W_ORG_FALLBACK },
	{ PD "addisonfoods.com!example.com!1536105600!1536191999.xml", 0, 1, 1, 0, 0, 0,
	    "example.com", 1536105600, 1536191999, DIALECT_RFC7489, 0 },
	{ PD "changed-input.xml", 0, 20, 3047, 3047, 3046, 2637, "example.com", 1718236800,
	    1718323199, DIALECT_RFC9990, 0 },
	{ PD "empty.xml", REFUSE_NO_REPORT, 0, 0, 0, 0, 0, NULL, 0, 0, DIALECT_DRAFT, 0 },
	{ PD "empty_reason.xml", 0, 1, 2, 2, 2, 0, "example.com", 1706159544, 1706185733,
	    DIALECT_RFC7489, 0 },
	{ PD "example.net!example.com!1529366400!1529452799.xml", 0, 1, 1, 0, 0, 0, "example.com",
	    1529366400, 1529452799, DIALECT_RFC7489, 0 },
	{ PD "ikea.com!example.de!1538690400!1538776800.xml", 0, 1, 1, 0, 0, 0, "example.de",
	    1538690400, 1538776800, DIALECT_DRAFT, W_XML_REPAIRED },
	{ PD "invalid_utf_8.xml", 0, 1, 1, 0, 0, 0, "example.com", 1538413632, 1538413632,
	    DIALECT_DRAFT, W_ENCODING_REPAIRED | W_ORG_FALLBACK },
	{ PD "invalid_xml.xml", REFUSE_XML_MALFORMED, 0, 0, 0, 0, 0, NULL, 0, 0, DIALECT_DRAFT, 0 },
	{ PD "nice-input.xml", 0, 20, 3047, 3047, 3046, 2637, "example.com", 1718236800, 1718323199,
	    DIALECT_RFC9990, 0 },
	{ PD "old_draft_from_wiki.xml", 0, 1, 2, 2, 0, 2, "example.com", 1335571200, 1335657599,
	    DIALECT_DRAFT, 0 },
	{ PD "protection.outlook.com!example.com!1711756800!1711843200.xml", 0, 1, 1, 0, 0, 0,
	    "example.com", 1711756800, 1711843200, DIALECT_RFC7489, 0 },
	{ PD "report_with_upper_cased_pass.xml", 0, 1, 1, 1, 1, 1, "example.com", 1574955300,
	    1575304683, DIALECT_DRAFT, 0 },
	{ PD "rfc9990-example.net!example.com!1700000000!1700086399.xml", 0, 2, 7, 5, 5, 5,
	    "example.com", 1700000000, 1700086399, DIALECT_RFC9990, 0 },
	{ PD "rfc9990-sample.xml", 0, 1, 123, 123, 123, 0, "example.com", 302832000, 302918399,
	    DIALECT_RFC9990, W_DATE_IMPLAUSIBLE },
	{ PD "usssa.com!example.com!1538784000!1538870399.xml", 0, 2, 2, 0, 0, 0, "example.com",
	    1538784000, 1538870399, DIALECT_RFC7489, 0 },
	{ PD "veeam.com!example.com!1530133200!1530219600.xml", 0, 1, 1, 0, 0, 0, "example.com",
	    1530133200, 1530219600, DIALECT_DRAFT, 0 },
	{ PD "zoho.com!example.com!1581753600!1581840000.xml", 0, 8, 9, 0, 0, 0, "example.com",
	    1581753600, 1581840000, DIALECT_DRAFT, 0 },
};

Test(report_xml, corpus_every_aggregate_xml)
{
	char rel[512];
	size_t i;

	TU_REQUIRE_SHARED();
	for (i = 0; i < sizeof CORPUS / sizeof CORPUS[0]; i++) {
		const struct corpus_case *c = &CORPUS[i];
		struct rsink s = { 0 };
		struct errbuf e = { "" };
		enum refusal why;

		snprintf(rel, sizeof rel, "corpus/%s", c->path);
		why = parse_file(tu_shared(rel), strrchr(c->path, '/') + 1, &s, &e);
		cr_assert_eq(why, c->why, "%s: refusal %s (%s)", c->path, refusal_code(why), e.msg);
		if (c->why != REFUSE_NONE) {
			cr_assert_eq(s.n_end, 0, "%s", c->path);
			cr_assert_eq(s.n_begin, s.n_abort, "%s: aborted if begun", c->path);
			rsink_free(&s);
			continue;
		}
		cr_assert_eq(s.n_end, 1, "%s", c->path);
		cr_assert_eq(s.totals.records, c->records, "%s: records %llu", c->path,
		    (unsigned long long)s.totals.records);
		cr_assert_eq(s.totals.messages, c->messages, "%s: messages", c->path);
		cr_assert_eq(s.totals.dmarc_pass, c->dmarc_pass, "%s: dmarc pass", c->path);
		cr_assert_eq(s.totals.dkim_aligned, c->dkim_aligned, "%s: dkim", c->path);
		cr_assert_eq(s.totals.spf_aligned, c->spf_aligned, "%s: spf", c->path);
		cr_assert_eq(s.totals.records_dropped, 0, "%s", c->path);
		cr_assert_eq(s.n_records, c->records, "%s: records at the sink", c->path);
		cr_assert_eq(s.seen.messages, c->messages, "%s", c->path);
		cr_assert_str_eq(s.h.policy_domain, c->domain, "%s", c->path);
		cr_assert_eq(s.h.begin, c->begin, "%s: begin %lld", c->path, (long long)s.h.begin);
		cr_assert_eq(s.h.end, c->end, "%s: end", c->path);
		cr_assert_eq(s.h.dialect, c->dialect, "%s: dialect %s", c->path,
		    dialect_name(s.h.dialect));
		cr_assert_eq(s.end_flags & c->flags, c->flags, "%s: flags %#llx", c->path,
		    (unsigned long long)s.end_flags);
		rsink_free(&s);
	}
}

Test(report_xml, corpus_refusals_say_why)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(parse_file(tu_shared("corpus/" PD "empty.xml"), NULL, &s, &e),
	    REFUSE_NO_REPORT);
	cr_assert(strstr(e.msg, "empty document") != NULL, "%s", e.msg);
	cr_assert_eq(parse_file(tu_shared("corpus/" PD "invalid_xml.xml"), NULL, &s, &e),
	    REFUSE_XML_MALFORMED);
	cr_assert(strncmp(e.msg, "line 5: ", 8) == 0, "%s", e.msg);
	rsink_free(&s);
}

Test(report_xml, corpus_invalid_utf8_refused_then_stored_after_repair)
{
	const char *path;
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why = REFUSE_NONE;
	unsigned char *buf;
	size_t len;

	TU_REQUIRE_SHARED();
	path = tu_shared("corpus/" PD "invalid_utf_8.xml");
	buf = tu_read_file(path, &len);
	cr_assert_eq(parse_mem(buf, len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_XML_ENCODING, "%s", e.msg);
	cr_assert(strstr(e.msg, "UTF-8") != NULL, "%s", e.msg);
	cr_assert_eq(s.n_begin, 1, "the bad byte is inside a record: the sink had begun");
	cr_assert_eq(s.n_abort, 1);
	cr_assert_eq(s.n_end, 0);
	free(buf);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	cr_assert_eq(parse_file(path, NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert(s.end_flags & W_ENCODING_REPAIRED);
	cr_assert(strstr(s.lines[0], "hf=bad_byte\xef\xbf\xbd ") != NULL, "%s", s.lines[0]);
	cr_assert_str_eq(s.h.org_name, "accurateplastics.com");
	rsink_free(&s);
}

Test(report_xml, corpus_enumerations_are_case_folded)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	TU_REQUIRE_SHARED();
	cr_assert_eq(
	    parse_file(tu_shared("corpus/" PD "report_with_upper_cased_pass.xml"), NULL, &s, &e),
	    REFUSE_NONE);
	cr_assert(strstr(s.lines[0], " disp=none pe=pass/pass ") != NULL, "%s", s.lines[0]);
	cr_assert(strstr(s.lines[0],
	              "dkim=[example.com/-/pass/verify result: all signatures "
	              "verified] spf=[example.com/-/pass/-]") != NULL,
	    "%s", s.lines[0]);
	cr_assert(s.rec_flags[0] & W_ENUM_CASE);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	cr_assert_eq(parse_file(tu_shared("corpus/" CI "invalid_casing.xml"), NULL, &s, &e),
	    REFUSE_NONE);
	cr_assert(
	    strstr(s.lines[0],
	        "spf=[mydomain.org/-/none/-,mydomain.org/-/neutral/-,"
	        "mydomain.org/-/pass/-,mydomain.org/-/fail/-,mydomain.org/-/fail:HardFail/-,"
	        "mydomain.org/-/softfail/-,mydomain.org/-/temperror/-,mydomain.org/-/permerror/-]") !=
	        NULL,
	    "%s", s.lines[0]);
	rsink_free(&s);
}

/* ---- own fixtures (tests/fixtures/xml) ---- */

static enum refusal
parse_fixture(const char *name, const char *filename, struct rsink *s, struct errbuf *e)
{
	char rel[128];

	snprintf(rel, sizeof rel, "xml/%s", name);
	return parse_file(tu_fixture(rel), filename, s, e);
}

Test(report_xml, doctype_billion_laughs_refused_unexpanded)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	clock_t t0 = clock();

	cr_assert_eq(parse_fixture("doctype_billion_laughs.xml", NULL, &s, &e), REFUSE_XML_DOCTYPE,
	    "%s", e.msg);
	cr_assert(strstr(e.msg, "DOCTYPE") != NULL, "%s", e.msg);
	cr_assert_eq(s.n_begin, 0);
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
}

Test(report_xml, doctype_external_entity_refused)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("doctype_external_entity.xml", NULL, &s, &e), REFUSE_XML_DOCTYPE,
	    "%s", e.msg);
	cr_assert_eq(s.n_begin, 0);
	cr_assert(strstr(e.msg, "root:") == NULL, "no file content leaks: %s", e.msg);
}

Test(report_xml, deep_nesting_refused_quickly)
{
	const size_t depth = 100000;
	GString *g = g_string_new("<?xml version=\"1.0\"?><feedback><report_metadata>");
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	enum refusal why;
	clock_t t0 = clock();
	size_t i;

	for (i = 0; i < depth; i++)
		g_string_append(g, "<x>");
	for (i = 0; i < depth; i++)
		g_string_append(g, "</x>");
	g_string_append(g, "</report_metadata></feedback>");
	cr_assert_eq(parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_XML_LIMIT, "%s: %s", refusal_code(why), e.msg);
	cr_assert(strstr(e.msg, "nested deeper than 32") != NULL, "%s", e.msg);
	cr_assert_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 1.0);
	g_string_free(g, TRUE);
}

Test(report_xml, count_beyond_uint64_drops_the_record)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("count_overflow.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert(s.end_flags & W_RECORD_DROPPED);
	cr_assert_eq(s.totals.records_dropped, 1);
	cr_assert_eq(s.totals.records, 1);
	cr_assert_eq(s.totals.messages, 5);
	cr_assert_eq(s.n_records, 1, "the dropped record never reaches the sink");
	cr_assert(strncmp(s.lines[0], "ip=192.0.2.2/4 ", 15) == 0, "%s", s.lines[0]);
	rsink_free(&s);
}

Test(report_xml, count_int64_max_kept_and_totals_do_not_overflow)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("count_int64_max.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.n_records, 2);
	cr_assert(strstr(s.lines[0], " n=9223372036854775807 ") != NULL, "%s", s.lines[0]);
	cr_assert(strstr(s.lines[1], " n=9223372036854775807 ") != NULL, "%s", s.lines[1]);
	cr_assert_eq(s.rec_flags[0], W_COUNT_HUGE);
	cr_assert_eq(s.rec_flags[1], W_COUNT_HUGE, "'+' and spaces are fine, no flag");
	cr_assert_eq(s.totals.messages, UINT64_C(18446744073709551614));
	cr_assert_eq(s.totals.records_dropped, 0);
	rsink_free(&s);
}

Test(report_xml, junk_before_root_is_cut)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("junk_before_root.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert(s.end_flags & W_XML_REPAIRED);
	cr_assert(s.h.flags & W_XML_REPAIRED, "known at begin already");
	cr_assert_eq(s.totals.records, 1);
	rsink_free(&s);
}

/* SHA-256 of len bytes. */
static void
sha256(const void *buf, size_t len, uint8_t out[32])
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize n = 32;

	g_checksum_update(c, buf, (gssize)len);
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}

Test(report_xml, trailing_junk_ignored_but_hashed)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };
	unsigned char *buf;
	uint8_t want[32];
	size_t len;

	cr_assert_eq(parse_fixture("trailing_junk.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.totals.records, 1);
	cr_assert_eq(s.end_flags & W_XML_REPAIRED, 0);
	buf = tu_read_file(tu_fixture("xml/trailing_junk.xml"), &len);
	cr_assert_eq(buf[len - 1], '\n');
	sha256(buf, len - 1, want); /* the canonical form drops the final LF only */
	cr_assert_arr_eq(s.sha, want, 32);
	free(buf);
	rsink_free(&s);
}

Test(report_xml, millisecond_timestamps)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("millis_timestamps.xml", NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.h.begin, 1700000000);
	cr_assert_eq(s.h.end, 1700086399);
	cr_assert(s.h.flags & W_TS_MILLIS);
	rsink_free(&s);
}

Test(report_xml, begin_after_end_swapped)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("begin_after_end.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(s.h.begin, 1700000000);
	cr_assert_eq(s.h.end, 1700086399);
	cr_assert(s.h.flags & W_DATE_REVERSED);
	rsink_free(&s);
}

Test(report_xml, missing_org_name_falls_back_to_email_domain)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("missing_org_name.xml", NULL, &s, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_str_eq(s.h.org_name, "mail.fallback.example");
	cr_assert_str_eq(s.h.org_key, "mail.fallback.example");
	cr_assert(s.h.flags & W_ORG_FALLBACK);
	rsink_free(&s);
}

#define FN_RID "reports/Receiver.Example!example.com!1700000000!1700086399!abc123.xml.gz"

Test(report_xml, missing_report_id_falls_back_to_file_name)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("missing_report_id.xml", FN_RID, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_str_eq(s.h.report_id, "abc123");
	cr_assert(s.h.flags & W_REPORT_ID_SYNTH);
	cr_assert_eq(s.h.flags & W_FILENAME_MISMATCH, 0, "file name agrees with the XML");
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	{
		struct report_hints hints = { FN_RID,
			"Report Domain: example.com\r\n "
			"Submitter: receiver.example Report-ID: <rid-42@receiver.example>",
			NULL };
		struct report_sink sink = { &s, s_begin, s_record, s_end, s_abort };
		struct mem_reader m;
		struct byte_reader rd;
		enum refusal why;
		unsigned char *buf;
		size_t len;

		buf = tu_read_file(tu_fixture("xml/missing_report_id.xml"), &len);
		rd = mem_reader_init(&m, buf, len);
		cr_assert_eq(report_xml_parse(&rd, &hints, 0, &sink, &why, &e), 0);
		cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
		cr_assert_str_eq(s.h.report_id, "rid-42@receiver.example",
		    "the Subject comes first");
		free(buf);
		rsink_free(&s);
		memset(&s, 0, sizeof s);
	}
	cr_assert_eq(parse_fixture("missing_report_id.xml", NULL, &s, &e), REFUSE_NONE);
	cr_assert_eq(strlen(s.h.report_id), 7 + 32, "%s", s.h.report_id);
	cr_assert(strncmp(s.h.report_id, "sha256:", 7) == 0, "%s", s.h.report_id);
	cr_assert(s.h.flags & W_REPORT_ID_SYNTH);
	rsink_free(&s);
}

Test(report_xml, rfc9990_extension_content_skipped)
{
	struct rsink s = { 0 };
	struct errbuf e = { "" };

	cr_assert_eq(parse_fixture("rfc9990_extension.xml", NULL, &s, &e), REFUSE_NONE, "%s",
	    e.msg);
	cr_assert_eq(s.h.dialect, DIALECT_RFC9990);
	cr_assert_str_eq(s.h.policy_domain, "example.com");
	cr_assert_eq(s.totals.records, 2);
	cr_assert_eq(s.totals.messages, 3, "x:row/x:count is not ours");
	cr_assert_eq(s.totals.dmarc_pass, 1);
	cr_assert(strstr(s.lines[0], "evil") == NULL, "%s", s.lines[0]);
	cr_assert_eq(s.rec_flags[0] & W_DUP_ELEMENT, 0);
	rsink_free(&s);
}

Test(report_xml, utf8_bom_skipped_and_not_hashed)
{
	struct rsink a = { 0 }, b = { 0 };
	struct errbuf e = { "" };
	enum refusal why;
	unsigned char *buf;
	size_t len;

	cr_assert_eq(parse_fixture("bom.xml", NULL, &a, &e), REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(a.end_flags & W_XML_REPAIRED, 0, "a BOM is no repair");
	buf = tu_read_file(tu_fixture("xml/bom.xml"), &len);
	cr_assert_arr_eq(buf, "\xef\xbb\xbf<?xml", 8);
	cr_assert_eq(parse_mem(buf + 3, len - 3, NULL, &b, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE);
	cr_assert_arr_eq(a.sha, b.sha, 32);
	free(buf);
	rsink_free(&a);
	rsink_free(&b);
}

/* ---- the canonical hash (spec 7.2) ---- */

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

	cr_assert_eq(parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
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
	buf = tu_read_file(tu_fixture("xml/count_int64_max.xml"), &len);
	hash_of(buf, len, 1 << 20, base);
	sha256(buf, len - 1, want);
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

	buf = tu_read_file(tu_fixture("xml/count_int64_max.xml"), &len);
	cr_assert_eq(parse_mem(buf, len, NULL, &s, &why, &e), -1);
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

	buf = tu_read_file(tu_fixture("xml/count_int64_max.xml"), &len);
	cr_assert_eq(parse_mem(buf, len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE);
	cr_assert_eq(s.n_begin, 1);
	cr_assert_eq(s.n_records, 0);
	cr_assert_eq(s.n_end, 1);
	cr_assert_eq(s.n_abort, 0);
	sha256(buf, len - 1, want);
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
	cr_assert_eq(parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
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

/* ---- small documents, table-driven ---- */

/* clang-format off */
#define META "<report_metadata><org_name>Mini</org_name><email>m@mini.example</email>" \
	"<report_id>m-1</report_id><date_range><begin>1700000000</begin>" \
	"<end>1700086399</end></date_range></report_metadata>"
/* clang-format on */
#define POLICY "<policy_published><domain>example.com</domain><p>none</p></policy_published>"
/* clang-format off */
#define ROW(ip, count, pe) "<row><source_ip>" ip "</source_ip><count>" count "</count>" \
	"<policy_evaluated>" pe "</policy_evaluated></row>"
/* clang-format on */
#define PE_OK "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"
#define HF(v) "<identifiers><header_from>" v "</header_from></identifiers>"
#define REC(row, ids, auth) "<record>" row ids "<auth_results>" auth "</auth_results></record>"
#define OK_REC REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"), "")
#define FN "receiver.example!example.com!1700000000!1700086399.xml"
#define NS9990 "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"

struct mini_case {
	const char *name;
	const char *doc; /* whole document, or NULL to build one */
	const char *meta, *policy, *records;
	const char *filename, *subject, *from;
	enum refusal why;
	const char *err_has; /* substring of the refusal reason */
	uint64_t rep_flags;  /* must be set on the report (at end) */
	const char *line0;   /* substring of the first record's line */
	uint64_t rec_flags0; /* the first record's flags, exactly */
};

static const struct mini_case MINI[] = {
	{ "root is not feedback", "<html><body>hello</body></html>", 0, 0, 0, 0, 0, 0,
	    REFUSE_NOT_DMARC, "root element is <html>", 0, NULL, 0 },
	{ "truncated document", "<feedback>" META POLICY "<record><row><source_ip>1.2", 0, 0, 0, 0,
	    0, 0, REFUSE_XML_MALFORMED, "line 1: ", 0, NULL, 0 },
	{ "entity without DOCTYPE", "<feedback>" META POLICY "&foo;</feedback>", 0, 0, 0, 0, 0, 0,
	    REFUSE_XML_MALFORMED, "foo", 0, NULL, 0 },
	{ "no policy domain anywhere", NULL, META,
	    "<policy_published><p>none</p>"
	    "</policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_MISSING_POLICY_DOMAIN, "policy_published/domain", 0, NULL, 0 },
	{ "policy domain from the Subject", NULL, META,
	    "<policy_published><domain> </domain>"
	    "</policy_published>",
	    OK_REC, 0,
	    "Report domain: Sub.Example Submitter: google.com "
	    "Report-ID: <1234>",
	    0, REFUSE_NONE, NULL, 0, " hf=example.com ", W_HFROM_OUTSIDE_DOMAIN },
	{ "no policy_published at all", NULL, META, "", OK_REC, FN, 0, 0, REFUSE_NONE, NULL,
	    W_POLICY_PUBLISHED_MISSING, NULL, 0 },
	{ "org from the sender", NULL,
	    "<report_metadata><report_id>x</report_id><date_range>"
	    "<begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, "DMARC Reports <noreply-dmarc@Mail.Example>", REFUSE_NONE, NULL,
	    W_ORG_FALLBACK, NULL, 0 },
	{ "no reporter anywhere", NULL,
	    "<report_metadata><org_name/><report_id>x</report_id>"
	    "<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_MISSING_REPORTER, "org_name", 0, NULL, 0 },
	{ "negative begin", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>-5</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, FN, 0, 0, REFUSE_BAD_TIMESTAMP, "date_range/begin '-5' is out of range",
	    0, NULL, 0 },
	{ "begin after 9999", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>999999999999999</begin><end>1</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_BAD_TIMESTAMP, "out of range", 0, NULL, 0 },
	{ "begin not a number", NULL,
	    "<report_metadata><org_name>M</org_name><report_id>x"
	    "</report_id><date_range><begin>yesterday</begin><end>1700086399</end></date_range>"
	    "</report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_BAD_TIMESTAMP,
	    "date_range/begin 'yesterday' is not a number", 0, NULL, 0 },
	{ "dates from the file name", NULL,
	    "<report_metadata><org_name>M</org_name>"
	    "<report_id>x</report_id></report_metadata>",
	    POLICY, OK_REC, FN, 0, 0, REFUSE_NONE, NULL, W_DATE_FROM_FILENAME, NULL, 0 },
	{ "file name disagrees", NULL, META, POLICY, OK_REC,
	    "r.example!other.example!1700000000!1700086399.xml", 0, 0, REFUSE_NONE, NULL,
	    W_FILENAME_MISMATCH, NULL, 0 },
	{ "weekly span is fine, 40 days is long", NULL,
	    "<report_metadata><org_name>M</org_name>"
	    "<report_id>x</report_id><date_range><begin>1700000000</begin><end>1703456000</end>"
	    "</date_range></report_metadata>",
	    POLICY, OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_SPAN_LONG, NULL, 0 },
	{ "empty report", "<feedback>" META POLICY "</feedback>", 0, 0, 0, 0, 0, 0, REFUSE_NONE,
	    NULL, W_NO_RECORDS, NULL, 0 },
	{ "bare root with every fallback", "<feedback/>", 0, 0, 0, FN, 0, 0, REFUSE_NONE, NULL,
	    W_NO_RECORDS | W_ORG_FALLBACK | W_DATE_FROM_FILENAME | W_POLICY_PUBLISHED_MISSING |
	        W_REPORT_ID_SYNTH,
	    NULL, 0 },
	{ "duplicate policy_published", NULL, META,
	    POLICY "<policy_published><domain>evil.example"
	           "</domain></policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_DUP_ELEMENT, " hf=example.com ", 0 },
	{ "duplicate count", NULL, META, POLICY,
	    REC("<row><source_ip>192.0.2.1</source_ip><count>"
	        "4</count><count>400</count><policy_evaluated>" PE_OK "</policy_evaluated></row>",
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " n=4 ", W_DUP_ELEMENT },
	{ "count N.0", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "12.0", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    0, " n=12 ", W_NUMBER_FORMAT },
	{ "count zero", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "0", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL, 0,
	    " n=0 ", W_COUNT_ZERO },
	{ "count 1.5 dropped", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1.5", PE_OK), HF("example.com"), "") OK_REC, 0, 0, 0, REFUSE_NONE,
	    NULL, W_RECORD_DROPPED, " n=1 ", 0 },
	{ "count -1 dropped", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "-1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    W_RECORD_DROPPED | W_NO_RECORDS, NULL, 0 },
	{ "row missing dropped", NULL, META, POLICY, "<record>" HF("example.com") "</record>", 0, 0,
	    0, REFUSE_NONE, NULL, W_RECORD_DROPPED, NULL, 0 },
	{ "bracketed IPv4", NULL, META, POLICY,
	    REC(ROW(" [192.0.2.1] ", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE,
	    NULL, 0, "ip=192.0.2.1/4 raw=[192.0.2.1] ", W_IP_NORMALIZED },
	{ "IPv6: prefix", NULL, META, POLICY,
	    REC(ROW("IPv6:2001:DB8:0:0::1", "1", PE_OK), HF("example.com"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, "ip=2001:db8::1/6 ", W_IP_NORMALIZED },
	{ "zone id", NULL, META, POLICY,
	    REC(ROW("fe80::1%eth0", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL,
	    0, "ip=fe80::1/6 raw=fe80::1%eth0 ", W_IP_NORMALIZED },
	{ "IPv4 with leading zeros", NULL, META, POLICY,
	    REC(ROW("010.1.1.1", "1", PE_OK), HF("example.com"), ""), 0, 0, 0, REFUSE_NONE, NULL, 0,
	    "ip=/0 raw=010.1.1.1 ", W_IP_INVALID },
	{ "header_from as an address", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("&lt;User@Mail.Example.COM.&gt;"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, " hf=mail.example.com ", W_DOMAIN_NORMALIZED },
	{ "header_from outside", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("example.community"), ""), 0, 0, 0, REFUSE_NONE,
	    NULL, 0, " hf=example.community ", W_HFROM_OUTSIDE_DOMAIN },
	{ "header_from missing", NULL, META, POLICY, REC(ROW("192.0.2.1", "1", PE_OK), "", ""), 0,
	    0, 0, REFUSE_NONE, NULL, 0, " hf=example.com ", W_HFROM_MISSING },
	{ "policy_evaluated words", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", "<disposition>discard</disposition><dkim>softfail</dkim>"),
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " disp=-:discard pe=fail/- ",
	    W_ENUM_UNKNOWN | W_PE_INCOMPLETE },
	{ "reasons", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1",
	            PE_OK
	            "<reason><comment>just a comment</comment></reason><reason><type>Weird</type></reason>"
	            "<reason><type/><comment/></reason><reason><type>Mailing_List</type></reason>"),
	        HF("example.com"), ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0,
	    " reasons=[other/just a comment,other:Weird/-,mailing_list/-] ",
	    W_ENUM_UNKNOWN | W_ENUM_CASE },
	{ "dkim without selector, draft", NULL, META, POLICY,
	    REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"),
	        "<dkim><domain>example.com</domain><result>pass</result></dkim>"),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " dkim=[example.com/-/pass/-] ", 0 },
	{ "dkim without selector, rfc9990",
	    NS9990 META POLICY REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"),
	        "<dkim><domain>example.com</domain>"
	        "<result>pass</result></dkim><spf><domain>example.com</domain><scope>helo</scope>"
	        "<result>pass</result></spf><spf><domain>example.com</domain><result>pass</result></spf>") "</feedback>",
	    0, 0, 0, 0, 0, 0, REFUSE_NONE, NULL, 0, " dkim=[example.com/-/pass/-] ",
	    W_DKIM_NO_SELECTOR | W_SPF_MULTI | W_RFC9990_DEVIATION },
	{ "rfc9990 without namespace: pct is a deviation", NULL,
	    META "<generator>g 1.0</generator>",
	    "<policy_published><domain>example.com</domain><p>none</p><pct>100</pct>"
	    "</policy_published>",
	    OK_REC, 0, 0, 0, REFUSE_NONE, NULL, W_RFC9990_DEVIATION, NULL, 0 },
	{ "CDATA is text", NULL,
	    "<report_metadata><org_name><![CDATA[Cdata <Org>]]></org_name>"
	    "<report_id>x</report_id><date_range><begin>1700000000</begin><end>1700086399</end>"
	    "</date_range></report_metadata>",
	    POLICY, REC(ROW("192.0.2.1", "1", PE_OK), HF("<![CDATA[example.com]]>"), ""), 0, 0, 0,
	    REFUSE_NONE, NULL, 0, " hf=example.com ", 0 },
	{ "unknown elements and stray text", NULL, META "<vendor><org_name>no</org_name></vendor>",
	    POLICY "stray",
	    REC(ROW("192.0.2.1", "3", PE_OK "<extra>1</extra>"),
	        HF("example.com") "<comment>x</comment>", ""),
	    0, 0, 0, REFUSE_NONE, NULL, 0, " n=3 ", 0 },
	{ "declared Latin-1",
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback>"
	    "<report_metadata><org_name>Caf\xe9</org_name><report_id>x</report_id><date_range>"
	    "<begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>" POLICY
	        OK_REC "</feedback>",
	    0, 0, 0, 0, 0, 0, REFUSE_NONE, NULL, 0, NULL, 0 },
};

Test(report_xml, small_documents)
{
	size_t i;

	for (i = 0; i < sizeof MINI / sizeof MINI[0]; i++) {
		const struct mini_case *c = &MINI[i];
		struct report_hints hints = { c->filename, c->subject, c->from };
		struct rsink s = { .keep = true };
		struct report_sink sink = { &s, s_begin, s_record, s_end, s_abort };
		struct errbuf e = { "" };
		enum refusal why;
		struct mem_reader m;
		struct byte_reader rd;
		char *doc;

		doc = c->doc != NULL ?
		    g_strdup(c->doc) :
		    g_strdup_printf("<feedback>%s%s%s</feedback>", c->meta, c->policy, c->records);
		rd = mem_reader_init(&m, doc, strlen(doc));
		cr_assert_eq(report_xml_parse(&rd, &hints, 0, &sink, &why, &e), 0, "%s", c->name);
		cr_assert_eq(why, c->why, "%s: %s (%s)", c->name, refusal_code(why), e.msg);
		if (c->err_has != NULL)
			cr_assert(strstr(e.msg, c->err_has) != NULL, "%s: '%s'", c->name, e.msg);
		if (why != REFUSE_NONE) {
			cr_assert_eq(s.n_end, 0, "%s", c->name);
			cr_assert_eq(s.n_abort, s.n_begin, "%s", c->name);
		} else {
			cr_assert_eq(s.n_end, 1, "%s", c->name);
			cr_assert_eq(s.end_flags & c->rep_flags, c->rep_flags, "%s: %#llx", c->name,
			    (unsigned long long)s.end_flags);
		}
		if (c->line0 != NULL) {
			cr_assert_not_null(s.lines[0], "%s", c->name);
			cr_assert(strstr(s.lines[0], c->line0) != NULL, "%s: %s", c->name,
			    s.lines[0]);
			cr_assert_eq(s.rec_flags[0], c->rec_flags0, "%s: %#llx", c->name,
			    (unsigned long long)s.rec_flags[0]);
		}
		g_free(doc);
		rsink_free(&s);
	}
}

Test(report_xml, small_documents_values)
{
	struct rsink s = { .keep = true };
	struct errbuf e = { "" };
	enum refusal why;
	GString *g = g_string_new("<feedback><report_metadata><org_name>");
	size_t i;

	for (i = 0; i < 70000; i++)
		g_string_append_c(g, (char)('a' + i % 26));
	g_string_append(g,
	    "</org_name><report_id>x</report_id><date_range><begin>1700000000"
	    "</begin><end>1700086399</end></date_range></report_metadata>" POLICY
	    "<record>" ROW("192.0.2.1", "1", PE_OK) HF("example.com") "<auth_results>");
	for (i = 0; i < 101; i++)
		g_string_append_printf(g,
		    "<dkim><domain>d%zu.example</domain><selector>s"
		    "</selector><result>pass</result></dkim>",
		    i);
	g_string_append(g, "</auth_results></record></feedback>");
	cr_assert_eq(parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
	cr_assert_eq(why, REFUSE_NONE, "%s", e.msg);
	cr_assert_eq(strlen(s.h.org_name), BOUND_XML_TEXT);
	cr_assert(s.h.flags & W_TEXT_TRUNCATED);
	cr_assert(s.rec_flags[0] & W_LIMIT_TRUNCATED);
	cr_assert(strstr(s.lines[0], "d99.example/s/pass/-]") != NULL);
	cr_assert(strstr(s.lines[0], "d100.example") == NULL);
	g_string_free(g, TRUE);
	rsink_free(&s);
	memset(&s, 0, sizeof s);
	/* Latin-1 declared: stored as UTF-8 */
	cr_assert_eq(parse_mem(MINI[sizeof MINI / sizeof MINI[0] - 1].doc,
	                 strlen(MINI[sizeof MINI / sizeof MINI[0] - 1].doc), NULL, &s, &why, &e),
	    0);
	cr_assert_str_eq(s.h.org_name, "Caf\xc3\xa9");
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

		cr_assert_eq(parse_rd(&rd, NULL, 0, &s, &why, &e), 0);
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

	buf = tu_read_file(tu_fixture("xml/count_int64_max.xml"), &len);
	cr_assert(strncmp((char *)buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
	g_string_append_len(g,
	    "<\0?\0x\0m\0l\0 \0v\0e\0r\0s\0i\0o\0n\0=\0\"\0001\0.\0000\0\"\0?\0>\0", 42);
	for (i = 38; i < len; i++) {
		g_string_append_c(g, (char)buf[i]);
		g_string_append_c(g, '\0');
	}
	cr_assert_eq(parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
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

			cr_assert_eq(parse_rd(&rd,
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
	cr_assert_eq(parse_mem(g->str, g->len, NULL, &s, &why, &e), 0);
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
