#include "query.h"

#include <stdio.h>
#include <string.h>

#include "days.h"

#define QUERY_YEAR_MIN 1971 /* day 0 would mean "no filter" to the store */

/* Parses a decimal number of at most 10 digits, no sign, no spaces. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int
query_parse_day(const char *s, int64_t *day)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char y[5], m[3], d[3];
	uint64_t yy, mm, dd;
	bool leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(y, s, 4);
	y[4] = '\0';
	memcpy(m, s + 5, 2);
	m[2] = '\0';
	memcpy(d, s + 8, 2);
	d[2] = '\0';
	if (parse_uint(y, 9999, &yy) == -1 || parse_uint(m, 12, &mm) == -1 ||
	    parse_uint(d, 31, &dd) == -1 || yy < QUERY_YEAR_MIN || mm < 1 || dd < 1 ||
	    dd > mdays[mm - 1])
		return -1;
	leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
	if (mm == 2 && dd == 29 && !leap)
		return -1;
	*day = days_from_civil((int64_t)yy, (unsigned)mm, (unsigned)dd);
	return 0;
}

/* A free-text parameter: bounded, no control characters. */
static int
check_text(const char *name, const char *v, struct errbuf *e)
{
	size_t i, n = strlen(v);

	if (n > QUERY_TEXT_MAX) {
		errbuf_set(e, "%s: longer than %d bytes", name, QUERY_TEXT_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			errbuf_set(e, "%s: control character", name);
			return -1;
		}
	}
	return 0;
}

/* Returns the index of v in the NULL-terminated list, or -1. */
static int
one_of(const char *v, const char *const *list)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return i;
	return -1;
}

static int
parse_window(query_arg_fn arg, void *ctx, int64_t today, struct dash_filter *f, struct errbuf *e)
{
	const char *from = arg(ctx, "from"), *to = arg(ctx, "to"), *days = arg(ctx, "days");
	int64_t dfrom = 0, dto = 0;
	uint64_t n;

	if (from != NULL && from[0] != '\0' && query_parse_day(from, &dfrom) == -1) {
		errbuf_set(e, "from: not a date YYYY-MM-DD (1971 or later)");
		return -1;
	}
	if (to != NULL && to[0] != '\0' && query_parse_day(to, &dto) == -1) {
		errbuf_set(e, "to: not a date YYYY-MM-DD (1971 or later)");
		return -1;
	}
	if (days != NULL && days[0] != '\0') {
		if (parse_uint(days, QUERY_DAYS_MAX, &n) == -1 || n == 0) {
			errbuf_set(e, "days: a number of days from 1 to %d", QUERY_DAYS_MAX);
			return -1;
		}
		if (dfrom != 0) {
			errbuf_set(e, "days: give either from or days, not both");
			return -1;
		}
		if (dto == 0)
			dto = today;
		dfrom = dto - (int64_t)n + 1;
	}
	if (dfrom != 0 && dto != 0 && dfrom > dto) {
		errbuf_set(e, "from: after to");
		return -1;
	}
	f->day_from = dfrom;
	f->day_to = dto;
	return 0;
}

