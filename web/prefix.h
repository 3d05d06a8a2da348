/*
 * prefix: the URL path prefix the dashboard is served under, from
 * --base-path and from a reverse proxy's X-Forwarded-Prefix. Both go into
 * <base href>, so both pass the same check: "" or "/a/b" of A-Za-z0-9-._~/
 * only, without "//" anywhere (a protocol-relative "//host" would point
 * the page's scripts and links at another site).
 */
#ifndef DMARCD_PREFIX_H
#define DMARCD_PREFIX_H

#include <stddef.h>

/*
 * Checks s (NULL: "") and writes it to out (size bytes) without its
 * trailing slashes. 0, or -1 when it is not such a prefix or does not fit
 * (out is then "").
 */
int prefix_normalize(const char *s, char *out, size_t size);

#endif
