#include "imap_harness.h"

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
#include "tu_net.h"

#define DEMO_PY FIXTURES_DIR "/../../scripts/demo_maildir.py"

/* Runs a shell command line; returns its exit status. */
int
ih_sh(const char *fmt, ...)
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

char *
ih_capture(const char *fmt, ...)
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

/* The scratch dir of the running test's server (a test is a process), for the suite's fini. */
static char running[256];

void
ih_require_dovecot(void)
{
	if (access("/usr/sbin/dovecot", X_OK) != 0)
		cr_skip_test("dovecot is not installed (apt-get install dovecot-imapd): "
		             "IMAP tests skipped");
	if (geteuid() != 0)
		cr_skip_test("the test Dovecot runs as root with mail_uid nobody: IMAP tests "
		             "skipped when not root");
}

void
ih_server_start(struct ih_server *s)
{
	ih_require_dovecot();
	s->dir = tu_scratch_dir();
	cr_assert(chmod(s->dir, 0755) == 0);
	s->imap = tu_free_port();
	s->imaps = tu_free_port();
	while (s->imaps == s->imap)
		s->imaps = tu_free_port();
	snprintf(running, sizeof running, "%s", s->dir);
	cr_assert_eq(ih_sh("%s start %s %d %d", IH_DOVECOT_SH, s->dir, s->imap, s->imaps), 0,
	    "dovecot did not start");
}

/* Stops the server and removes its scratch dir (kept when the test failed, to look at). */
void
ih_server_stop(struct ih_server *s)
{
	ih_sh("%s stop %s", IH_DOVECOT_SH, s->dir);
	ih_sh("rm -rf %s", s->dir);
	free(s->dir);
	running[0] = '\0';
}

void
ih_teardown(void)
{
	if (running[0] != '\0')
		ih_sh("%s stop %s", IH_DOVECOT_SH, running);
}

/*
 * Writes the mails to seed into DIR/seed: generated reports for days days
 * (one refused: a truncated gzip), plus the corpus mails when present.
 */
void
ih_make_seed(const struct ih_server *s, int days)
{
	cr_assert_eq(ih_sh("python3 %s %s/gen --days %d --end-date 2026-10-01 >/dev/null", DEMO_PY,
	                 s->dir, days),
	    0);
	cr_assert_eq(ih_sh("mkdir -p %s/seed && cp %s/gen/new/* %s/seed/", s->dir, s->dir, s->dir),
	    0);
	if (tu_shared("") != NULL)
		cr_assert_eq(ih_sh("n=0; for f in %s/corpus/*/*.eml; do n=$((n+1)); "
		                   "cp \"$f\" %s/seed/corpus-$n.eml; done",
		                 SHARED_DIR, s->dir),
		    0);
}

/* Delivers every file of DIR/sub into the INBOX, unseen. */
void
ih_seed(const struct ih_server *s, const char *sub)
{
	cr_assert_eq(ih_sh("%s seed %s test %s/%s/*", IH_DOVECOT_SH, s->dir, s->dir, sub), 0);
}

/* Replaces the seed with a day of other generated reports and delivers them. */
void
ih_reseed(const struct ih_server *s)
{
	cr_assert_eq(ih_sh("rm -rf %s/seed/* %s/gen2 && python3 %s %s/gen2 --days 1 "
	                   "--end-date 2026-09-01 >/dev/null && cp %s/gen2/new/* %s/seed/",
	                 s->dir, s->dir, DEMO_PY, s->dir, s->dir, s->dir),
	    0);
	ih_seed(s, "seed");
}

/*
 * Writes DIR/NAME.conf for the test server: imaps (tls) or STARTTLS,
 * verified with DIR/ca; extra goes into the [imap box] section, global
 * before it. The report mails' DKIM signatures are not verified (without
 * an [ingest] section in global): that would ask the system's resolver,
 * and test_carrier verifies them against a real nsd.
 */
void
ih_write_config(const struct ih_server *s, const char *name, bool tls, const char *ca,
    const char *extra, const char *global)
{
	char path[512], text[4096];
	int n;

	snprintf(path, sizeof path, "%s/%s.conf", s->dir, name);
	n = snprintf(text, sizeof text,
	    "[database]\npath = %s/%s.db\n%s\n%s\n[imap box]\n"
	    "url = %s://127.0.0.1:%d/INBOX\nuser = test\nca_file = %s/%s\n%s\n",
	    s->dir, name, strstr(global, "[ingest]") != NULL ? "" : "[ingest]\nverify_dkim = no",
	    global, tls ? "imaps" : "imap", tls ? s->imaps : s->imap, s->dir, ca, extra);
	tu_write_file(path, text, (size_t)n);
}

/* Milliseconds of CLOCK_MONOTONIC, for deadlines. */
/*
 * An inotify watch on DIR, where dmarcd writes its log (stderr.txt) and its
 * databases: waits wake up when either changes instead of after a fixed time.
 */
int
ih_watch_dir(const struct ih_server *s)
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
bool
ih_watch_wait(int fd, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int64_t left = deadline - tu_now_ms();

	if (left <= 0)
		return false;
	if (poll(&p, 1, left < 1000 ? (int)left : 1000) > 0)
		while (read(fd, events, sizeof events) > 0)
			;
	return true;
}

