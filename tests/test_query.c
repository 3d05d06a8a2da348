/* web/query.c: the dashboard's and the API's query parameters, windows and filters. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "query.h"
#include "days.h"

struct args {
	const char *kv[16][2];
};

static const char *
args_get(void *ctx, const char *key)
{
	struct args *a = ctx;
	size_t i;

	for (i = 0; i < 16 && a->kv[i][0] != NULL; i++)
		if (strcmp(a->kv[i][0], key) == 0)
			return a->kv[i][1];
	return NULL;
}

Test(query, windows_and_filters)
{
	struct args a = { { { "from", "2024-03-01" }, { "to", "2024-03-31" },
	    { "domain", "example.com" }, { "result", "fail" }, { "source", "192.0.2.0/24" },
	    { "sort", "pass_rate" }, { "dir", "asc" }, { "limit", "25" }, { "offset", "50" },
	    { "group", "prefix" }, { "format", "csv" } } };
	struct export_filter f;
	struct query q;
	struct errbuf e;
	char day[11];

	cr_assert_eq(query_parse(args_get, &a, 20000, &q, &e), 0, "%s", e.msg);
	days_text(q.filter.day_from, day);
	cr_expect_str_eq(day, "2024-03-01");
	days_text(q.filter.day_to, day);
	cr_expect_str_eq(day, "2024-03-31");
	cr_expect_str_eq(q.filter.domain, "example.com");
	cr_expect_eq(q.filter.result, DASH_RESULT_FAIL);
	cr_expect_str_eq(q.filter.source, "192.0.2.0/24");
	cr_expect_str_eq(q.page.sort, "pass_rate");
	cr_expect(!q.page.descending);
	cr_expect_eq(q.page.limit, 25u);
	cr_expect_eq(q.page.offset, 50u);
	cr_expect_eq(q.group, DASH_GROUP_PREFIX);
	cr_expect(q.csv);
	query_export_filter(&q, &f);
	cr_expect_eq(f.since, 1709251200); /* 2024-03-01T00:00:00Z */
	cr_expect_eq(f.until, 1711929599); /* 2024-03-31T23:59:59Z */
}

Test(query, days_count_back_from_to_or_today)
{
	struct args a = { { { "days", "7" }, { "to", "2024-03-10" } } };
	struct args b = { { { "days", "30" } } };
	struct args none = { { { NULL, NULL } } };
	struct query q;
	struct errbuf e;
	char day[11];

	cr_assert_eq(query_parse(args_get, &a, 99999, &q, &e), 0, "%s", e.msg);
	days_text(q.filter.day_from, day);
	cr_expect_str_eq(day, "2024-03-04");
	cr_assert_eq(query_parse(args_get, &b, 19800, &q, &e), 0);
	cr_expect_eq(q.filter.day_to, 19800);
	cr_expect_eq(q.filter.day_from, 19771);
	cr_assert_eq(query_parse(args_get, &none, 19800, &q, &e), 0);
	cr_expect_eq(q.filter.day_from, 0);
	cr_expect_eq(q.filter.day_to, 0);
	cr_expect_eq(q.page.limit, (unsigned)QUERY_LIMIT_DEFAULT);
	cr_expect(q.page.descending);
}

Test(query, bad_parameters_are_named)
{
	static const struct {
		const char *key, *value, *want;
	} cases[] = {
		{ "from", "2024-02-30", "from:" },
		{ "from", "2024-3-01", "from:" },
		{ "to", "1970-01-01", "to:" },
		{ "days", "0", "days:" },
		{ "days", "9999", "days:" },
		{ "days", "7x", "days:" },
		{ "result", "maybe", "result:" },
		{ "source", "192.0.2.300", "source:" },
		{ "source", "example.com", "source:" },
		{ "sort", "messages;drop", "sort:" },
		{ "dir", "up", "dir:" },
		{ "limit", "501", "limit:" },
		{ "limit", "-1", "limit:" },
		{ "offset", "1e3", "offset:" },
		{ "group", "owner", "group:" },
		{ "format", "xml", "format:" },
		{ "status", "lost", "status:" },
		{ "domain", "a\nb", "domain:" },
	};
	struct query q;
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct args a = { { { cases[i].key, cases[i].value } } };

		errbuf_clear(&e);
		cr_expect_eq(query_parse(args_get, &a, 20000, &q, &e), -1, "%s=%s accepted",
		    cases[i].key, cases[i].value);
		cr_expect(strncmp(e.msg, cases[i].want, strlen(cases[i].want)) == 0, "%s=%s: '%s'",
		    cases[i].key, cases[i].value, e.msg);
	}
	{
		struct args a = { { { "from", "2024-03-10" }, { "to", "2024-03-01" } } };
		struct args b = { { { "from", "2024-03-10" }, { "days", "7" } } };

		cr_expect_eq(query_parse(args_get, &a, 20000, &q, &e), -1);
		cr_expect_eq(query_parse(args_get, &b, 20000, &q, &e), -1);
	}
}
