#include "sniff.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* A mail's header block is looked for in this many bytes. */
#define SNIFF_HEADER_SCAN 4096

/* Field names that only a mail header block starts a line with. */
static const char *const mail_fields[] = {
	"return-path:",
	"received:",
	"from:",
	"to:",
	"subject:",
	"date:",
	"message-id:",
	"mime-version:",
	"content-type:",
	"delivered-to:",
	"reply-to:",
	"sender:",
};

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True when the line at p (n bytes) starts with "name:" (RFC 5322 ftext). */
static bool
is_field_line(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 77; i++) {
		if (p[i] == ':')
			return i > 0;
		if (p[i] < 33 || p[i] > 126)
			return false;
	}
	return false;
}

static bool
has_mail_field(const unsigned char *line, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof mail_fields / sizeof mail_fields[0]; i++) {
		k = strlen(mail_fields[i]);
		if (n >= k && strncasecmp((const char *)line, mail_fields[i], k) == 0)
			return true;
	}
	return false;
}

/*
 * An mbox "From " line, or a header block whose first line is a field and
 * which has a field that mails carry (so that "Note: ..." text is not mail).
 */
static bool
looks_like_mail(const unsigned char *p, size_t len)
{
	size_t off = 0, eol;

	if (len >= 5 && memcmp(p, "From ", 5) == 0)
		return true;
	if (len > SNIFF_HEADER_SCAN)
		len = SNIFF_HEADER_SCAN;
	if (!is_field_line(p, len))
		return false;
	while (off < len) {
		for (eol = off; eol < len && p[eol] != '\n'; eol++)
			;
		if (eol == off || (eol == off + 1 && p[off] == '\r'))
			break; /* the empty line that ends the header block */
		if (has_mail_field(p + off, eol - off))
			return true;
		off = eol + 1;
	}
	return false;
}

enum sniff_kind
sniff(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;

	if (len == 0)
		return SNIFF_EMPTY;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return SNIFF_GZIP;
	if (len >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6)))
		return SNIFF_ZIP;
	if (len >= 4 && p[0] == 0xd0 && p[1] == 0xcf && p[2] == 0x11 && p[3] == 0xe0)
		return SNIFF_OLE;
	/* TNEF (winmail.dat): signature 0x223e9f78, little-endian */
	if (len >= 4 && p[0] == 0x78 && p[1] == 0x9f && p[2] == 0x3e && p[3] == 0x22)
		return SNIFF_OLE;
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return SNIFF_XML;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < len && is_space(p[i]))
		i++;
	if (i < len && p[i] == '<')
		return SNIFF_XML;
	if (i < len && p[i] == '{')
		return SNIFF_JSON;
	if (looks_like_mail(p, len))
		return SNIFF_MAIL;
	return i == len ? SNIFF_EMPTY : SNIFF_OTHER;
}

const char *
sniff_name(enum sniff_kind k)
{
	switch (k) {
	case SNIFF_EMPTY:
		return "empty";
	case SNIFF_GZIP:
		return "gzip";
	case SNIFF_ZIP:
		return "zip";
	case SNIFF_XML:
		return "xml";
	case SNIFF_JSON:
		return "json";
	case SNIFF_MAIL:
		return "mail";
	case SNIFF_OLE:
		return "ole";
	case SNIFF_OTHER:
		return "other";
	}
	return "other";
}
