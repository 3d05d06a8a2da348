#include "num.h"

#include <stddef.h>

int
num_parse_prefix(const char *s, uint64_t max, uint64_t *out, const char **rest)
{
	uint64_t v = 0;
	unsigned d;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (i == 0)
		return -1;
	*out = v;
	*rest = s + i;
	return 0;
}

int
num_parse(const char *s, uint64_t max, uint64_t *out)
{
	const char *rest;

	return num_parse_prefix(s, max, out, &rest) == 0 && *rest == '\0' ? 0 : -1;
}
