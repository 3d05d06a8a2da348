#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#define LOG_LINE_MAX 2048

/* The logger's configuration: one of the two globals STYLE.md allows. */
static enum log_level log_threshold = LOG_LEVEL_INFO;
static bool log_to_syslog;

void
log_init(enum log_level level, bool use_syslog)
{
	log_threshold = level;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog("dmarcd", LOG_PID, LOG_DAEMON);
}

char *
log_escape(const char *src, char *dst, unsigned long size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long len = 0;
	const unsigned char *p;

	if (size == 0)
		return dst;
	for (p = (const unsigned char *)src; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (len + 1 >= size)
				break;
			dst[len++] = (char)*p;
		} else if (*p == '\\') {
			if (len + 2 >= size)
				break;
			dst[len++] = '\\';
			dst[len++] = '\\';
		} else {
			if (len + 4 >= size)
				break;
			dst[len++] = '\\';
			dst[len++] = 'x';
			dst[len++] = hex[*p >> 4];
			dst[len++] = hex[*p & 0xf];
		}
	}
	dst[len] = '\0';
	return dst;
}

static void __attribute__((format(printf, 2, 0)))
log_write(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int priorities[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];

	if (level > log_threshold)
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	log_escape(raw, line, sizeof line);
	if (log_to_syslog)
		syslog(priorities[level], "%s", line);
	else
		fprintf(stderr, "dmarcd: %s: %s\n", names[level], line);
}

#define LOG_FUNCTION(name, level) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		log_write(level, fmt, ap); \
		va_end(ap); \
	}

LOG_FUNCTION(log_error, LOG_LEVEL_ERROR)
LOG_FUNCTION(log_warn, LOG_LEVEL_WARN)
LOG_FUNCTION(log_info, LOG_LEVEL_INFO)
LOG_FUNCTION(log_debug, LOG_LEVEL_DEBUG)
