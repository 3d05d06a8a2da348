/*
 * parse_bench: the ingest side alone (source walk, MIME, unpack, XML,
 * normalisation) into a sink that only counts, so that parsing can be
 * measured without SQLite. Prints inputs, documents, records and records/s.
 *
 * Usage: parse_bench [--runs N] PATH...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "extract.h"
#include "source.h"

struct counts {
	uint64_t records, bytes;
};

static int
count_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	(void)ctx;
	(void)r;
	(void)e;
	return 0;
}

static int
count_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct counts *c = ctx;

	(void)r;
	(void)e;
	c->records++;
	c->bytes += rec->header_from != NULL ? strlen(rec->header_from) : 0;
	return 0;
}

static int
count_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	(void)ctx;
	(void)r;
	(void)e;
	return 0;
}

static void
count_abort(void *ctx)
{
	(void)ctx;
}

static int
count_failure(void *ctx, const struct failure_report *f, struct errbuf *e)
{
	(void)ctx;
	(void)f;
	(void)e;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct counts c = { 0, 0 };
	struct report_sink sink = { &c, count_begin, count_record, count_end, count_abort };
	struct failure_sink fs = { &c, count_failure };
	struct extract_result res;
	struct source_item it;
	struct source *s;
	struct bounds b;
	struct errbuf e;
	unsigned long inputs = 0, documents = 0, refused = 0;
	int i = 1, runs = 1, run, r;
	double t0, best = 0;

	if (argc > 2 && strcmp(argv[1], "--runs") == 0) {
		runs = (int)strtol(argv[2], NULL, 10);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: parse_bench [--runs N] PATH...\n");
		return 2;
	}
	bounds_default(&b);
	extract_init();
	for (run = 0; run < runs; run++) {
		inputs = documents = refused = 0;
		c.records = 0;
		if (source_open((const char *const *)argv + i, (size_t)(argc - i), b.max_input,
		        NULL, NULL, &s, &e) == -1) {
			fprintf(stderr, "parse_bench: %s\n", e.msg);
			return 1;
		}
		t0 = now();
		while ((r = source_next(s, &it, &e)) != 0) {
			if (r == -1)
				continue;
			inputs++;
			if (extract_input(it.data, it.len, it.location, &b, &sink, &fs, &res, &e) ==
			    -1) {
				fprintf(stderr, "parse_bench: %s\n", e.msg);
				return 1;
			}
			documents += res.documents;
			refused += res.refused;
		}
		t0 = now() - t0;
		if (run == 0 || t0 < best)
			best = t0;
		source_free(s);
	}
	printf("%lu inputs, %lu documents, %lu refused, %llu records, %.3f s, %.0f records/s\n",
	    inputs, documents, refused, (unsigned long long)c.records, best,
	    (double)c.records / best);
	return 0;
}