/* A catalogue key: [a-z0-9-], as the catalogue names its services. */
static bool
is_service_key(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (i >= QUERY_SERVICE_MAX ||
		    !((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-'))
			return false;
	return i > 0;
}

/* The names filters: service=KEY, asn=N, country=CC. */
static int
parse_names(query_arg_fn arg, void *ctx, struct dash_filter *f, struct errbuf *e)
{
	const char *v;
	uint64_t n;

	if ((v = arg(ctx, "service")) != NULL && v[0] != '\0') {
		if (!is_service_key(v)) {
			errbuf_set(e, "service: a service key (a-z, 0-9, -; at most %d)",
			    QUERY_SERVICE_MAX);
			return -1;
		}
		f->service = v;
	}
	if ((v = arg(ctx, "asn")) != NULL && v[0] != '\0') {
		if (parse_uint(v, UINT32_MAX, &n) == -1 || n == 0) {
			errbuf_set(e, "asn: an AS number from 1 to %u", UINT32_MAX);
			return -1;
		}
		f->asn = (uint32_t)n;
	}
	if ((v = arg(ctx, "country")) != NULL && v[0] != '\0') {
		if (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
			errbuf_set(e, "country: a country code of two capital letters (DE)");
			return -1;
		}
		f->country = v;
	}
	return 0;
}

static int
parse_filter(query_arg_fn arg, void *ctx, struct dash_filter *f, struct errbuf *e)
{
	static const char *const results[] = { "all", "pass", "fail", NULL };
	const char *v;
	uint8_t lo[16], hi[16];
	int i;

	if ((v = arg(ctx, "domain")) != NULL && v[0] != '\0') {
		if (check_text("domain", v, e) == -1)
			return -1;
		f->domain = v;
	}
	if ((v = arg(ctx, "reporter")) != NULL && v[0] != '\0') {
		if (check_text("reporter", v, e) == -1)
			return -1;
		f->reporter = v;
	}
	if ((v = arg(ctx, "result")) != NULL && v[0] != '\0') {
		if ((i = one_of(v, results)) == -1) {
			errbuf_set(e, "result: pass, fail or all");
			return -1;
		}
		f->result = i == 1 ? DASH_RESULT_PASS : i == 2 ? DASH_RESULT_FAIL : DASH_RESULT_ALL;
	}
	if ((v = arg(ctx, "source")) != NULL && v[0] != '\0') {
		if (check_text("source", v, e) == -1 || dash_source_range(v, lo, hi) == -1) {
			errbuf_set(e,
			    "source: not an IP address or a CIDR (192.0.2.0/24, 2001:db8::/32)");
			return -1;
		}
		f->source = v;
	}
	return parse_names(arg, ctx, f, e);
}

static int
parse_page(query_arg_fn arg, void *ctx, struct dash_page *p, struct errbuf *e)
{
	static const char *const dirs[] = { "asc", "desc", NULL };
	const char *v;
	uint64_t n;
	size_t i;

	p->limit = QUERY_LIMIT_DEFAULT;
	if ((v = arg(ctx, "sort")) != NULL && v[0] != '\0') {
		for (i = 0; v[i] != '\0'; i++) {
			if (i >= 32 || !((v[i] >= 'a' && v[i] <= 'z') || v[i] == '_')) {
				errbuf_set(e, "sort: a column name");
				return -1;
			}
		}
		p->sort = v;
	}
	if ((v = arg(ctx, "dir")) != NULL && v[0] != '\0') {
		if (one_of(v, dirs) == -1) {
			errbuf_set(e, "dir: asc or desc");
			return -1;
		}
		p->descending = strcmp(v, "desc") == 0;
	} else
		p->descending = true;
	if ((v = arg(ctx, "limit")) != NULL && v[0] != '\0') {
		if (parse_uint(v, QUERY_LIMIT_MAX, &n) == -1 || n == 0) {
			errbuf_set(e, "limit: a number from 1 to %d", QUERY_LIMIT_MAX);
			return -1;
		}
		p->limit = (unsigned)n;
	}
	if ((v = arg(ctx, "offset")) != NULL && v[0] != '\0') {
		if (parse_uint(v, QUERY_OFFSET_MAX, &n) == -1) {
			errbuf_set(e, "offset: a number from 0 to %u", QUERY_OFFSET_MAX);
			return -1;
		}
		p->offset = (unsigned)n;
	}
	return 0;
}

int
query_parse(query_arg_fn arg, void *ctx, int64_t today, struct query *q, struct errbuf *e)
{
	static const char *const groups[] = { "ip", "prefix", "service", "asn", "country", NULL };
	static const enum dash_group group_of[] = { DASH_GROUP_IP, DASH_GROUP_PREFIX,
		DASH_GROUP_SERVICE, DASH_GROUP_ASN, DASH_GROUP_COUNTRY };
	int i;
	static const char *const formats[] = { "json", "csv", NULL };
	static const char *const statuses[] = { "stored", "duplicate", "partial", "refused",
		"pending", NULL };
	const char *v;

	memset(q, 0, sizeof *q);
	if (parse_window(arg, ctx, today, &q->filter, e) == -1 ||
	    parse_filter(arg, ctx, &q->filter, e) == -1 || parse_page(arg, ctx, &q->page, e) == -1)
		return -1;
	if ((v = arg(ctx, "group")) != NULL && v[0] != '\0') {
		if ((i = one_of(v, groups)) == -1) {
			errbuf_set(e, "group: ip, prefix, service, asn or country");
			return -1;
		}
		q->group = group_of[i];
	}
	if ((v = arg(ctx, "format")) != NULL && v[0] != '\0') {
		if (one_of(v, formats) == -1) {
			errbuf_set(e, "format: json or csv");
			return -1;
		}
		q->csv = strcmp(v, "csv") == 0;
	}
	if ((v = arg(ctx, "status")) != NULL && v[0] != '\0') {
		if (one_of(v, statuses) == -1) {
			errbuf_set(e, "status: stored, duplicate, partial, refused or pending");
			return -1;
		}
		q->status = v;
	}
	return 0;
}

void
query_export_filter(const struct query *q, struct export_filter *f)
{
	f->domain = q->filter.domain;
	f->since = q->filter.day_from != 0 ? q->filter.day_from * 86400 : INT64_MIN;
	f->until = q->filter.day_to != 0 ? q->filter.day_to * 86400 + 86399 : INT64_MAX;
}
