#include "advise_input.h"

#include <string.h>

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
