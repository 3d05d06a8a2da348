/*
 * host: the Host headers the dashboard answers, against DNS rebinding. A
 * page of another site can make its own name resolve to 127.0.0.1, and
 * then read whatever an unauthenticated dashboard on loopback answers,
 * under its own origin; its requests carry its own name as Host. So a
 * request is answered only when its Host is a loopback name or address
 * (localhost, 127.0.0.0/8, [::1], with or without a port) or one of the
 * names configured for the server.
 */
#ifndef DMARCD_HOST_H
#define DMARCD_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"

#define HOST_NAMES_MAX 8
#define HOST_NAME_LEN 253 /* a DNS name's longest text */

/* The configured names, lower case, without a trailing dot. */
struct host_names {
	size_t n;
	char name[HOST_NAMES_MAX][HOST_NAME_LEN + 1];
};

/*
 * Parses list (NULL: none), names separated by commas or spaces: DNS names,
 * IPv4 addresses or bracketed IPv6 addresses, without a port. 0, or -1 (e).
 */
int host_names_parse(const char *list, struct host_names *out, struct errbuf *e);

/*
 * True when host, a Host header's value (NULL when the request has none:
 * false), names a loopback address or one of names, with or without a port.
 */
bool host_allowed(const struct host_names *names, const char *host);

#endif
