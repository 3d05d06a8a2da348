#include "html.h"

#include <string.h>

#define HTML_BASE_MARKER "<!--BASE-->"

int
html_escape(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		}
		if (rep != NULL ? fputs(rep, out) == EOF : fputc(*s, out) == EOF)
			return -1;
	}
	return 0;
}

int
html_shell(FILE *out, const void *tmpl, size_t len, const char *prefix)
{
	const char *t = tmpl, *mark;
	size_t mlen = strlen(HTML_BASE_MARKER), before;

	mark = memmem(t, len, HTML_BASE_MARKER, mlen);
	before = mark != NULL ? (size_t)(mark - t) : len;
	if (fwrite(t, 1, before, out) != before)
		return -1;
	if (mark == NULL)
		return 0;
	if (prefix[0] != '\0' &&
	    (fputs("<base href=\"", out) == EOF || html_escape(out, prefix) == -1 ||
	        fputs("/\">", out) == EOF))
		return -1;
	t += before + mlen;
	len -= before + mlen;
	return fwrite(t, 1, len, out) == len ? 0 : -1;
}
