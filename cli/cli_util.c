#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advise.h"
#include "log.h"
#include "num.h"

const char *
cli_db_path(const char *option)
{
	const char *env = getenv("DMARCD_DB");

	if (option != NULL)
		return option;
	if (env != NULL && env[0] != '\0')
		return env;
	return "dmarcd.db";
}

int
cli_store_open(const char *path, enum store_mode mode, struct store **out, struct errbuf *e)
{
	if (store_open(path, mode, out, e) == -1)
		return -1;
	if (store_warning(*out) != NULL)
		log_warn("%s", store_warning(*out));
	return 0;
}

/* Reads exactly n digits at s into *out. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
cli_parse_date(const char *s, int end_of_day, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t len = strlen(s);

	if (len < 10 || digits(s, 4, &y) == -1 || s[4] != '-' || digits(s + 5, 2, &mo) == -1 ||
	    s[7] != '-' || digits(s + 8, 2, &d) == -1)
		return -1;
	if (len == 10) {
		if (end_of_day) {
			h = 23;
			mi = 59;
			se = 59;
		}
	} else if (len != 20 || (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) == -1 ||
	    s[13] != ':' || digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &se) == -1 || s[19] != 'Z') {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int
cli_parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	unsigned shift = 0;

	if (num_parse_prefix(s, UINT64_MAX, &v, &end) == -1)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0' && strcmp(end + 1, "iB") != 0 &&
	    strcmp(end + 1, "B") != 0)
		return -1;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int
cli_domain_arg(const char *domain, char *out, size_t size)
{
	struct errbuf e;

	return known_value_canonical(KNOWN_DKIM_DOMAIN, domain, out, size, &e);
}

void
cli_put(const char *s, const char *suffix)
{
	char buf[2048 * 4 + 4];

	fputs(log_escape(s != NULL ? s : "", buf, sizeof buf), stdout);
	fputs(suffix, stdout);
}
