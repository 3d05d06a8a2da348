/*
 * IMAP polling end to end against a real Dovecot (tests/imap/dovecot.sh):
 * the dmarcd binary polls a mailbox seeded with the project's generated
 * report mails (and the shared corpus mails when ../shared is present),
 * and its exports are compared with a plain 'dmarcd ingest' of the same
 * files. Each test starts its own Dovecot on free ports in a scratch dir.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "imap.h"
#include "testutil.h"

#define DOVECOT_SH FIXTURES_DIR "/../imap/dovecot.sh"
#define DEMO_PY FIXTURES_DIR "/../../scripts/demo_maildir.py"

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

struct server {
	char *dir;
	int imap, imaps;
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command line; returns its exit status. */
static int
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs a command and returns its stdout (malloc'd). */
static char *capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
capture(const char *fmt, ...)
{
	char cmd[8192], chunk[4096];
	size_t len = 0, n;
	char *buf = calloc(1, 1);
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert_not_null(p = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	pclose(p);
	return buf;
}

static int
free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* The scratch dir of the running test's server (a test is a process), for the suite's fini. */
static char running[256];

static void
require_dovecot(void)
{
	if (access("/usr/sbin/dovecot", X_OK) != 0)
		cr_skip_test("dovecot is not installed (apt-get install dovecot-imapd): "
		             "IMAP tests skipped");
	if (geteuid() != 0)
		cr_skip_test("the test Dovecot runs as root with mail_uid nobody: IMAP tests "
		             "skipped when not root");
}

static void
server_start(struct server *s)
{
	require_dovecot();
	s->dir = tu_scratch_dir();
	cr_assert(chmod(s->dir, 0755) == 0);
	s->imap = free_port();
	s->imaps = free_port();
	while (s->imaps == s->imap)
		s->imaps = free_port();
	snprintf(running, sizeof running, "%s", s->dir);
	cr_assert_eq(sh("%s start %s %d %d", DOVECOT_SH, s->dir, s->imap, s->imaps), 0,
	    "dovecot did not start");
}

/* Stops the server and removes its scratch dir (kept when the test failed, to look at). */
static void
server_stop(struct server *s)
{
	sh("%s stop %s", DOVECOT_SH, s->dir);
	sh("rm -rf %s", s->dir);
	free(s->dir);
	running[0] = '\0';
}

static void
teardown(void)
{
	if (running[0] != '\0')
		sh("%s stop %s", DOVECOT_SH, running);
}

TestSuite(imap, .fini = teardown);

/*
 * Writes the mails to seed into DIR/seed: generated reports for days days
 * (one refused: a truncated gzip), plus the corpus mails when present.
 */
static void
make_seed(const struct server *s, int days)
{
	cr_assert_eq(sh("python3 %s %s/gen --days %d --end-date 2026-10-01 >/dev/null", DEMO_PY,
	                 s->dir, days),
	    0);
	cr_assert_eq(sh("mkdir -p %s/seed && cp %s/gen/new/* %s/seed/", s->dir, s->dir, s->dir), 0);
	if (tu_shared("") != NULL)
		cr_assert_eq(sh("n=0; for f in %s/corpus/*/*.eml; do n=$((n+1)); "
		                "cp \"$f\" %s/seed/corpus-$n.eml; done",
		                 SHARED_DIR, s->dir),
		    0);
}

/* Delivers every file of DIR/sub into the INBOX, unseen. */
static void
seed(const struct server *s, const char *sub)
{
	cr_assert_eq(sh("%s seed %s test %s/%s/*", DOVECOT_SH, s->dir, s->dir, sub), 0);
}

/* Replaces the seed with a day of other generated reports and delivers them. */
static void
reseed(const struct server *s)
{
	cr_assert_eq(sh("rm -rf %s/seed/* %s/gen2 && python3 %s %s/gen2 --days 1 "
	                "--end-date 2026-09-01 >/dev/null && cp %s/gen2/new/* %s/seed/",
	                 s->dir, s->dir, DEMO_PY, s->dir, s->dir, s->dir),
	    0);
	seed(s, "seed");
}

/*
 * Writes DIR/NAME.conf for the test server: imaps (tls) or STARTTLS,
 * verified with DIR/ca; extra goes into the [imap box] section, global
 * before it.
 */
static void
write_config(const struct server *s, const char *name, bool tls, const char *ca, const char *extra,
    const char *global)
{
	char path[512], text[4096];
	int n;

	snprintf(path, sizeof path, "%s/%s.conf", s->dir, name);
	n = snprintf(text, sizeof text,
	    "[database]\npath = %s/%s.db\n%s\n[imap box]\n"
	    "url = %s://127.0.0.1:%d/INBOX\nuser = test\nca_file = %s/%s\n%s\n",
	    s->dir, name, global, tls ? "imaps" : "imap", tls ? s->imaps : s->imap, s->dir, ca,
	    extra);
	tu_write_file(path, text, (size_t)n);
}

/* Milliseconds of CLOCK_MONOTONIC, for deadlines. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * An inotify watch on DIR, where dmarcd writes its log (stderr.txt) and its
 * databases: waits wake up when either changes instead of after a fixed time.
 */
static int
watch_dir(const struct server *s)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	cr_assert_neq(fd, -1, "inotify_init1: %s", strerror(errno));
	cr_assert_neq(inotify_add_watch(fd, s->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO), -1,
	    "inotify_add_watch %s: %s", s->dir, strerror(errno));
	return fd;
}

/*
 * Blocks until something in the watched dir changes or deadline passes (at
 * most 1 s: a change that inotify does not report, such as a process's exit,
 * is still seen), then drains the events. False once deadline has passed.
 */
static bool
watch_wait(int fd, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return false;
	if (poll(&p, 1, left < 1000 ? (int)left : 1000) > 0)
		while (read(fd, events, sizeof events) > 0)
			;
	return true;
}

/* Starts dmarcd ARGS with DMARCD_IMAP_PASSWORD_BOX=password, stderr into DIR/stderr.txt. */
static pid_t
spawn(const struct server *s, const char *password, const char *const *args)
{
	char errpath[512];
	const char *argv[16] = { DMARCD_BIN };
	pid_t pid;
	int i;

	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	snprintf(errpath, sizeof errpath, "%s/stderr.txt", s->dir);
	/* The last run's log is gone before this one starts: its lines never count for this one. */
	cr_assert(unlink(errpath) == 0 || errno == ENOENT);
	fflush(NULL);
	cr_assert((pid = fork()) >= 0);
	if (pid == 0) {
		setenv("DMARCD_IMAP_PASSWORD_BOX", password, 1);
		if (freopen(errpath, "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execv(DMARCD_BIN, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Waits for pid; returns its exit status, or 128+signal. */
static int
finish(pid_t pid)
{
	int status;

	cr_assert(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs dmarcd ARGS to its end. */
static int
dmarcd(const struct server *s, const char *password, const char *const *args)
{
	return finish(spawn(s, password, args));
}

/* Starts 'dmarcd poll --once' with DIR/NAME.conf. */
static pid_t
spawn_poll(const struct server *s, const char *name)
{
	char conf[512];
	const char *args[] = { "poll", "--config", conf, "--once", NULL };

	snprintf(conf, sizeof conf, "%s/%s.conf", s->dir, name);
	return spawn(s, "secret", args);
}

static int
poll_once(const struct server *s, const char *name)
{
	return finish(spawn_poll(s, name));
}

static char *
stderr_text(const struct server *s)
{
	char path[512];
	size_t len;

	snprintf(path, sizeof path, "%s/stderr.txt", s->dir);
	return (char *)tu_read_file(path, &len);
}

/* The lines of DIR/stderr.txt that hold needle (0 before the file exists). */
static size_t
log_count(const struct server *s, const char *needle)
{
	char path[512], line[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/stderr.txt", s->dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* True when pid has exited; it is left to finish() to reap. */
static bool
exited(pid_t pid)
{
	siginfo_t si = { 0 };

	cr_assert(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0);
	return si.si_pid == pid;
}

/*
 * Waits up to seconds for DIR/stderr.txt to hold count lines with needle.
 * False when it does not, or when pid (if > 0) exited before it did.
 */
static bool
wait_log(const struct server *s, pid_t pid, const char *needle, size_t count, int seconds)
{
	int64_t deadline = now_ms() + seconds * 1000;
	int fd = watch_dir(s);
	bool seen;

	do {
		if ((seen = log_count(s, needle) >= count) || (pid > 0 && exited(pid)))
			break;
	} while (watch_wait(fd, deadline));
	/* A line written just before the exit still counts. */
	seen = seen || log_count(s, needle) >= count;
	close(fd);
	return seen;
}

/* Every export of db, concatenated: what must match between two runs. */
static char *
exports(const char *db)
{
	return capture("for k in reports records sources domains failures; do %s export $k "
	               "--db %s --format csv; done",
	    DMARCD_BIN, db);
}

/* The exports of a plain 'dmarcd ingest' of the seed files: the expected result. */
static char *
reference(const struct server *s)
{
	char db[512];

	snprintf(db, sizeof db, "%s/reference.db", s->dir);
	sh("%s ingest --db %s %s/seed >/dev/null 2>&1", DMARCD_BIN, db, s->dir);
	return exports(db);
}

static char *
db_exports(const struct server *s, const char *name)
{
	char db[512];

	snprintf(db, sizeof db, "%s/%s.db", s->dir, name);
	return exports(db);
}

/* One integer from a query on DIR/NAME.db. */
static long long
db_int(const struct server *s, const char *name, const char *sql)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	snprintf(path, sizeof path, "%s/%s.db", s->dir, name);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1; /* not created yet */
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static size_t
count_files(const struct server *s, const char *sub)
{
	char *out = capture("ls %s/%s | wc -l", s->dir, sub);
	size_t n = strtoul(out, NULL, 10);

	free(out);
	return n;
}

/* An IMAP session on folder of the test account (STARTTLS with the test CA). */
static struct imap *
session(const struct server *s, const char *folder)
{
	char url[256], ca[512];
	struct imap_options o = { 0 };
	struct imap *c;
	struct errbuf e;

	snprintf(url, sizeof url, "imap://127.0.0.1:%d/%s", s->imap, folder);
	snprintf(ca, sizeof ca, "%s/ca.pem", s->dir);
	o.url = url;
	o.user = "test";
	o.password = "secret";
	o.ca_file = ca;
	o.starttls = true;
	o.timeout = 30;
	cr_assert_eq(imap_open(&o, &c, &e), 0, "%s", e.msg);
	return c;
}

/* The UIDs in folder (none when it does not exist); free *uids. */
static size_t
folder_uids(const struct server *s, const char *folder, uint64_t **uids)
{
	struct imap *c = session(s, folder);
	struct errbuf e;
	size_t n = 0;

	if (imap_search(c, 1, uids, &n, &e) == -1) {
		*uids = NULL;
		n = 0;
	}
	imap_close(c);
	return n;
}

static size_t
folder_count(const struct server *s, const char *folder)
{
	uint64_t *uids;
	size_t n = folder_uids(s, folder, &uids);

	free(uids);
	return n;
}

/*
 * The invariant of "acted upon only after the commit": every mail that
 * left INBOX for folder has its raw bytes recorded in DIR/NAME.db.
 */
static void
assert_moved_are_committed(const struct server *s, const char *name, const char *folder)
{
	uint64_t *uids;
	size_t n = folder_uids(s, folder, &uids), len, i;
	struct imap *c = session(s, folder);
	unsigned char *data;
	uint8_t sha[32];
	char hex[65], sql[256];
	struct errbuf e;

	for (i = 0; i < n; i++) {
		cr_assert_eq(imap_fetch(c, uids[i], 64u << 20, &data, &len, &e), 1, "%s", e.msg);
		digest_sha256(data, len, sha);
		digest_hex(sha, 32, hex);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM input WHERE raw_sha256 = x'%s'",
		    hex);
		cr_assert_eq(db_int(s, name, sql), 1, "%s UID %llu was moved but is not committed",
		    folder, (unsigned long long)uids[i]);
		free(data);
	}
	free(uids);
	imap_close(c);
}

Test(imap, all_reports_land_then_nothing_new, .timeout = 240)
{
	struct server s;
	char *want, *got, *err;
	long long seen;
	size_t seeded;

	server_start(&s);
	make_seed(&s, 3);
	seeded = count_files(&s, "seed");
	seed(&s, "seed");
	write_config(&s, "a", true, "ca.pem", "", "[poll]\nbatch = 7");
	cr_assert_eq(poll_once(&s, "a"), 0);
	want = reference(&s);
	got = db_exports(&s, "a");
	cr_assert_str_eq(got, want);
	cr_assert_gt(strlen(want), 1000);
	/* Mail is where the action put it, and each moved mail's data is committed. */
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	cr_assert_eq(folder_count(&s, "Archive/DMARC") + folder_count(&s, "Archive/Invalid"),
	    seeded);
	cr_assert_eq((long long)folder_count(&s, "Archive/Invalid"),
	    db_int(&s, "a", "SELECT count(*) FROM input WHERE status = 'refused'"));
	assert_moved_are_committed(&s, "a", "Archive/DMARC");
	assert_moved_are_committed(&s, "a", "Archive/Invalid");
	cr_assert_eq(db_int(&s, "a", "SELECT count(*) FROM imap_pending"), 0);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "imap box INBOX UID 1: "), "one line per mail: %s", err);
	free(err);
	/* A second poll fetches nothing. */
	seen = db_int(&s, "a", "SELECT sum(times_seen) FROM input");
	cr_assert_eq(poll_once(&s, "a"), 0);
	err = stderr_text(&s);
	cr_assert_null(strstr(err, "UID"), "second poll: %s", err);
	cr_assert_eq(db_int(&s, "a", "SELECT sum(times_seen) FROM input"), seen);
	free(err);
	free(got);
	free(want);
	server_stop(&s);
}

/*
 * Folder names in UTF-8 reach the server in modified UTF-7 (RFC 3501
 * 5.1.3): the archive folders are created and filled under their right
 * names, and a folder named in the URL (percent-encoded UTF-8) is polled.
 */
Test(imap, non_ascii_folder_names, .timeout = 120)
{
	struct server s;
	char path[512], text[2048];
	size_t seeded, archived;
	int n;

	server_start(&s);
	make_seed(&s, 1);
	seeded = count_files(&s, "seed");
	seed(&s, "seed");
	write_config(&s, "a", true, "ca.pem",
	    "archive_folder = Archiv/Berichte-Öffentlich\ninvalid_folder = Archiv/Ungültig", "");
	cr_assert_eq(poll_once(&s, "a"), 0);
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	archived = folder_count(&s, "Archiv/Berichte-Öffentlich");
	cr_assert_gt(archived, 0);
	cr_assert_eq(archived + folder_count(&s, "Archiv/Ungültig"), seeded);
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
	cr_assert_eq(poll_once(&s, "b"), 0);
	cr_assert_eq(db_int(&s, "b", "SELECT sum(times_seen) FROM input"), (long long)archived);
	cr_assert_eq(folder_count(&s, "Archiv/Berichte-Öffentlich"), archived);
	server_stop(&s);
}

/* The UID of the last mail the log of DIR/stderr.txt names, 0 for none. */
static unsigned long long
last_logged_uid(const struct server *s)
{
	char *text = stderr_text(s), *at = text, *p;
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
	struct server s;
	char *want, *got;
	int kills = 0, mid_batch = 0, rc;
	unsigned long long uid;
	size_t mails;
	pid_t pid;
	bool reached;

	server_start(&s);
	make_seed(&s, 10);
	seed(&s, "seed");
	write_config(&s, "k", true, "ca.pem", "", "[poll]\nbatch = 5");
	for (mails = 0;; mails++) {
		pid = spawn_poll(&s, "k");
		reached = mails == 0 ? wait_log(&s, pid, "new mail(s) in", 1, 60) :
		                       wait_log(&s, pid, " UID ", mails, 60);
		if (reached)
			kill(pid, SIGKILL);
		rc = finish(pid);
		if (rc == 0)
			break;
		cr_assert_eq(rc, 128 + SIGKILL, "poll exited with %d", rc);
		cr_assert(reached, "the poll was killed before its point");
		kills++;
		/* The last mail logged is not committed: killed before its batch's commit. */
		uid = last_logged_uid(&s);
		if (uid > 0 && (long long)uid > db_int(&s, "k", "SELECT last_uid FROM imap_folder"))
			mid_batch++;
		assert_moved_are_committed(&s, "k", "Archive/DMARC");
		assert_moved_are_committed(&s, "k", "Archive/Invalid");
	}
	cr_log_info("%d kills, %d of them mid-batch", kills, mid_batch);
	cr_assert_geq(mid_batch, 1, "none of the %d kills landed mid-batch", kills);
	cr_assert_eq(poll_once(&s, "k"), 0);
	want = reference(&s);
	got = db_exports(&s, "k");
	cr_assert_str_eq(got, want);
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	cr_assert_eq(folder_count(&s, "Archive/DMARC") + folder_count(&s, "Archive/Invalid"),
	    count_files(&s, "seed"));
	cr_assert_eq(db_int(&s, "k", "SELECT count(*) FROM imap_pending"), 0);
	free(got);
	free(want);
	server_stop(&s);
}

Test(imap, changed_uidvalidity_does_not_duplicate, .timeout = 120)
{
	struct server s;
	char *before, *after, *err;
	long long inputs;

	server_start(&s);
	make_seed(&s, 2);
	seed(&s, "seed");
	/* after = flag leaves the mail in INBOX, where the new UIDVALIDITY finds it again. */
	write_config(&s, "u", false, "ca.pem", "after = flag\nafter_invalid = flag", "");
	cr_assert_eq(poll_once(&s, "u"), 0);
	before = db_exports(&s, "u");
	inputs = db_int(&s, "u", "SELECT count(*) FROM input");
	cr_assert_eq((size_t)folder_count(&s, "INBOX"), count_files(&s, "seed"));
	cr_assert_eq(sh("%s uidvalidity %s test", DOVECOT_SH, s.dir), 0);
	cr_assert_eq(poll_once(&s, "u"), 0);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "UIDVALIDITY of INBOX changed"), "%s", err);
	cr_assert_not_null(strstr(err, "already ingested"), "%s", err);
	after = db_exports(&s, "u");
	cr_assert_str_eq(after, before);
	cr_assert_eq(db_int(&s, "u", "SELECT count(*) FROM input"), inputs);
	cr_assert_eq(db_int(&s, "u", "SELECT min(times_seen) FROM input"), 2);
	free(err);
	free(before);
	free(after);
	server_stop(&s);
}

Test(imap, wrong_password_is_a_clear_error, .timeout = 60)
{
	struct server s;
	char conf[512], *err;
	const char *args[] = { "poll", "--config", conf, "--once", NULL };

	server_start(&s);
	/* From 127.0.0.2: Dovecot's auth penalty for 127.0.0.1 stays clear. */
	write_config(&s, "p", true, "ca.pem", "source_address = 127.0.0.2", "");
	snprintf(conf, sizeof conf, "%s/p.conf", s.dir);
	cr_assert_eq(dmarcd(&s, "not-the-password", args), 1);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "imap box: imaps://127.0.0.1:"), "%s", err);
	cr_assert_not_null(strstr(err, "wrong user name or password"), "%s", err);
	cr_assert_null(strstr(err, "not-the-password"), "the password leaked: %s", err);
	free(err);
	server_stop(&s);
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
		snprintf(url, sizeof url, "imap://%s:%d/INBOX", accepted[i], free_port());
		o.url = url;
		errbuf_clear(&e);
		cr_expect_eq(imap_open(&o, &c, &e), -1, "%s: nothing listens there", o.url);
		cr_expect_null(strstr(e.msg, "plaintext"), "%s refused: %s", o.url, e.msg);
	}
}

Test(imap, tls_verified_with_the_ca_file, .timeout = 60)
{
	struct server s;
	char *err;

	server_start(&s);
	make_seed(&s, 1);
	seed(&s, "seed");
	/* imaps and STARTTLS with an unrelated CA: refused before any login. */
	write_config(&s, "w", true, "wrong-ca.pem", "", "");
	cr_assert_eq(poll_once(&s, "w"), 1);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "certificate is not trusted"), "%s", err);
	free(err);
	write_config(&s, "w", false, "wrong-ca.pem", "", "");
	cr_assert_eq(poll_once(&s, "w"), 1);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "certificate is not trusted"), "%s", err);
	free(err);
	cr_assert_eq(db_int(&s, "w", "SELECT count(*) FROM input"), 0);
	/* imaps with the test CA, then STARTTLS with it: the mail lands. */
	write_config(&s, "t", true, "ca.pem", "", "");
	cr_assert_eq(poll_once(&s, "t"), 0);
	cr_assert_gt(db_int(&s, "t", "SELECT count(*) FROM report"), 0);
	reseed(&s);
	write_config(&s, "t", false, "ca.pem", "", "");
	cr_assert_eq(poll_once(&s, "t"), 0);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "report(s) stored"), "STARTTLS poll: %s", err);
	free(err);
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	server_stop(&s);
}

