/*
 * geo_bench: lookups per second of enrich/geo.c on the databases given:
 * N pseudo-random addresses (two in three IPv4, the rest in 2000::/3, where
 * IPv6 is routed), each looked up in both databases, best of --runs.
 * Prints lookups/s and how many answers named an owner and a country.
 *
 * Usage: geo_bench [--runs R] [--count N] ASN_DB COUNTRY_DB ("" for none)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
next(uint64_t *x)
{
	/* xorshift64: the same addresses every run */
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int
main(int argc, char **argv)
{
	long runs = 3, count = 100000;
	int i = 1;
	struct errbuf e = { { 0 } };
	struct geo *g;
	uint8_t(*ips)[16];
	uint64_t x = 88172645463325252ull;
	double best = 0;
	long owners = 0, countries = 0;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--runs") == 0)
			runs = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--count") == 0)
			count = strtol(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (argc - i != 2 || runs < 1 || count < 1) {
		fprintf(stderr, "usage: geo_bench [--runs R] [--count N] ASN_DB COUNTRY_DB\n");
		return 2;
	}
	g = geo_open(argv[i], argv[i + 1], &e);
	if (g == NULL) {
		fprintf(stderr, "geo_bench: %s\n", e.msg);
		return 1;
	}
	ips = calloc((size_t)count, sizeof(*ips));
	if (ips == NULL) {
		geo_close(g);
		return 1;
	}
	for (long n = 0; n < count; n++) {
		uint64_t a = next(&x), b = next(&x);

		if (n % 3 != 2) {
			ips[n][10] = ips[n][11] = 0xff;
			memcpy(ips[n] + 12, &a, 4);
		} else {
			memcpy(ips[n], &a, 8);
			memcpy(ips[n] + 8, &b, 8);
			ips[n][0] = (uint8_t)(0x20 | (ips[n][0] & 0x1f));
		}
	}
	for (long r = 0; r < runs; r++) {
		double t0 = now(), dt;
		long o = 0, c = 0;

		for (long n = 0; n < count; n++) {
			struct geo_answer ans;

			geo_lookup(g, ips[n], &ans);
			o += ans.asn != 0;
			c += ans.country[0] != '\0';
		}
		dt = now() - t0;
		if (best == 0 || dt < best)
			best = dt;
		owners = o, countries = c;
	}
	printf("%ld addresses, best of %ld: %.3f s, %.0f lookups/s (%s%s%s); "
	       "%ld with an owner, %ld with a country\n",
	    count, runs, best, (double)count / best, argv[i][0] != '\0' ? "asn_db" : "",
	    argv[i][0] != '\0' && argv[i + 1][0] != '\0' ? " and " : "",
	    argv[i + 1][0] != '\0' ? "country_db" : "", owners, countries);
	free(ips);
	geo_close(g);
	return 0;
}
