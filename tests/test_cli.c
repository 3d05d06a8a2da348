/*
 * The dmarcd command end to end: the real binary on a real SQLite file,
 * through files, directories, Maildirs and stdin, then the exports.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

/* A small aggregate report: n_records records of `count` messages, every other one passing. */
static void
write_report(const char *path, const char *org, const char *report_id, const char *domain,
    long begin, int n_records, int count)
{
	FILE *f = fopen(path, "w");
	int i;

	cr_assert_not_null(f);
	fprintf(f,
	    "<?xml version=\"1.0\"?>\n<feedback><version>1.0</version>"
	    "<report_metadata><org_name>%s</org_name><email>r@%s</email>"
	    "<report_id>%s</report_id><date_range><begin>%ld</begin><end>%ld</end>"
	    "</date_range></report_metadata><policy_published><domain>%s</domain>"
	    "<p>none</p><sp>none</sp><pct>100</pct></policy_published>\n",
	    org, "reporter.example", report_id, begin, begin + 86399, domain);
	for (i = 0; i < n_records; i++)
		fprintf(f,
		    "<record><row><source_ip>192.0.2.%d</source_ip><count>%d</count>"
		    "<policy_evaluated><disposition>none</disposition><dkim>%s</dkim>"
		    "<spf>fail</spf></policy_evaluated></row><identifiers>"
		    "<header_from>%s</header_from></identifiers><auth_results><spf>"
		    "<domain>%s</domain><result>pass</result></spf></auth_results></record>\n",
		    i + 1, count, i % 2 == 0 ? "pass" : "fail", domain, domain);
	fprintf(f, "</feedback>\n");
	cr_assert_eq(fclose(f), 0);
}

static char *
setup_dir(void)
{
	char *dir = tu_scratch_dir();
	char path[512];

	snprintf(path, sizeof path, "%s/in", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	return dir;
}

Test(cli, ingest_directory_then_export_reports)
{
	char *dir = setup_dir(), *out, path[512];
	int rc;

	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 4, 10);
	snprintf(path, sizeof path, "%s/in/b.xml", dir);
	write_report(path, "=Evil()", "rep-2", "example.org", 1709769600, 3, 5);
	snprintf(path, sizeof path, "%s/in/c.xml", dir);
	tu_write_file(path, "<feedback><report_metadata>", 27);

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/in 2>/dev/null", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 3, "some inputs refused: exit 3 (got %d)", rc);
	cr_expect_not_null(strstr(out, "\"inputs\":3,\"reports_stored\":2,"), "%s", out);
	cr_expect_not_null(strstr(out, "\"refused\":1,"), "%s", out);
	cr_expect_not_null(strstr(out, "\"records\":7,"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s export reports --db %s/t.db", DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect(strncmp(out,
	              "org_name,report_id,policy_domain,begin,end,records,messages,"
	              "dmarc_pass,dkim_aligned,spf_aligned",
	              93) == 0,
	    "%s", out);
	cr_expect_not_null(strstr(out,
	                       "Reporter A,rep-1,example.com,2024-03-06T00:00:00Z,"
	                       "2024-03-06T23:59:59Z,4,40,20,20,0,"),
	    "%s", out);
	cr_expect_not_null(strstr(out,
	                       "\"'=Evil()\",rep-2,example.org,2024-03-07T00:00:00Z,"
	                       "2024-03-07T23:59:59Z,3,15,10,10,0,"),
	    "formula guard missing: %s", out);
	free(out);

	rc = tu_run(&out, "%s export reports --db %s/t.db --domain example.org --format json",
	    DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\"org_name\":\"=Evil()\""), "%s", out);
	cr_expect_null(strstr(out, "example.com"), "domain filter ignored: %s", out);
	free(out);
	free(dir);
}

Test(cli, ingesting_twice_changes_nothing)
{
	char *dir = setup_dir(), *first, *second, *out, path[512];
	int rc;

	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 5, 7);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s/t.db %s/in", DMARCD_BIN, dir, dir), 0);
	tu_run(&first, "%s export records --db %s/t.db", DMARCD_BIN, dir);

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/in", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out,
	                       "\"reports_stored\":0,\"duplicate_reports\":0,"
	                       "\"duplicate_inputs\":1,"),
	    "%s", out);
	free(out);

	/* The same report in another file (other bytes): a duplicate report. */
	snprintf(path, sizeof path, "%s/copy.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 5, 7);
	cr_assert_eq(tu_run(NULL, "printf '\\n' >> %s", path), 0);
	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s", DMARCD_BIN, dir, path);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\"reports_stored\":0,\"duplicate_reports\":1,"), "%s", out);
	free(out);

	tu_run(&second, "%s export records --db %s/t.db", DMARCD_BIN, dir);
	cr_expect_str_eq(first, second);
	cr_expect_not_null(strstr(first, "192.0.2.5,7,none,pass,fail,1,example.com"), "%s", first);
	free(first);
	free(second);
	free(dir);
}

