/*
 * source_warn (cli/source_warn.c) through the binary: dmarcd classify and
 * a config's [source] sections store a network in a shared cloud or a very
 * broad one as told, and warn on stderr. The senders come from a report
 * ingested and enriched with tests/mmdb_write.pl's asn.mmdb (3.5.140.0/22
 * in AS16509, Amazon; 193.0.0.0/21 in AS3333, an ordinary network).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A database of example.com whose senders 3.5.140.1-3 and 193.0.0.1-3 are enriched. */
static char *
setup(void)
{
	char *dir = tu_scratch_dir(), path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof path, "%s/r.xml", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f,
	    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>r</org_name>"
	    "<email>r@reporter.example</email><report_id>1</report_id><date_range>"
	    "<begin>1709683200</begin><end>1709769599</end></date_range>"
	    "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
	    "</policy_published>\n");
	for (i = 0; i < 6; i++)
		fprintf(f,
		    "<record><row><source_ip>%s.%d</source_ip><count>20</count><policy_evaluated>"
		    "<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>"
		    "</policy_evaluated></row><identifiers><header_from>example.com</header_from>"
		    "</identifiers><auth_results><spf><domain>example.com</domain>"
		    "<result>fail</result></spf></auth_results></record>\n",
		    i < 3 ? "3.5.140" : "193.0.0", i % 3 + 1);
	fprintf(f, "</feedback>\n");
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(tu_run(NULL, "perl %s/mmdb_write.pl %s", TESTS_DIR, dir), 0,
	    "tests/mmdb_write.pl failed (is libmaxmind-db-writer-perl installed?)");
	cr_assert_eq(
	    tu_run(NULL, "%s ingest --db %s/t.db %s >/dev/null 2>&1", DMARCD_BIN, dir, path), 0);
	cr_assert_eq(tu_run(NULL, "%s enrich --no-dns --db %s/t.db --asn-db %s/asn.mmdb >/dev/null",
	                 DMARCD_BIN, dir, dir),
	    0);
	return dir;
}

/* Runs dmarcd classify ARGS on dir's database: its exit status, *err its standard error. */
static int
classify(const char *dir, char **err, const char *args)
{
	int rc = tu_run(err, "%s classify --db %s/t.db %s 2>&1 >/dev/null", DMARCD_BIN, dir, args);

	cr_assert_not_null(*err);
	return rc;
}

/* The stored known sources of dir's database. */
static char *
listed(const char *dir)
{
	char *out = NULL;

	cr_assert_eq(tu_run(&out, "%s classify --list --db %s/t.db", DMARCD_BIN, dir), 0);
	return out;
}

Test(source_warn, a_range_whose_senders_are_in_aws_is_stored_with_a_warning_naming_amazon)
{
	char *dir = setup(), *err, *list;

	cr_assert_eq(classify(dir, &err, "example.com cidr 3.5.140.0/24 authorized"), 0, "%s", err);
	cr_assert_not_null(strstr(err,
	                       "dmarcd: warning: example.com cidr 3.5.140.0/24: in a shared cloud,"
	                       " Amazon AWS (AS16509): anyone can rent an address there"),
	    "%s", err);
	cr_assert_not_null(strstr(err,
	                       "Prefer dkim or spf entries (dmarcd classify example.com"
	                       " dkim SIGNING-DOMAIN authorized)"),
	    "%s", err);
	cr_assert_null(strstr(err, "very broad"), "%s", err);
	free(err);
	list = listed(dir);
	cr_assert_not_null(strstr(list, "example.com cidr 3.5.140.0/24 authorized  (cli)"), "%s",
	    list);
	free(list);

	/* a forwarder too; unauthorized vouches for nobody */
	cr_assert_eq(classify(dir, &err, "example.com cidr 3.5.140.2 forwarder"), 0);
	cr_assert_not_null(strstr(err, "marking it forwarder vouches"), "%s", err);
	free(err);
	cr_assert_eq(classify(dir, &err, "example.com cidr 3.5.140.0/24 unauthorized"), 0);
	cr_assert_str_eq(err, "");
	free(err);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}

