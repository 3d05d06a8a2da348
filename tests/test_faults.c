/*
 * Operational faults end to end, with the real binary on real files: a full
 * disk, a database locked by another process, a read-only database (file,
 * directory, file system), a client trickling its request (slowloris), the
 * connections kept alive under load; the service commands giving up root
 * (serve --user, run with [service] user); and secrets kept out of the logs.
 *
 * The disk and file-system cases mount a tmpfs in a private mount namespace
 * (it vanishes with the test's process) and need root, as do the privilege
 * drops; without root they are skipped with the reason (CI runs as root).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "testutil.h"
#include "tu_net.h"

#define NOBODY_UID 65534
/* Runs a command as nobody (root only): the file modes then apply. */
#define AS_NOBODY "setpriv --reuid=nobody --regid=nogroup --clear-groups "

extern char **environ;

/* The service a test started, stopped by the suite's fini if the test fails first. */
static pid_t running = -1;

static void
teardown(void)
{
	if (running > 0) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
		running = -1;
	}
}

TestSuite(faults, .fini = teardown);
TestSuite(privdrop, .fini = teardown);
TestSuite(secrets, .fini = teardown);

static void
require_root(const char *what)
{
	if (geteuid() != 0)
		cr_skip_test("not root: %s needs root (CI runs the suite as root)", what);
}

/* An aggregate report for domain: n records of 3 messages from 192.0.2.x / 198.51.100.x. */
static void
write_report(const char *path, const char *report_id, const char *domain, long begin, int n)
{
	FILE *f = fopen(path, "w");
	int i;

	cr_assert_not_null(f, "%s", path);
	fprintf(f,
	    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Reporter"
	    "</org_name><email>r@reporter.example</email><report_id>%s</report_id><date_range>"
	    "<begin>%ld</begin><end>%ld</end></date_range></report_metadata><policy_published>"
	    "<domain>%s</domain><p>none</p></policy_published>\n",
	    report_id, begin, begin + 86399, domain);
	for (i = 0; i < n; i++)
		fprintf(f,
		    "<record><row><source_ip>%s.%d</source_ip><count>3</count>"
		    "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
		    "<spf>fail</spf></policy_evaluated></row><identifiers><header_from>%s"
		    "</header_from></identifiers><auth_results><spf><domain>%s</domain>"
		    "<result>pass</result></spf></auth_results></record>\n",
		    i % 2 ? "192.0.2" : "198.51.100", i / 2 % 250 + 1, domain, domain);
	fprintf(f, "</feedback>\n");
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, 0644), 0);
}

/* `dmarcd export reports` of db (as nobody when as_nobody); its exit status and output. */
static int
export_reports(const char *db, bool as_nobody, char **out)
{
	return tu_run(out, "%s%s export reports --db %s 2>&1", as_nobody ? AS_NOBODY : "",
	    DMARCD_BIN, db);
}

