#include "mime.h"

#include <gmime/gmime.h>
#include <string.h>

#include "bounds.h"
#include "flags.h"
#include "mime_int.h"

/* A node of the MIME tree still to be walked; next is a multipart's next child. */
struct mime_frame {
	GMimeObject *obj;
	int depth;
	int next;
};

/* A leaf part once decoded, kept so that a second walk does not decode it again. */
struct mime_leaf {
	GByteArray *decoded;
	char *type;     /* owned, lower-case */
	char *filename; /* owned, path stripped */
	int depth;
	uint64_t flags; /* the mail's flags when the walk first reached it */
};

struct mime_message {
	GMimeMessage *msg;
	struct mime_frame stack[BOUND_MIME_DEPTH + 2];
	int sp;
	int leaves; /* leaf parts reached (and kept in leaf[]) */
	int next;   /* the next leaf handed out; < leaves after mime_rewind */
	uint64_t flags, flags_now;
	char *from; /* owned */
	struct mime_leaf leaf[BOUND_MIME_PARTS];
};

void
mime_init(void)
{
	g_mime_init();
}

/* Skips an mbox "From " envelope line, which is not a header field. */
static size_t
mbox_line_len(const unsigned char *p, size_t len)
{
	size_t i;

	if (len < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	for (i = 5; i < len; i++)
		if (p[i] == '\n')
			return i + 1;
	return len;
}

/* The first mailbox's address, else the decoded header as written. */
static char *
from_address(GMimeMessage *msg)
{
	InternetAddressList *list = g_mime_message_get_from(msg);
	InternetAddress *ia;
	InternetAddressList *members;
	const char *raw;
	int i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
			if (members == NULL || internet_address_list_length(members) == 0)
				continue;
			ia = internet_address_list_get_address(members, 0);
		}
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			return g_strdup(
			    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
	}
	raw = g_mime_object_get_header(GMIME_OBJECT(msg), "From");
	return raw != NULL ? g_strdup(raw) : NULL;
}

static GMimeMessage *
parse_stream(GMimeStream *s)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(s);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(s);
	return msg;
}

/*
 * A copy of the mail in which lines holding only blanks are empty: some
 * gateways write " \n" as the line that ends the header block, and GMime
 * then finds no message at all. Used only when the bytes as sent fail.
 */
static GMimeStream *
blank_lines_emptied(const unsigned char *p, size_t len)
{
	GByteArray *ba = g_byte_array_sized_new((guint)len);
	size_t off = 0, eol, i;

	while (off < len) {
		for (eol = off; eol < len && p[eol] != '\n'; eol++)
			;
		for (i = off; i < eol && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'); i++)
			;
		if (i < eol)
			g_byte_array_append(ba, p + off, (guint)(eol - off));
		if (eol < len)
			g_byte_array_append(ba, (const guint8 *)"\n", 1);
		off = eol + 1;
	}
	return g_mime_stream_mem_new_with_byte_array(ba);
}

GMimeMessage *
mime_message_new(const void *raw, size_t len)
{
	const unsigned char *p = raw;
	size_t skip = mbox_line_len(p, len);
	GMimeMessage *msg;

	if (len - skip > G_MAXUINT)
		return NULL;
	msg = parse_stream(g_mime_stream_mem_new_with_buffer((const char *)p + skip, len - skip));
	if (msg == NULL)
		msg = parse_stream(blank_lines_emptied(p + skip, len - skip));
	return msg;
}

/* True for a line that begins a header field: a name of letters, digits and '-', then ':'. */
static bool
is_field_line(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (g_ascii_isalnum(p[i]) || p[i] == '-'))
		i++;
	return i > 0 && i < n && p[i] == ':';
}

int
mime_check_bounds(const void *raw, size_t len, struct errbuf *e)
{
	const unsigned char *p = raw, *end = p + len, *nl;
	size_t n, delimiters = 0, header = 0;
	bool field = false;

	for (; p < end; p += n) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (n >= 2 && p[0] == '-' && p[1] == '-' && ++delimiters > BOUND_MIME_DELIMITERS) {
			errbuf_set(e, "mime: more than %d lines starting with \"--\" (MIME parts)",
			    BOUND_MIME_DELIMITERS);
			return -1;
		}
		field = is_field_line(p, n) || (field && (p[0] == ' ' || p[0] == '\t'));
		if (field && (header += n) > BOUND_MIME_HEADER_BYTES) {
			errbuf_set(e, "mime: more than %d bytes of header fields",
			    BOUND_MIME_HEADER_BYTES);
			return -1;
		}
	}
	return 0;
}

struct mime_message *
mime_parse(const void *raw, size_t len, struct errbuf *e)
{
	struct mime_message *m;
	GMimeObject *body;

	m = g_new0(struct mime_message, 1);
	if ((m->msg = mime_message_new(raw, len)) == NULL) {
		errbuf_set(e, "mime: not a mail message");
		g_free(m);
		return NULL;
	}
	m->from = from_address(m->msg);
	if ((body = g_mime_message_get_mime_part(m->msg)) != NULL) {
		m->stack[0].obj = body;
		m->sp = 1;
	}
	return m;
}

