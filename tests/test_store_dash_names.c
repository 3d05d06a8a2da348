/*
 * Tests for store/store_dash_names.c and the names of a source in the
 * dashboard's lists (store_dash.h): the columns of a page of addresses or
 * networks, the groups by service, AS and country (their sums against the
 * addresses', the unnamed rest), the names filters, the records' names;
 * hostile names come back verbatim. The names are written as the
 * enricher writes them (store_sender_put), over dash_db.h's database.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store.h"
#include "store_dash.h"
#include "dash_db.h"
#include "store_fixture.h"
#include "store_sender.h"
#include "testutil.h"
#include "tu_table.h"

/* A confirmed host name and an AS name made of what a spreadsheet or a page would run. */
#define HOSTILE_HOST "<b>\"q\";=1</b>"
#define HOSTILE_ORG "=HYPERLINK(\"x\";\"y\")"
/* An IPv4 address (8 hex digits) as sender.ip holds it: ::ffff:a.b.c.d. */
#define V4(hex) "X'00000000000000000000FFFF" hex "'"

/*
 * dash_db's database, plus a heavy network 203.0.113.0/24 of example.com
 * on D0+1 (.10: 12 passing, .20: 8 failing), and names:
 *   192.0.2.1     sendgrid (dkim:sendgrid.net), AS11377 US, confirmed host
 *   192.0.2.77    no service, AS64500 (hostile name) DE, a PTR that mismatched
 *   203.0.113.10  sendgrid, AS11377 US, confirmed host
 *   203.0.113.20  mailchimp, no AS, no country, a hostile confirmed host
 * Window D0..D0+1: example.com 62 messages, example.org 9.
 */
/* One address's names, as the enricher writes them (store_sender_put). */
static void
name_one(struct store_sender *r, const char *ip, const char *ptr, const char *status, uint32_t asn,
    const char *as_org, const char *country, const char *service, const char *evidence,
    const char *value)
{
	uint8_t a[4];

	memset(r, 0, sizeof *r);
	cr_assert_eq(sscanf(ip, "%hhu.%hhu.%hhu.%hhu", &a[0], &a[1], &a[2], &a[3]), 4);
	r->ip[10] = r->ip[11] = 0xff;
	memcpy(r->ip + 12, a, 4);
	snprintf(r->ptr, sizeof r->ptr, "%s", ptr);
	snprintf(r->dns_status, sizeof r->dns_status, "%s", status);
	r->asn = asn;
	snprintf(r->as_org, sizeof r->as_org, "%s", as_org);
	snprintf(r->country, sizeof r->country, "%s", country);
	snprintf(r->service, sizeof r->service, "%s", service);
	snprintf(r->evidence, sizeof r->evidence, "%s", evidence);
	snprintf(r->evidence_value, sizeof r->evidence_value, "%s", value);
}