/* Makes the test's mounts private to it: they vanish when its process exits. */
static void
private_mounts(void)
{
	if (unshare(CLONE_NEWNS) == -1)
		cr_skip_test("unshare(CLONE_NEWNS): %s: cannot mount a scratch file system",
		    strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
}

/* Fills the file system of dir until not even one byte fits. */
static void
fill_disk(const char *dir)
{
	static const size_t sizes[] = { 65536, 4096, 512, 1 };
	char path[512], buf[65536] = { 0 };
	size_t i;
	int fd;

	snprintf(path, sizeof path, "%s/fill", dir);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		while (write(fd, buf, sizes[i]) == (ssize_t)sizes[i])
			;
	cr_assert_eq(errno, ENOSPC, "filling %s: %s", dir, strerror(errno));
	close(fd);
}

static int64_t
count_reports(sqlite3 *db)
{
	sqlite3_stmt *s;
	int64_t n;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM report", -1, &s, NULL), SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A test's files: the database (in dir, or on a tmpfs mounted at mnt) and two report paths. */
struct files {
	char *dir;
	char mnt[512], db[600], a[512], b[512];
};

/* Makes them in a scratch directory; with tmpfs_size ("2m"), the database goes on a tmpfs. */
static void
files_new(struct files *f, const char *tmpfs_size)
{
	char opts[32];

	f->dir = tu_scratch_dir();
	snprintf(f->mnt, sizeof f->mnt, "%s/mnt", f->dir);
	snprintf(f->db, sizeof f->db, "%s/t.db", tmpfs_size != NULL ? f->mnt : f->dir);
	snprintf(f->a, sizeof f->a, "%s/a.xml", f->dir);
	snprintf(f->b, sizeof f->b, "%s/b.xml", f->dir);
	if (tmpfs_size == NULL)
		return;
	snprintf(opts, sizeof opts, "size=%s", tmpfs_size);
	cr_assert_eq(mkdir(f->mnt, 0700), 0);
	cr_assert_eq(mount("tmpfs", f->mnt, "tmpfs", 0, opts), 0, "%s", strerror(errno));
}

Test(faults, full_disk_fails_clearly_and_keeps_what_was_committed)
{
	struct files f;
	char fill[600], *before, *out;
	sqlite3 *reader;
	sqlite3_stmt *s;
	int rc;

	require_root("mounting a small tmpfs to fill");
	private_mounts();
	files_new(&f, "2m");
	write_report(f.a, "before-full", "before.example", 1709683200, 20);
	write_report(f.b, "while-full", "while.example", 1709769600, 2000);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.a), 0);
	cr_assert_eq(export_reports(f.db, false, &before), 0, "%s", before);
	cr_assert_not_null(strstr(before, "before-full"), "%s", before);

	/* A reader holds the database open, as the dashboard does: its -shm stays. */
	cr_assert_eq(sqlite3_open_v2(f.db, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(count_reports(reader), 1);
	fill_disk(f.mnt);

	rc = tu_run(&out, "%s ingest --db %s %s 2>&1", DMARCD_BIN, f.db, f.b);
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "error: store: "), "%s", out);
	cr_expect_not_null(strstr(out, "(the disk holding "), "%s", out);
	cr_expect_not_null(strstr(out, "/mnt/t.db is full)"), "%s", out);
	free(out);

	/* Everything committed before is there and readable, disk still full. */
	rc = export_reports(f.db, false, &out);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect_str_eq(out, before);
	free(out);
	cr_expect_eq(count_reports(reader), 1, "a report of the failed batch is visible");
	cr_assert_eq(sqlite3_prepare_v2(reader, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_expect_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);

	/* Space again: the same input goes in. */
	snprintf(fill, sizeof fill, "%s/fill", f.mnt);
	cr_assert_eq(unlink(fill), 0);
	cr_expect_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.b), 0);
	cr_expect_eq(count_reports(reader), 2);
	sqlite3_close(reader);
	cr_expect_eq(umount2(f.mnt, MNT_DETACH), 0);
	free(before);
	free(f.dir);
}

Test(faults, locked_database_fails_clearly_and_readers_go_on, .timeout = 60)
{
	struct files f;
	char *before, *out;
	sqlite3 *locker;
	struct timespec t0, t1;
	int rc;

	files_new(&f, NULL);
	write_report(f.a, "before-lock", "before.example", 1709683200, 4);
	write_report(f.b, "while-locked", "while.example", 1709769600, 4);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.a), 0);
	cr_assert_eq(export_reports(f.db, false, &before), 0);

	/* Another process's writer: held well past dmarcd's 5 s busy timeout. */
	cr_assert_eq(sqlite3_open(f.db, &locker), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK, "%s",
	    sqlite3_errmsg(locker));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tu_run(&out, "%s ingest --db %s %s 2>&1", DMARCD_BIN, f.db, f.b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "database is locked (another process holds a lock on "),
	    "%s", out);
	cr_expect_not_null(strstr(out, "/t.db; gave up after 5 s)"), "%s", out);
	cr_expect_geq(t1.tv_sec - t0.tv_sec, 4, "gave up before the busy timeout");
	free(out);

	/* WAL: readers are not blocked by the writer. */
	rc = export_reports(f.db, false, &out);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect_str_eq(out, before);
	free(out);

	cr_assert_eq(sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(locker);
	cr_expect_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.b), 0);
	free(before);
	free(f.dir);
}

