/*
 * dash_bench: times the store_dash_* calls on a database (bench/README.md,
 * "Dashboard queries"). Not part of the CMake build:
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Istore -Icommon bench/dash_bench.c \
 *       BUILD/libdmarcd_store.a BUILD/libdmarcd_common.a -lsqlite3 -o /tmp/dash_bench
 *   /tmp/dash_bench bench/out/dash5m.db [runs] [last day]
 *
 * Each call runs runs times (default 20) for a 30-day and a 365-day window
 * ending on the last day with data; it prints p50, p95 and max in ms of
 * wall time, and the p50 of the process's CPU time (what the call costs
 * when other programs share the machine). DASH_BENCH=old runs only the
 * calls that a build before the names has (so both builds run the same
 * calls), DASH_BENCH=new only the names' calls.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_dash.h"

#define MAX_RUNS 200

struct counter {
	size_t rows;
	int64_t total; /* -1 when the call has no total_rows */
};

static int
count_row(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	struct counter *c = ctx;

	c->rows++;
	if (ncols > 0 && strcmp(names[ncols - 1], "total_rows") == 0)
		c->total = cells[ncols - 1].i;
	return 0;
}

static double
now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum call {
	C_DOMAINS,
	C_DAILY,
	C_SOURCES_IP,
	C_SOURCES_PREFIX,
	C_SOURCES_IP_RATE,
	C_SOURCES_PREFIX_RATE,
	C_RECORDS,
	C_REPORTS,
	C_SOURCES_SERVICE,
	C_SOURCES_ASN,
	C_SOURCES_COUNTRY,
	C_SOURCES_IP_NAMED,
	C_RECORDS_NAMED,
	C_SOURCES_SERVICE_RATE
};

static const char *const call_names[] = { "domains", "daily", "sources (IP)", "sources (/24, /48)",
	"sources (IP) by pass rate", "sources (/24, /48) by pass rate", "records", "reports",
	"sources (service)", "sources (AS)", "sources (country)",
	"sources (IP), service=", "records, service=", "sources (service) by pass rate" };

static int
run(struct store *st, enum call c, const struct dash_filter *f, struct counter *n, struct errbuf *e)
{
	struct dash_page page = { NULL, false, 50, 0 };
	struct dash_page rate = { "pass_rate", false, 50, 0 };

	switch (c) {
	case C_DOMAINS:
		return store_dash_domains(st, f, count_row, n, e);
	case C_DAILY:
		return store_dash_daily(st, f, count_row, n, e);
	case C_SOURCES_IP:
		return store_dash_sources(st, f, DASH_GROUP_IP, &page, NULL, count_row, n, e);
	case C_SOURCES_PREFIX:
		return store_dash_sources(st, f, DASH_GROUP_PREFIX, &page, NULL, count_row, n, e);
	case C_SOURCES_IP_RATE:
		return store_dash_sources(st, f, DASH_GROUP_IP, &rate, NULL, count_row, n, e);
	case C_SOURCES_PREFIX_RATE:
		return store_dash_sources(st, f, DASH_GROUP_PREFIX, &rate, NULL, count_row, n, e);
	case C_RECORDS:
		return store_dash_records(st, f, &page, count_row, n, e);
	case C_REPORTS:
		return store_dash_reports(st, f, &page, count_row, n, e);
	case C_SOURCES_SERVICE:
		return store_dash_sources(st, f, DASH_GROUP_SERVICE, &page, NULL, count_row, n, e);
	case C_SOURCES_ASN:
		return store_dash_sources(st, f, DASH_GROUP_ASN, &page, NULL, count_row, n, e);
	case C_SOURCES_COUNTRY:
		return store_dash_sources(st, f, DASH_GROUP_COUNTRY, &page, NULL, count_row, n, e);
	case C_SOURCES_IP_NAMED:
	case C_RECORDS_NAMED: {
		struct dash_filter g = *f;

		g.service = "svc-10"; /* the largest synthetic service (bench/fill_names.py) */
		return c == C_RECORDS_NAMED ?
		    store_dash_records(st, &g, &page, count_row, n, e) :
		    store_dash_sources(st, &g, DASH_GROUP_IP, &page, NULL, count_row, n, e);
	}
	case C_SOURCES_SERVICE_RATE:
		return store_dash_sources(st, f, DASH_GROUP_SERVICE, &rate, NULL, count_row, n, e);
	}
	return -1;
}