/* dmarcd ingest parses ahead on a second thread: bytes seen earlier in the same run still count
 * once. */
Test(cli, the_same_bytes_twice_in_one_run_are_one_input)
{
	char *dir = setup_dir(), *out, path[512];
	int rc;

	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 3, 4);
	cr_assert_eq(tu_run(NULL,
	                 "cd %s/in && cp a.xml b.xml && cp a.xml c.xml && "
	                 "printf '\\n' >> c.xml && printf '<feedback>' > d.xml && cp d.xml e.xml",
	                 dir),
	    0);

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/in 2>/dev/null", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 3, "the malformed input is refused: exit 3 (got %d)", rc);
	cr_expect_not_null(strstr(out,
	                       "\"inputs\":5,\"reports_stored\":1,\"duplicate_reports\":1,"
	                       "\"duplicate_inputs\":2,\"conflicts\":0,\"refused\":1,"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "\"records\":3,"), "%s", out);
	free(out);

	rc = tu_run(&out,
	    "sqlite3 %s/t.db \"SELECT location, status, times_seen FROM input"
	    " ORDER BY id\"",
	    dir);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out, "/in/a.xml|stored|2\n"), "%s", out);
	cr_expect_not_null(strstr(out, "/in/c.xml|stored|1\n"), "%s", out);
	cr_expect_not_null(strstr(out, "/in/d.xml|refused|2\n"), "%s", out);
	cr_expect_null(strstr(out, "b.xml"), "b.xml has a.xml's bytes: %s", out);
	free(out);
	free(dir);
}

/* More mails than one batch holds: every batch commits, every mail is acknowledged once. */
Test(cli, a_maildir_larger_than_a_batch_is_stored_and_acknowledged)
{
	char *dir = setup_dir(), *out;
	int rc;

	cr_assert_eq(
	    tu_run(NULL, "mkdir -p %s/Maildir/new %s/Maildir/cur %s/Maildir/tmp", dir, dir, dir),
	    0);
	cr_assert_eq(
	    tu_run(NULL,
	        "cd %s/Maildir/new && for i in $(seq 1 700); do "
	        "printf 'From: r@reporter.example\\nSubject: Report Domain: example.net\\n"
	        "Content-Type: text/xml\\n\\n<feedback><report_metadata><org_name>R</org_name>"
	        "<report_id>m-%%d</report_id><date_range><begin>1709683200</begin>"
	        "<end>1709769599</end></date_range></report_metadata><policy_published>"
	        "<domain>example.net</domain><p>none</p></policy_published><record><row>"
	        "<source_ip>198.51.100.%%d</source_ip><count>%%d</count><policy_evaluated>"
	        "<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>"
	        "</policy_evaluated></row><identifiers><header_from>example.net</header_from>"
	        "</identifiers></record></feedback>\\n' $i $((i %% 250)) $i > $i.M1.test; done",
	        dir),
	    0);

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/Maildir", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\"inputs\":700,\"reports_stored\":700,"), "%s", out);
	cr_expect_not_null(strstr(out, "\"records\":700,"), "%s", out);
	free(out);
	rc = tu_run(&out,
	    "ls %s/Maildir/new | wc -l; ls %s/Maildir/cur | grep -c ':2,S$'; "
	    "%s export domains --db %s/t.db",
	    dir, dir, DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect_eq(strncmp(out, "0\n700\n", 6), 0, "%s", out);
	/* messages 1 + 2 + ... + 700, all passing DKIM; 250 addresses; 700 reports */
	cr_expect_not_null(strstr(out,
	                       "\nexample.net,245350,245350,1.0000,245350,0,245350,0,0,"
	                       "250,700,2024-03-06,"),
	    "%s", out);
	free(out);
	free(dir);
}

