/*
 * The enricher end to end: reports stored through the sink, a real nsd on
 * loopback serving the reverse and forward zones, the built-in catalogue,
 * an injected clock; then what the sender table says, and when an address
 * is asked again. Also dmarcd enrich, the command.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_harness.h"
#include "enricher.h"
#include "store_fixture.h"

#define T0 INT64_C(1767225600) /* 2026-01-01: the injected clock's start */

static struct dh_server server;
static int64_t clock_now = T0;

static int64_t
fake_clock(void)
{
	return clock_now;
}

static void
teardown(void)
{
	dh_stop(&server, false);
}

TestSuite(enrich, .fini = teardown);

/*
 * 192.0.2.10 signs with SendGrid's DKIM and has SendGrid's name (TTL 60,
 * kept an hour); .11 has a confirmed name of no known service; .12 claims
 * a SendGrid name that does not resolve back to it; .13 has markup for a
 * name; .14 has no PTR at all.
 */
static void
start_dns(void)
{
	struct errbuf e = { "" };

	if (!dh_nsd_present())
		cr_skip_test("nsd is not installed (apt-get install nsd)");
	cr_assert_eq(dh_init(&server, &e), 0, "%s", e.msg);
	cr_assert_eq(dh_zone(&server, "2.0.192.in-addr.arpa", 600,
	                 "10 60 PTR o1.sendgrid.net.\n"
	                 "11 PTR mail.example.test.\n"
	                 "12 PTR o3.sendgrid.net.\n"
	                 "13 PTR <b>x</b>.example.test.\n",
	                 &e),
	    0, "%s", e.msg);
	cr_assert_eq(dh_zone(&server, "sendgrid.net", 600,
	                 "o1 300 A 192.0.2.10\n"
	                 "o3 300 A 203.0.113.3\n",
	                 &e),
	    0, "%s", e.msg);
	cr_assert_eq(dh_zone(&server, "example.test", 600, "mail 300 A 192.0.2.11\n", &e), 0, "%s",
	    e.msg);
	cr_assert_eq(dh_start(&server, 30, &e), 0, "%s", e.msg);
}

/* One report with the five heavy addresses above and a spoofer. */
static char *
make_db(void)
{
	char *path = ts_db_path();
	struct store *st = ts_open(path, STORE_READWRITE);
	struct agg_record recs[6];
	struct agg_report r;
	char ip[32];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(ip, sizeof ip, "192.0.2.%d", 10 + i);
		ts_make_record(&recs[i], ip, 20, DMARC_PASS, DMARC_FAIL, DISP_NONE);
		recs[i].source_ip_raw = NULL;
	}
	recs[0].n_dkim = 2;
	recs[0].dkim[1].domain = (char *)"sendgrid.net";
	recs[0].dkim[1].selector = (char *)"s1";
	recs[0].dkim[1].result = AUTH_PASS;
	ts_make_record(&recs[5], "198.51.100.7", 2, DMARC_FAIL, DMARC_FAIL, DISP_NONE);
	ts_make_report(&r, "google.com", "r1", "example.com", DAY0, DAY0 + DAY - 1, 1);
	ts_compute_totals(&r, recs, 6);
	ts_ingest(st, 1, &r, recs, 6);
	store_close(st);
	return path;
}

static struct enricher_counts
run(const char *path, const struct catalogue *cat, const struct rdns_options *dns, bool refresh)
{
	struct store *st = ts_open(path, STORE_READWRITE);
	struct enricher_options o = { .catalogue = cat,
		.dns = dns,
		.refresh = refresh,
		.clock = fake_clock };
	struct enricher_counts n;
	struct errbuf e = { "" };

	cr_assert_eq(enricher_run(st, &o, &n, &e), 0, "%s", e.msg);
	store_close(st);
	return n;
}

/* One column of the sender row of 192.0.2.LAST, as text ("" when NULL). */
static char *
col(const char *path, int last, const char *column)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char sql[256], *v;

	snprintf(sql, sizeof sql,
	    "SELECT coalesce(%s, '') FROM sender WHERE ip = X'00000000000000000000ffffc00002%02x'",
	    column, last);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "no sender row for 192.0.2.%d", last);
	v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

#define COL_EQ(path, last, column, want) \
	do { \
		char *v_ = col(path, last, column); \
		cr_assert_str_eq(v_, want, "192.0.2.%d %s: %s", last, column, v_); \
		free(v_); \
	} while (0)