/*
 * A read-only database file, then a read-only directory: as nobody when
 * root (root writes through file modes), as the current user otherwise.
 */
Test(faults, read_only_database_fails_clearly)
{
	struct files f;
	char *before, *out;
	bool root = geteuid() == 0;
	int rc;

	if (root && access("/usr/bin/setpriv", X_OK) != 0)
		cr_skip_test("setpriv (util-linux) is missing: cannot run dmarcd as nobody");
	files_new(&f, NULL);
	write_report(f.a, "before-ro", "before.example", 1709683200, 4);
	write_report(f.b, "refused-ro", "ro.example", 1709769600, 4);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.a), 0);
	cr_assert_eq(export_reports(f.db, false, &before), 0);

	/*
	 * The file is 0444; its directory is writable (-wal and -shm can be made).
	 * The export's -wal and -shm are root's and 0600, as private as the
	 * database was: they go, as in the case below.
	 */
	cr_assert_eq(tu_run(NULL, "rm -f %s-wal %s-shm", f.db, f.db), 0);
	cr_assert_eq(chmod(f.db, 0444), 0);
	cr_assert_eq(chmod(f.dir, 0755), 0);
	if (root)
		cr_assert_eq(chown(f.dir, NOBODY_UID, (gid_t)-1), 0);
	rc = tu_run(&out, "%s%s ingest --db %s %s 2>&1", root ? AS_NOBODY : "", DMARCD_BIN, f.db,
	    f.b);
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "attempt to write a readonly database ("), "%s", out);
	cr_expect_not_null(strstr(out, "/t.db: Permission denied)"), "%s", out);
	free(out);
	rc = export_reports(f.db, root, &out);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect_str_eq(out, before, "what was stored is still readable");
	free(out);

	/* The file is writable, its directory is not: SQLite cannot make -wal and -shm. */
	cr_assert_eq(tu_run(NULL, "rm -f %s-wal %s-shm", f.db, f.db), 0);
	if (root) {
		cr_assert_eq(chown(f.dir, 0, (gid_t)-1), 0);
		cr_assert_eq(chown(f.db, NOBODY_UID, (gid_t)-1), 0);
		cr_assert_eq(chmod(f.db, 0644), 0);
	} else {
		cr_assert_eq(chmod(f.db, 0644), 0);
		cr_assert_eq(chmod(f.dir, 0555), 0);
	}
	rc = tu_run(&out, "%s%s ingest --db %s %s 2>&1", root ? AS_NOBODY : "", DMARCD_BIN, f.db,
	    f.b);
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out,
	                       ": Permission denied; SQLite creates the -wal and -shm "
	                       "files there)"),
	    "%s", out);
	cr_expect_not_null(strstr(out, "(the directory /tmp/dmarcd-test-"), "%s", out);
	free(out);
	cr_assert_eq(chmod(f.dir, 0700), 0);
	free(before);
	free(f.dir);
}

Test(faults, read_only_file_system_fails_clearly)
{
	struct files f;
	char *out;
	int rc;

	require_root("mounting a read-only tmpfs");
	private_mounts();
	files_new(&f, "4m");
	write_report(f.a, "before-rofs", "before.example", 1709683200, 4);
	write_report(f.b, "refused-rofs", "ro.example", 1709769600, 4);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, f.db, f.a), 0);
	cr_assert_eq(mount("tmpfs", f.mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=4m"), 0, "%s",
	    strerror(errno));
	rc = tu_run(&out, "%s ingest --db %s %s 2>&1", DMARCD_BIN, f.db, f.b);
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "/mnt/t.db: Read-only file system)"), "%s", out);
	free(out);
	cr_expect_eq(umount2(f.mnt, MNT_DETACH), 0);
	free(f.dir);
}