static void
bench(struct store *st, const char *label, enum call c, const struct dash_filter *f, int runs)
{
	double t[MAX_RUNS], cpu[MAX_RUNS], t0, c0;
	struct counter n = { 0, -1 };
	char total[32];
	struct errbuf e = { "" };
	int i;

	for (i = 0; i < runs; i++) {
		n.rows = 0;
		t0 = now_ms(CLOCK_MONOTONIC);
		c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
		if (run(st, c, f, &n, &e) == -1) {
			fprintf(stderr, "%s %s: %s\n", call_names[c], label, e.msg);
			return;
		}
		t[i] = now_ms(CLOCK_MONOTONIC) - t0;
		cpu[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	}
	qsort(t, (size_t)runs, sizeof t[0], by_double);
	qsort(cpu, (size_t)runs, sizeof cpu[0], by_double);
	if (n.total < 0)
		snprintf(total, sizeof total, "-");
	else
		snprintf(total, sizeof total, "%lld", (long long)n.total);
	printf("| %-31s | %-28s | %5zu | %6s | %7.1f | %7.1f | %7.1f | %7.1f |\n", call_names[c],
	    label, n.rows, total, t[runs / 2], t[(runs * 95 + 99) / 100 - 1], t[runs - 1],
	    cpu[runs / 2]);
}

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct errbuf e = { "" };
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20;
	/* DASH_BENCH=old: the calls that exist before the names; new: only the names' calls */
	const char *which = getenv("DASH_BENCH");
	bool only_old = which != NULL && strcmp(which, "old") == 0;
	bool only_new = which != NULL && strcmp(which, "new") == 0;
	int64_t last;
	int w;
	enum call c;

	if (argc < 2 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: dash_bench DB [runs]\n");
		return 2;
	}
	if (store_open(argv[1], STORE_READONLY, &st, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	last = argc > 3 ? atoll(argv[3]) : 20453; /* the corpus' last day (2025-12-31) */
	printf("| call | filters | rows | total | p50 ms | p95 ms | max ms | CPU p50 ms |\n");
	printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (w = 0; w < 2; w++) {
		int64_t days = w == 0 ? 30 : 365;
		char label[64];
		struct dash_filter f = { NULL, last - days + 1, last, NULL, DASH_RESULT_ALL, NULL,
			NULL, 0, NULL };
		struct dash_filter fd = f, fr = f, ff = f, fs = f, fs6 = f;

		fd.domain = "contoso.com";
		fr.reporter = "google.com";
		ff.result = DASH_RESULT_FAIL;
		fs.source = "40.107.0.0/16";
		fs6.source = "2a01:111:f403::/48";
		for (c = only_new ? C_SOURCES_SERVICE : C_DOMAINS;
		     c <= (only_old ? C_REPORTS : C_SOURCES_SERVICE_RATE); c++) {
			snprintf(label, sizeof label, "%lld days", (long long)days);
			bench(st, label, c, &f, runs);
			snprintf(label, sizeof label, "%lld days, domain", (long long)days);
			bench(st, label, c, &fd, runs);
			snprintf(label, sizeof label, "%lld days, reporter", (long long)days);
			bench(st, label, c, &fr, runs);
			snprintf(label, sizeof label, "%lld days, result=fail", (long long)days);
			bench(st, label, c, &ff, runs);
			snprintf(label, sizeof label, "%lld days, 40.107.0.0/16", (long long)days);
			bench(st, label, c, &fs, runs);
			snprintf(label, sizeof label, "%lld days, 2a01:111:f403::/48",
			    (long long)days);
			bench(st, label, c, &fs6, runs);
		}
	}
	store_close(st);
	return 0;
}
