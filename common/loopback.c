#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

/* "[::1]" plus room for the longest IPv6 text form */
#define LOOPBACK_HOST_MAX (INET6_ADDRSTRLEN + 2)

bool
loopback_host(const char *host)
{
	char bare[LOOPBACK_HOST_MAX];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* inet_pton takes the dotted quad only: "127.1" and "0x7f.0.0.1" are not literals here */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof bare)
		return false;
	memcpy(bare, host, len);
	bare[len] = '\0';
	return inet_pton(AF_INET6, bare, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}
