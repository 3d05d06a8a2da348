#include "days.h"

#include <stdio.h>

int64_t
days_of(int64_t ts)
{
	if (ts >= 0)
		return ts / 86400;
	return -((-(ts + 1)) / 86400) - 1;
}

/* H. Hinnant's algorithms, both ways: exact for every int64 day a report can name. */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

const char *
days_text(int64_t day, char out[DAYS_TEXT_SIZE])
{
	int64_t z = day + 719468, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, DAYS_TEXT_SIZE, "%04u-%02u-%02u", (unsigned)(y % 10000) % 10000u, m % 100u,
	    d % 100u);
	return out;
}
