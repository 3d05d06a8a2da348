/*
 * rdns_bench: resolves 100,000 addresses through rdns_resolve against a
 * local nsd, or with --enrich names as many sources of a database through
 * the whole enricher (bench/README.md, "Reverse DNS" and "Naming the
 * sources"). Not part of the CMake build:
 *
 *   cmake -S . -B build-rdns-rel -DCMAKE_BUILD_TYPE=Release -DDMARCD_TESTS=OFF
 *   cmake --build build-rdns-rel -j1 --target dmarcd_cli
 *   B=build-rdns-rel
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Icommon -Ienrich -Istore -Icli -Itests \
 *       bench/rdns_bench.c tests/dns_harness.c tests/tu_net.c $B/libdmarcd_cli.a
 * $B/libdmarcd_enrich.a \
 *       $B/libdmarcd_store.a $B/libdmarcd_common.a -lcares -lmaxminddb -lpsl -lsqlite3 -lm \
 *       -o /tmp/rdns_bench
 *   /tmp/rdns_bench [addresses] [batch] [inflight]
 *   /tmp/rdns_bench --enrich DB [addresses] [inflight]
 *
 * --enrich writes a new database DB whose sender table holds the addresses
 * (every 20th signs with a SendGrid DKIM domain, every 20th another with
 * Mailchimp's), then runs one enricher pass: DNS in batches, the catalogue
 * match, the writes. It prints the pass's time, addresses/s, the counts and
 * the peak RSS.
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

#include <sqlite3.h>

#include "dns_harness.h"
#include "enricher.h"
#include "rdns.h"
#include "store.h"

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

/* The database of --enrich: n sender rows as the enricher's discovery would leave them. */
static void
seed_db(const char *path, size_t n)
{
	struct errbuf e = { "" };
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *ins, *dom;
	uint8_t ip[16], net[16];
	size_t i;

	remove(path);
	if (store_open(path, STORE_READWRITE, &st, &e) == -1)
		die("store_open", &e);
	store_close(st);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO sender (ip, net) VALUES (?1, ?2)", -1, &ins,
	        NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	        "INSERT INTO sender_domain (ip, kind, domain) VALUES (?1, 'dkim', ?2)", -1, &dom,
	        NULL) != SQLITE_OK) {
		fprintf(stderr, "rdns_bench: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		address(i, ip);
		memcpy(net, ip, 16);
		net[15] = 0;
		sqlite3_bind_blob(ins, 1, ip, 16, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 2, net, 16, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (i % 20 == 3 || i % 20 == 4) {
			sqlite3_bind_blob(dom, 1, ip, 16, SQLITE_STATIC);
			sqlite3_bind_text(dom, 2, i % 20 == 3 ? "em123.sendgrid.net" : "mcsv.net",
			    -1, SQLITE_STATIC);
			sqlite3_step(dom);
			sqlite3_reset(dom);
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(dom);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "rdns_bench: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

static int
enrich_main(const char *path, size_t n, unsigned inflight)
{
	struct errbuf e = { "" };
	struct dh_server s;
	struct rdns_options dns = { NULL, 2000, 2, inflight };
	struct enricher_options o = { .dns = &dns };
	struct enricher_counts c;
	struct catalogue *cat;
	struct store *st;
	struct rusage ru;
	double t0, t1;

	if (dh_init(&s, &e) == -1)
		die("setup", &e);
	write_zones(&s, n);
	if (dh_start(&s, 300, &e) == -1)
		die("nsd", &e);
	seed_db(path, n);
	if ((cat = catalogue_builtin(&e)) == NULL ||
	    store_open(path, STORE_READWRITE, &st, &e) == -1)
		die("setup", &e);
	dns.servers = dh_servers(&s);
	o.catalogue = cat;
	t0 = now_s();
	if (enricher_run(st, &o, &c, &e) == -1)
		die("enricher_run", &e);
	t1 = now_s();
	store_close(st);
	catalogue_free(cat);
	getrusage(RUSAGE_SELF, &ru);
	dh_stop(&s, false);
	printf("enriched %zu addresses, inflight %u: %.2f s, %.0f addresses/s\n", n, inflight,
	    t1 - t0, n / (t1 - t0));
	printf("named %llu, host names confirmed %llu, known services %llu\n",
	    (unsigned long long)c.named, (unsigned long long)c.confirmed,
	    (unsigned long long)c.matched);
	printf("peak RSS of this process: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	return c.named == n ? 0 : 1;
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

	if (argc > 2 && strcmp(argv[1], "--enrich") == 0) {
		n = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
		return enrich_main(argv[2], n,
		    argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 256);
	}
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