/* ---- services: privilege drop and secrets ---- */

/* Starts dmarcd with args (NULL-terminated, after the binary), stderr into log. */
static pid_t
start(const char *log, char *const args[])
{
	char *argv[16] = { DMARCD_BIN };
	posix_spawn_file_actions_t fa;
	size_t i;
	pid_t pid;

	for (i = 0; args[i] != NULL && i + 2 < sizeof argv / sizeof argv[0]; i++)
		argv[i + 1] = args[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_eq(posix_spawn(&pid, DMARCD_BIN, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	running = pid;
	return pid;
}

/* SIGTERM, then its exit status. */
static int
stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	running = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The log once it holds needle (malloc'd), or fails the test after seconds. */
static char *
wait_log(const char *log, const char *needle, int seconds)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	unsigned char *text;
	size_t len;
	int i;

	for (i = 0; i < seconds * 20; i++) {
		text = tu_read_file(log, &len);
		if (strstr((char *)text, needle) != NULL)
			return (char *)text;
		free(text);
		nanosleep(&pause, NULL);
	}
	text = tu_read_file(log, &len);
	cr_assert_fail("no '%s' in the log after %d s:\n%s", needle, seconds, text);
	return NULL;
}

/* One GET to 127.0.0.1:port; its status, and its body into body (malloc'd) when not NULL. */
static int
http_get(int port, const char *path, const char *headers, char **body)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[1024], chunk[4096], *buf = calloc(1, 1), *end;
	size_t len = 0;
	ssize_t n;
	int fd, status;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "port %d", port);
	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: localhost\r\n%s\r\n", path,
	    headers != NULL ? headers : "");
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf = realloc(buf, len + (size_t)n + 1);
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		buf[len] = '\0';
	}
	close(fd);
	cr_assert(len > 12 && strncmp(buf, "HTTP/1.", 7) == 0, "no HTTP answer: %s", buf);
	status = (int)strtol(buf + 9, NULL, 10);
	if (body != NULL) {
		end = strstr(buf, "\r\n\r\n");
		*body = strdup(end != NULL ? end + 4 : "");
	}
	free(buf);
	return status;
}

/*
 * A client that trickles its request head, a byte a second, is cut off at
 * the server's 10 s head deadline (the idle timeout alone never would);
 * other clients are answered meanwhile.
 */
Test(faults, slow_request_heads_are_cut_off, .timeout = 60)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
	char *dir = tu_scratch_dir(), db[512], report[512];
	struct web_options o = { .db_path = db, .listen = "127.0.0.1:0", .threads = 2 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec t0, now;
	struct web_server *w;
	struct pollfd pfd;
	struct errbuf e;
	char buf[256];
	bool closed = false;
	int fd, port;

	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(report, sizeof report, "%s/a.xml", dir);
	write_report(report, "slow-1", "slow.example", 1709683200, 2);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, db, report), 0);
	cr_assert_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	port = (int)web_server_port(w);
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(send(fd, head, sizeof head - 1, MSG_NOSIGNAL), (ssize_t)(sizeof head - 1));
	do {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) == 1) {
			closed = read(fd, buf, sizeof buf) <= 0;
			cr_assert(closed, "the trickled request got an answer");
		} else {
			(void)!send(fd, "a", 1, MSG_NOSIGNAL);
			cr_expect_eq(http_get(port, "/api/v1/reporters", NULL, NULL), 200);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!closed && now.tv_sec - t0.tv_sec < 30);
	cr_expect(closed, "still open after 30 s");
	cr_expect_geq(now.tv_sec - t0.tv_sec, 9, "cut off before the deadline");
	cr_expect_leq(now.tv_sec - t0.tv_sec, 12, "cut off long after the deadline");
	close(fd);
	web_server_stop(w);
	free(dir);
}

