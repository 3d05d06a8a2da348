/*
 * rdns_bench: resolves 100,000 addresses through rdns_resolve against a
 * local nsd (bench/README.md, "Reverse DNS"). Not part of the CMake build:
 *
 *   cmake -S . -B build-rdns-rel -DCMAKE_BUILD_TYPE=Release -DDMARCD_TESTS=OFF
 *   cmake --build build-rdns-rel -j1 --target dmarcd_enrich
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Icommon -Ienrich -Itests bench/rdns_bench.c \
 *       tests/dns_harness.c build-rdns-rel/libdmarcd_enrich.a \
 *       build-rdns-rel/libdmarcd_common.a -lcares -o /tmp/rdns_bench
 *   /tmp/rdns_bench [addresses] [batch] [inflight]
 *
 * The zones: 10.0.0.0 upwards in /24 reverse zones; of every 20 addresses
 * 10 are confirmed, 5 point to a name with another address, 4 have no PTR
 * (NXDOMAIN) and 1 a name with a space. It prints the time to write the
 * zones and start nsd, then the wall time of the resolution, addresses/s,
 * this process's peak RSS, the count per status and the answers that differ
 * from what the zones say (which must be 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dns_harness.h"
#include "rdns.h"

enum kind { K_CONFIRMED, K_MISMATCH, K_NONE, K_BAD };

static enum kind
kind_of(size_t i)
{
	unsigned k = (unsigned)(i % 20);

	return k < 10 ? K_CONFIRMED : k < 15 ? K_MISMATCH : k < 19 ? K_NONE : K_BAD;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct errbuf *e)
{
	fprintf(stderr, "rdns_bench: %s: %s\n", what, e->msg);
	exit(1);
}

/* 10.x.y.z for address i: y.z are i's low 16 bits, x the rest. */
static void
address(size_t i, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[10] = ip[11] = 0xff;
	ip[12] = 10;
	ip[13] = (uint8_t)(i >> 16);
	ip[14] = (uint8_t)(i >> 8);
	ip[15] = (uint8_t)i;
}

static void
write_zones(struct dh_server *s, size_t n)
{
	struct errbuf e = { "" };
	char origin[64];
	FILE *f = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 256 == 0) {
			if (f != NULL && fclose(f) != 0)
				die("zone", &e);
			snprintf(origin, sizeof origin, "%zu.%zu.10.in-addr.arpa", (i >> 8) & 0xff,
			    i >> 16);
			if ((f = dh_zone_open(s, origin, 600, &e)) == NULL)
				die("zone", &e);
		}
		switch (kind_of(i)) {
		case K_CONFIRMED:
			fprintf(f, "%zu PTR h%zu.bench.test.\n", i & 0xff, i);
			break;
		case K_MISMATCH:
			fprintf(f, "%zu PTR m%zu.bench.test.\n", i & 0xff, i);
			break;
		case K_BAD:
			fprintf(f, "%zu PTR b%zu\\032x.bench.test.\n", i & 0xff, i);
			break;
		case K_NONE:
			break;
		}
	}
	if (f != NULL && fclose(f) != 0)
		die("zone", &e);
	if ((f = dh_zone_open(s, "bench.test", 600, &e)) == NULL)
		die("zone", &e);
	for (i = 0; i < n; i++) {
		if (kind_of(i) == K_CONFIRMED)
			fprintf(f, "h%zu A 10.%zu.%zu.%zu\n", i, i >> 16, (i >> 8) & 0xff,
			    i & 0xff);
		else if (kind_of(i) == K_MISMATCH)
			fprintf(f, "m%zu A 192.0.2.1\n", i);
	}
	if (fclose(f) != 0)
		die("zone", &e);
}

int
main(int argc, char **argv)
{
	static const enum rdns_status expected[] = { RDNS_CONFIRMED, RDNS_MISMATCH, RDNS_NONE,
		RDNS_BAD_NAME };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t batch = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	unsigned inflight = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 256;
	size_t count[RDNS_STATUS_COUNT] = { 0 }, wrong = 0, i, j;
	struct errbuf e = { "" };
	struct dh_server s;
	struct rdns_options o = { NULL, 2000, 2, inflight };
	uint8_t(*ips)[16];
	struct rdns_answer *out;
	struct rusage ru;
	struct rdns *r;
	double t0, t1;

	if (n == 0 || batch == 0 || n > (1u << 24)) {
		fprintf(stderr, "usage: rdns_bench [addresses <= 2^24] [batch] [inflight]\n");
		return 2;
	}
	ips = calloc(batch, sizeof *ips);
	out = calloc(batch, sizeof *out);
	if (ips == NULL || out == NULL || dh_init(&s, &e) == -1)
		die("setup", &e);
	t0 = now_s();
	write_zones(&s, n);
	if (dh_start(&s, 300, &e) == -1)
		die("nsd", &e);
	t1 = now_s();
	printf("zones: %zu reverse zones + 1 forward, written and loaded by nsd in %.2f s\n",
	    s.nzones - 1, t1 - t0);
	o.servers = dh_servers(&s);
	if ((r = rdns_open(&o, &e)) == NULL)
		die("rdns_open", &e);
	t0 = now_s();
	for (i = 0; i < n; i += batch) {
		size_t m = n - i < batch ? n - i : batch;

		for (j = 0; j < m; j++)
			address(i + j, ips[j]);
		if (rdns_resolve(r, (const uint8_t(*)[16])ips, m, out, &e) == -1)
			die("rdns_resolve", &e);
		for (j = 0; j < m; j++) {
			count[out[j].status]++;
			wrong += out[j].status != expected[kind_of(i + j)];
		}
	}
	t1 = now_s();
	rdns_close(r);
	getrusage(RUSAGE_SELF, &ru);
	dh_stop(&s, false);
	printf("resolved %zu addresses in batches of %zu, inflight %u: %.2f s, %.0f addresses/s\n",
	    n, batch, inflight, t1 - t0, n / (t1 - t0));
	printf("peak RSS of this process: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	for (i = 0; i < RDNS_STATUS_COUNT; i++)
		printf("  %-10s %zu\n", rdns_status_name((enum rdns_status)i), count[i]);
	printf("answers that differ from the zones: %zu\n", wrong);
	free(ips);
	free(out);
	return wrong == 0 ? 0 : 1;
}
