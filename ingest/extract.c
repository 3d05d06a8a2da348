#include "extract.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arf.h"
#include "arf_norm.h"
#include "flags.h"
#include "mime.h"
#include "report_xml.h"
#include "sniff.h"
#include "unpack.h"
#include "utf8_repair.h"

#define EXTRACT_WHERE 256 /* "part 2 (name.zip) entry x.xml" */
#define EXTRACT_TYPES 160 /* the part types listed when nothing is found */

/* The marker of Exim's plain-text failure reports (FORMATS.md "Plaintext failure reports"). */
static const char EXIM_MARKER[] =
    "A message claiming to be from you has failed the published DMARC policy";

/* One input being extracted. */
struct extract {
	const struct bounds *b;
	const struct report_sink *sink;
	const struct failure_sink *failures;
	struct extract_result *res;
	struct errbuf *e;  /* operational failures (the sink) */
	uint64_t out;      /* document bytes read, all documents */
	bool out_exceeded; /* max_message_out reached: stop */
	const char *subject, *from;
	int mail_depth; /* embedded mails being walked */
};

/* What a first walk over a mail found, to classify it (FORMATS.md "Ingestion steps", step 2). */
struct survey {
	bool feedback;       /* a message/feedback-report part */
	bool exim;           /* a text/plain part with EXIM_MARKER */
	bool tlsrpt;         /* application/tlsrpt+*, or JSON content */
	bool dsn;            /* message/delivery-status: a bounce */
	unsigned candidates; /* parts that may hold aggregate reports */
	unsigned parts;
	char types[EXTRACT_TYPES];
};

/* A document reader that counts the input's output and keeps a source failure. */
struct counted {
	struct byte_reader inner;
	struct extract *x;
};

void
extract_init(void)
{
	mime_init();
	report_xml_init();
}