Test(cli, maildir_mail_is_acknowledged_after_the_commit)
{
	char *dir = setup_dir(), *out, path[512], report[512];
	struct stat sb;
	int rc;

	cr_assert_eq(
	    tu_run(NULL, "mkdir -p %s/Maildir/new %s/Maildir/cur %s/Maildir/tmp", dir, dir, dir),
	    0);
	snprintf(report, sizeof report, "%s/r.xml", dir);
	write_report(report, "Mail Reporter", "m-1", "example.net", 1709683200, 2, 3);
	cr_assert_eq(tu_run(NULL,
	                 "cd %s && { printf 'From: r@reporter.example\\nSubject: Report "
	                 "Domain: example.net Submitter: reporter.example\\nMIME-Version: 1.0\\n"
	                 "Content-Type: text/xml\\n\\n'; cat r.xml; } > Maildir/new/100.M1.test",
	                 dir),
	    0);
	cr_assert_eq(tu_run(NULL,
	                 "printf 'From: x@y\\nSubject: hello\\n\\njust text\\n' > "
	                 "%s/Maildir/new/101.M2.test",
	                 dir),
	    0);

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/Maildir 2>/dev/null", DMARCD_BIN, dir,
	    dir);
	cr_expect_eq(rc, 3);
	cr_expect_not_null(strstr(out, "\"inputs\":2,\"reports_stored\":1,"), "%s", out);
	free(out);
	snprintf(path, sizeof path, "%s/Maildir/cur/100.M1.test:2,S", dir);
	cr_expect_eq(stat(path, &sb), 0, "stored mail not moved to cur/ with S");
	snprintf(path, sizeof path, "%s/Maildir/cur/101.M2.test:2,S", dir);
	cr_expect_eq(stat(path, &sb), 0, "refused mail not flagged");
	snprintf(path, sizeof path, "%s/Maildir/new/100.M1.test", dir);
	cr_expect_neq(stat(path, &sb), 0, "mail left in new/");

	/* A second run finds nothing new: every mail is seen. */
	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/Maildir", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\"inputs\":0,"), "%s", out);
	free(out);
	free(dir);
}

