/* advise_input: the names of the known sources' kinds and statuses, and their CIDRs. */
#include "advise_input.h"

#include <arpa/inet.h>
#include <string.h>

#include "num.h"

static const char *const kind_names[] = { "cidr", "dkim_domain", "spf_domain" };
static const char *const status_names[] = { "authorized", "unauthorized", "forwarder" };

const char *
known_kind_name(enum known_kind k)
{
	return kind_names[k];
}

const char *
known_status_name(enum known_status s)
{
	return status_names[s];
}

static int
parse_name(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
known_kind_parse(const char *s, enum known_kind *k)
{
	int i = parse_name(s, kind_names, 3);

	if (i < 0 && s != NULL && strcmp(s, "dkim") == 0)
		i = KNOWN_DKIM_DOMAIN;
	if (i < 0 && s != NULL && strcmp(s, "spf") == 0)
		i = KNOWN_SPF_DOMAIN;
	if (i < 0)
		return -1;
	*k = (enum known_kind)i;
	return 0;
}

int
known_status_parse(const char *s, enum known_status *st)
{
	int i = parse_name(s, status_names, 3);

	if (i < 0)
		return -1;
	*st = (enum known_status)i;
	return 0;
}

int
known_cidr_range(const char *value, uint8_t lo[16], uint8_t hi[16], unsigned *bits, int *family)
{
	char addr[64];
	const char *slash = strchr(value, '/');
	size_t len = slash != NULL ? (size_t)(slash - value) : strlen(value);
	uint64_t n;
	unsigned max, prefix, i;

	if (len == 0 || len >= sizeof addr)
		return -1;
	memcpy(addr, value, len);
	addr[len] = '\0';
	memset(lo, 0, 16);
	if (inet_pton(AF_INET, addr, lo + 12) == 1) {
		lo[10] = lo[11] = 0xff;
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, lo) == 1) {
		*family = 6;
		max = 128;
	} else {
		return -1;
	}
	n = max;
	if (slash != NULL && num_parse(slash + 1, max, &n) == -1)
		return -1;
	*bits = (unsigned)n;
	/* over the 16-byte form, an IPv4 prefix counts the 96 bits of ::ffff:0:0/96 */
	prefix = (unsigned)n + (128 - max);
	for (i = prefix; i < 128; i++)
		lo[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	memcpy(hi, lo, 16);
	for (i = prefix; i < 128; i++)
		hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	return 0;
}
