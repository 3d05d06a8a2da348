/*
 * Scenario tests of the policy advisor on a real database: aggregate
 * reports written by the test (and, when ../shared is present, a corpus
 * from its generator) are ingested with the dmarcd binary, the advisor
 * reads them back through the store, `dmarcd classify` and `dmarcd advise`
 * change and show its verdicts, and the impact simulation is checked
 * against sums computed straight from the stored records.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "advise_setup.h"
#include "config.h"
#include "testutil.h"

#define DAY0 20089 /* 2025-01-01 */
#define DAYS 45    /* 2025-01-01 .. 2025-02-14 */
#define LAST (DAY0 + DAYS - 1)
#define LAST_TEXT "2025-02-14" /* LAST, for --as-of */

/* One <record>: what a reporter saw from one address in one day. */
struct row {
	const char *ip;
	int count;
	const char *pe_dkim, *pe_spf, *disposition;
	const char *dkim_domain, *dkim_result; /* NULL: no DKIM signature */
	const char *spf_domain, *spf_result;
	const char *reason; /* override type, or NULL */
};

/* A report with the rows given, from reporter org for domain on day. */
static void
write_report(const char *dir, const char *org, const char *domain, const char *p, int day,
    const struct row *rows, size_t n)
{
	char path[512];
	FILE *f;
	size_t i;

	snprintf(path, sizeof path, "%s/%s!%s!%d.xml", dir, org, domain, day);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fprintf(f,
	    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>%s</org_name>"
	    "<email>dmarc@%s</email><report_id>%s-%s-%d</report_id><date_range><begin>%lld"
	    "</begin><end>%lld</end></date_range></report_metadata><policy_published>"
	    "<domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>%s</p><pct>100</pct>"
	    "</policy_published>\n",
	    org, org, org, domain, day, (long long)day * 86400, (long long)day * 86400 + 86399,
	    domain, p);
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		fprintf(f,
		    "<record><row><source_ip>%s</source_ip><count>%d</count>"
		    "<policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf>",
		    r->ip, r->count, r->disposition, r->pe_dkim, r->pe_spf);
		if (r->reason != NULL)
			fprintf(f, "<reason><type>%s</type></reason>", r->reason);
		fprintf(f,
		    "</policy_evaluated></row><identifiers><header_from>%s</header_from>"
		    "</identifiers><auth_results>",
		    domain);
		if (r->dkim_domain != NULL)
			fprintf(f, "<dkim><domain>%s</domain><result>%s</result></dkim>",
			    r->dkim_domain, r->dkim_result);
		fprintf(f,
		    "<spf><domain>%s</domain><result>%s</result></spf></auth_results>"
		    "</record>\n",
		    r->spf_domain, r->spf_result);
	}
	fputs("</feedback>\n", f);
	fclose(f);
}

static const char *const reporters[] = { "google.com", "Yahoo", "Outlook.com", "Mail.Ru" };

/*
 * clean.example at p=none for DAYS days, seen by four reporters: its own
 * servers (aligned), a mailing list, and scattered spoofers (some signing
 * with a throwaway domain of their own, a new one each day). With
 * unconfigured, a newsletter service that passes SPF for its own domain
 * only also sends for it.
 */
static void
write_scenario(const char *dir, const char *domain, bool unconfigured, unsigned n_reporters,
    int own_count)
{
	char spoof1[32], spoof2[32], spam[32];
	int day;
	unsigned k;

	for (day = DAY0; day <= LAST; day++)
		for (k = 0; k < n_reporters; k++) {
			struct row rows[] = {
				{ "192.0.2.10", own_count, "pass", "pass", "none", domain, "pass",
				    domain, "pass", NULL },
				{ "192.0.2.11", own_count / 2, "pass", "pass", "none", domain,
				    "pass", domain, "pass", NULL },
				{ "203.0.113.9", 5, "fail", "fail", "none", domain, "fail",
				    "lists.example.org", "pass", "mailing_list" },
				{ spoof1, 1, "fail", "fail", "none", NULL, NULL, domain, "softfail",
				    NULL },
				{ spoof2, 2, "fail", "fail", "none", spam, "pass", domain, "fail",
				    NULL },
				{ "198.51.100.20", 40, "fail", "fail", "none", NULL, NULL,
				    "mailer.example.net", "pass", NULL },
				{ "198.51.100.21", 30, "fail", "fail", "none", NULL, NULL,
				    "mailer.example.net", "pass", NULL },
			};

			snprintf(spoof1, sizeof spoof1, "100.%d.%u.7", 64 + day % 60, k);
			snprintf(spoof2, sizeof spoof2, "2001:db8:%x::9", (day % 4096) * 16 + k);
			/* spam signed with a throwaway domain of the day: no steady identity */
			snprintf(spam, sizeof spam, "spam%d.example", day);
			write_report(dir, reporters[k], domain, "none", day, rows,
			    unconfigured ? 7 : 5);
		}
}

