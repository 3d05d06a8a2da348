#include "host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

static bool
name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.';
}

/* A bracketed IPv6 address of len bytes; into a6 when not NULL. */
static bool
ipv6_literal(const char *s, size_t len, struct in6_addr *a6)
{
	char text[INET6_ADDRSTRLEN + 1];
	struct in6_addr tmp;

	if (len < 3 || s[0] != '[' || s[len - 1] != ']' || len - 2 >= sizeof text)
		return false;
	memcpy(text, s + 1, len - 2);
	text[len - 2] = '\0';
	return inet_pton(AF_INET6, text, a6 != NULL ? a6 : &tmp) == 1;
}

/* A DNS name or IPv4 address of len bytes: letters, digits, '-' and '.'. */
static bool
plain_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > HOST_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!name_byte(s[i]))
			return false;
	return true;
}

int
host_names_parse(const char *list, struct host_names *out, struct errbuf *e)
{
	const char *p = list != NULL ? list : "";
	size_t len, i;

	out->n = 0;
	for (;;) {
		p += strspn(p, ", ");
		if (*p == '\0')
			return 0;
		len = strcspn(p, ", ");
		if (len > 1 && p[len - 1] == '.' && p[0] != '[')
			len--; /* "example.org." is "example.org" */
		if (out->n == HOST_NAMES_MAX) {
			errbuf_set(e, "server name: at most %d names", HOST_NAMES_MAX);
			return -1;
		}
		if (!plain_name(p, len) && !ipv6_literal(p, len, NULL)) {
			errbuf_set(e,
			    "server name '%.*s': want a DNS name, an IPv4 address or a bracketed "
			    "IPv6 address, without a port",
			    (int)(len < 64 ? len : 64), p);
			return -1;
		}
		for (i = 0; i < len; i++)
			out->name[out->n][i] =
			    (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		out->name[out->n][len] = '\0';
		out->n++;
		p += strcspn(p, ", ");
	}
}

/* The length of host without its port ("name:8080", "[::1]:8080"); 0 when malformed. */
static size_t
without_port(const char *host)
{
	const char *end;
	size_t len, i;

	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL)
			return 0;
		len = (size_t)(end - host) + 1;
	} else
		len = strcspn(host, ":");
	if (host[len] == '\0')
		return len;
	if (host[len] != ':' || host[len + 1] == '\0' || strlen(host + len + 1) > 5)
		return 0;
	for (i = len + 1; host[i] != '\0'; i++)
		if (host[i] < '0' || host[i] > '9')
			return 0;
	return len;
}

static bool
loopback(const char *s, size_t len)
{
	struct in6_addr a6;
	struct in_addr a4;
	char text[INET_ADDRSTRLEN];

	if (len == 9 && strncasecmp(s, "localhost", 9) == 0)
		return true;
	if (len < sizeof text && plain_name(s, len)) {
		memcpy(text, s, len);
		text[len] = '\0';
		return inet_pton(AF_INET, text, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (!ipv6_literal(s, len, &a6))
		return false;
	return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
}

bool
host_allowed(const struct host_names *names, const char *host)
{
	size_t len, i;

	if (host == NULL || (len = without_port(host)) == 0)
		return false;
	if (len > 1 && host[len - 1] == '.' && host[0] != '[')
		len--;
	if (loopback(host, len))
		return true;
	for (i = 0; i < names->n; i++)
		if (strlen(names->name[i]) == len && strncasecmp(names->name[i], host, len) == 0)
			return true;
	return false;
}