Test(source_warn, the_asn_database_names_the_cloud_of_a_range_nobody_sent_from_yet)
{
	char *dir = setup(), *err;

	/* no stored sender in 3.5.142.0/24: only its first address's AS tells */
	cr_assert_eq(classify(dir, &err, "example.com cidr 3.5.142.0/24 authorized"), 0);
	cr_assert_str_eq(err, "");
	free(err);
	cr_assert_eq(tu_run(&err,
	                 "%s classify --db %s/t.db --asn-db %s/asn.mmdb example.com cidr"
	                 " 3.5.142.0/24 authorized 2>&1 >/dev/null",
	                 DMARCD_BIN, dir, dir),
	    0);
	cr_assert_not_null(strstr(err, "3.5.142.0/24: in a shared cloud, Amazon AWS (AS16509)"),
	    "%s", err);
	free(err);

	/* a database that cannot be read is a warning; the range is stored all the same */
	cr_assert_eq(tu_run(&err,
	                 "%s classify --db %s/t.db --asn-db %s/none.mmdb example.com cidr"
	                 " 3.5.143.0/24 authorized 2>&1 >/dev/null",
	                 DMARCD_BIN, dir, dir),
	    0);
	cr_assert_not_null(strstr(err, "warning: cannot look the owner of a range up"), "%s", err);
	free(err);
	err = listed(dir);
	cr_assert_not_null(strstr(err, "3.5.143.0/24 authorized"), "%s", err);
	free(err);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}

Test(source_warn, a_very_broad_range_warns_whoever_owns_it)
{
	char *dir = setup(), *err;

	cr_assert_eq(classify(dir, &err, "example.com cidr 10.0.0.0/8 authorized"), 0);
	cr_assert_not_null(strstr(err,
	                       "warning: example.com cidr 10.0.0.0/8: a very broad range (shorter"
	                       " than /16)"),
	    "%s", err);
	cr_assert_null(strstr(err, "shared cloud"), "%s", err);
	free(err);
	cr_assert_eq(classify(dir, &err, "example.com cidr 2001:db8::/24 authorized"), 0);
	cr_assert_not_null(strstr(err, "a very broad range (shorter than /32)"), "%s", err);
	free(err);
	/* the limits themselves are not broad */
	cr_assert_eq(classify(dir, &err, "example.com cidr 10.1.0.0/16 authorized"), 0);
	cr_assert_str_eq(err, "");
	free(err);
	cr_assert_eq(classify(dir, &err, "example.com cidr 2001:db8::/32 authorized"), 0);
	cr_assert_str_eq(err, "");
	free(err);
	/* a broad range over a cloud's senders says both */
	cr_assert_eq(classify(dir, &err, "example.com cidr 0.0.0.0/1 authorized"), 0);
	cr_assert_not_null(strstr(err, "a very broad range"), "%s", err);
	cr_assert_not_null(strstr(err, "Amazon AWS (AS16509)"), "%s", err);
	free(err);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}

Test(source_warn, a_range_in_an_ordinary_network_does_not_warn)
{
	char *dir = setup(), *err;

	cr_assert_eq(tu_run(&err,
	                 "%s classify --db %s/t.db --asn-db %s/asn.mmdb example.com cidr"
	                 " 193.0.0.0/24 authorized 2>&1 >/dev/null",
	                 DMARCD_BIN, dir, dir),
	    0);
	cr_assert_str_eq(err, "");
	free(err);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}

Test(source_warn, a_config_source_in_a_cloud_warns_when_it_is_loaded)
{
	char *dir = setup(), *err, path[512], want[700];
	FILE *f;

	snprintf(path, sizeof path, "%s/dmarcd.conf", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f,
	    "[enrich]\nasn_db = %s/asn.mmdb\n"
	    "[source home]\ndomain = example.com\ncidr = 193.0.0.0/24\nstatus = authorized\n"
	    "[source rented]\ndomain = example.com\ncidr = 3.5.141.0/24\nstatus = authorized\n"
	    "[source senders]\ndomain = example.com\ncidr = 3.5.140.0/24\nstatus = forwarder\n"
	    "[source spam]\ndomain = example.com\ncidr = 3.5.140.0/24\nstatus = unauthorized\n",
	    dir);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(tu_run(&err, "%s advise --config %s --db %s/t.db example.com 2>&1 >/dev/null",
	                 DMARCD_BIN, path, dir),
	    0, "%s", err);
	/* by the ASN database, then by the stored senders */
	snprintf(want, sizeof want,
	    "warning: %s:7: [source rented] cidr = 3.5.141.0/24: in a shared cloud, Amazon AWS"
	    " (AS16509)",
	    path);
	cr_assert_not_null(strstr(err, want), "%s", err);
	cr_assert_not_null(strstr(err,
	                       ": [source senders] cidr = 3.5.140.0/24: in a shared cloud, Amazon"
	                       " AWS (AS16509)"),
	    "%s", err);
	cr_assert_not_null(strstr(err, "Prefer a [source] with dkim_domain = (or spf_domain =)"),
	    "%s", err);
	cr_assert_null(strstr(err, "[source home]"), "%s", err);
	cr_assert_null(strstr(err, "[source spam]"), "%s", err);
	free(err);
	err = listed(dir);
	cr_assert_not_null(strstr(err, "3.5.141.0/24 authorized \"rented\""), "%s", err);
	free(err);
	tu_run(NULL, "rm -rf %s", dir);
	free(dir);
}