struct fixture {
	char *dir, *db;
};

static struct fixture
ingest_scenario(bool unconfigured, unsigned n_reporters, int own_count)
{
	struct fixture fx;
	char reports[512];
	int rc;

	fx.dir = tu_scratch_dir();
	snprintf(reports, sizeof reports, "%s/reports", fx.dir);
	cr_assert_eq(tu_run(NULL, "mkdir -p %s", reports), 0);
	write_scenario(reports, "clean.example", unconfigured, n_reporters, own_count);
	cr_assert_gt(asprintf(&fx.db, "%s/a.db", fx.dir), 0);
	rc = tu_run(NULL, "%s ingest --db %s %s >/dev/null", DMARCD_BIN, fx.db, reports);
	cr_assert_eq(rc, 0, "ingest exit %d", rc);
	return fx;
}

static void
advise(const struct fixture *fx, enum policy simulate, int pct, struct advice *out)
{
	struct advise_config cfg;
	struct store *st;
	struct errbuf e;

	advise_config_default(&cfg);
	cr_assert_eq(store_open(fx->db, STORE_READONLY, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(advice_compute(st, "clean.example", &cfg, LAST, simulate, pct, out, &e), 0,
	    "%s", e.msg);
	store_close(st);
}

static const struct advise_condition *
cond(const struct advice *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->n_cond; i++)
		if (strcmp(a->cond[i].id, id) == 0)
			return &a->cond[i];
	cr_assert_fail("no condition %s", id);
	return NULL;
}

/* A sum over the stored records of the window, straight from SQLite. */
static long long
sql_sum(const char *db, const char *where)
{
	char sql[1024];
	sqlite3 *h;
	sqlite3_stmt *s;
	long long v;

	snprintf(sql, sizeof sql,
	    "SELECT total(a.count) FROM report r JOIN record a"
	    " ON a.id BETWEEN r.record_first AND r.record_last WHERE r.policy_domain ="
	    " 'clean.example' AND r.day_first BETWEEN %d AND %d AND (%s)",
	    LAST - 29, LAST, where);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	v = (long long)sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

Test(advise_scenarios, a_clean_domain_is_ready)
{
	struct fixture fx = ingest_scenario(false, 4, 200);
	struct advice a;
	char *out = NULL;
	size_t i;

	advise(&fx, POLICY_UNSET, -1, &a);
	for (i = 0; i < a.n_cond; i++)
		cr_assert(a.cond[i].ok, "%s: %s", a.cond[i].id, a.cond[i].measured);
	cr_assert_eq(a.verdict, VERDICT_READY);
	cr_assert_str_eq(a.step, "p=none -> p=quarantine; pct=10; t=y (first step)");
	cr_assert_eq(a.as_of_day, LAST);
	cr_assert_str_eq(cond(&a, "A1")->measured, "45 days (since 2025-01-01)");
	advice_free(&a);
	/* the CLI says the same, and gives the record to publish with the owner's rua */
	cr_assert_eq(tu_run(&out,
	                 "%s advise --db %s --as-of " LAST_TEXT
	                 " clean.example --rua mailto:d@clean.example",
	                 DMARCD_BIN, fx.db),
	    0);
	cr_assert(strstr(out, "clean.example: READY  (p=none -> p=quarantine") == out, "%s", out);
	cr_assert_not_null(strstr(out,
	                       "_dmarc.clean.example TXT \"v=DMARC1; p=quarantine; "
	                       "rua=mailto:d@clean.example; pct=10; t=y\""),
	    "%s", out);
	free(out);
	free(fx.db);
	free(fx.dir);
}

Test(advise_scenarios, an_unconfigured_service_is_not_ready_and_named)
{
	struct fixture fx = ingest_scenario(true, 4, 200);
	struct advice a;
	char *out = NULL;

	advise(&fx, POLICY_UNSET, -1, &a);
	cr_assert_eq(a.verdict, VERDICT_NOT_READY);
	cr_assert_not(cond(&a, "A4")->ok);
	cr_assert_not(cond(&a, "A3")->ok);
	/* 70 of the 378 messages a reporter sees each day come from the service */
	cr_assert_str_eq(a.fixes[0],
	    "Find out who this is: mailer.example.net (198.51.100.0/24) sends 18.5 % of your "
	    "mail (8,400 messages from 1 network) and passes SPF for mailer.example.net, not "
	    "for your domain. If it sends for you, set up DKIM signing with d=clean.example at "
	    "that service (or a custom MAIL FROM under clean.example); if not, say so: dmarcd "
	    "classify clean.example spf mailer.example.net unauthorized.");
	advice_free(&a);
	cr_assert_eq(tu_run(&out, "%s advise --db %s --as-of " LAST_TEXT " --json clean.example",
	                 DMARCD_BIN, fx.db),
	    0);
	cr_assert_not_null(strstr(out, "\"verdict\":\"NOT READY\""), "%s", out);
	cr_assert_not_null(
	    strstr(out,
	        "\"label\":\"mailer.example.net (198.51.100.0/24)\","
	        "\"networks\":\"198.51.100.0/24\",\"network_count\":1,\"identity\":"
	        "\"mailer.example.net\",\"identity_via\":\"spf\",\"class\":\"misaligned\","
	        "\"service\":null,\"service_name\":null,\"service_doc\":null,"
	        "\"subdomain\":null,\"subdomain_messages\":0,\"subdomain_pass\":0,"
	        "\"confirmed\":false,\"needs_review\":true"),
	    "%s", out);
	free(out);
	free(fx.db);
	free(fx.dir);
}

Test(advise_scenarios, overrides_change_the_verdict)
{
	struct fixture fx = ingest_scenario(true, 4, 200);
	struct advice a;
	char *out = NULL;

	/* the owner says the service is not theirs: it is spoofing, and the domain is ready */
	cr_assert_eq(tu_run(&out,
	                 "%s classify --db %s clean.example cidr 198.51.100.0/24 "
	                 "unauthorized --label 'old newsletter'",
	                 DMARCD_BIN, fx.db),
	    0);
	cr_assert_str_eq(out,
	    "clean.example cidr 198.51.100.0/24 unauthorized \"old newsletter\""
	    "  (cli)\n");
	free(out);
	advise(&fx, POLICY_UNSET, -1, &a);
	cr_assert_eq(a.verdict, VERDICT_READY, "%s", a.n_fixes ? a.fixes[0] : "");
	cr_assert_str_eq(a.senders[1].label, "old newsletter (cidr 198.51.100.0/24)");
	cr_assert(a.senders[1].confirmed);
	advice_free(&a);
	/* the owner says it is theirs: confirmed, no review left, but still not ready */
	cr_assert_eq(tu_run(NULL,
	                 "%s classify --db %s clean.example cidr 198.51.100.0/24 "
	                 "authorized >/dev/null",
	                 DMARCD_BIN, fx.db),
	    0);
	advise(&fx, POLICY_UNSET, -1, &a);
	cr_assert_eq(a.verdict, VERDICT_NOT_READY);
	cr_assert(cond(&a, "A3")->ok);
	cr_assert_not(cond(&a, "A4")->ok);
	advice_free(&a);
	/* forgetting it brings the suggestion back */
	cr_assert_eq(tu_run(&out,
	                 "%s classify --db %s --forget clean.example cidr "
	                 "198.51.100.0/24",
	                 DMARCD_BIN, fx.db),
	    0);
	cr_assert_str_eq(out, "forgotten\n");
	free(out);
	advise(&fx, POLICY_UNSET, -1, &a);
	cr_assert_not(cond(&a, "A3")->ok);
	advice_free(&a);
	free(fx.db);
	free(fx.dir);
}

/*
 * A forger mails a report from a reporter never seen for the domain, with
 * 50,000 failing messages from an unconfigured service: it is stored but
 * suspect, the advisor leaves it out (still READY) and says so, until the
 * owner accepts it. A report whose mail failed DMARC is suspect too.
 */
Test(advise_scenarios, a_forged_report_is_left_out_until_accepted)
{
	struct fixture fx = ingest_scenario(false, 4, 200);
	struct row forged[] = {
		{ "198.51.100.20", 50000, "fail", "fail", "none", NULL, NULL, "mailer.example.net",
		    "pass", NULL },
	};
	char dir[512], *out = NULL, *line;
	struct advice a;
	long long id;

	snprintf(dir, sizeof dir, "%s/forged", fx.dir);
	cr_assert_eq(tu_run(NULL, "mkdir -p %s", dir), 0);
	write_report(dir, "Forger Inc", "clean.example", "none", LAST, forged, 1);
	/* a genuine reporter's name, but its mail failed DMARC here */
	write_report(dir, "google.com", "clean.example", "none", LAST - 1, forged, 1);
	cr_assert_eq(
	    tu_run(NULL,
	        "cd %s && { printf 'From: noreply-dmarc-support@google.com\\n"
	        "Authentication-Results: mx.clean.example; dmarc=fail (p=none) "
	        "header.from=google.com\\nAuthentication-Results: elsewhere; dmarc=pass\\n"
	        "Subject: Report domain: clean.example\\nContent-Type: text/xml\\n\\n'; "
	        "sed 's/google.com-clean/carrier-clean/' 'google.com!clean.example!%d.xml'; "
	        "} > carrier.eml && rm 'google.com!clean.example!%d.xml'",
	        dir, LAST - 1, LAST - 1),
	    0);
	cr_assert_eq(tu_run(&out, "%s ingest --json --db %s %s", DMARCD_BIN, fx.db, dir), 0);
	cr_assert_not_null(strstr(out, "\"reports_stored\":2,"), "%s", out);
	free(out);
	cr_assert_eq(
	    tu_run(&out, "%s export reports --db %s --since 2025-02-13", DMARCD_BIN, fx.db), 0);
	cr_expect_not_null(strstr(out,
	                       ",r,r,,its mail failed DMARC at the receiving server "
	                       "(Authentication-Results: dmarc=fail)\r\n"),
	    "the reports export says why: %s", out);
	free(out);

	advise(&fx, POLICY_UNSET, -1, &a);
	cr_expect_eq(a.verdict, VERDICT_READY, "the forged reports are left out");
	cr_expect_str_eq(cond(&a, "A2")->measured,
	    "reports on 30 of the last 30 days, 4 reporters, 36,960 messages",
	    "their reporter and messages too");
	cr_assert_eq(a.n_notes, 1);
	cr_expect_not_null(strstr(a.notes[0],
	                       "2 reports (100000 messages) are left out as possibly "
	                       "forged, the first: google.com, report carrier-clean"),
	    "%s", a.notes[0]);
	advice_free(&a);

	cr_assert_eq(tu_run(&out, "%s suspects --db %s clean.example", DMARCD_BIN, fx.db), 0);
	cr_expect_not_null(strstr(out, "  clean.example  google.com  carrier-clean.example-"), "%s",
	    out);
	cr_expect_not_null(strstr(out, "its mail failed DMARC at the receiving server"), "%s", out);
	cr_expect_not_null(strstr(out, "  clean.example  Forger Inc  Forger Inc-clean.example-"),
	    "%s", out);
	cr_expect_not_null(strstr(out,
	                       "the first report of this reporter for the domain claims "
	                       "50000 messages, where the domain averaged 1232 a day over "
	                       "its 30 days with data before it"),
	    "%s", out);
	/* its line starts with its id */
	line = strstr(out, "  clean.example  Forger Inc");
	cr_assert_not_null(line);
	while (line > out && line[-1] != '\n')
		line--;
	cr_assert_eq(sscanf(line, "%lld", &id), 1, "%s", out);
	free(out);

	/* The owner says the forger's is genuine after all. */
	cr_assert_eq(tu_run(&out, "%s suspects --db %s --accept %lld", DMARCD_BIN, fx.db, id), 0);
	cr_expect_str_eq(out, "accepted: the advisor counts it\n");
	free(out);
	advise(&fx, POLICY_UNSET, -1, &a);
	cr_expect_eq(a.verdict, VERDICT_NOT_READY, "counted, the service's failures block");
	cr_expect_str_eq(cond(&a, "A2")->measured,
	    "reports on 30 of the last 30 days, 5 reporters, 86,960 messages");
	cr_assert_eq(a.n_notes, 1);
	cr_expect_not_null(strstr(a.notes[0], "1 report (50000 messages) is left out"), "%s",
	    a.notes[0]);
	advice_free(&a);
	cr_expect_eq(
	    tu_run(NULL, "%s suspects --db %s --accept %lld >/dev/null", DMARCD_BIN, fx.db, id), 2,
	    "accepted already: no suspect report has that id");
	free(fx.db);
	free(fx.dir);
}

Test(advise_scenarios, thin_data_is_provisional)
{
	struct fixture fx = ingest_scenario(false, 1, 8);
	struct advice a;

	advise(&fx, POLICY_UNSET, -1, &a);
	cr_assert_eq(a.verdict, VERDICT_PROVISIONAL);
	cr_assert_not(cond(&a, "A2")->ok);
	cr_assert_str_eq(cond(&a, "A2")->measured,
	    "reports on 30 of the last 30 days, 1 reporters, 600 messages");
	advice_free(&a);
	free(fx.db);
	free(fx.dir);
}

Test(advise_scenarios, the_impact_equals_the_stored_records)
{
	struct fixture fx = ingest_scenario(true, 4, 200);
	struct advice a;
	long long failing, service, list;

	advise(&fx, POLICY_REJECT, 100, &a);
	failing = sql_sum(fx.db, "a.dmarc_pass = 0");
	service = sql_sum(fx.db, "a.dmarc_pass = 0 AND a.source_ip LIKE '198.51.100.%'");
	list = sql_sum(fx.db, "a.dmarc_pass = 0 AND a.source_ip = '203.0.113.9'");
	cr_assert_eq(failing, 30 * 4 * (5 + 1 + 2 + 40 + 30));
	cr_assert_eq(a.impact.messages, sql_sum(fx.db, "1"));
	cr_assert_eq(a.impact.failing, failing);
	cr_assert_eq(a.impact.affected, failing);
	cr_assert_eq(a.impact.legit_at_risk, service);
	cr_assert_eq(a.impact.indirect_at_risk, list);
	cr_assert_eq(a.impact.spoofing_stopped, failing - service - list);
	advice_free(&a);
	/* at pct=25 each part is a quarter */
	advise(&fx, POLICY_QUARANTINE, 25, &a);
	cr_assert_eq(a.impact.policy, POLICY_QUARANTINE);
	cr_assert_eq(a.impact.legit_at_risk, service / 4);
	cr_assert_eq(a.impact.affected, failing / 4);
	advice_free(&a);
	free(fx.db);
	free(fx.dir);
}

/* The shared generator's corpus: its services are set up, its forwarders are lists. */
Test(advise_scenarios, generated_corpus_verdicts)
{
	char *dir, *out = NULL;
	int rc;

	TU_REQUIRE_SHARED();
	dir = tu_scratch_dir();
	rc = tu_run(NULL,
	    "python3 %s --reports 600 --records-per-report realistic --wrap none "
	    "--compress gz --out %s/c --seed 3 --domains 3 --days 60 --start-date 2025-01-01 "
	    ">/dev/null 2>&1 && %s ingest --db %s/a.db %s/c >/dev/null",
	    tu_shared("bench/gen_corpus.py"), dir, DMARCD_BIN, dir, dir);
	cr_assert_eq(rc, 0);
	cr_assert_eq(tu_run(&out, "%s advise --db %s/a.db --as-of 2025-03-01 | grep '^[a-z]'",
	                 DMARCD_BIN, dir),
	    0);
	/* p=none, every service aligned: ready for the first quarantine step */
	cr_assert_not_null(strstr(out, "contoso.com: READY  (p=none -> p=quarantine"), "%s", out);
	/* at quarantine, but 1.8 % of its authorized volume is mailing-list mail that fails */
	cr_assert_not_null(strstr(out, "fabrikam.com: NOT READY  (p=quarantine -> p=reject)"), "%s",
	    out);
	free(out);
	/*
	 * The owner says nobody there posts to mailing lists: that waives the mail
	 * receivers marked mailing_list, not what recipients forward on (outlook.com,
	 * fastmail.com, gmx.net here), which reject would still lose (issue 15, 9).
	 */
	cr_assert_eq(
	    tu_run(&out,
	        "%s advise --db %s/a.db --as-of 2025-03-01 fabrikam.com --no-mailing-lists yes "
	        "| grep -E '^fabrikam|B6'",
	        DMARCD_BIN, dir),
	    0);
	cr_assert_not_null(strstr(out, "fabrikam.com: NOT READY  (p=quarantine -> p=reject)"), "%s",
	    out);
	cr_assert_not_null(strstr(out, "mailing-list mail left out"), "%s", out);
	free(out);
	free(dir);
}

/* What a config file says: thresholds, confirmed sources and the owner's record. */
Test(advise_scenarios, a_config_file_confirms_sources_and_sets_thresholds)
{
	static const char good[] =
	    "[source newsletter]\ndomain = clean.example\n"
	    "spf_domain = mailer.example.net\nstatus = unauthorized\n"
	    "[domain clean.example]\nrecord = \"v=DMARC1; p=none; rua=mailto:r@clean.example; "
	    "fo=1\"\n[advisor]\nfirst_pct = 100\n";
	static const char bad[] = "[source s]\ndomain = clean.example\n"
	                          "cidr = 198.51.100.0/33\nstatus = authorized\n";
	struct fixture fx = ingest_scenario(true, 4, 200);
	char conf[512], *out = NULL;
	int rc;

	snprintf(conf, sizeof conf, "%s/dmarcd.conf", fx.dir);
	tu_write_file(conf, good, sizeof good - 1);
	cr_assert_eq(tu_run(&out,
	                 "%s advise --config %s --db %s --as-of " LAST_TEXT " clean.example",
	                 DMARCD_BIN, conf, fx.db),
	    0);
	cr_assert(strstr(out, "clean.example: READY  (p=none -> p=quarantine)\n") == out, "%s",
	    out);
	cr_assert_not_null(strstr(out,
	                       "_dmarc.clean.example TXT \"v=DMARC1; p=quarantine; "
	                       "rua=mailto:r@clean.example; fo=1\""),
	    "%s", out);
	free(out);
	/* the config's sources are in the database, replaced at the next load */
	cr_assert_eq(tu_run(&out, "%s classify --db %s --list", DMARCD_BIN, fx.db), 0);
	cr_assert_str_eq(out,
	    "clean.example spf_domain mailer.example.net unauthorized "
	    "\"newsletter\"  (config)\n");
	free(out);
	tu_write_file(conf, bad, sizeof bad - 1);
	rc = tu_run(&out, "%s advise --config %s --db %s --as-of " LAST_TEXT " clean.example 2>&1",
	    DMARCD_BIN, conf, fx.db);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out,
	                       "dmarcd.conf:1: [source s]: '198.51.100.0/33' is not an IP "
	                       "address or CIDR"),
	    "%s", out);
	free(out);
	free(fx.db);
	free(fx.dir);
}