/* The database holds personal data: created 0600, and a warning for one other users can read. */
Test(cli, the_database_is_private_and_a_readable_one_is_a_warning)
{
	char *dir = setup_dir(), *out, path[512];
	struct stat sb;
	int rc;

	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 2, 3);
	rc = tu_run(&out, "umask 022 && %s ingest --db %s/t.db %s/in 2>&1", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect_null(strstr(out, "warning"), "%s", out);
	free(out);
	snprintf(path, sizeof path, "%s/t.db", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0600, "created %04o", (unsigned)(sb.st_mode & 07777));

	cr_assert_eq(chmod(path, 0644), 0);
	rc = tu_run(&out, "%s ingest --db %s/t.db %s/in 2>&1", DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect_not_null(strstr(out, "warning: "), "%s", out);
	cr_assert_not_null(strstr(out, "t.db is open to other users (mode 0644)"), "%s", out);
	cr_expect_null(strstr(strstr(out, "open to other users") + 1, "open to other users"),
	    "warned more than once: %s", out);
	free(out);
	free(dir);
}

/* A report mail into dir/name (a Maildir's new/). */
static void
write_mail(const char *dir, const char *name, const char *report_id)
{
	char report[512];

	snprintf(report, sizeof report, "%s/%s.xml", dir, report_id);
	write_report(report, "Mail Reporter", report_id, "example.net", 1709683200, 2, 3);
	cr_assert_eq(tu_run(NULL,
	                 "{ printf 'From: r@reporter.example\\nSubject: Report Domain: "
	                 "example.net\\nMIME-Version: 1.0\\nContent-Type: text/xml\\n\\n'; "
	                 "cat %s; } > %s/Maildir/new/%s && rm %s",
	                 report, dir, name, report),
	    0);
}

/* Whether the database files under dir hold the secret, and how many inputs it has. */
static void
expect_no_secret(const char *dir, long inputs)
{
	char *out;

	cr_assert_eq(tu_run(&out,
	                 "cat %s/t.db* | grep -c TOPSECRET-7f3a; "
	                 "sqlite3 %s/t.db 'SELECT count(*) FROM input'",
	                 dir, dir),
	    0);
	cr_expect_eq(strncmp(out, "0\n", 2), 0, "the secret is in the database: %s", out);
	cr_expect_eq(strtol(out + 2, NULL, 10), inputs, "%s", out);
	free(out);
}

/*
 * Issue 12: a symbolic link in a Maildir that root ingests stored the file
 * it points to (refused inputs keep their bytes), and a FIFO hung the run.
 * Both are skipped, said on stderr, left where they are, and the rest goes in.
 */
Test(cli, links_and_fifos_in_a_maildir_or_directory_are_skipped, .timeout = 120)
{
	char *dir = setup_dir(), *out, path[512];
	int rc;

	cr_assert_eq(tu_run(NULL,
	                 "mkdir -p %s/Maildir/new %s/Maildir/cur %s/Maildir/tmp && "
	                 "echo TOPSECRET-7f3a > %s/secret && "
	                 "ln -s %s/secret %s/Maildir/new/2.M2.test && "
	                 "mkfifo %s/Maildir/new/3.M3.test && "
	                 "ln -s %s/secret %s/in/link.xml && mkfifo %s/in/fifo.xml",
	                 dir, dir, dir, dir, dir, dir, dir, dir, dir, dir),
	    0);
	write_mail(dir, "1.M1.test", "m-1");
	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 2, 3);

	/* timeout: a FIFO opened would hang the run */
	rc = tu_run(&out, "timeout -s KILL 30 %s ingest --json --db %s/t.db %s/Maildir %s/in 2>&1",
	    DMARCD_BIN, dir, dir, dir);
	cr_expect_eq(rc, 0, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "\"inputs\":2,\"reports_stored\":2,"), "%s", out);
	cr_expect_not_null(
	    strstr(out, "Maildir/new/2.M2.test: skipped: a symbolic link: not followed"), "%s",
	    out);
	cr_expect_not_null(strstr(out, "Maildir/new/3.M3.test: skipped: a FIFO"), "%s", out);
	cr_expect_not_null(strstr(out, "in/link.xml: skipped: a symbolic link"), "%s", out);
	cr_expect_not_null(strstr(out, "in/fifo.xml: skipped: a FIFO"), "%s", out);
	free(out);
	expect_no_secret(dir, 2);
	cr_expect_eq(tu_run(NULL,
	                 "test -L %s/Maildir/new/2.M2.test && test -p %s/Maildir/new/3.M3.test && "
	                 "test -f %s/Maildir/cur/1.M1.test:2,S",
	                 dir, dir, dir),
	    0, "the link and the FIFO stay in new/, the mail moved to cur/");

	/* dmarcd poll over the same Maildir: the same rule */
	write_mail(dir, "4.M4.test", "m-2");
	snprintf(path, sizeof path, "%s/p.conf", dir);
	cr_assert_eq(tu_run(NULL,
	                 "printf '[database]\\npath = %s/t.db\\n[maildir box]\\npath = "
	                 "%s/Maildir\\n' > %s",
	                 dir, dir, path),
	    0);
	rc = tu_run(&out, "timeout -s KILL 30 %s poll --config %s --once 2>&1", DMARCD_BIN, path);
	cr_expect_eq(rc, 0, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "maildir box: "), "%s", out);
	cr_expect_not_null(strstr(out, "Maildir/new/2.M2.test: skipped: a symbolic link"), "%s",
	    out);
	cr_expect_not_null(strstr(out, "Maildir/new/3.M3.test: skipped: a FIFO"), "%s", out);
	free(out);
	expect_no_secret(dir, 3);
	cr_expect_eq(tu_run(NULL, "test -f %s/Maildir/cur/4.M4.test:2,S", dir), 0,
	    "the polled mail moved to cur/");
	free(dir);
}

Test(cli, stdin_and_exports_of_sources_and_domains)
{
	char *dir = setup_dir(), *out, path[512];
	int rc;

	snprintf(path, sizeof path, "%s/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 2, 10);
	rc = tu_run(&out, "%s ingest --json --db %s/t.db - < %s", DMARCD_BIN, dir, path);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\"reports_stored\":1,"), "%s", out);
	free(out);
	write_report(path, "Reporter B", "rep-9", "example.com", 1709769600, 2, 4);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s/t.db %s", DMARCD_BIN, dir, path), 0);

	rc = tu_run(&out, "%s export sources --db %s/t.db", DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out,
	                       "example.com,192.0.2.1,14,14,1.0000,14,0,14,0,0,"
	                       "2024-03-06,2024-03-07"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "example.com,192.0.2.2,14,0,0.0000,0,0,14,0,0,"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s export sources --db %s/t.db --since 2024-03-07 --until 2024-03-07",
	    DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out, "example.com,192.0.2.1,4,4,"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s export domains --db %s/t.db", DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out, "example.com,28,14,0.5000,14,0,28,0,0,2,2,"), "%s", out);
	free(out);
	free(dir);
}

