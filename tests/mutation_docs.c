#include "mutation_docs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define D_DRAFT (1u << MUT_DRAFT)
#define D_7489 (1u << MUT_RFC7489)
#define D_9990 (1u << MUT_RFC9990)
#define D_ALL (D_DRAFT | D_7489 | D_9990)

/* ---- buffers ---- */

static void
grow(struct mbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (n <= b->cap - b->len && b->p != NULL)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		abort();
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len <= n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		abort();
	b->p = p;
	b->cap = cap;
}

void
mbuf_add(struct mbuf *b, const void *p, size_t n)
{
	grow(b, n + 1);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
mbuf_adds(struct mbuf *b, const char *s)
{
	mbuf_add(b, s, strlen(s));
}

void
mbuf_addf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
mbuf_free(struct mbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- aggregate reports ---- */

const char *
mut_dialect_name(enum mut_dialect d)
{
	static const char *const names[] = { "draft", "rfc7489", "rfc9990" };

	return names[d];
}

static const struct {
	const char *path, *tag;
	unsigned dialects;
} AGG_FIELDS[MUT_N_AGG_FIELDS] = {
	[MF_VERSION] = { "version", "version", D_7489 },
	[MF_ORG_NAME] = { "report_metadata/org_name", "org_name", D_ALL },
	[MF_EMAIL] = { "report_metadata/email", "email", D_ALL },
	[MF_EXTRA_CONTACT] = { "report_metadata/extra_contact_info", "extra_contact_info", D_ALL },
	[MF_REPORT_ID] = { "report_metadata/report_id", "report_id", D_ALL },
	[MF_BEGIN] = { "report_metadata/date_range/begin", "begin", D_ALL },
	[MF_END] = { "report_metadata/date_range/end", "end", D_ALL },
	[MF_ERROR] = { "report_metadata/error", "error", D_ALL },
	[MF_GENERATOR] = { "report_metadata/generator", "generator", D_9990 },
	[MF_DOMAIN] = { "policy_published/domain", "domain", D_ALL },
	[MF_ADKIM] = { "policy_published/adkim", "adkim", D_ALL },
	[MF_ASPF] = { "policy_published/aspf", "aspf", D_ALL },
	[MF_P] = { "policy_published/p", "p", D_ALL },
	[MF_SP] = { "policy_published/sp", "sp", D_ALL },
	[MF_NP] = { "policy_published/np", "np", D_9990 },
	[MF_PCT] = { "policy_published/pct", "pct", D_DRAFT | D_7489 },
	[MF_FO] = { "policy_published/fo", "fo", D_ALL },
	[MF_TESTING] = { "policy_published/testing", "testing", D_9990 },
	[MF_DISCOVERY] = { "policy_published/discovery_method", "discovery_method", D_9990 },
	[MF_SOURCE_IP] = { "record/row/source_ip", "source_ip", D_ALL },
	[MF_COUNT] = { "record/row/count", "count", D_ALL },
	[MF_DISPOSITION] = { "record/row/policy_evaluated/disposition", "disposition", D_ALL },
	[MF_PE_DKIM] = { "record/row/policy_evaluated/dkim", "dkim", D_ALL },
	[MF_PE_SPF] = { "record/row/policy_evaluated/spf", "spf", D_ALL },
	[MF_REASON_TYPE] = { "record/row/policy_evaluated/reason/type", "type", D_ALL },
	[MF_REASON_COMMENT] = { "record/row/policy_evaluated/reason/comment", "comment", D_ALL },
	[MF_ENVELOPE_TO] = { "record/identifiers/envelope_to", "envelope_to", D_ALL },
	[MF_ENVELOPE_FROM] = { "record/identifiers/envelope_from", "envelope_from", D_ALL },
	[MF_HEADER_FROM] = { "record/identifiers/header_from", "header_from", D_ALL },
	[MF_DKIM_DOMAIN] = { "record/auth_results/dkim/domain", "domain", D_ALL },
	[MF_DKIM_SELECTOR] = { "record/auth_results/dkim/selector", "selector", D_ALL },
	[MF_DKIM_RESULT] = { "record/auth_results/dkim/result", "result", D_ALL },
	[MF_DKIM_HUMAN] = { "record/auth_results/dkim/human_result", "human_result", D_ALL },
	[MF_SPF_DOMAIN] = { "record/auth_results/spf/domain", "domain", D_ALL },
	[MF_SPF_SCOPE] = { "record/auth_results/spf/scope", "scope", D_ALL },
	[MF_SPF_RESULT] = { "record/auth_results/spf/result", "result", D_ALL },
	[MF_SPF_HUMAN] = { "record/auth_results/spf/human_result", "human_result", D_ALL },
};

const char *
mut_agg_field_name(enum mut_agg_field f)
{
	return AGG_FIELDS[f].path;
}

bool
mut_agg_field_in(enum mut_agg_field f, enum mut_dialect d)
{
	return (AGG_FIELDS[f].dialects & (1u << d)) != 0;
}

bool
mut_agg_field_in_record(enum mut_agg_field f)
{
	return f >= MF_SOURCE_IP;
}

/* The text field f has in record rec (header fields ignore rec) when not mutated. */
static void
agg_default(const struct mut_agg *a, enum mut_agg_field f, uint32_t rec, char *buf, size_t size)
{
	static const char *const fixed[MUT_N_AGG_FIELDS] = {
		[MF_VERSION] = "1.0",
		[MF_ORG_NAME] = "Mutation Reporter",
		[MF_EMAIL] = "dmarc@reporter.example",
		[MF_EXTRA_CONTACT] = "https://reporter.example/dmarc",
		[MF_ERROR] = "temporary DNS failure for one record",
		[MF_GENERATOR] = "mutator/1.0",
		[MF_DOMAIN] = "example.com",
		[MF_ADKIM] = "r",
		[MF_ASPF] = "r",
		[MF_P] = "none",
		[MF_SP] = "quarantine",
		[MF_NP] = "reject",
		[MF_PCT] = "100",
		[MF_FO] = "1",
		[MF_TESTING] = "n",
		[MF_DISCOVERY] = "treewalk",
		[MF_DISPOSITION] = "none",
		[MF_PE_DKIM] = "pass",
		[MF_PE_SPF] = "fail",
		[MF_REASON_TYPE] = "local_policy",
		[MF_REASON_COMMENT] = "known forwarder",
		[MF_ENVELOPE_TO] = "example.org",
		[MF_ENVELOPE_FROM] = "bounce.example.com",
		[MF_HEADER_FROM] = "example.com",
		[MF_DKIM_DOMAIN] = "example.com",
		[MF_DKIM_SELECTOR] = "s1",
		[MF_DKIM_RESULT] = "pass",
		[MF_DKIM_HUMAN] = "good signature",
		[MF_SPF_DOMAIN] = "bounce.example.com",
		[MF_SPF_SCOPE] = "mfrom",
		[MF_SPF_RESULT] = "fail",
		[MF_SPF_HUMAN] = "not permitted",
	};

	switch (f) {
	case MF_REPORT_ID:
		snprintf(buf, size, "%s", a->report_id);
		break;
	case MF_BEGIN:
		snprintf(buf, size, "%lld", (long long)(a->swap_dates ? a->end : a->begin));
		break;
	case MF_END:
		snprintf(buf, size, "%lld", (long long)(a->swap_dates ? a->begin : a->end));
		break;
	case MF_SOURCE_IP:
		snprintf(buf, size, "192.0.2.%u", (unsigned)(rec % 250 + 1));
		break;
	case MF_COUNT:
		snprintf(buf, size, "%lld", (long long)(a->count_base + rec));
		break;
	default:
		snprintf(buf, size, "%s", fixed[f]);
		break;
	}
}

/* <tag>text</tag> of field f in record rec, when the dialect has it. */
static void
leaf(const struct mut_agg *a, enum mut_agg_field f, uint32_t rec, struct mbuf *out)
{
	char text[128];
	const struct mut_bytes *v = &a->value[f];
	bool mutated = v->set &&
	    (!mut_agg_field_in_record(f) || a->record == MUT_ALL_RECORDS || a->record == rec);

	if (!mut_agg_field_in(f, a->dialect))
		return;
	mbuf_addf(out, "<%s>", AGG_FIELDS[f].tag);
	if (mutated) {
		mbuf_add(out, v->p, v->len);
	} else {
		agg_default(a, f, rec, text, sizeof text);
		mbuf_adds(out, text);
	}
	mbuf_addf(out, "</%s>", AGG_FIELDS[f].tag);
}

static void
leaves(const struct mut_agg *a, enum mut_agg_field first, enum mut_agg_field last, uint32_t rec,
    struct mbuf *out)
{
	int f;

	for (f = first; f <= (int)last; f++)
		leaf(a, (enum mut_agg_field)f, rec, out);
}

static void
render_record(const struct mut_agg *a, uint32_t i, struct mbuf *out)
{
	mbuf_adds(out, "<record><row>");
	leaves(a, MF_SOURCE_IP, MF_COUNT, i, out);
	mbuf_adds(out, "<policy_evaluated>");
	leaves(a, MF_DISPOSITION, MF_PE_SPF, i, out);
	mbuf_adds(out, "<reason>");
	leaves(a, MF_REASON_TYPE, MF_REASON_COMMENT, i, out);
	mbuf_adds(out, "</reason></policy_evaluated></row>\n<identifiers>");
	leaves(a, MF_ENVELOPE_TO, MF_HEADER_FROM, i, out);
	mbuf_adds(out, "</identifiers><auth_results><dkim>");
	leaves(a, MF_DKIM_DOMAIN, MF_DKIM_HUMAN, i, out);
	mbuf_adds(out, "</dkim><spf>");
	leaves(a, MF_SPF_DOMAIN, MF_SPF_HUMAN, i, out);
	mbuf_adds(out, "</spf></auth_results></record>\n");
}

void
mut_render_agg(const struct mut_agg *a, struct mbuf *out)
{
	uint32_t i;

	mbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback");
	if (a->dialect == MUT_RFC9990)
		mbuf_adds(out, " xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\"");
	mbuf_adds(out, ">\n");
	leaf(a, MF_VERSION, 0, out);
	mbuf_adds(out, "<report_metadata>");
	leaves(a, MF_ORG_NAME, MF_REPORT_ID, 0, out);
	mbuf_adds(out, "<date_range>");
	leaves(a, MF_BEGIN, MF_END, 0, out);
	mbuf_adds(out, "</date_range>");
	leaves(a, MF_ERROR, MF_GENERATOR, 0, out);
	mbuf_adds(out, "</report_metadata>\n<policy_published>");
	leaves(a, MF_DOMAIN, MF_DISCOVERY, 0, out);
	mbuf_adds(out, "</policy_published>\n");
	for (i = 0; i < a->n_records; i++)
		render_record(a, i, out);
	mbuf_adds(out, "</feedback>\n");
}

int64_t
mut_agg_messages(const struct mut_agg *a)
{
	int64_t n = (int64_t)a->n_records;

	return n * a->count_base + n * (n - 1) / 2;
}

/* ---- failure reports ---- */

static const char *const ARF_NAMES[MUT_N_ARF_FIELDS] = {
	[MA_FEEDBACK_TYPE] = "Feedback-Type",
	[MA_USER_AGENT] = "User-Agent",
	[MA_VERSION] = "Version",
	[MA_AUTH_FAILURE] = "Auth-Failure",
	[MA_AUTH_RESULTS] = "Authentication-Results",
	[MA_ENVELOPE_ID] = "Original-Envelope-Id",
	[MA_MAIL_FROM] = "Original-Mail-From",
	[MA_RCPT_TO] = "Original-Rcpt-To",
	[MA_ARRIVAL_DATE] = "Arrival-Date",
	[MA_REPORTING_MTA] = "Reporting-MTA",
	[MA_SOURCE_IP] = "Source-IP",
	[MA_SOURCE_PORT] = "Source-Port",
	[MA_INCIDENTS] = "Incidents",
	[MA_DELIVERY_RESULT] = "Delivery-Result",
	[MA_REPORTED_DOMAIN] = "Reported-Domain",
	[MA_DKIM_DOMAIN] = "DKIM-Domain",
	[MA_DKIM_IDENTITY] = "DKIM-Identity",
	[MA_DKIM_SELECTOR] = "DKIM-Selector",
	[MA_SPF_DNS] = "SPF-DNS",
	[MA_IDENTITY_ALIGNMENT] = "Identity-Alignment",
	[MA_SAMPLE_FROM] = "sample From",
	[MA_SAMPLE_SUBJECT] = "sample Subject",
	[MA_SAMPLE_MESSAGE_ID] = "sample Message-ID",
};

const char *
mut_arf_field_name(enum mut_arf_field f)
{
	return ARF_NAMES[f];
}

void
mut_rfc2822_date(int64_t ts, char *out, size_t size)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		snprintf(out, size, "Thu, 01 Jan 1970 00:00:00 +0000");
}

static void
arf_default(const struct mut_arf *a, enum mut_arf_field f, char *buf, size_t size)
{
	static const char *const fixed[MUT_N_ARF_FIELDS] = {
		[MA_FEEDBACK_TYPE] = "auth-failure",
		[MA_USER_AGENT] = "Mutator/1.0",
		[MA_VERSION] = "1",
		[MA_AUTH_FAILURE] = "dmarc",
		[MA_AUTH_RESULTS] = "reports.example.net; dmarc=fail header.from=example.com; "
		                    "spf=fail smtp.mailfrom=bounce.example.net; dkim=fail "
		                    "header.d=example.com",
		[MA_MAIL_FROM] = "<bounce@bounce.example.net>",
		[MA_RCPT_TO] = "<someone@reports.example.net>",
		[MA_REPORTING_MTA] = "dns; mx.reports.example.net",
		[MA_SOURCE_PORT] = "25",
		[MA_DELIVERY_RESULT] = "reject",
		[MA_REPORTED_DOMAIN] = "example.com",
		[MA_DKIM_DOMAIN] = "example.com",
		[MA_DKIM_IDENTITY] = "@example.com",
		[MA_DKIM_SELECTOR] = "s1",
		[MA_SPF_DNS] = "txt : example.com : \"v=spf1 ip4:198.51.100.0/24 -all\"",
		[MA_IDENTITY_ALIGNMENT] = "dkim, spf",
		[MA_SAMPLE_FROM] = "Payroll <payroll@example.com>",
	};

	switch (f) {
	case MA_ENVELOPE_ID:
		snprintf(buf, size, "%s", a->id);
		break;
	case MA_ARRIVAL_DATE:
		mut_rfc2822_date(a->arrival, buf, size);
		break;
	case MA_SOURCE_IP:
		snprintf(buf, size, "192.0.2.%u", a->ip_last);
		break;
	case MA_INCIDENTS:
		snprintf(buf, size, "%lld", (long long)a->incidents);
		break;
	case MA_SAMPLE_SUBJECT:
		snprintf(buf, size, "Sample %s", a->id);
		break;
	case MA_SAMPLE_MESSAGE_ID:
		snprintf(buf, size, "<sample.%s@bounce.example.net>", a->id);
		break;
	default:
		snprintf(buf, size, "%s", fixed[f]);
		break;
	}
}

/* "Name: value\n"; the sample's fields without their "sample " prefix. */
static void
arf_field(const struct mut_arf *a, enum mut_arf_field f, struct mbuf *out)
{
	const char *name = ARF_NAMES[f];
	char text[256];

	if (strncmp(name, "sample ", 7) == 0)
		name += 7;
	mbuf_addf(out, "%s: ", name);
	if (a->value[f].set) {
		mbuf_add(out, a->value[f].p, a->value[f].len);
	} else {
		arf_default(a, f, text, sizeof text);
		mbuf_adds(out, text);
	}
	mbuf_adds(out, "\n");
}

void
mut_render_arf(const struct mut_arf *a, struct mbuf *out)
{
	char date[64];
	int f;

	mut_rfc2822_date(a->arrival + 60, date, sizeof date);
	mbuf_addf(out,
	    "From: ruf@reports.example.net\nTo: dmarc-ruf@example.com\nDate: %s\n"
	    "Message-ID: <%s.ruf@reports.example.net>\n"
	    "Subject: Report: DMARC failure for example.com (%s)\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report; boundary=\"=_arf\"\n\n"
	    "--=_arf\nContent-Type: text/plain; charset=us-ascii\n\n"
	    "A message claiming to be from example.com failed DMARC.\n\n"
	    "--=_arf\nContent-Type: message/feedback-report\n\n",
	    date, a->id, a->id);
	for (f = 0; f < MA_SAMPLE_FROM; f++)
		arf_field(a, (enum mut_arf_field)f, out);
	mbuf_adds(out, "\n--=_arf\nContent-Type: text/rfc822-headers\n\n");
	arf_field(a, MA_SAMPLE_FROM, out);
	mbuf_adds(out, "To: someone@reports.example.net\n");
	arf_field(a, MA_SAMPLE_SUBJECT, out);
	mut_rfc2822_date(a->arrival - 5, date, sizeof date);
	mbuf_addf(out, "Date: %s\n", date);
	arf_field(a, MA_SAMPLE_MESSAGE_ID, out);
	mbuf_adds(out, "\n--=_arf--\n");
}

/* ---- hostile values ---- */

#define S(s) s, sizeof s - 1

static const struct {
	const char *label;
	const char *xml;
	size_t xml_len;
	const char *header; /* NULL: as xml */
	size_t header_len;
} HOSTILE[] = {
	{ "empty", S(""), NULL, 0 },
	{ "whitespace", S(" \t\r\n  \n"), S(" \t  ") },
	{ "huge", NULL, 0, NULL, 0 },
	{ "-1", S("-1"), NULL, 0 },
	{ "0", S("0"), NULL, 0 },             /* also the epoch, 1970-01-01 */
	{ "2^31", S("2147483648"), NULL, 0 }, /* also 2038-01-19T03:14:08Z */
	{ "2^63-1", S("9223372036854775807"), NULL, 0 },
	{ "2^64", S("18446744073709551616"), NULL, 0 },
	{ "1e400", S("1e400"), NULL, 0 },
	{ "9999", S("253402300799"), NULL, 0 }, /* 9999-12-31T23:59:59Z */
	{ "::ffff:1.2.3.4", S("::ffff:1.2.3.4"), NULL, 0 },
	{ "[::1]", S("[::1]"), NULL, 0 },
	{ "1.2.3.4%eth0", S("1.2.3.4%eth0"), NULL, 0 },
	{ "999.1.1.1", S("999.1.1.1"), NULL, 0 },
	{ "::", S("::"), NULL, 0 },
	{ "0.0.0.0", S("0.0.0.0"), NULL, 0 },
	/* a lone continuation byte, a truncated sequence, an encoded surrogate, 0xff */
	{ "invalid-utf8", S("a\x80z\xc3(\xed\xa0\x80\xff\xfe"), NULL, 0 },
	{ "controls",
	    S("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
	      "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"),
	    NULL, 0 },
	{ "ansi-escape", S("\x1b[31mred\x1b[0m\x07"), NULL, 0 },
	{ "script", S("&lt;script&gt;alert(1)&lt;/script&gt;"), S("<script>alert(1)</script>") },
	{ "]]>", S("]]>"), NULL, 0 },
};

#define N_HOSTILE (sizeof HOSTILE / sizeof HOSTILE[0])

size_t
mut_hostile_count(void)
{
	return N_HOSTILE;
}

const char *
mut_hostile_label(size_t i)
{
	return HOSTILE[i].label;
}

struct mut_bytes
mut_hostile(size_t i, bool header, struct mut_bytes huge)
{
	struct mut_bytes v = { HOSTILE[i].xml, HOSTILE[i].xml_len, true };

	if (HOSTILE[i].xml == NULL) {
		v = huge;
		v.set = true;
	} else if (header && HOSTILE[i].header != NULL) {
		v.p = HOSTILE[i].header;
		v.len = HOSTILE[i].header_len;
	}
	return v;
}

size_t
mut_hostile_find(const char *label)
{
	size_t i;

	for (i = 0; i < N_HOSTILE; i++)
		if (strcmp(HOSTILE[i].label, label) == 0)
			return i;
	abort();
}

/* ---- wrappers ---- */

/* Deflates n bytes (windowBits: 15 + 16 for gzip, -15 for raw), appended to out. */
static size_t
deflate_into(const void *p, size_t n, int window_bits, struct mbuf *out)
{
	z_stream z;
	size_t before = out->len, bound;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	bound = deflateBound(&z, (uLong)n) + 64;
	grow(out, bound + 1);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p + out->len;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	out->len += z.total_out;
	out->p[out->len] = '\0';
	deflateEnd(&z);
	return out->len - before;
}

void
mut_gzip(const void *p, size_t n, struct mbuf *out)
{
	deflate_into(p, n, 15 + 16, out);
}

static void
le16(struct mbuf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	mbuf_add(b, c, 2);
}

static void
le32(struct mbuf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

/* The fields a local header and a central directory entry share, from "version needed". */
static void
zip_common(struct mbuf *b, uint32_t crc, uint32_t csize, uint32_t usize, size_t name_len)
{
	le16(b, 20);   /* version needed */
	le16(b, 0);    /* flags */
	le16(b, 8);    /* deflate */
	le16(b, 0);    /* time */
	le16(b, 0x21); /* 1980-01-01 */
	le32(b, crc);
	le32(b, csize);
	le32(b, usize);
	le16(b, (unsigned)name_len);
	le16(b, 0); /* extra */
}

void
mut_zip(const char *entry, const void *p, size_t n, struct mbuf *out)
{
	struct mbuf data = { 0 };
	size_t start = out->len, name_len = strlen(entry), cd, cd_size;
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)p, (uInt)n);

	deflate_into(p, n, -15, &data);
	le32(out, 0x04034b50);
	zip_common(out, crc, (uint32_t)data.len, (uint32_t)n, name_len);
	mbuf_add(out, entry, name_len);
	mbuf_add(out, data.p, data.len);
	cd = out->len;
	le32(out, 0x02014b50);
	le16(out, 20); /* version made by */
	zip_common(out, crc, (uint32_t)data.len, (uint32_t)n, name_len);
	le16(out, 0); /* comment */
	le16(out, 0); /* disk */
	le16(out, 0); /* internal attributes */
	le32(out, 0); /* external attributes */
	le32(out, 0); /* local header offset (relative to start) */
	mbuf_add(out, entry, name_len);
	cd_size = out->len - cd;
	le32(out, 0x06054b50);
	le16(out, 0); /* this disk */
	le16(out, 0); /* the central directory's disk */
	le16(out, 1); /* entries here */
	le16(out, 1); /* entries in all */
	le32(out, (uint32_t)cd_size);
	le32(out, (uint32_t)(cd - start));
	le16(out, 0); /* comment */
	mbuf_free(&data);
}