void
mime_free(struct mime_message *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < m->leaves; i++) {
		g_byte_array_unref(m->leaf[i].decoded);
		g_free(m->leaf[i].type);
		g_free(m->leaf[i].filename);
	}
	g_free(m->from);
	if (m->msg != NULL)
		g_object_unref(m->msg);
	g_free(m);
}

const char *
mime_subject(const struct mime_message *m)
{
	return g_mime_message_get_subject(m->msg);
}

const char *
mime_from(const struct mime_message *m)
{
	return m->from;
}

const char *
mime_message_id(const struct mime_message *m)
{
	return g_mime_message_get_message_id(m->msg);
}

const char *
mime_date(const struct mime_message *m)
{
	return g_mime_object_get_header(GMIME_OBJECT(m->msg), "Date");
}

const char *
mime_auth_results(const struct mime_message *m)
{
	return g_mime_object_get_header(GMIME_OBJECT(m->msg), "Authentication-Results");
}

const char *
mime_header_nth(const struct mime_message *m, const char *name, unsigned index)
{
	GMimeHeaderList *l = g_mime_object_get_header_list(GMIME_OBJECT(m->msg));
	int i, n = l != NULL ? g_mime_header_list_get_count(l) : 0;
	GMimeHeader *h;

	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(l, i);
		if (h != NULL && g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0 &&
		    index-- == 0)
			return g_mime_header_get_value(h);
	}
	return NULL;
}

bool
mime_is_feedback_report(const struct mime_message *m)
{
	GMimeObject *top = g_mime_message_get_mime_part(m->msg);
	GMimeContentType *ct;
	const char *rt;

	if (top == NULL || (ct = g_mime_object_get_content_type(top)) == NULL)
		return false;
	if (!g_mime_content_type_is_type(ct, "multipart", "report"))
		return false;
	rt = g_mime_content_type_get_parameter(ct, "report-type");
	return rt != NULL && g_ascii_strcasecmp(rt, "feedback-report") == 0;
}

uint64_t
mime_flags(const struct mime_message *m)
{
	return m->flags_now;
}

void
mime_rewind(struct mime_message *m)
{
	m->next = 0;
}

/* Pushes obj to be walked, unless it lies deeper than the nesting cap. */
static void
push(struct mime_message *m, GMimeObject *obj, int depth)
{
	if (obj == NULL)
		return;
	if (depth > BOUND_MIME_DEPTH || m->sp == (int)(sizeof m->stack / sizeof m->stack[0])) {
		m->flags |= W_LIMIT_TRUNCATED;
		return;
	}
	m->stack[m->sp].obj = obj;
	m->stack[m->sp].depth = depth;
	m->stack[m->sp].next = 0;
	m->sp++;
}

/* A base64 decoder's state between two input chunks. */
struct b64 {
	uint32_t acc;
	int n;
};

/* Each base64 digit's value plus one; 0 for bytes outside the alphabet. */
static const unsigned char B64_DIGIT[256] = {
	['A'] = 1,
	['B'] = 2,
	['C'] = 3,
	['D'] = 4,
	['E'] = 5,
	['F'] = 6,
	['G'] = 7,
	['H'] = 8,
	['I'] = 9,
	['J'] = 10,
	['K'] = 11,
	['L'] = 12,
	['M'] = 13,
	['N'] = 14,
	['O'] = 15,
	['P'] = 16,
	['Q'] = 17,
	['R'] = 18,
	['S'] = 19,
	['T'] = 20,
	['U'] = 21,
	['V'] = 22,
	['W'] = 23,
	['X'] = 24,
	['Y'] = 25,
	['Z'] = 26,
	['a'] = 27,
	['b'] = 28,
	['c'] = 29,
	['d'] = 30,
	['e'] = 31,
	['f'] = 32,
	['g'] = 33,
	['h'] = 34,
	['i'] = 35,
	['j'] = 36,
	['k'] = 37,
	['l'] = 38,
	['m'] = 39,
	['n'] = 40,
	['o'] = 41,
	['p'] = 42,
	['q'] = 43,
	['r'] = 44,
	['s'] = 45,
	['t'] = 46,
	['u'] = 47,
	['v'] = 48,
	['w'] = 49,
	['x'] = 50,
	['y'] = 51,
	['z'] = 52,
	['0'] = 53,
	['1'] = 54,
	['2'] = 55,
	['3'] = 56,
	['4'] = 57,
	['5'] = 58,
	['6'] = 59,
	['7'] = 60,
	['8'] = 61,
	['9'] = 62,
	['+'] = 63,
	['/'] = 64,
};

/* Emits the bytes of a group cut short by '=' or by the end of the input. */
static unsigned char *
b64_flush(struct b64 *st, unsigned char *w)
{
	if (st->n == 2) {
		*w++ = (unsigned char)(st->acc >> 4);
	} else if (st->n == 3) {
		*w++ = (unsigned char)(st->acc >> 10);
		*w++ = (unsigned char)(st->acc >> 2);
	}
	st->acc = 0;
	st->n = 0;
	return w;
}

