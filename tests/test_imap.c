/*
 * IMAP polling end to end against a real Dovecot (tests/imap/dovecot.sh):
 * the dmarcd binary polls a mailbox seeded with the project's generated
 * report mails (and the shared corpus mails when ../shared is present),
 * and its exports are compared with a plain 'dmarcd ingest' of the same
 * files. Each test starts its own Dovecot on free ports in a scratch dir.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap.h"
#include "imap_harness.h"
#include "testutil.h"
#include "tu_net.h"

/*
 * Criterion's runner (not a test) leaks 48 bytes per parallel worker in
 * some runs of this suite's long tests: LeakSanitizer's documented hook
 * ignores leaks allocated inside libcriterion only.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libcriterion.so\n";
}

TestSuite(imap, .fini = ih_teardown);

Test(imap, all_reports_land_then_nothing_new, .timeout = 240)
{
	struct ih_server s;
	char *want, *got, *err;
	long long seen;
	size_t seeded;

	ih_server_start(&s);
	ih_make_seed(&s, 3);
	seeded = ih_count_files(&s, "seed");
	ih_seed(&s, "seed");
	ih_write_config(&s, "a", true, "ca.pem", "", "[poll]\nbatch = 7");
	cr_assert_eq(ih_poll_once(&s, "a"), 0);
	want = ih_reference(&s);
	got = ih_db_exports(&s, "a");
	cr_assert_str_eq(got, want);
	cr_assert_gt(strlen(want), 1000);
	/* Mail is where the action put it, and each moved mail's data is committed. */
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	cr_assert_eq(ih_folder_count(&s, "Archive/DMARC") + ih_folder_count(&s, "Archive/Invalid"),
	    seeded);
	cr_assert_eq((long long)ih_folder_count(&s, "Archive/Invalid"),
	    ih_db_int(&s, "a", "SELECT count(*) FROM input WHERE status = 'refused'"));
	ih_assert_moved_are_committed(&s, "a", "Archive/DMARC");
	ih_assert_moved_are_committed(&s, "a", "Archive/Invalid");
	cr_assert_eq(ih_db_int(&s, "a", "SELECT count(*) FROM imap_pending"), 0);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "imap box INBOX UID 1: "), "one line per mail: %s", err);
	free(err);
	/* A second poll fetches nothing. */
	seen = ih_db_int(&s, "a", "SELECT sum(times_seen) FROM input");
	cr_assert_eq(ih_poll_once(&s, "a"), 0);
	err = ih_stderr_text(&s);
	cr_assert_null(strstr(err, "UID"), "second poll: %s", err);
	cr_assert_eq(ih_db_int(&s, "a", "SELECT sum(times_seen) FROM input"), seen);
	free(err);
	free(got);
	free(want);
	ih_server_stop(&s);
}

/*
 * Folder names in UTF-8 reach the server in modified UTF-7 (RFC 3501
 * 5.1.3): the archive folders are created and filled under their right
 * names, and a folder named in the URL (percent-encoded UTF-8) is polled.
 */
Test(imap, non_ascii_folder_names, .timeout = 120)
{
	struct ih_server s;
	char path[512], text[2048];
	size_t seeded, archived;
	int n;

	ih_server_start(&s);
	ih_make_seed(&s, 1);
	seeded = ih_count_files(&s, "seed");
	ih_seed(&s, "seed");
	ih_write_config(&s, "a", true, "ca.pem",
	    "archive_folder = Archiv/Berichte-Öffentlich\ninvalid_folder = Archiv/Ungültig", "");
	cr_assert_eq(ih_poll_once(&s, "a"), 0);
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	archived = ih_folder_count(&s, "Archiv/Berichte-Öffentlich");
	cr_assert_gt(archived, 0);
	cr_assert_eq(archived + ih_folder_count(&s, "Archiv/Ungültig"), seeded);
	/* Dovecot keeps the names it was sent: modified UTF-7 on its disk too */
	snprintf(path, sizeof path, "%s/mail/test/Maildir/.Archiv.Berichte-&ANY-ffentlich/cur",
	    s.dir);
	cr_expect_eq(access(path, F_OK), 0, "%s", path);
	snprintf(path, sizeof path, "%s/mail/test/Maildir/.Archiv.Ungu&AwE-ltig", s.dir);
	cr_expect_neq(access(path, F_OK), 0, "a decomposed u with its accent is another name");
	snprintf(path, sizeof path, "%s/mail/test/Maildir/.Archiv.Ung&APw-ltig/cur", s.dir);
	cr_expect_eq(access(path, F_OK), 0, "%s", path);

	n = snprintf(text, sizeof text,
	    "[database]\npath = %s/b.db\n[imap box]\n"
	    "url = imaps://127.0.0.1:%d/Archiv/Berichte-%%C3%%96ffentlich\nuser = test\n"
	    "ca_file = %s/ca.pem\nafter = none\nafter_invalid = none\n",
	    s.dir, s.imaps, s.dir);
	snprintf(path, sizeof path, "%s/b.conf", s.dir);
	tu_write_file(path, text, (size_t)n);
	cr_assert_eq(ih_poll_once(&s, "b"), 0);
	cr_assert_eq(ih_db_int(&s, "b", "SELECT sum(times_seen) FROM input"), (long long)archived);
	cr_assert_eq(ih_folder_count(&s, "Archiv/Berichte-Öffentlich"), archived);
	ih_server_stop(&s);
}