/* The config table's defaults for [advisor] are the advisor's own (two lists kept equal). */
Test(advise_scenarios, config_defaults_equal_the_advisors)
{
	static const char text[] = "[advisor]\n";
	struct advise_config def, from;
	struct config *c = NULL;
	struct errbuf e;

	cr_assert_eq(config_parse("t.conf", text, sizeof text - 1, &c, &e), 0, "%s", e.msg);
	advise_config_default(&def);
	advise_setup_config(c, &from);
	cr_assert_eq(from.window_days, def.window_days);
	cr_assert_eq(from.min_days_none, def.min_days_none);
	cr_assert_eq(from.min_days_ramp, def.min_days_ramp);
	cr_assert_eq(from.min_days_quarantine, def.min_days_quarantine);
	cr_assert_eq(from.min_reporters, def.min_reporters);
	cr_assert_eq(from.min_messages, def.min_messages);
	cr_assert_eq(from.source_min_messages, def.source_min_messages);
	cr_assert_eq(from.min_service_messages, def.min_service_messages);
	cr_assert_eq(from.stable_days, def.stable_days);
	cr_assert_eq(from.new_source_days, def.new_source_days);
	cr_assert_eq(from.first_pct, def.first_pct);
	cr_assert_eq(from.stale_days, def.stale_days);
	cr_assert_eq(from.ramp_by_pct, def.ramp_by_pct);
	cr_assert_eq(from.n_ramp_pct, def.n_ramp_pct);
	cr_assert_arr_eq(from.ramp_pct, def.ramp_pct, sizeof def.ramp_pct);
	cr_assert_float_eq(from.notable_per_day, def.notable_per_day, 1e-9);
	cr_assert_float_eq(from.coverage_days, def.coverage_days, 1e-12);
	cr_assert_float_eq(from.notable_share, def.notable_share, 1e-12);
	cr_assert_float_eq(from.pass_quarantine, def.pass_quarantine, 1e-12);
	cr_assert_float_eq(from.source_pass, def.source_pass, 1e-12);
	cr_assert_float_eq(from.enforced_share, def.enforced_share, 1e-12);
	cr_assert_float_eq(from.pass_reject, def.pass_reject, 1e-12);
	cr_assert_float_eq(from.dkim_reject, def.dkim_reject, 1e-12);
	cr_assert_float_eq(from.collateral_max, def.collateral_max, 1e-12);
	cr_assert_float_eq(from.indirect_max, def.indirect_max, 1e-12);
	cr_assert_float_eq(from.regression_points, def.regression_points, 1e-12);
	cr_assert_null(from.rua);
	config_free(c);
}