/*
 * Base64 as senders write it (FORMATS.md "Report mails"): bytes outside the
 * alphabet are skipped and missing padding is accepted, where GMime drops a
 * last group that has no '='. out grows by less than len / 4 * 3 + 6 bytes.
 */
static void
b64_step(struct b64 *st, const unsigned char *in, size_t len, GByteArray *out)
{
	size_t at = out->len, i;
	unsigned char *w;
	unsigned v;

	g_byte_array_set_size(out, (guint)(at + len / 4 * 3 + 6));
	w = out->data + at;
	for (i = 0; i < len; i++) {
		if ((v = B64_DIGIT[in[i]]) == 0) {
			if (in[i] == '=')
				w = b64_flush(st, w);
			continue;
		}
		st->acc = st->acc << 6 | (v - 1);
		if (++st->n == 4) {
			w[0] = (unsigned char)(st->acc >> 16);
			w[1] = (unsigned char)(st->acc >> 8);
			w[2] = (unsigned char)st->acc;
			w += 3;
			st->acc = 0;
			st->n = 0;
		}
	}
	g_byte_array_set_size(out, (guint)(w - out->data));
}

/* The part's bytes with their transfer encoding undone. */
static GByteArray *
decode_content(GMimeDataWrapper *w)
{
	GMimeStream *raw, *mem;
	GByteArray *out;
	struct b64 st = { 0, 0 };
	unsigned char chunk[16384];
	unsigned char tail[2];
	gint64 size;
	ssize_t n;

	if (w == NULL)
		return g_byte_array_new();
	if (g_mime_data_wrapper_get_encoding(w) == GMIME_CONTENT_ENCODING_BASE64 &&
	    (raw = g_mime_data_wrapper_get_stream(w)) != NULL) {
		size = g_mime_stream_length(raw);
		out = g_byte_array_sized_new(
		    size > 0 && size < G_MAXUINT / 2 ? (guint)(size / 4 * 3 + 3) : 0);
		g_mime_stream_reset(raw);
		while ((n = g_mime_stream_read(raw, (char *)chunk, sizeof chunk)) > 0)
			b64_step(&st, chunk, (size_t)n, out);
		n = b64_flush(&st, tail) - tail;
		g_byte_array_append(out, tail, (guint)n);
		return out;
	}
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	out = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return out;
}

/* Decodes the leaf part and keeps it as the mail's next leaf. */
static void
take_leaf(struct mime_message *m, GMimePart *part, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *fn = g_mime_part_get_filename(part);
	struct mime_leaf *l = &m->leaf[m->leaves++];
	const char *base;
	char *type;

	l->decoded = decode_content(g_mime_part_get_content(part));
	type = ct != NULL ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	l->type = g_ascii_strdown(type, -1);
	g_free(type);
	l->filename = NULL;
	if (fn != NULL) {
		base = fn + strlen(fn);
		while (base > fn && base[-1] != '/' && base[-1] != '\\')
			base--;
		l->filename = *base != '\0' ? g_strdup(base) : NULL;
	}
	l->depth = depth;
	l->flags = m->flags;
}

/* Hands out the next kept leaf. */
static void
give_leaf(struct mime_message *m, struct mime_part *p)
{
	const struct mime_leaf *l = &m->leaf[m->next++];

	p->content_type = l->type;
	p->filename = l->filename;
	p->data = l->decoded->data;
	p->len = l->decoded->len;
	p->depth = l->depth;
	p->index = m->next;
	m->flags_now = l->flags;
}

int
mime_next_part(struct mime_message *m, struct mime_part *p)
{
	struct mime_frame *f;
	GMimeObject *obj, *child;
	GMimeMessage *inner;
	int count, depth;

	if (m->next < m->leaves) {
		give_leaf(m, p);
		return 1;
	}
	while (m->sp > 0) {
		f = &m->stack[m->sp - 1];
		obj = f->obj;
		if (GMIME_IS_MULTIPART(obj)) {
			count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
			/* a signed report: only its content, not the signature */
			if (GMIME_IS_MULTIPART_SIGNED(obj) && count > 1)
				count = 1;
			if (f->next >= count) {
				m->sp--;
				continue;
			}
			child = g_mime_multipart_get_part(GMIME_MULTIPART(obj), f->next++);
			push(m, child, f->depth + 1);
			continue;
		}
		depth = f->depth;
		m->sp--;
		if (GMIME_IS_MESSAGE_PART(obj)) {
			inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
			if (inner != NULL)
				push(m, g_mime_message_get_mime_part(inner), depth + 1);
			continue;
		}
		if (!GMIME_IS_PART(obj))
			continue;
		if (m->leaves == BOUND_MIME_PARTS) {
			m->flags |= W_LIMIT_TRUNCATED;
			m->sp = 0;
			break;
		}
		take_leaf(m, GMIME_PART(obj), depth);
		give_leaf(m, p);
		return 1;
	}
	m->flags_now = m->flags;
	return 0;
}
