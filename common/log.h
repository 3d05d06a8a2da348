/*
 * log: the process logger (stderr, or syslog when configured). Each line is
 * escaped before it is written: bytes outside printable ASCII become \xNN,
 * so attacker-controlled report content cannot forge lines or drive a
 * terminal. Only the top level (cli/) logs; libraries fill an errbuf.
 */
#ifndef DMARCD_LOG_H
#define DMARCD_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Sets the lowest level written and the destination (syslog when use_syslog). */
void log_init(enum log_level level, bool use_syslog);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copies src into dst (size bytes, always NUL-terminated) with every byte
 * outside printable ASCII written as \xNN and backslash as \\. Returns dst.
 */
char *log_escape(const char *src, char *dst, unsigned long size);

#endif