Test(imap, oversized_mail_is_skipped_and_recorded_once, .timeout = 60)
{
	struct server s;
	char path[512], *err;
	FILE *f;
	int i;

	server_start(&s);
	make_seed(&s, 1);
	snprintf(path, sizeof path, "%s/seed/zz-big.eml", s.dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "From: big@example.com\nSubject: big\nMessage-ID: <big@example.com>\n\n");
	for (i = 0; i < 2000; i++)
		fprintf(f, "padding line %d of a mail over the size limit\n", i);
	fclose(f);
	seed(&s, "seed");
	write_config(&s, "o", true, "ca.pem", "", "[ingest]\nmax_input = 40K");
	cr_assert_eq(poll_once(&s, "o"), 0);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "is over max_input (40960 bytes): not downloaded"), "%s",
	    err);
	free(err);
	cr_assert_eq(
	    db_int(&s, "o",
	        "SELECT count(*) FROM input WHERE refusal_code = "
	        "'E_SIZE_LIMIT' AND raw IS NULL AND status = 'refused' AND raw_size > 40960"),
	    1);
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	cr_assert_eq((long long)folder_count(&s, "Archive/Invalid"),
	    db_int(&s, "o", "SELECT count(*) FROM input WHERE status = 'refused'"));
	cr_assert_eq(poll_once(&s, "o"), 0);
	cr_assert_eq(db_int(&s, "o",
	                 "SELECT times_seen FROM input WHERE refusal_code = "
	                 "'E_SIZE_LIMIT'"),
	    1);
	server_stop(&s);
}