/* Reads one answer with a Content-Length from fd; returns its status, its head into head. */
static int
read_answer(int fd, char *head, size_t size)
{
	size_t len = 0, want;
	char *end = NULL, *cl;
	ssize_t n;

	while (end == NULL && len + 1 < size && (n = read(fd, head + len, 1)) == 1) {
		head[++len] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	cr_assert_not_null(end, "no answer head: %.*s", (int)len, head);
	cr_assert_not_null(cl = strstr(head, "Content-Length: "), "%s", head);
	for (want = strtoul(cl + 16, NULL, 10); want > 0; want -= (size_t)n) {
		char body[4096];

		n = read(fd, body, want < sizeof body ? want : sizeof body);
		cr_assert_gt(n, 0, "short body");
	}
	return (int)strtol(head + 9, NULL, 10);
}

/* Answers keep the connection open: a client's requests share one connection. */
Test(faults, answers_keep_the_connection_alive)
{
	static const char get[] = "GET /api/v1/reporters HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char post[] = "POST /api/v1/reporters HTTP/1.1\r\nHost: localhost\r\n"
	                           "Content-Length: 3\r\n\r\nx=1";
	char *dir = tu_scratch_dir(), db[512], report[512], head[4096];
	struct web_options o = { .db_path = db, .listen = "127.0.0.1:0", .threads = 2 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct web_server *w;
	struct errbuf e;
	int fd, i;

	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(report, sizeof report, "%s/a.xml", dir);
	write_report(report, "alive-1", "alive.example", 1709683200, 2);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, db, report), 0);
	cr_assert_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	sa.sin_port = htons((uint16_t)web_server_port(w));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(write(fd, get, sizeof get - 1), (ssize_t)(sizeof get - 1));
		cr_expect_eq(read_answer(fd, head, sizeof head), 200, "request %d", i + 1);
		cr_expect_null(strstr(head, "Connection: close"), "request %d: %s", i + 1, head);
	}
	/* Any other method is refused, and the connection with it (its body is unread). */
	cr_assert_eq(write(fd, post, sizeof post - 1), (ssize_t)(sizeof post - 1));
	cr_expect_eq(read_answer(fd, head, sizeof head), 405);
	cr_expect_eq(read(fd, head, 1), 0, "open after a refused POST");
	close(fd);
	web_server_stop(w);
	free(dir);
}

/*
 * Every thread of pid runs with the ids of nobody, and with no other group.
 * A thread that ended between the listing and the reading (a poll's parse
 * thread) runs with no ids at all: it is passed over.
 */
static void
expect_nobody(pid_t pid)
{
	char pattern[64], line[256];
	glob_t g;
	size_t i;
	FILE *f;

	snprintf(pattern, sizeof pattern, "/proc/%d/task/*/status", (int)pid);
	cr_assert_eq(glob(pattern, 0, NULL, &g), 0);
	cr_expect_geq(g.gl_pathc, 2u, "the server's threads are missing");
	for (i = 0; i < g.gl_pathc; i++) {
		if ((f = fopen(g.gl_pathv[i], "r")) == NULL && (errno == ENOENT || errno == ESRCH))
			continue;
		cr_assert_not_null(f, "%s: %s", g.gl_pathv[i], strerror(errno));
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "Uid:", 4) == 0)
				cr_expect_str_eq(line, "Uid:\t65534\t65534\t65534\t65534\n", "%s",
				    g.gl_pathv[i]);
			else if (strncmp(line, "Gid:", 4) == 0)
				cr_expect_str_eq(line, "Gid:\t65534\t65534\t65534\t65534\n", "%s",
				    g.gl_pathv[i]);
			else if (strncmp(line, "Groups:", 7) == 0)
				cr_expect_str_eq(line, "Groups:\t65534 \n", "%s", g.gl_pathv[i]);
		}
		fclose(f);
	}
	globfree(&g);
}

/* The port `dmarcd serve` logged it listens on. */
static int
logged_port(const char *log)
{
	char *text = wait_log(log, "(port ", 10);
	int port = (int)strtol(strstr(text, "(port ") + 6, NULL, 10);

	free(text);
	cr_assert_gt(port, 0);
	return port;
}