static void
names_open(struct tdb *d)
{
	static const char *const sql =
	    "INSERT INTO service (key, name, category, fix, doc) VALUES"
	    " ('sendgrid', 'SendGrid', 'esp', 'f', 'd'),"
	    " ('mailchimp', 'Mailchimp <Mandrill>', 'esp', 'f', 'd');"
	    /* the addresses the enricher found (store_sender_discover) */
	    "INSERT INTO sender (ip, net) VALUES"
	    " (" V4("C0000201") ", " V4("C0000200") "), (" V4("C000024D") ", " V4(
	        "C0000200") "),"
	                    " (" V4("CB00710A") ", " V4("CB007100") "), (" V4("CB007114") ", " V4(
	                        "CB007100") ");";
	struct agg_record recs[2];
	struct store_sender names[4];
	struct errbuf e = { "" };
	sqlite3 *db = NULL;
	char *err = NULL;

	tdb_open(d);
	tdb_rec_set(&recs[0], "203.0.113.10", 12, DMARC_PASS, DMARC_PASS, DISP_NONE, "example.com");
	tdb_rec_set(&recs[1], "203.0.113.20", 8, DMARC_FAIL, DMARC_FAIL, DISP_REJECT,
	    "example.com");
	tdb_put_report(d, "google.com", "n1", "example.com", D0 + 1, POLICY_REJECT, recs, 2);
	/* a second writer, as the enricher is */
	cr_assert_eq(sqlite3_open_v2(d->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s", err);
	sqlite3_close(db);
	name_one(&names[0], "192.0.2.1", "mail-a.example.net", "confirmed", 11377, "SendGrid, Inc.",
	    "US", "sendgrid", "dkim", "sendgrid.net");
	name_one(&names[1], "192.0.2.77", "<script>x</script>", "mismatch", 64500, HOSTILE_ORG,
	    "DE", "", "", "");
	name_one(&names[2], "203.0.113.10", "o1.example.net", "confirmed", 11377, "SendGrid, Inc.",
	    "US", "sendgrid", "ptr", "example.net");
	name_one(&names[3], "203.0.113.20", HOSTILE_HOST, "confirmed", 0, "", "", "mailchimp",
	    "spf", "mcsv.net");
	cr_assert_eq(store_sender_put(d->st, names, 4, &e), 0, "%s", e.msg);
}

/* store_dash_report's one context: the report's row, then its records. */
struct report_tables {
	struct tu_table *meta, *records;
};

static int
meta_row(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	return tu_table_collect(((struct report_tables *)ctx)->meta, ncols, names, cells);
}

static int
records_row(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	return tu_table_collect(((struct report_tables *)ctx)->records, ncols, names, cells);
}

static struct tu_table *
sources(struct tdb *d, const struct dash_filter *f, enum dash_group g, const char *sort)
{
	struct dash_page page = { sort, false, 50, 0 };
	struct tu_table *t = tu_table_new();
	struct errbuf e = { "" };

	cr_assert_eq(store_dash_sources(d->st, f, g, &page, NULL, tu_table_collect, t, &e), 0, "%s",
	    e.msg);
	return t;
}

/* The sum of a column over every row. */
static int64_t
column_sum(const struct tu_table *t, const char *col)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		sum += strtoll(tu_table_cell(t, i, col), NULL, 10);
	return sum;
}

Test(store_dash_names, columns_of_addresses)
{
	struct dash_filter f = tdb_window();
	struct tu_table *t;
	struct tdb d;

	names_open(&d);
	t = sources(&d, &f, DASH_GROUP_IP, NULL);
	cr_assert_str_eq(tdb_column(t, "source"),
	    "192.0.2.1|203.0.113.10|203.0.113.20|"
	    "2001:db8:1:ffff::1|192.0.2.77|2001:db8:1::5|198.51.100.9|");
	cr_assert_str_eq(tdb_column(t, "host"),
	    "mail-a.example.net|o1.example.net|" HOSTILE_HOST "|NULL|NULL|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "dns_status"),
	    "confirmed|confirmed|confirmed|NULL|mismatch|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "service"),
	    "sendgrid|sendgrid|mailchimp|NULL|NULL|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "service_name"),
	    "SendGrid|SendGrid|Mailchimp <Mandrill>|NULL|NULL|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "category"), "esp|esp|esp|NULL|NULL|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "evidence"),
	    "dkim:sendgrid.net|ptr:example.net|spf:mcsv.net|NULL|NULL|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "asn"), "11377|11377|NULL|NULL|64500|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "as_org"),
	    "SendGrid, Inc.|SendGrid, Inc.|NULL|NULL|" HOSTILE_ORG "|NULL|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "country"), "US|US|NULL|NULL|DE|NULL|NULL|NULL");
	/* the PTR name as answered: a mismatch shows here, not as the host */
	ASSERT_CELL(t, 4, "ptr", "<script>x</script>");
	ASSERT_CELL(t, 0, "ptr", "mail-a.example.net");
	/* the names come before total_rows, which stays last */
	cr_assert_str_eq(t->names[t->ncols - 1], "total_rows");
	cr_assert_str_eq(tdb_column(t, "messages"), "30|12|8|7|5|4|3|2");
	tu_table_free(t);

	/* a sort other than the default takes another path: the same names */
	t = sources(&d, &f, DASH_GROUP_IP, "source");
	ASSERT_CELL(t, 0, "source", "");
	ASSERT_CELL(t, 0, "service_name", "NULL");
	ASSERT_CELL(t, 1, "source", "192.0.2.1");
	ASSERT_CELL(t, 1, "service_name", "SendGrid");
	ASSERT_CELL(t, 1, "host", "mail-a.example.net");
	tu_table_free(t);
	tdb_close(&d);
}