/* The UID of the last mail the log of DIR/stderr.txt names, 0 for none. */
static unsigned long long
last_logged_uid(const struct ih_server *s)
{
	char *text = ih_stderr_text(s), *at = text, *p;
	unsigned long long uid = 0;

	while ((p = strstr(at, " UID ")) != NULL) {
		uid = strtoull(p + 5, &at, 10);
		if (at == p + 5)
			at++;
	}
	free(text);
	return uid;
}

/*
 * SIGKILL at points the log shows, later in each run, until a run gets to
 * its end: after the search, then after the 1st, 2nd, 3rd... mail of the
 * run. Where a kill lands follows the work, not the machine's speed; at
 * least one must land mid-batch: after a mail was ingested, before the
 * commit that holds it.
 */
Test(imap, killed_mid_batch_loses_and_duplicates_nothing, .timeout = 280)
{
	struct ih_server s;
	char *want, *got;
	int kills = 0, mid_batch = 0, rc;
	unsigned long long uid;
	size_t mails;
	pid_t pid;
	bool reached;

	ih_server_start(&s);
	ih_make_seed(&s, 10);
	ih_seed(&s, "seed");
	ih_write_config(&s, "k", true, "ca.pem", "", "[poll]\nbatch = 5");
	for (mails = 0;; mails++) {
		pid = ih_spawn_poll(&s, "k");
		reached = mails == 0 ? ih_wait_log(&s, pid, "new mail(s) in", 1, 60) :
		                       ih_wait_log(&s, pid, " UID ", mails, 60);
		if (reached)
			kill(pid, SIGKILL);
		rc = ih_finish(pid);
		if (rc == 0)
			break;
		cr_assert_eq(rc, 128 + SIGKILL, "poll exited with %d", rc);
		cr_assert(reached, "the poll was killed before its point");
		kills++;
		/* The last mail logged is not committed: killed before its batch's commit. */
		uid = last_logged_uid(&s);
		if (uid > 0 &&
		    (long long)uid > ih_db_int(&s, "k", "SELECT last_uid FROM imap_folder"))
			mid_batch++;
		ih_assert_moved_are_committed(&s, "k", "Archive/DMARC");
		ih_assert_moved_are_committed(&s, "k", "Archive/Invalid");
	}
	cr_log_info("%d kills, %d of them mid-batch", kills, mid_batch);
	cr_assert_geq(mid_batch, 1, "none of the %d kills landed mid-batch", kills);
	cr_assert_eq(ih_poll_once(&s, "k"), 0);
	want = ih_reference(&s);
	got = ih_db_exports(&s, "k");
	cr_assert_str_eq(got, want);
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	cr_assert_eq(ih_folder_count(&s, "Archive/DMARC") + ih_folder_count(&s, "Archive/Invalid"),
	    ih_count_files(&s, "seed"));
	cr_assert_eq(ih_db_int(&s, "k", "SELECT count(*) FROM imap_pending"), 0);
	free(got);
	free(want);
	ih_server_stop(&s);
}

Test(imap, changed_uidvalidity_does_not_duplicate, .timeout = 120)
{
	struct ih_server s;
	char *before, *after, *err;
	long long inputs;

	ih_server_start(&s);
	ih_make_seed(&s, 2);
	ih_seed(&s, "seed");
	/* after = flag leaves the mail in INBOX, where the new UIDVALIDITY finds it again. */
	ih_write_config(&s, "u", false, "ca.pem", "after = flag\nafter_invalid = flag", "");
	cr_assert_eq(ih_poll_once(&s, "u"), 0);
	before = ih_db_exports(&s, "u");
	inputs = ih_db_int(&s, "u", "SELECT count(*) FROM input");
	cr_assert_eq((size_t)ih_folder_count(&s, "INBOX"), ih_count_files(&s, "seed"));
	cr_assert_eq(ih_sh("%s uidvalidity %s test", IH_DOVECOT_SH, s.dir), 0);
	cr_assert_eq(ih_poll_once(&s, "u"), 0);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "UIDVALIDITY of INBOX changed"), "%s", err);
	cr_assert_not_null(strstr(err, "already ingested"), "%s", err);
	after = ih_db_exports(&s, "u");
	cr_assert_str_eq(after, before);
	cr_assert_eq(ih_db_int(&s, "u", "SELECT count(*) FROM input"), inputs);
	cr_assert_eq(ih_db_int(&s, "u", "SELECT min(times_seen) FROM input"), 2);
	free(err);
	free(before);
	free(after);
	ih_server_stop(&s);
}

