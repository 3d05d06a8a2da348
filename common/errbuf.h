/*
 * errbuf: a fixed-size error message filled where a failure happens and
 * prefixed with context on the way up ("new/1700.M1 part 2: gunzip: ...").
 * Libraries never print; only the top level logs an errbuf.
 * Every function accepts a NULL errbuf and then does nothing.
 */
#ifndef DMARCD_ERRBUF_H
#define DMARCD_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

#define ERRBUF_SIZE 512

struct errbuf {
	char msg[ERRBUF_SIZE];
};

/* Replaces the message with the formatted text (truncated to fit). */
void errbuf_set(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* errbuf_set with a va_list. */
void errbuf_vset(struct errbuf *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Puts "formatted-text: " in front of the current message. */
void errbuf_prefix(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empties the message. */
void errbuf_clear(struct errbuf *e);

#endif