Test(store_dash_names, columns_of_networks)
{
	struct dash_filter f = tdb_window();
	struct tu_table *t;
	struct tdb d;

	names_open(&d);
	f.domain = "example.com";
	t = sources(&d, &f, DASH_GROUP_PREFIX, NULL);
	cr_assert_str_eq(tdb_column(t, "source"),
	    "192.0.2.0/24|203.0.113.0/24|2001:db8:1::/48|198.51.100.0/24");
	cr_assert_str_eq(tdb_column(t, "service"), "sendgrid|mailchimp, sendgrid|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "service_name"),
	    "SendGrid|Mailchimp <Mandrill>, SendGrid|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "category"), "esp|esp, esp|NULL|NULL", "one per service");
	/* the first address with an AS: .1 for 192.0.2.0/24 (.77 differs), .10 for 203.0.113 */
	cr_assert_str_eq(tdb_column(t, "asn"), "11377|11377|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "country"), "US|US|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "host"), "NULL|NULL|NULL|NULL");
	tu_table_free(t);
	tdb_close(&d);
}

Test(store_dash_names, groups_sum_to_the_addresses)
{
	static const enum dash_group groups[] = { DASH_GROUP_PREFIX, DASH_GROUP_SERVICE,
		DASH_GROUP_ASN, DASH_GROUP_COUNTRY };
	static const enum dash_result results[] = { DASH_RESULT_ALL, DASH_RESULT_PASS,
		DASH_RESULT_FAIL };
	static const char *const figs[] = { "messages", "dmarc_pass", "dkim_aligned", "spf_aligned",
		"disposition_none", "disposition_quarantine", "disposition_reject" };
	static const char *const srcs[] = { NULL, "192.0.2.0/24", "203.0.113.0/24" };
	struct dash_filter f = tdb_window();
	struct tu_table *ip, *t;
	struct tdb d;
	size_t i, j, k, s;

	names_open(&d);
	for (s = 0; s < 3; s++) {
		for (j = 0; j < 3; j++) {
			f.result = results[j];
			f.source = srcs[s];
			ip = sources(&d, &f, DASH_GROUP_IP, NULL);
			cr_assert_gt(ip->nrows, 0);
			for (i = 0; i < 4; i++) {
				t = sources(&d, &f, groups[i], NULL);
				for (k = 0; k < 7; k++)
					cr_assert_eq(column_sum(t, figs[k]),
					    column_sum(ip, figs[k]),
					    "group %zu result %zu source %zu %s", i, j, s, figs[k]);
				tu_table_free(t);
			}
			tu_table_free(ip);
		}
	}
	tdb_close(&d);
}

