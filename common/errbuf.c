#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
errbuf_vset(struct errbuf *e, const char *fmt, va_list ap)
{
	if (e != NULL)
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

void
errbuf_set(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(e, fmt, ap);
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
	if (n + 2 < sizeof e->msg) {
		size_t room = sizeof e->msg - n - 3, oldlen = strlen(old);

		if (oldlen > room)
			oldlen = room;
		memcpy(e->msg + n, ": ", 2);
		memcpy(e->msg + n + 2, old, oldlen);
		e->msg[n + 2 + oldlen] = '\0';
	}
}

void
errbuf_clear(struct errbuf *e)
{
	if (e != NULL)
		e->msg[0] = '\0';
}