/* Waits up to seconds for the query on DIR/NAME.db to reach want, woken by each write in DIR. */
static bool
wait_for(const struct server *s, const char *name, const char *sql, long long want, int seconds)
{
	int64_t deadline = now_ms() + seconds * 1000;
	int fd = watch_dir(s);
	bool reached;

	while (!(reached = db_int(s, name, sql) >= want) && watch_wait(fd, deadline))
		;
	close(fd);
	return reached;
}

Test(imap, run_keeps_going_across_a_server_restart, .timeout = 120)
{
	struct server s;
	char conf[512], *err;
	const char *args[] = { "run", "--config", conf, NULL };
	long long first, seeded;
	pid_t pid;

	server_start(&s);
	make_seed(&s, 1);
	seed(&s, "seed");
	write_config(&s, "r", true, "ca.pem", "timeout = 5", "[poll]\ninterval = 1s");
	snprintf(conf, sizeof conf, "%s/r.conf", s.dir);
	pid = spawn(&s, "secret", args);
	seeded = (long long)count_files(&s, "seed");
	cr_assert(wait_for(&s, "r", "SELECT last_uid FROM imap_folder", seeded, 30));
	first = db_int(&s, "r", "SELECT count(*) FROM report");
	cr_assert_eq(sh("%s stop %s", DOVECOT_SH, s.dir), 0);
	/* The server is started again once a poll has failed for its absence. */
	cr_assert(wait_log(&s, pid, "trying again in", 1, 30),
	    "no poll failed while Dovecot was down");
	cr_assert_eq(sh("%s start %s %d %d", DOVECOT_SH, s.dir, s.imap, s.imaps), 0);
	reseed(&s);
	/* Every mail delivered after the restart committed (its UID follows), then acted upon. */
	seeded += (long long)count_files(&s, "seed");
	cr_assert(wait_for(&s, "r", "SELECT last_uid FROM imap_folder", seeded, 40),
	    "the mail delivered after the restart was not all polled");
	cr_assert(wait_for(&s, "r", "SELECT -count(*) FROM imap_pending", 0, 10));
	cr_assert_geq(db_int(&s, "r", "SELECT count(*) FROM report"), first + 10,
	    "no new reports after the restart");
	kill(pid, SIGTERM);
	cr_assert_eq(finish(pid), 0);
	err = stderr_text(&s);
	cr_assert_not_null(strstr(err, "trying again in"), "%s", err);
	cr_assert_not_null(strstr(err, "stopping"), "%s", err);
	free(err);
	cr_assert_eq(folder_count(&s, "INBOX"), 0);
	server_stop(&s);
}