Test(imap, wrong_password_is_a_clear_error, .timeout = 60)
{
	struct ih_server s;
	char conf[512], *err;
	const char *args[] = { "poll", "--config", conf, "--once", NULL };

	ih_server_start(&s);
	/* From 127.0.0.2: Dovecot's auth penalty for 127.0.0.1 stays clear. */
	ih_write_config(&s, "p", true, "ca.pem", "source_address = 127.0.0.2", "");
	snprintf(conf, sizeof conf, "%s/p.conf", s.dir);
	cr_assert_eq(ih_dmarcd(&s, "not-the-password", args), 1);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "imap box: imaps://127.0.0.1:"), "%s", err);
	cr_assert_not_null(strstr(err, "wrong user name or password"), "%s", err);
	cr_assert_null(strstr(err, "not-the-password"), "the password leaked: %s", err);
	free(err);
	ih_server_stop(&s);
}

/*
 * starttls = no sends the password in clear: only to a loopback literal or
 * localhost. A refused URL fails before any connection; an accepted one
 * goes on to connect (to a closed port here) and fails for that reason.
 * Needs no Dovecot.
 */
Test(imap, plaintext_only_to_loopback_literals, .timeout = 60)
{
	static const char *const refused[] = { "imap://127.mail.attacker.test/INBOX",
		"imap://127.0.0.1.nip.io/INBOX", "imap://mail.example.com/INBOX" };
	static const char *const accepted[] = { "127.0.0.1", "[::1]", "localhost" };
	struct imap_options o = { 0 };
	struct imap *c = NULL;
	struct errbuf e;
	char url[256];
	size_t i;

	o.user = "test";
	o.password = "secret";
	o.timeout = 10;
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		o.url = refused[i];
		errbuf_clear(&e);
		cr_expect_eq(imap_open(&o, &c, &e), -1, "%s: accepted", o.url);
		cr_expect_not_null(strstr(e.msg,
		                       "plaintext IMAP (no STARTTLS) is allowed only to "
		                       "loopback"),
		    "%s: %s", o.url, e.msg);
	}
	for (i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		snprintf(url, sizeof url, "imap://%s:%d/INBOX", accepted[i], tu_free_port());
		o.url = url;
		errbuf_clear(&e);
		cr_expect_eq(imap_open(&o, &c, &e), -1, "%s: nothing listens there", o.url);
		cr_expect_null(strstr(e.msg, "plaintext"), "%s refused: %s", o.url, e.msg);
	}
}

Test(imap, tls_verified_with_the_ca_file, .timeout = 60)
{
	struct ih_server s;
	char *err;

	ih_server_start(&s);
	ih_make_seed(&s, 1);
	ih_seed(&s, "seed");
	/* imaps and STARTTLS with an unrelated CA: refused before any login. */
	ih_write_config(&s, "w", true, "wrong-ca.pem", "", "");
	cr_assert_eq(ih_poll_once(&s, "w"), 1);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "certificate is not trusted"), "%s", err);
	free(err);
	ih_write_config(&s, "w", false, "wrong-ca.pem", "", "");
	cr_assert_eq(ih_poll_once(&s, "w"), 1);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "certificate is not trusted"), "%s", err);
	free(err);
	cr_assert_eq(ih_db_int(&s, "w", "SELECT count(*) FROM input"), 0);
	/* imaps with the test CA, then STARTTLS with it: the mail lands. */
	ih_write_config(&s, "t", true, "ca.pem", "", "");
	cr_assert_eq(ih_poll_once(&s, "t"), 0);
	cr_assert_gt(ih_db_int(&s, "t", "SELECT count(*) FROM report"), 0);
	ih_reseed(&s);
	ih_write_config(&s, "t", false, "ca.pem", "", "");
	cr_assert_eq(ih_poll_once(&s, "t"), 0);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "report(s) stored"), "STARTTLS poll: %s", err);
	free(err);
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	ih_server_stop(&s);
}

