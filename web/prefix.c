#include "prefix.h"

#include <stdbool.h>
#include <string.h>

static bool
path_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~/", c) != NULL);
}

int
prefix_normalize(const char *s, char *out, size_t size)
{
	size_t n, i;

	if (size == 0)
		return -1;
	out[0] = '\0';
	if (s == NULL)
		s = "";
	for (i = 0; s[i] != '\0'; i++)
		if (!path_byte(s[i]) || (s[i] == '/' && s[i + 1] == '/'))
			return -1;
	if (i > 0 && s[0] != '/')
		return -1;
	for (n = i; n > 0 && s[n - 1] == '/'; n--)
		;
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}
