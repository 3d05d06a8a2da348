#include "mime_headers.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "mime_int.h"

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
	GMimeStream *mem = NULL;
	GMimeMessage *msg, *inner;
	GByteArray *ba;
	int rc = 0;

	*out = NULL;
	*n = 0;
	*cut = false;
	if ((msg = mime_message_new(raw, len)) == NULL)
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