Test(imap, oversized_mail_is_skipped_and_recorded_once, .timeout = 60)
{
	struct ih_server s;
	char path[512], *err;
	FILE *f;
	int i;

	ih_server_start(&s);
	ih_make_seed(&s, 1);
	snprintf(path, sizeof path, "%s/seed/zz-big.eml", s.dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "From: big@example.com\nSubject: big\nMessage-ID: <big@example.com>\n\n");
	for (i = 0; i < 2000; i++)
		fprintf(f, "padding line %d of a mail over the size limit\n", i);
	fclose(f);
	ih_seed(&s, "seed");
	ih_write_config(&s, "o", true, "ca.pem", "", "[ingest]\nmax_input = 40K\nverify_dkim = no");
	cr_assert_eq(ih_poll_once(&s, "o"), 0);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "is over max_input (40960 bytes): not downloaded"), "%s",
	    err);
	free(err);
	cr_assert_eq(
	    ih_db_int(&s, "o",
	        "SELECT count(*) FROM input WHERE refusal_code = "
	        "'E_SIZE_LIMIT' AND raw IS NULL AND status = 'refused' AND raw_size > 40960"),
	    1);
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	cr_assert_eq((long long)ih_folder_count(&s, "Archive/Invalid"),
	    ih_db_int(&s, "o", "SELECT count(*) FROM input WHERE status = 'refused'"));
	cr_assert_eq(ih_poll_once(&s, "o"), 0);
	cr_assert_eq(ih_db_int(&s, "o",
	                 "SELECT times_seen FROM input WHERE refusal_code = "
	                 "'E_SIZE_LIMIT'"),
	    1);
	ih_server_stop(&s);
}

/* Waits up to seconds for the query on DIR/NAME.db to reach want, woken by each write in DIR. */
static bool
wait_for(const struct ih_server *s, const char *name, const char *sql, long long want, int seconds)
{
	int64_t deadline = tu_now_ms() + seconds * 1000;
	int fd = ih_watch_dir(s);
	bool reached;

	while (!(reached = ih_db_int(s, name, sql) >= want) && ih_watch_wait(fd, deadline))
		;
	close(fd);
	return reached;
}

Test(imap, run_keeps_going_across_a_server_restart, .timeout = 120)
{
	struct ih_server s;
	char conf[512], *err;
	const char *args[] = { "run", "--config", conf, NULL };
	long long first, seeded;
	pid_t pid;

	ih_server_start(&s);
	ih_make_seed(&s, 1);
	ih_seed(&s, "seed");
	ih_write_config(&s, "r", true, "ca.pem", "timeout = 5",
	    "[poll]\ninterval = 1s\n[enrich]\ndns = no");
	snprintf(conf, sizeof conf, "%s/r.conf", s.dir);
	pid = ih_spawn(&s, "secret", args);
	seeded = (long long)ih_count_files(&s, "seed");
	cr_assert(wait_for(&s, "r", "SELECT last_uid FROM imap_folder", seeded, 30));
	/* Meanwhile its background thread names the sources: the demo's ESP is SendGrid. */
	cr_assert(
	    wait_for(&s, "r", "SELECT count(*) FROM sender WHERE service = 'sendgrid'", 1, 30),
	    "run named no source in the background");
	first = ih_db_int(&s, "r", "SELECT count(*) FROM report");
	cr_assert_eq(ih_sh("%s stop %s", IH_DOVECOT_SH, s.dir), 0);
	/* The server is started again once a poll has failed for its absence. */
	cr_assert(ih_wait_log(&s, pid, "trying again in", 1, 30),
	    "no poll failed while Dovecot was down");
	cr_assert_eq(ih_sh("%s start %s %d %d", IH_DOVECOT_SH, s.dir, s.imap, s.imaps), 0);
	ih_reseed(&s);
	/* Every mail delivered after the restart committed (its UID follows), then acted upon. */
	seeded += (long long)ih_count_files(&s, "seed");
	cr_assert(wait_for(&s, "r", "SELECT last_uid FROM imap_folder", seeded, 40),
	    "the mail delivered after the restart was not all polled");
	cr_assert(wait_for(&s, "r", "SELECT -count(*) FROM imap_pending", 0, 10));
	cr_assert_geq(ih_db_int(&s, "r", "SELECT count(*) FROM report"), first + 10,
	    "no new reports after the restart");
	kill(pid, SIGTERM);
	cr_assert_eq(ih_finish(pid), 0);
	err = ih_stderr_text(&s);
	cr_assert_not_null(strstr(err, "trying again in"), "%s", err);
	cr_assert_not_null(strstr(err, "stopping"), "%s", err);
	free(err);
	cr_assert_eq(ih_folder_count(&s, "INBOX"), 0);
	ih_server_stop(&s);
}