Test(store_dash_names, groups_by_service_asn_country)
{
	struct dash_filter f = tdb_window();
	struct tu_table *t;
	struct tdb d;

	names_open(&d);
	t = sources(&d, &f, DASH_GROUP_SERVICE, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "sendgrid|||mailchimp");
	cr_assert_str_eq(tdb_column(t, "policy_domain"),
	    "example.com|example.com|example.org|example.com");
	/* the unnamed rest: 192.0.2.77, 2001:db8:1::5 and 198.51.100.9; example.org's 9 */
	cr_assert_str_eq(tdb_column(t, "messages"), "42|12|9|8");
	cr_assert_str_eq(tdb_column(t, "service_name"), "SendGrid|NULL|NULL|Mailchimp <Mandrill>");
	cr_assert_str_eq(tdb_column(t, "category"), "esp|NULL|NULL|esp");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "4|4|4|4");
	ASSERT_CELL(t, 0, "dmarc_pass", "42");
	ASSERT_CELL(t, 0, "pass_rate", "1.0000");
	ASSERT_CELL(t, 0, "reporters", "google.com, yahoo");
	ASSERT_CELL(t, 0, "first_seen", "2024-01-01");
	ASSERT_CELL(t, 3, "disposition_reject", "8");
	ASSERT_CELL(t, 3, "first_seen", "2024-01-02");
	ASSERT_CELL(t, 1, "dmarc_pass", "4");
	ASSERT_CELL(t, 1, "disposition_reject", "5");
	ASSERT_CELL(t, 1, "disposition_quarantine", "3");
	tu_table_free(t);

	t = sources(&d, &f, DASH_GROUP_ASN, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "11377|||64500");
	cr_assert_str_eq(tdb_column(t, "messages"), "42|15|9|5");
	cr_assert_str_eq(tdb_column(t, "asn"), "11377|NULL|NULL|64500");
	cr_assert_str_eq(tdb_column(t, "as_org"), "SendGrid, Inc.|NULL|NULL|" HOSTILE_ORG);
	tu_table_free(t);

	t = sources(&d, &f, DASH_GROUP_COUNTRY, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "US|||DE");
	cr_assert_str_eq(tdb_column(t, "messages"), "42|15|9|5");
	cr_assert_str_eq(tdb_column(t, "country"), "US|NULL|NULL|DE");
	tu_table_free(t);

	/* failing only: mailchimp's 8 and the rest's 8 (192.0.2.77, 198.51.100.9) tie */
	f.result = DASH_RESULT_FAIL;
	t = sources(&d, &f, DASH_GROUP_SERVICE, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "|mailchimp|");
	cr_assert_str_eq(tdb_column(t, "messages"), "8|8|7");
	tu_table_free(t);

	/* a network wholly named leaves no rest */
	f.result = DASH_RESULT_ALL;
	f.source = "203.0.113.0/24";
	t = sources(&d, &f, DASH_GROUP_SERVICE, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "sendgrid|mailchimp");
	cr_assert_str_eq(tdb_column(t, "messages"), "12|8");
	tu_table_free(t);

	/* sorted and paged like the other groups */
	f.source = NULL;
	t = sources(&d, &f, DASH_GROUP_SERVICE, "source");
	cr_assert_str_eq(tdb_column(t, "source"), "||mailchimp|sendgrid");
	cr_assert_str_eq(tdb_column(t, "policy_domain"),
	    "example.com|example.org|example.com|example.com");
	tu_table_free(t);
	tdb_close(&d);
}

Test(store_dash_names, filters)
{
	struct dash_filter f = tdb_window();
	struct dash_page page = { NULL, false, 50, 0 };
	struct errbuf e = { "" };
	struct tu_table *t;
	struct tdb d;

	names_open(&d);
	f.service = "sendgrid";
	t = sources(&d, &f, DASH_GROUP_IP, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "192.0.2.1|203.0.113.10");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "2|2");
	tu_table_free(t);
	t = sources(&d, &f, DASH_GROUP_PREFIX, "messages");
	cr_assert_str_eq(tdb_column(t, "source"), "203.0.113.0/24|192.0.2.0/24");
	cr_assert_str_eq(tdb_column(t, "messages"), "12|30");
	tu_table_free(t);
	/* a names filter leaves out the unnamed rest */
	t = sources(&d, &f, DASH_GROUP_COUNTRY, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "US");
	cr_assert_str_eq(tdb_column(t, "messages"), "42");
	tu_table_free(t);

	t = tu_table_new();
	cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "source_ip"), "203.0.113.10|192.0.2.1|192.0.2.1");
	cr_assert_str_eq(tdb_column(t, "service_name"), "SendGrid|SendGrid|SendGrid");
	cr_assert_str_eq(tdb_column(t, "total_rows"), "3|3|3");
	tu_table_free(t);

	f.service = NULL;
	f.asn = 64500;
	t = sources(&d, &f, DASH_GROUP_IP, NULL);
	cr_assert_str_eq(tdb_column(t, "source"), "192.0.2.77");
	tu_table_free(t);
	f.asn = 0;
	f.country = "DE";
	t = tu_table_new();
	cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "source_ip"), "192.0.2.77");
	ASSERT_CELL(t, 0, "as_org", HOSTILE_ORG);
	/* a mismatched PTR name is no host name */
	ASSERT_CELL(t, 0, "host", "NULL");
	tu_table_free(t);
	/* a key no address has: nothing */
	f.country = NULL;
	f.service = "nobody";
	t = sources(&d, &f, DASH_GROUP_IP, NULL);
	cr_assert_eq(t->nrows, 0);
	tu_table_free(t);
	tdb_close(&d);
}