Test(enrich, names_heavy_sources_by_their_confirmed_names_and_passing_domains)
{
	struct rdns_options dns = { .timeout_ms = 1000, .tries = 2 };
	struct catalogue *cat;
	struct enricher_counts n;
	struct errbuf e = { "" };
	char *path = make_db();

	start_dns();
	dns.servers = dh_servers(&server);
	cr_assert_not_null(cat = catalogue_builtin(&e), "%s", e.msg);
	clock_now = T0;
	n = run(path, cat, &dns, false);
	cr_assert_eq(n.records, 6);
	cr_assert_eq(n.discovered, 5, "the spoofer's network is not heavy");
	cr_assert_eq(n.named, 5);
	cr_assert_eq(n.confirmed, 2);
	cr_assert_eq(n.matched, 1);
	cr_assert_eq(ts_scalar(path,
	                 "SELECT count(*) FROM sender WHERE ip ="
	                 " X'00000000000000000000ffffc6336407'"),
	    0);

	COL_EQ(path, 10, "ptr", "o1.sendgrid.net");
	COL_EQ(path, 10, "dns_status", "confirmed");
	COL_EQ(path, 10, "service", "sendgrid");
	COL_EQ(path, 10, "evidence", "dkim");
	COL_EQ(path, 10, "evidence_value", "sendgrid.net");
	COL_EQ(path, 10, "dns_expires", "1767229200"); /* TTL 60, kept the hour minimum */
	COL_EQ(path, 11, "ptr", "mail.example.test");
	COL_EQ(path, 11, "dns_status", "confirmed");
	COL_EQ(path, 11, "service", "");
	COL_EQ(path, 12, "dns_status", "mismatch");
	COL_EQ(path, 12, "service", ""); /* an unconfirmed name is no evidence */
	COL_EQ(path, 13, "dns_status", "bad_name");
	COL_EQ(path, 13, "ptr", "\\060b\\062x\\060\\047b\\062.example.test");
	COL_EQ(path, 14, "dns_status", "none");
	COL_EQ(path, 14, "dns_expires", "1767226500"); /* the negative TTL, 600, kept 15 minutes */
	cr_assert_geq(ts_scalar(path, "SELECT count(*) FROM service"), 150);

	/* Nothing is due until an answer expires; then only that one. */
	clock_now = T0 + 60;
	cr_assert_eq(run(path, cat, &dns, false).named, 0);
	clock_now = T0 + 900;
	n = run(path, cat, &dns, false);
	cr_assert_eq(n.named, 1, "only the missing PTR's shorter negative answer expired");
	cr_assert_eq(run(path, cat, &dns, true).named, 5, "--refresh asks again for all");
	catalogue_free(cat);
	ts_drop_db(path);
}

/* A UDP port that takes queries and never answers. */
static int
silent_server(char *servers, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(servers, size, "127.0.0.1:%u", ntohs(a.sin_port));
	return fd;
}

Test(enrich, without_dns_everything_works_and_the_names_fill_in_later)
{
	struct rdns_options dead = { .timeout_ms = 100, .tries = 1 };
	struct rdns_options dns = { .timeout_ms = 1000, .tries = 2 };
	struct catalogue *cat;
	struct enricher_counts n;
	struct errbuf e = { "" };
	char *path = make_db(), servers[64];
	int fd = silent_server(servers, sizeof servers);

	cr_assert_not_null(cat = catalogue_builtin(&e), "%s", e.msg);
	dead.servers = servers;
	clock_now = T0;
	n = run(path, cat, &dead, false);
	cr_assert_eq(n.named, 5);
	cr_assert_eq(n.confirmed, 0);
	cr_assert_eq(n.matched, 1, "the DKIM domain needs no DNS");
	COL_EQ(path, 10, "dns_status", "timeout");
	COL_EQ(path, 10, "service", "sendgrid");
	COL_EQ(path, 10, "dns_expires", "1767226500"); /* asked again after 15 minutes */
	close(fd);

	start_dns();
	dns.servers = dh_servers(&server);
	clock_now = T0 + 60;
	cr_assert_eq(run(path, cat, &dns, false).named, 0, "not before the retry time");
	clock_now = T0 + 900;
	n = run(path, cat, &dns, false);
	cr_assert_eq(n.named, 5);
	cr_assert_eq(n.confirmed, 2);
	COL_EQ(path, 10, "ptr", "o1.sendgrid.net");
	catalogue_free(cat);
	ts_drop_db(path);
}

Test(enrich, another_catalogue_matches_again_without_asking_dns)
{
	struct catalogue *cat, *mine;
	struct errbuf e = { "" };
	char *path = make_db();

	cr_assert_not_null(cat = catalogue_builtin(&e), "%s", e.msg);
	cr_assert_not_null(mine = catalogue_new(&e), "%s", e.msg);
	cr_assert_eq(catalogue_set(mine, "acme", "name", "ACME", &e), 0, "%s", e.msg);
	cr_assert_eq(catalogue_set(mine, "acme", "category", "transactional", &e), 0, "%s", e.msg);
	cr_assert_eq(catalogue_set(mine, "acme", "dkim", "example.com", &e), 0, "%s", e.msg);
	clock_now = T0;
	cr_assert_eq(run(path, cat, NULL, false).matched, 1);
	COL_EQ(path, 10, "service", "sendgrid");
	COL_EQ(path, 10, "dns_status", ""); /* no DNS asked */
	cr_assert_eq(run(path, cat, NULL, false).named, 0, "without DNS, nothing more to ask");
	cr_assert_eq(run(path, mine, NULL, false).matched, 5, "every record signs as example.com");
	COL_EQ(path, 11, "service", "acme");
	COL_EQ(path, 11, "evidence", "dkim");
	COL_EQ(path, 10, "service", "acme"); /* sendgrid.net is not in this catalogue */
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM service"), 1);
	catalogue_free(mine);
	catalogue_free(cat);
	ts_drop_db(path);
}

