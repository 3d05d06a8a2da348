#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

int
listener_parse(const char *s, struct listener_addr *a, struct errbuf *e)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hstart = s, *hend;
	unsigned long port = 0;
	size_t i;

	memset(a, 0, sizeof *a);
	if (s[0] == '[') {
		hstart = s + 1;
		if ((hend = strchr(s, ']')) == NULL || hend[1] != ':')
			goto bad;
		colon = hend + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hend = colon;
	}
	if (hend <= hstart || (size_t)(hend - hstart) >= sizeof host)
		goto bad;
	memcpy(host, hstart, (size_t)(hend - hstart));
	host[hend - hstart] = '\0';
	for (i = 1; colon[i] != '\0'; i++) {
		if (colon[i] < '0' || colon[i] > '9' || i > 5)
			goto bad;
		port = port * 10 + (unsigned long)(colon[i] - '0');
	}
	if (i == 1 || port > 65535)
		goto bad;
	if (strcmp(host, "localhost") == 0)
		memcpy(host, "127.0.0.1", 10);
	if (s[0] != '[' && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		a->len = sizeof *s4;
		a->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		a->len = sizeof *s6;
		a->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127);
		return 0;
	}
bad:
	errbuf_set(e, "listen address '%s': want IPv4:PORT, [IPv6]:PORT or localhost:PORT", s);
	return -1;
}

int
listener_open(const struct listener_addr *a, const char *listen_text, int *fd, struct errbuf *e)
{
	int one = 1;

	if ((*fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		errbuf_set(e, "listen %s: socket: %s", listen_text, strerror(errno));
		return -1;
	}
	setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(*fd, (const struct sockaddr *)&a->ss, a->len) == -1 || listen(*fd, 128) == -1) {
		errbuf_set(e, "listen %s: %s", listen_text, strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

unsigned
listener_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}
