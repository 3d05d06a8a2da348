#include "mime_headers.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"

/* The length of a leading mbox "From " envelope line, which GMime would take for a header. */
static size_t
mbox_line_len(const unsigned char *p, size_t len)
{
	const unsigned char *nl;

	if (len < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	nl = memchr(p, '\n', len);
	return nl != NULL ? (size_t)(nl - p) + 1 : len;
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
 * The mail with its blank-only lines emptied, as mail_parse retries it:
 * some gateways end the header block with " \n" and GMime then finds no
 * message at all.
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

static GMimeMessage *
find_message(GMimeObject *obj, int depth)
{
	GMimeMessage *found;
	int i, count;

	if (obj == NULL || depth > BOUND_MIME_DEPTH)
		return NULL;
	if (GMIME_IS_MESSAGE_PART(obj))
		return g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	if (!GMIME_IS_MULTIPART(obj))
		return NULL;
	count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
	for (i = 0; i < count; i++) {
		found = find_message(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), depth + 1);
		if (found != NULL)
			return found;
	}
	return NULL;
}

int
mime_first_message_part(const void *raw, size_t len, size_t max, unsigned char **out, size_t *n,
    bool *cut, struct errbuf *e)
{
	const unsigned char *p = raw;
	size_t skip = mbox_line_len(p, len);
	GMimeStream *mem = NULL;
	GMimeMessage *msg, *inner;
	GByteArray *ba;
	int rc = 0;

	*out = NULL;
	*n = 0;
	*cut = false;
	if (len - skip > G_MAXUINT)
		return 0;
	msg = parse_stream(g_mime_stream_mem_new_with_buffer((const char *)p + skip, len - skip));
	if (msg == NULL)
		msg = parse_stream(blank_lines_emptied(p + skip, len - skip));
	if (msg == NULL)
		return 0;
	inner = find_message(g_mime_message_get_mime_part(msg), 0);
	if (inner == NULL)
		goto done;
	mem = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*n = ba->len;
	if (*n > max) {
		*n = max;
		*cut = true;
	}
	if ((*out = malloc(*n + 1)) == NULL) {
		errbuf_set(e, "sample: out of memory");
		*n = 0;
		rc = -1;
		goto done;
	}
	memcpy(*out, ba->data, *n);
	(*out)[*n] = '\0';
	rc = 1;
done:
	if (mem != NULL)
		g_object_unref(mem);
	g_object_unref(msg);
	return rc;
}