Test(enrich, network_owner_and_country_come_from_the_databases_and_go_with_them)
{
	struct store *st;
	struct enricher_options o = { .clock = fake_clock };
	struct enricher_counts n;
	struct catalogue *cat;
	struct errbuf e = { "" };
	char *path = make_db(), dir[] = "/tmp/dmarcd-enrich-geo-XXXXXX", asn[64], country[64];
	char *org;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(tu_run(NULL, "perl %s/mmdb_write.pl %s", TESTS_DIR, dir), 0,
	    "tests/mmdb_write.pl failed (is libmaxmind-db-writer-perl installed?)");
	snprintf(asn, sizeof asn, "%s/asn.mmdb", dir);
	snprintf(country, sizeof country, "%s/country.mmdb", dir);
	cr_assert_not_null(cat = catalogue_builtin(&e), "%s", e.msg);
	o.catalogue = cat;
	o.asn_db = asn;
	o.country_db = country;
	clock_now = T0;
	st = ts_open(path, STORE_READWRITE);
	cr_assert_eq(enricher_run(st, &o, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n.named, 5);
	COL_EQ(path, 10, "asn", "64496");
	COL_EQ(path, 10, "country", "DE"); /* "zz1" is no country: the registered one */
	COL_EQ(path, 10, "geo_built", "1710000000");
	org = col(path, 10, "as_org");
	cr_assert_not_null(strstr(org, "<script>"), "%s: markup is kept, for escaping", org);
	cr_assert_null(strchr(org, '\x1b'), "%s: control bytes are not", org);
	free(org);

	/* Without the databases the answers go, on the next pass. */
	o.asn_db = o.country_db = NULL;
	cr_assert_eq(enricher_run(st, &o, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n.named, 5);
	COL_EQ(path, 10, "asn", "");
	COL_EQ(path, 10, "country", "");

	/* A file that is no database is an operational error, said clearly. */
	o.asn_db = path;
	cr_assert_eq(enricher_run(st, &o, &n, &e), -1);
	cr_assert_not_null(strstr(e.msg, "not a MaxMind database"), "%s", e.msg);
	store_close(st);
	catalogue_free(cat);
	tu_run(NULL, "rm -rf %s", dir);
	ts_drop_db(path);
}

Test(enrich, the_command_names_the_sources_and_says_how_many)
{
	char *path = make_db(), *out = NULL;

	start_dns();
	cr_assert_eq(tu_run(&out, "%s enrich --db %s --dns-servers %s", DMARCD_BIN, path,
	                 dh_servers(&server)),
	    0, "%s", out);
	cr_assert_str_eq(out,
	    "6 records read, 5 new sources, 5 named: 2 host names confirmed, 1 known services\n");
	free(out);
	COL_EQ(path, 10, "service", "sendgrid");
	cr_assert_neq(tu_run(&out, "%s enrich --db %s --dns-servers nonsense", DMARCD_BIN, path),
	    0);
	free(out);
	ts_drop_db(path);
}

Test(enrich, the_command_reads_the_config_file)
{
	char *path = make_db(), *out = NULL, *dir = tu_scratch_dir(), conf[512];
	static const char text[] = "[enrich]\ndns = no\n[service acme]\nname = ACME\n"
	                           "category = transactional\ndkim = example.com\n";

	snprintf(conf, sizeof conf, "%s/d.conf", dir);
	tu_write_file(conf, text, sizeof text - 1);
	cr_assert_eq(tu_run(&out, "%s enrich --db %s --config %s", DMARCD_BIN, path, conf), 0, "%s",
	    out);
	/* no DNS; every record signs as example.com, 192.0.2.10 also as sendgrid.net (longer) */
	cr_assert_str_eq(out,
	    "6 records read, 5 new sources, 5 named: 0 host names confirmed, 5 known services\n");
	free(out);
	COL_EQ(path, 10, "service", "sendgrid");
	COL_EQ(path, 11, "service", "acme");
	COL_EQ(path, 11, "dns_status", "");
	cr_assert_eq(ts_scalar(path, "SELECT count(*) FROM service WHERE key = 'acme'"), 1);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
	ts_drop_db(path);
}
