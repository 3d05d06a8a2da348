/*
 * imap_harness: what test_imap.c's end-to-end tests stand on: a real
 * Dovecot per test on free loopback ports in a scratch directory
 * (tests/imap/dovecot.sh), the mails it is seeded with, dmarcd run against
 * it with its log in the scratch directory, waits on that directory's
 * changes (never for a fixed time), and the queries that compare the
 * database with the server's folders.
 */
#ifndef DMARCD_IMAP_HARNESS_H
#define DMARCD_IMAP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Starts, stops and delivers to a test Dovecot (start|stop|deliver DIR ...). */
#define IH_DOVECOT_SH FIXTURES_DIR "/../imap/dovecot.sh"

/* One test's Dovecot: its scratch directory and its ports. */
struct ih_server {
	char *dir;
	int imap, imaps;
};

/* Runs a shell command line; returns its exit status. */
int ih_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

char *ih_capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void ih_require_dovecot(void);

void ih_server_start(struct ih_server *s);

/* Stops the server and removes its scratch dir (kept when the test failed, to look at). */
void ih_server_stop(struct ih_server *s);

void ih_teardown(void);

/*
 * Writes the mails to seed into DIR/seed: generated reports for days days
 * (one refused: a truncated gzip), plus the corpus mails when present.
 */
void ih_make_seed(const struct ih_server *s, int days);

/* Delivers every file of DIR/sub into the INBOX, unseen. */
void ih_seed(const struct ih_server *s, const char *sub);

/* Replaces the seed with a day of other generated reports and delivers them. */
void ih_reseed(const struct ih_server *s);

/*
 * Writes DIR/NAME.conf for the test server: imaps (tls) or STARTTLS,
 * verified with DIR/ca; extra goes into the [imap box] section, global
 * before it.
 */
void ih_write_config(const struct ih_server *s, const char *name, bool tls, const char *ca,
    const char *extra, const char *global);

/*
 * An inotify watch on DIR, where dmarcd writes its log (stderr.txt) and its
 * databases: waits wake up when either changes instead of after a fixed time.
 */
int ih_watch_dir(const struct ih_server *s);

/*
 * Blocks until something in the watched dir changes or deadline passes (at
 * most 1 s: a change that inotify does not report, such as a process's exit,
 * is still seen), then drains the events. False once deadline has passed.
 */
bool ih_watch_wait(int fd, int64_t deadline);

/* Starts dmarcd ARGS with DMARCD_IMAP_PASSWORD_BOX=password, stderr into DIR/stderr.txt. */
pid_t ih_spawn(const struct ih_server *s, const char *password, const char *const *args);

/* Waits for pid; returns its exit status, or 128+signal. */
int ih_finish(pid_t pid);

/* Runs dmarcd ARGS to its end. */
int ih_dmarcd(const struct ih_server *s, const char *password, const char *const *args);

/* Starts 'dmarcd poll --once' with DIR/NAME.conf. */
pid_t ih_spawn_poll(const struct ih_server *s, const char *name);

int ih_poll_once(const struct ih_server *s, const char *name);

char *ih_stderr_text(const struct ih_server *s);

/* The lines of DIR/stderr.txt that hold needle (0 before the file exists). */
size_t ih_log_count(const struct ih_server *s, const char *needle);

/* True when pid has exited; it is left to finish() to reap. */
bool ih_exited(pid_t pid);

/*
 * Waits up to seconds for DIR/stderr.txt to hold count lines with needle.
 * False when it does not, or when pid (if > 0) exited before it did.
 */
bool ih_wait_log(const struct ih_server *s, pid_t pid, const char *needle, size_t count,
    int seconds);

/* Every export of db, concatenated: what must match between two runs. */
char *ih_exports(const char *db);

/* The exports of a plain 'dmarcd ingest' of the seed files: the expected result. */
char *ih_reference(const struct ih_server *s);

char *ih_db_exports(const struct ih_server *s, const char *name);

/* One integer from a query on DIR/NAME.db. */
long long ih_db_int(const struct ih_server *s, const char *name, const char *sql);

size_t ih_count_files(const struct ih_server *s, const char *sub);

/* An IMAP session on folder of the test account (STARTTLS with the test CA). */
struct imap *ih_session(const struct ih_server *s, const char *folder);

/* The UIDs in folder (none when it does not exist); free *uids. */
size_t ih_folder_uids(const struct ih_server *s, const char *folder, uint64_t **uids);

size_t ih_folder_count(const struct ih_server *s, const char *folder);

/*
 * The invariant of "acted upon only after the commit": every mail that
 * left INBOX for folder has its raw bytes recorded in DIR/NAME.db.
 */
void ih_assert_moved_are_committed(const struct ih_server *s, const char *name, const char *folder);

#endif