Test(privdrop, serve_runs_as_the_user_once_listening, .timeout = 60)
{
	char *dir = tu_scratch_dir(), db[512], report[512], log[512], *body, *text;
	char *args[] = { "serve", "--db", db, "--listen", "127.0.0.1:0", "--user", "nobody", NULL };
	char *as_root[] = { "serve", "--db", db, "--listen", "127.0.0.1:0", NULL };
	const char *query = "/api/v1/overview?from=2024-03-01&to=2024-03-31";
	pid_t pid;
	int port;

	require_root("switching users");
	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(report, sizeof report, "%s/a.xml", dir);
	snprintf(log, sizeof log, "%s/serve.log", dir);
	write_report(report, "drop-1", "first.example", 1709683200, 4);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, db, report), 0);

	/* Nobody cannot reach a database in root's 0700 directory: a clear refusal. */
	cr_expect_eq(tu_run(&text, "%s serve --db %s --listen 127.0.0.1:0 --user nobody 2>&1",
	                 DMARCD_BIN, db),
	    1);
	cr_expect_not_null(strstr(text, "serve: user nobody cannot read the database "), "%s",
	    text);
	free(text);

	cr_assert_eq(chmod(dir, 0755), 0);
	pid = start(log, args);
	port = logged_port(log);
	expect_nobody(pid);
	cr_expect_eq(http_get(port, query, NULL, &body), 200);
	cr_expect_not_null(strstr(body, "\"policy_domain\":\"first.example\",\"messages\":12,"),
	    "%s", body);
	free(body);
	/* New data shows: the server, as nobody, still sees the file change. */
	write_report(report, "drop-2", "second.example", 1709769600, 2);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, db, report), 0);
	cr_expect_eq(http_get(port, query, NULL, &body), 200);
	cr_expect_not_null(strstr(body, "\"policy_domain\":\"second.example\",\"messages\":6,"),
	    "%s", body);
	free(body);
	cr_expect_eq(stop(pid), 0);
	text = wait_log(log, "serve: running as user nobody", 1);
	cr_expect_null(strstr(text, "running as root"), "%s", text);
	free(text);

	/* Root without --user: a warning, and it serves. */
	pid = start(log, as_root);
	port = logged_port(log);
	cr_expect_eq(http_get(port, query, NULL, NULL), 200);
	cr_expect_eq(stop(pid), 0);
	text = wait_log(log,
	    "warning: serve: running as root: name an unprivileged user with "
	    "--user",
	    1);
	free(text);
	free(dir);
}

/* `dmarcd run` with [service] user: the poller and the dashboard go on as that user. */
Test(privdrop, run_runs_as_the_configured_user, .timeout = 60)
{
	char *dir = tu_scratch_dir(), conf[512], log[512], report[512], text[2048], *body;
	char *args[] = { "run", "--config", conf, NULL };
	int port = tu_free_port(), n;
	pid_t pid;

	require_root("switching users");
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(conf, sizeof conf, "%s/dmarcd.conf", dir);
	snprintf(log, sizeof log, "%s/run.log", dir);
	snprintf(report, sizeof report, "%s/r.xml", dir);
	cr_assert_eq(tu_run(NULL,
	                 "install -d -o nobody -g nogroup %s/Maildir %s/Maildir/new "
	                 "%s/Maildir/cur %s/Maildir/tmp",
	                 dir, dir, dir, dir),
	    0);
	n = snprintf(text, sizeof text,
	    "[database]\npath = %s/t.db\n[poll]\ninterval = 1s\n"
	    "[service]\nuser = nobody\n[maildir box]\npath = %s/Maildir\n[web]\n"
	    "listen = 127.0.0.1:%d\n",
	    dir, dir, port);
	tu_write_file(conf, text, (size_t)n);
	write_report(report, "run-1", "polled.example", 1709683200, 3);
	cr_assert_eq(
	    tu_run(NULL,
	        "{ printf 'From: r@reporter.example\\nSubject: Report Domain: "
	        "polled.example\\nMIME-Version: 1.0\\nContent-Type: text/xml\\n\\n'; cat %s; } > "
	        "%s/Maildir/new/100.M1.test",
	        report, dir),
	    0);

	pid = start(log, args);
	free(wait_log(log, "running as user nobody", 10));
	expect_nobody(pid);
	/*
	 * The first poll, after the switch, stores the mail and moves it as
	 * nobody: the move follows the commit (the log line precedes it).
	 */
	free(wait_log(log, "Maildir/new/100.M1.test", 10));
	snprintf(text, sizeof text, "%s/Maildir/cur/100.M1.test:2,S", dir);
	for (n = 0; n < 200 && access(text, F_OK) != 0; n++)
		usleep(50 * 1000);
	cr_expect_eq(access(text, F_OK), 0, "the mail was not moved to cur/ with S");
	cr_expect_eq(http_get(port, "/api/v1/overview?from=2024-03-01&to=2024-03-31", NULL, &body),
	    200);
	cr_expect_not_null(strstr(body, "\"policy_domain\":\"polled.example\",\"messages\":9,"),
	    "%s", body);
	free(body);
	cr_expect_eq(stop(pid), 0);
	free(dir);
}