/* Starts dmarcd ARGS with DMARCD_IMAP_PASSWORD_BOX=password, stderr into DIR/stderr.txt. */
pid_t
ih_spawn(const struct ih_server *s, const char *password, const char *const *args)
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
int
ih_finish(pid_t pid)
{
	int status;

	cr_assert(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs dmarcd ARGS to its end. */
int
ih_dmarcd(const struct ih_server *s, const char *password, const char *const *args)
{
	return ih_finish(ih_spawn(s, password, args));
}

/* Starts 'dmarcd poll --once' with DIR/NAME.conf. */
pid_t
ih_spawn_poll(const struct ih_server *s, const char *name)
{
	char conf[512];
	const char *args[] = { "poll", "--config", conf, "--once", NULL };

	snprintf(conf, sizeof conf, "%s/%s.conf", s->dir, name);
	return ih_spawn(s, "secret", args);
}

int
ih_poll_once(const struct ih_server *s, const char *name)
{
	return ih_finish(ih_spawn_poll(s, name));
}

char *
ih_stderr_text(const struct ih_server *s)
{
	char path[512];
	size_t len;

	snprintf(path, sizeof path, "%s/stderr.txt", s->dir);
	return (char *)tu_read_file(path, &len);
}

/* The lines of DIR/stderr.txt that hold needle (0 before the file exists). */
size_t
ih_log_count(const struct ih_server *s, const char *needle)
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

/* True when pid has exited; it is left to ih_finish() to reap. */
bool
ih_exited(pid_t pid)
{
	siginfo_t si = { 0 };

	cr_assert(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0);
	return si.si_pid == pid;
}

/*
 * Waits up to seconds for DIR/stderr.txt to hold count lines with needle.
 * False when it does not, or when pid (if > 0) exited before it did.
 */
bool
ih_wait_log(const struct ih_server *s, pid_t pid, const char *needle, size_t count, int seconds)
{
	int64_t deadline = tu_now_ms() + seconds * 1000;
	int fd = ih_watch_dir(s);
	bool seen;

	do {
		if ((seen = ih_log_count(s, needle) >= count) || (pid > 0 && ih_exited(pid)))
			break;
	} while (ih_watch_wait(fd, deadline));
	/* A line written just before the exit still counts. */
	seen = seen || ih_log_count(s, needle) >= count;
	close(fd);
	return seen;
}

/* Every export of db, concatenated: what must match between two runs. */
char *
ih_exports(const char *db)
{
	return ih_capture("for k in reports records sources domains failures; do %s export $k "
	                  "--db %s --format csv; done",
	    DMARCD_BIN, db);
}

/* The exports of a plain 'dmarcd ingest' of the seed files: the expected result. */
char *
ih_reference(const struct ih_server *s)
{
	char db[512];

	snprintf(db, sizeof db, "%s/reference.db", s->dir);
	ih_sh("%s ingest --db %s %s/seed >/dev/null 2>&1", DMARCD_BIN, db, s->dir);
	return ih_exports(db);
}

char *
ih_db_exports(const struct ih_server *s, const char *name)
{
	char db[512];

	snprintf(db, sizeof db, "%s/%s.db", s->dir, name);
	return ih_exports(db);
}

/* One integer from a query on DIR/NAME.db. */
long long
ih_db_int(const struct ih_server *s, const char *name, const char *sql)
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

size_t
ih_count_files(const struct ih_server *s, const char *sub)
{
	char *out = ih_capture("ls %s/%s | wc -l", s->dir, sub);
	size_t n = strtoul(out, NULL, 10);

	free(out);
	return n;
}

/* An IMAP session on folder of the test account (STARTTLS with the test CA). */
struct imap *
ih_session(const struct ih_server *s, const char *folder)
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
size_t
ih_folder_uids(const struct ih_server *s, const char *folder, uint64_t **uids)
{
	struct imap *c = ih_session(s, folder);
	struct errbuf e;
	size_t n = 0;

	if (imap_search(c, 1, uids, &n, &e) == -1) {
		*uids = NULL;
		n = 0;
	}
	imap_close(c);
	return n;
}

size_t
ih_folder_count(const struct ih_server *s, const char *folder)
{
	uint64_t *uids;
	size_t n = ih_folder_uids(s, folder, &uids);

	free(uids);
	return n;
}

/*
 * The invariant of "acted upon only after the commit": every mail that
 * left INBOX for folder has its raw bytes recorded in DIR/NAME.db.
 */
void
ih_assert_moved_are_committed(const struct ih_server *s, const char *name, const char *folder)
{
	uint64_t *uids;
	size_t n = ih_folder_uids(s, folder, &uids), len, i;
	struct imap *c = ih_session(s, folder);
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
		cr_assert_eq(ih_db_int(s, name, sql), 1,
		    "%s UID %llu was moved but is not committed", folder,
		    (unsigned long long)uids[i]);
		free(data);
	}
	free(uids);
	imap_close(c);
}