Test(store_dash_names, records_and_report_and_exports)
{
	struct dash_filter f = tdb_window();
	struct dash_page page = { NULL, false, 50, 0 };
	struct errbuf e = { "" };
	struct tu_table *t, *meta;
	struct report_tables rt;
	struct tdb d;
	bool found;
	size_t i;

	names_open(&d);
	f.source = "203.0.113.0/24";
	t = tu_table_new();
	cr_assert_eq(store_dash_records(d.st, &f, &page, tu_table_collect, t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tdb_column(t, "source_ip"), "203.0.113.10|203.0.113.20");
	cr_assert_str_eq(tdb_column(t, "host"), "o1.example.net|" HOSTILE_HOST);
	cr_assert_str_eq(tdb_column(t, "service_name"), "SendGrid|Mailchimp <Mandrill>");
	cr_assert_str_eq(tdb_column(t, "asn"), "11377|NULL");
	cr_assert_str_eq(tdb_column(t, "as_org"), "SendGrid, Inc.|NULL");
	cr_assert_str_eq(tdb_column(t, "country"), "US|NULL");
	tu_table_free(t);

	/* R1: 192.0.2.1, 192.0.2.77, 2001:db8:1::5 */
	t = tu_table_new();
	meta = tu_table_new();
	rt.meta = meta;
	rt.records = t;
	cr_assert_eq(
	    store_dash_report(d.st, d.report_ids[0], &found, meta_row, records_row, &rt, &e), 0,
	    "%s", e.msg);
	cr_assert(found);
	cr_assert_str_eq(tdb_column(t, "source_ip"), "192.0.2.1|192.0.2.77|2001:db8:1::5");
	cr_assert_str_eq(tdb_column(t, "host"), "mail-a.example.net|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "service_name"), "SendGrid|NULL|NULL");
	cr_assert_str_eq(tdb_column(t, "asn"), "11377|64500|NULL");
	cr_assert_str_eq(tdb_column(t, "country"), "US|DE|NULL");
	tu_table_free(meta);
	tu_table_free(t);

	t = ts_export_all(d.st, EXPORT_RECORDS);
	for (i = 0; i < t->nrows; i++)
		if (strcmp(tu_table_cell(t, i, "source_ip"), "192.0.2.77") == 0)
			break;
	cr_assert_lt(i, t->nrows);
	ASSERT_CELL(t, i, "as_org", HOSTILE_ORG);
	ASSERT_CELL(t, i, "country", "DE");
	ASSERT_CELL(t, i, "asn", "64500");
	cr_assert_str_eq(t->names[t->ncols - 5], "host");
	cr_assert_str_eq(t->names[t->ncols - 1], "country");
	tu_table_free(t);
	t = ts_export_all(d.st, EXPORT_SOURCES);
	ASSERT_CELL(t, 0, "source_ip", "192.0.2.1");
	ASSERT_CELL(t, 0, "host", "mail-a.example.net");
	ASSERT_CELL(t, 0, "evidence", "dkim:sendgrid.net");
	ASSERT_CELL(t, 0, "service_name", "SendGrid");
	cr_assert_str_eq(t->names[t->ncols - 1], "country");
	tu_table_free(t);
	tdb_close(&d);
}