/*
 * With debug logging, neither the IMAP password (refused connection) nor
 * the dashboard's passwords (right and wrong, plain or base64) reach the log.
 */
Test(secrets, passwords_never_reach_the_log, .timeout = 60)
{
	static const char *const secrets[] = { "IMAP-marker-5e1b", "Web-marker-77aa",
		"Wrong-marker-91cd", "YWRtaW46V2ViLW1hcmtlci03N2Fh",
		"YWRtaW46V3JvbmctbWFya2VyLTkxY2Q=" };
	char *dir = tu_scratch_dir(), conf[512], log[512], hash[512], text[2048], *out;
	char *args[] = { "run", "--config", conf, NULL };
	int web = tu_free_port(), imap = tu_free_port(), n;
	size_t i;
	pid_t pid;

	snprintf(conf, sizeof conf, "%s/dmarcd.conf", dir);
	snprintf(log, sizeof log, "%s/run.log", dir);
	snprintf(hash, sizeof hash, "%s/web.hash", dir);
	cr_assert_eq(
	    tu_run(NULL, "printf 'Web-marker-77aa\\n' | %s hash-password > %s", DMARCD_BIN, hash),
	    0);
	cr_assert_eq(chmod(hash, 0600), 0);
	n = snprintf(text, sizeof text,
	    "[database]\npath = %s/t.db\n[log]\nlevel = debug\n"
	    "[imap box]\nurl = imap://127.0.0.1:%d/INBOX\nstarttls = no\nuser = u\n"
	    "password = IMAP-marker-5e1b\n[web]\nlisten = 127.0.0.1:%d\nauth_user = admin\n"
	    "auth_hash_file = %s\n",
	    dir, imap, web, hash);
	tu_write_file(conf, text, (size_t)n);
	cr_assert_eq(chmod(conf, 0600), 0);

	pid = start(log, args);
	free(wait_log(log, "imap box: trying again", 10));
	cr_expect_eq(http_get(web, "/api/v1/reporters",
	                 "Authorization: Basic "
	                 "YWRtaW46V2ViLW1hcmtlci03N2Fh\r\n",
	                 NULL),
	    200);
	cr_expect_eq(http_get(web, "/api/v1/reporters",
	                 "Authorization: Basic "
	                 "YWRtaW46V3JvbmctbWFya2VyLTkxY2Q=\r\n",
	                 NULL),
	    401);
	cr_expect_eq(stop(pid), 0);
	out = wait_log(log, "dashboard on http://127.0.0.1:", 1);
	cr_expect_not_null(strstr(out, "error: imap box: "), "the failed poll is logged: %s", out);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		cr_expect_null(strstr(out, secrets[i]), "%s in the log:\n%s", secrets[i], out);
	free(out);
	free(dir);
}