static void
base64(const unsigned char *p, size_t n, struct mbuf *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t i, k = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		line[k++] = tab[(v >> 18) & 63];
		line[k++] = tab[(v >> 12) & 63];
		line[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		line[k++] = i + 2 < n ? tab[v & 63] : '=';
		if (k == 76) {
			line[k++] = '\n';
			mbuf_add(out, line, k);
			k = 0;
		}
	}
	if (k > 0) {
		line[k++] = '\n';
		mbuf_add(out, line, k);
	}
}

void
mut_mail(const char *report_id, const char *filename, const char *content_type, const void *p,
    size_t n, struct mbuf *out)
{
	mbuf_addf(out,
	    "From: DMARC Reporter <dmarc@reporter.example>\nTo: rua@example.com\n"
	    "Subject: Report Domain: example.com Submitter: reporter.example Report-ID: <%s>\n"
	    "Message-ID: <%s@reporter.example>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"=_mut\"\n\n"
	    "--=_mut\nContent-Type: text/plain; charset=us-ascii\n\n"
	    "This is an aggregate report from reporter.example.\n\n"
	    "--=_mut\nContent-Type: %s; name=\"%s\"\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n",
	    report_id, report_id, content_type, filename, filename);
	base64(p, n, out);
	mbuf_adds(out, "\n--=_mut--\n");
}