const char *
extract_kind_name(enum extract_kind k)
{
	switch (k) {
	case EXTRACT_AGGREGATE:
		return "aggregate";
	case EXTRACT_FAILURE:
		return "failure";
	case EXTRACT_TLSRPT:
		return "tlsrpt";
	case EXTRACT_OTHER:
		return "other";
	case EXTRACT_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

/* Records a refusal; the first one is kept with its context. */
static void
refuse(struct extract *x, enum refusal why, const char *where, const char *msg)
{
	struct errbuf r;

	x->res->refused++;
	if (x->res->why != REFUSE_NONE)
		return;
	errbuf_set(&r, "%s", msg);
	errbuf_prefix(&r, "%s", refusal_code(why));
	if (where != NULL && where[0] != '\0')
		errbuf_prefix(&r, "%s", where);
	x->res->why = why;
	x->res->reason = r;
}

/* Copies a label for messages: bounded, control bytes replaced. */
static void
copy_label(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

/* Copies a header value into a result field without cutting a UTF-8 sequence. */
static void
copy_header(char *dst, const char *src)
{
	size_t n;

	dst[0] = '\0';
	if (src == NULL)
		return;
	n = strlen(src);
	if (n >= EXTRACT_HEADER_MAX) {
		n = EXTRACT_HEADER_MAX - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	for (; n > 0; n--)
		if ((unsigned char)dst[n - 1] < 0x20 || dst[n - 1] == 0x7f)
			dst[n - 1] = ' ';
}

static const char *
base_name(const char *path)
{
	const char *s;

	if (path == NULL)
		return NULL;
	for (s = path + strlen(path); s > path && s[-1] != '/' && s[-1] != '\\'; s--)
		;
	return *s != '\0' ? s : NULL;
}

static ssize_t
counted_read(void *ctx, void *buf, size_t len, enum refusal *why, struct errbuf *e)
{
	struct counted *c = ctx;
	struct extract *x = c->x;
	ssize_t n = c->inner.read(c->inner.ctx, buf, len, why, e);

	if (n <= 0)
		return n;
	if ((uint64_t)n > x->b->max_message_out - x->out) {
		x->out_exceeded = true;
		*why = REFUSE_SIZE_LIMIT;
		errbuf_set(e, "input: decompressed output exceeds %" PRIu64 " bytes",
		    x->b->max_message_out);
		return -1;
	}
	x->out += (uint64_t)n;
	return n;
}

/* Opens buf again and moves to its index-th document (1-based). NULL on failure. */
static struct unpack *
reopen_at(const void *buf, size_t len, const struct bounds *b, unsigned index)
{
	struct unpack *u = unpack_new(buf, len, b);
	struct errbuf e;
	enum refusal why;
	const char *name;
	unsigned i;

	for (i = 0; u != NULL && i < index; i++) {
		if (unpack_next(u, &name, &why, &e) != 1) {
			unpack_free(u);
			u = NULL;
		}
	}
	return u;
}

/*
 * A sink in front of the caller's that adds, at the end of a document, the
 * warnings the unpacker learned while the document streamed (trailing
 * bytes after a gzip member are only known once it has been read).
 */
struct flagging_sink {
	const struct report_sink *inner;
	const struct unpack *u;
};

static int
flagging_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct flagging_sink *f = ctx;

	return f->inner->begin(f->inner->ctx, r, e);
}

static int
flagging_record(void *ctx, const struct agg_report *r, const struct agg_record *rec,
    struct errbuf *e)
{
	struct flagging_sink *f = ctx;

	return f->inner->record(f->inner->ctx, r, rec, e);
}

static int
flagging_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct flagging_sink *f = ctx;
	struct agg_report final = *r;

	final.flags |= unpack_flags(f->u);
	return f->inner->end(f->inner->ctx, &final, e);
}

static void
flagging_abort(void *ctx)
{
	struct flagging_sink *f = ctx;

	f->inner->abort(f->inner->ctx);
}

/*
 * Parses the current document of u into the sink. An encoding refusal is
 * tried once more, from the start, through the UTF-8 repair filter.
 * Returns -1 only when the sink failed.
 */
static int
parse_document(struct extract *x, struct unpack *u, const void *buf, size_t len, unsigned index,
    const struct report_hints *hints, uint64_t flags, const char *where)
{
	struct counted c = { unpack_reader(u), x };
	struct byte_reader rd = { &c, counted_read };
	struct flagging_sink fs = { x->sink, u };
	struct report_sink sink = { &fs, flagging_begin, flagging_record, flagging_end,
		flagging_abort };
	struct utf8_repair rep;
	struct unpack *again;
	enum refusal why = REFUSE_NONE;
	struct errbuf err = { "" };

	flags |= unpack_flags(u);
	if (report_xml_parse(&rd, hints, flags, &sink, &why, &err) == -1)
		goto sink_failed;
	if (why == REFUSE_XML_ENCODING && !x->out_exceeded &&
	    (again = reopen_at(buf, len, x->b, index)) != NULL) {
		c.inner = utf8_repair_init(&rep, unpack_reader(again));
		fs.u = again;
		errbuf_clear(&err);
		if (report_xml_parse(&rd, hints, flags | W_ENCODING_REPAIRED, &sink, &why, &err) ==
		    -1) {
			unpack_free(again);
			goto sink_failed;
		}
		unpack_free(again);
	}
	if (why == REFUSE_NONE)
		x->res->documents++;
	else
		refuse(x, why, where, err.msg);
	return 0;
sink_failed:
	if (x->e != NULL)
		*x->e = err;
	return -1;
}

/*
 * Every document of one attachment or file (gzip, zip or XML). where names
 * it for messages ("part 2 (a.zip)", or "" for a bare file); fallback_name
 * is its file name for the parser's hints.
 */
static int
extract_container(struct extract *x, const void *buf, size_t len, const char *where,
    const char *fallback_name, uint64_t flags)
{
	struct unpack *u = unpack_new(buf, len, x->b);
	struct report_hints hints = { NULL, x->subject, x->from };
	char docwhere[EXTRACT_WHERE];
	const char *name;
	enum refusal why = REFUSE_NONE;
	struct errbuf err = { "" };
	unsigned index = 0;
	int r = 0, rc = 0;

	if (u == NULL) {
		errbuf_set(x->e, "extract: out of memory");
		return -1;
	}
	while (!x->out_exceeded && (r = unpack_next(u, &name, &why, &err)) == 1) {
		index++;
		if (name[0] != '\0')
			snprintf(docwhere, sizeof docwhere, "%s%sentry %s", where,
			    where[0] != '\0' ? " " : "", name);
		else
			snprintf(docwhere, sizeof docwhere, "%s", where);
		hints.filename = name[0] != '\0' ? base_name(name) : fallback_name;
		if (hints.filename == NULL)
			hints.filename = fallback_name;
		if ((rc = parse_document(x, u, buf, len, index, &hints, flags, docwhere)) == -1)
			break;
	}
	if (rc == 0 && !x->out_exceeded) {
		if (r == -1)
			refuse(x, why, where, err.msg);
		else if (index == 0)
			refuse(x, REFUSE_NO_REPORT, where, "no XML document inside");
	}
	unpack_free(u);
	return rc;
}

/* True when XML bytes look like an aggregate report: a feedback root near the start. */
static bool
has_feedback_root(const unsigned char *p, size_t len)
{
	size_t i;

	if (len > BOUND_XML_PREFIX_SCAN)
		len = BOUND_XML_PREFIX_SCAN;
	for (i = 1; i + 8 <= len; i++)
		if ((p[i - 1] == '<' || p[i - 1] == ':') && memcmp(p + i, "feedback", 8) == 0)
			return true;
	return false;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n, k = strlen(suffix);

	if (s == NULL || (n = strlen(s)) < k)
		return false;
	return strcasecmp(s + n - k, suffix) == 0;
}

static bool
type_in(const char *type, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(type, *list) == 0)
			return true;
	return false;
}

static const char *const gzip_types[] = { "application/gzip", "application/x-gzip",
	"application/gzip-compressed", "application/x-gzip-compressed", NULL };
static const char *const zip_types[] = { "application/zip", "application/x-zip",
	"application/x-zip-compressed", "application/zip-compressed", NULL };
static const char *const xml_types[] = { "text/xml", "application/xml", "text/plain", NULL };

/*
 * Whether a part's bytes may be an aggregate report, whatever its declared
 * type: gzip, zip, or XML with a feedback root (so that an HTML body is
 * not taken for one). *mismatch when the declared type says otherwise.
 */
static bool
is_candidate(const struct mime_part *p, enum sniff_kind k, bool *mismatch)
{
	bool xml_named = has_suffix(p->content_type, "/xml") ||
	    has_suffix(p->content_type, "+xml") || has_suffix(p->filename, ".xml");

	switch (k) {
	case SNIFF_GZIP:
		*mismatch = !type_in(p->content_type, gzip_types);
		return true;
	case SNIFF_ZIP:
		*mismatch = !type_in(p->content_type, zip_types);
		return true;
	case SNIFF_XML:
		*mismatch = !type_in(p->content_type, xml_types);
		return xml_named || has_feedback_root(p->data, p->len);
	default:
		return false;
	}
}

/* An opaque container whose content cannot be reached (FORMATS.md "Report mails"). */
static bool
is_opaque(const struct mime_part *p, enum sniff_kind k)
{
	return k == SNIFF_OLE || strcmp(p->content_type, "application/pkcs7-mime") == 0 ||
	    strcmp(p->content_type, "application/x-pkcs7-mime") == 0 ||
	    strcmp(p->content_type, "application/ms-tnef") == 0;
}

static bool
contains(const unsigned char *p, size_t len, const char *needle)
{
	size_t k = strlen(needle);
	const unsigned char *q;

	while (len >= k && (q = memchr(p, needle[0], len - k + 1)) != NULL) {
		if (memcmp(q, needle, k) == 0)
			return true;
		len -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	return false;
}

/* A mail attached as a file (an .eml sent as octet-stream), not a header excerpt. */
static bool
is_embedded_mail(const struct mime_part *p, enum sniff_kind k)
{
	return k == SNIFF_MAIL && strncmp(p->content_type, "text/", 5) != 0;
}

static void
add_type(struct survey *sv, const char *type)
{
	size_t n = strlen(sv->types);

	if (n > 0 && n + 2 < sizeof sv->types) {
		memcpy(sv->types + n, ", ", 3);
		n += 2;
	}
	if (n + strlen(type) + 1 < sizeof sv->types)
		memcpy(sv->types + n, type, strlen(type) + 1);
	else if (n + 4 < sizeof sv->types && strstr(sv->types, "...") == NULL)
		memcpy(sv->types + n, "...", 4);
}

/* Walks a mail once to see what it holds. */
static void
survey_mail(struct mime_message *m, struct survey *sv)
{
	struct mime_part p;
	enum sniff_kind k;
	bool mismatch;

	memset(sv, 0, sizeof *sv);
	while (mime_next_part(m, &p) == 1) {
		sv->parts++;
		add_type(sv, p.content_type);
		k = sniff(p.data, p.len);
		if (strcmp(p.content_type, "message/feedback-report") == 0)
			sv->feedback = true;
		else if (strcmp(p.content_type, "text/plain") == 0 &&
		    contains(p.data, p.len, EXIM_MARKER))
			sv->exim = true;
		else if (strncmp(p.content_type, "application/tlsrpt+", 19) == 0 || k == SNIFF_JSON)
			sv->tlsrpt = true;
		else if (strcmp(p.content_type, "message/delivery-status") == 0 ||
		    strcmp(p.content_type, "message/global-delivery-status") == 0)
			sv->dsn = true;
		else if (is_candidate(&p, k, &mismatch) || is_opaque(&p, k) ||
		    is_embedded_mail(&p, k))
			sv->candidates++;
	}
}

/* FORMATS.md "Ingestion steps", step 2: the first match wins. */
static enum extract_kind
classify(const struct survey *sv, bool feedback_top)
{
	if (feedback_top || sv->feedback || sv->exim)
		return EXTRACT_FAILURE;
	if (sv->tlsrpt)
		return EXTRACT_TLSRPT;
	if (sv->dsn)
		return EXTRACT_OTHER;
	if (sv->candidates > 0)
		return EXTRACT_AGGREGATE;
	return EXTRACT_UNKNOWN;
}

static int extract_embedded(struct extract *x, const void *raw, size_t len, const char *where);

/* One leaf of a mail that carries aggregate reports. */
static int
extract_part(struct extract *x, const struct mime_part *p, uint64_t flags, const char *outer)
{
	enum sniff_kind k = sniff(p->data, p->len);
	char label[EXTRACT_WHERE / 2], where[EXTRACT_WHERE];
	bool mismatch = false;

	copy_label(label, sizeof label, p->filename != NULL ? p->filename : p->content_type);
	snprintf(where, sizeof where, "%s%spart %d (%s)", outer, outer[0] != '\0' ? " " : "",
	    p->index, label);
	if (is_candidate(p, k, &mismatch))
		return extract_container(x, p->data, p->len, where, p->filename,
		    flags | (mismatch ? W_MIME_MISMATCH : 0));
	if (is_opaque(p, k)) {
		refuse(x, REFUSE_UNSUPPORTED_CONTAINER, where,
		    "S/MIME, TNEF or Outlook container: its content cannot be read");
		return 0;
	}
	if (is_embedded_mail(p, k) && x->mail_depth < BOUND_MIME_DEPTH)
		return extract_embedded(x, p->data, p->len, where);
	return 0;
}

/* The aggregate reports of a parsed mail, from its first part. */
static int
extract_mail_parts(struct extract *x, struct mime_message *m, const char *where)
{
	struct mime_part p;
	int rc = 0;

	mime_rewind(m);
	x->mail_depth++;
	while (rc == 0 && !x->out_exceeded && mime_next_part(m, &p) == 1)
		rc = extract_part(x, &p, mime_flags(m), where);
	x->mail_depth--;
	return rc;
}

/* The aggregate reports of a mail embedded in a mail (FORMATS.md "Report mails"). */
static int
extract_embedded(struct extract *x, const void *raw, size_t len, const char *where)
{
	struct errbuf err = { "" };
	struct mime_message *m;
	int rc;

	if (mime_check_bounds(raw, len, &err) == -1) {
		refuse(x, REFUSE_SIZE_LIMIT, where, err.msg);
		return 0;
	}
	if ((m = mime_parse(raw, len, &err)) == NULL)
		return 0;
	rc = extract_mail_parts(x, m, where);
	mime_free(m);
	return rc;
}

/* A failure report: the whole mail is one report. */
static int
extract_failure(struct extract *x, const void *raw, size_t len)
{
	struct failure_report *f = NULL;
	struct errbuf err = { "" };
	enum refusal why = REFUSE_NONE;
	int rc = 0;

	if (arf_parse(raw, len, &f, &why, &err) == -1) {
		errbuf_set(x->e, "%s", err.msg);
		return -1;
	}
	if (f == NULL) {
		refuse(x, why, "", err.msg);
		return 0;
	}
	if (x->failures->put(x->failures->ctx, f, x->e) == -1) {
		rc = -1;
	} else {
		x->res->documents++;
		x->res->failures++;
	}
	failure_free(f);
	return rc;
}

/*
 * What the receiving server found of the mail's own DMARC (a forgery signal:
 * FORMATS.md "Reports that may be forged").
 */
static void
carrier_dmarc(struct extract_result *res, const struct mime_message *m)
{
	char *dmarc = arf_auth_result(mime_auth_results(m), "dmarc");

	const char *ar;

	if (dmarc != NULL)
		snprintf(res->carrier_dmarc, sizeof res->carrier_dmarc, "%s", dmarc);
	free(dmarc);
	/* whose they are is the caller's to judge ([ingest] authserv_id) */
	while (res->n_auth_results < EXTRACT_AR_MAX &&
	    (ar = mime_header_nth(m, "Authentication-Results", res->n_auth_results)) != NULL)
		copy_label(res->auth_results[res->n_auth_results++], EXTRACT_AR_SIZE, ar);
}

/* A whole mail: classify it, then extract its reports. */
static int
extract_mail(struct extract *x, const void *raw, size_t len)
{
	struct errbuf err = { "" };
	struct survey sv;
	struct mime_message *m;
	char msg[ERRBUF_SIZE];
	int rc = 0;

	if (mime_check_bounds(raw, len, &err) == -1) {
		refuse(x, REFUSE_SIZE_LIMIT, "", err.msg);
		return 0;
	}
	if ((m = mime_parse(raw, len, &err)) == NULL) {
		refuse(x, REFUSE_NO_REPORT, "", err.msg);
		return 0;
	}
	x->res->mail = true;
	copy_header(x->res->subject, mime_subject(m));
	copy_header(x->res->from, mime_from(m));
	copy_header(x->res->message_id, mime_message_id(m));
	carrier_dmarc(x->res, m);
	survey_mail(m, &sv);
	x->res->kind = classify(&sv, mime_is_feedback_report(m));
	switch (x->res->kind) {
	case EXTRACT_FAILURE:
		rc = extract_failure(x, raw, len);
		break;
	case EXTRACT_TLSRPT:
		refuse(x, REFUSE_NOT_DMARC, "", "SMTP TLS report (RFC 8460), not a DMARC report");
		break;
	case EXTRACT_OTHER:
		refuse(x, REFUSE_NO_REPORT, "",
		    "delivery status notification (bounce), not a "
		    "report");
		break;
	case EXTRACT_UNKNOWN:
		snprintf(msg, sizeof msg, "no DMARC report found in %u MIME part%s (%s)", sv.parts,
		    sv.parts == 1 ? "" : "s", sv.types);
		refuse(x, REFUSE_NO_REPORT, "", msg);
		break;
	case EXTRACT_AGGREGATE:
		x->subject = x->res->subject[0] != '\0' ? x->res->subject : NULL;
		x->from = x->res->from[0] != '\0' ? x->res->from : NULL;
		rc = extract_mail_parts(x, m, "");
		if (rc == 0 && x->res->documents == 0 && x->res->refused == 0) {
			x->res->kind = EXTRACT_UNKNOWN;
			refuse(x, REFUSE_NO_REPORT, "", "no DMARC report found");
		}
		break;
	}
	mime_free(m);
	return rc;
}

int
extract_input(const void *raw, size_t len, const char *name, const struct bounds *b,
    const struct report_sink *sink, const struct failure_sink *failures, struct extract_result *res,
    struct errbuf *e)
{
	struct extract x = { .b = b, .sink = sink, .failures = failures, .res = res, .e = e };
	char msg[128];

	memset(res, 0, sizeof *res);
	res->kind = EXTRACT_UNKNOWN;
	res->why = REFUSE_NONE;
	if (len > b->max_input) {
		snprintf(msg, sizeof msg, "input is %zu bytes, over the limit of %" PRIu64, len,
		    b->max_input);
		refuse(&x, REFUSE_SIZE_LIMIT, "", msg);
		return 0;
	}
	switch (sniff(raw, len)) {
	case SNIFF_GZIP:
	case SNIFF_ZIP:
	case SNIFF_XML:
		res->kind = EXTRACT_AGGREGATE;
		return extract_container(&x, raw, len, "", base_name(name), 0);
	case SNIFF_JSON:
		res->kind = EXTRACT_TLSRPT;
		refuse(&x, REFUSE_NOT_DMARC, "",
		    "SMTP TLS report (RFC 8460) or other JSON, "
		    "not a DMARC report");
		return 0;
	case SNIFF_EMPTY:
		refuse(&x, REFUSE_NO_REPORT, "", "empty input");
		return 0;
	case SNIFF_OLE:
		refuse(&x, REFUSE_UNSUPPORTED_CONTAINER, "",
		    "Outlook .msg or TNEF container: "
		    "its content cannot be read");
		return 0;
	default:
		return extract_mail(&x, raw, len);
	}
}