Test(cli, reprocess_recovers_inputs_refused_under_a_lower_limit)
{
	char *dir = setup_dir(), *out, path[512];
	int rc;

	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 3, 2);
	rc = tu_run(&out, "%s ingest --json --max-input 100 --db %s/t.db %s/in 2>/dev/null",
	    DMARCD_BIN, dir, dir);
	cr_expect_eq(rc, 3);
	cr_expect_not_null(strstr(out, "\"refused\":1,"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s reprocess --db %s/t.db", DMARCD_BIN, dir);
	cr_expect_eq(rc, 0, "reprocess: %d", rc);
	cr_expect_not_null(
	    strstr(out, "1 refused inputs retried: 1 reports stored, 0 still refused"), "%s", out);
	free(out);
	rc = tu_run(&out, "%s export reports --db %s/t.db", DMARCD_BIN, dir);
	cr_expect_not_null(strstr(out, "Reporter A,rep-1,example.com,"), "%s", out);
	free(out);
	free(dir);
}

Test(cli, usage_and_operational_errors_have_their_exit_codes)
{
	char *dir = setup_dir();

	cr_expect_eq(tu_run(NULL, "%s 2>/dev/null", DMARCD_BIN), 2);
	cr_expect_eq(tu_run(NULL, "%s frobnicate 2>/dev/null", DMARCD_BIN), 2);
	cr_expect_eq(tu_run(NULL, "%s ingest 2>/dev/null", DMARCD_BIN), 2);
	cr_expect_eq(tu_run(NULL, "%s export nonsense --db %s/t.db 2>/dev/null", DMARCD_BIN, dir),
	    2);
	cr_expect_eq(tu_run(NULL, "%s export reports --since yesterday 2>/dev/null", DMARCD_BIN),
	    2);
	cr_expect_eq(tu_run(NULL, "%s ingest --db %s/no/such/dir/t.db %s/in 2>/dev/null",
	                 DMARCD_BIN, dir, dir),
	    1);
	cr_expect_eq(
	    tu_run(NULL, "%s ingest --db %s/t.db %s/missing 2>/dev/null", DMARCD_BIN, dir, dir), 1);
	free(dir);
}

Test(cli, failure_reports_are_stored_exported_and_pruned)
{
	char *dir = setup_dir(), *out;
	int rc;

	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s 2>/dev/null", DMARCD_BIN, dir,
	    tu_fixture("failure"));
	cr_expect_eq(rc, 3, "the empty feedback part is refused");
	cr_expect_not_null(strstr(out, "\"refused\":1,"), "%s", out);
	cr_expect_not_null(strstr(out, "\"failures_stored\":4,"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s export failures --db %s/t.db", DMARCD_BIN, dir);
	cr_assert_eq(rc, 0);
	cr_expect(strncmp(out,
	              "arrival_date,reporter,source_ip,reported_domain,header_from,"
	              "envelope_from,auth_failure,dkim_domain,dkim_selector,spf_result,dkim_result,"
	              "delivery_result,subject,",
	              134) == 0,
	    "%s", out);
	cr_expect_not_null(
	    strstr(out,
	        "2025-03-04T08:29:55Z,reports.example.net,2001:db8::17,"
	        "example.org,example.org,,dmarc,example.org,sel1,fail,neutral,reject,Salary update,"),
	    "%s", out);
	cr_expect_null(strstr(out, "abuse"), "non-DMARC feedback in the DMARC export: %s", out);
	free(out);

	rc = tu_run(&out, "%s export failures --db %s/t.db --domain example.net --format json",
	    DMARCD_BIN, dir);
	cr_expect_not_null(strstr(out, "\"source_ip\":\"192.0.2.1\""), "%s", out);
	cr_expect_null(strstr(out, "example.org"), "%s", out);
	free(out);

	rc = tu_run(&out, "%s prune --db %s/t.db --retention-days 36500", DMARCD_BIN, dir);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out, "0 failure report samples cleared"), "%s", out);
	free(out);
	rc = tu_run(&out, "%s prune --db %s/t.db", DMARCD_BIN, dir);
	cr_expect_not_null(strstr(out, "3 failure report samples cleared"), "%s", out);
	free(out);
	free(dir);
}

/*
 * Every file of the shared corpus and the spec's examples: stored, or
 * refused for a specific, expected reason; a second ingest changes nothing.
 */
