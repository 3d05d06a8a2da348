#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
errbuf_set(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void
errbuf_prefix(struct errbuf *e, const char *fmt, ...)
{
	char old[ERRBUF_SIZE];
	size_t n;
	va_list ap;

	if (e == NULL)
		return;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n + 2 < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", old);
}

void
errbuf_clear(struct errbuf *e)
{
	if (e != NULL)
		e->msg[0] = '\0';
}