Test(cli, shared_corpus_ingests_and_a_second_run_changes_nothing)
{
	char *dir, *out, *before, *after, corpus[4096], examples[4096];
	int rc;

	TU_REQUIRE_SHARED();
	dir = setup_dir();
	snprintf(corpus, sizeof corpus, "%s", tu_shared("corpus"));
	snprintf(examples, sizeof examples, "%s", tu_shared("spec/examples"));
	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s %s 2>%s/log", DMARCD_BIN, dir, corpus,
	    examples, dir);
	cr_expect_eq(rc, 3);
	/* 63 report files + MANIFEST.tsv + README.md */
	cr_expect_not_null(strstr(out, "{\"inputs\":65,\"reports_stored\":32,"), "%s", out);
	/* 3 conflicts: corpus files that reuse another file's report key with other data */
	cr_expect_not_null(strstr(out,
	                       "\"duplicate_reports\":5,\"duplicate_inputs\":0,"
	                       "\"conflicts\":3,\"refused\":16,\"partial\":0,\"records\":2372,"
	                       "\"failures_stored\":7,\"duplicate_failures\":2}"),
	    "%s", out);
	free(out);
	/*
	 * The refusals: 11 TLS reports, 2 broken XML files, the two text files, and RFC 9990's
	 * sample, dated 1979.
	 */
	cr_expect_eq(tu_run(&out, "grep -c 'E_NOT_DMARC' %s/log", dir), 0);
	cr_expect_str_eq(out, "11\n");
	free(out);
	cr_expect_eq(
	    tu_run(NULL, "grep -q 'empty.xml: refused: E_NO_REPORT: empty input' %s/log", dir), 0);
	cr_expect_eq(
	    tu_run(NULL, "grep -q 'invalid_xml.xml: refused: E_XML_MALFORMED: line 5' %s/log", dir),
	    0);
	cr_expect_eq(tu_run(NULL,
	                 "grep -q 'rfc9990-sample.xml: refused: E_IMPLAUSIBLE_PERIOD: date_range "
	                 "1979-08-07T00:00:00Z..1979-08-07T23:59:59Z begins before 2012' %s/log",
	                 dir),
	    0);
	cr_expect_eq(tu_run(&out, "grep -c 'refused' %s/log", dir), 0);
	cr_expect_str_eq(out, "16\n");
	free(out);

	tu_run(&before, "%s export records --db %s/t.db; %s export failures --db %s/t.db",
	    DMARCD_BIN, dir, DMARCD_BIN, dir);
	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s %s", DMARCD_BIN, dir, corpus, examples);
	cr_expect_eq(rc, 0);
	cr_expect_not_null(strstr(out,
	                       "\"reports_stored\":0,\"duplicate_reports\":0,"
	                       "\"duplicate_inputs\":65,"),
	    "%s", out);
	free(out);
	tu_run(&after, "%s export records --db %s/t.db; %s export failures --db %s/t.db",
	    DMARCD_BIN, dir, DMARCD_BIN, dir);
	cr_expect_str_eq(before, after);
	free(before);
	free(after);
	free(dir);
}

/*
 * The demo Maildir of the README's first command: the project's own
 * generator, ingested end to end. The per-domain figures are the
 * generator's own totals for this seed and end date.
 */
Test(cli, demo_maildir_ingests_with_the_generators_figures)
{
	char *dir = setup_dir(), *out;
	int rc;

	cr_assert_eq(tu_run(NULL,
	                 "python3 %s/../scripts/demo_maildir.py %s/Maildir --days 3 "
	                 "--seed 1 --end-date 2025-06-30 >/dev/null",
	                 FIXTURES_DIR "/..", dir),
	    0);
	rc = tu_run(&out, "%s ingest --json --db %s/t.db %s/Maildir 2>/dev/null", DMARCD_BIN, dir,
	    dir);
	cr_expect_eq(rc, 3, "the demo's truncated gzip is refused");
	cr_expect_not_null(strstr(out,
	                       "{\"inputs\":38,\"reports_stored\":36,"
	                       "\"duplicate_reports\":1,"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "\"refused\":1,"), "%s", out);
	free(out);

	rc = tu_run(&out, "DMARCD_DB=%s/t.db %s export domains", dir, DMARCD_BIN);
	cr_assert_eq(rc, 0);
	cr_expect_not_null(strstr(out, "\nnews.example.org,3995,3875,"), "%s", out);
	cr_expect_not_null(strstr(out, "\nexample.com,2066,1713,"), "%s", out);
	cr_expect_not_null(strstr(out, "\nshop.example.net,575,528,"), "%s", out);
	free(out);
	free(dir);
}
