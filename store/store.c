/* store: opening the database, migrations, batches, shared helpers. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_BUSY_MS 5000
#define STORE_STMT_JOURNAL_MEMORY (-1) /* never spill: see configure_sqlite */
#define STORE_CACHE_KIB 16384          /* SQLite page cache per handle; bounds ingest memory */

/*
 * Why file cannot be written, probed now (SQLite's saved errno is often
 * that of its read-only retry): into buf, or "" when it seems writable.
 */
static void
probe_writable(const char *file, char *buf, size_t size)
{
	const char *slash = strrchr(file, '/');
	char dir[PATH_MAX];

	buf[0] = '\0';
	if (access(file, W_OK) == -1) {
		snprintf(buf, size, "%s: %s", file, strerror(errno));
		return;
	}
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == file ? 1 : (int)(slash - file), file);
	if (access(dir, W_OK) == -1)
		snprintf(buf, size,
		    "the directory %.256s: %s; SQLite creates the -wal and -shm "
		    "files there",
		    dir, strerror(errno));
}

/*
 * Sets e to "store: what: SQLite's message", followed, for the conditions an
 * operator must fix rather than report (a full disk, a lock held by another
 * process, a read-only file, directory or file system), by what they are,
 * with the file.
 */
static int
fail_db(sqlite3 *db, const char *what, struct errbuf *e)
{
	int code = sqlite3_errcode(db) & 0xff, sys = sqlite3_system_errno(db);
	const char *file = sqlite3_db_filename(db, "main");
	char why[ERRBUF_SIZE] = "";

	if (file == NULL || file[0] == '\0')
		file = "the database";
	if (code == SQLITE_FULL ||
	    ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && (sys == ENOSPC || sys == EDQUOT)))
		snprintf(why, sizeof why, "the disk holding %s is full", file);
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		snprintf(why, sizeof why,
		    "another process holds a lock on %s; gave up after "
		    "%d s",
		    file, STORE_BUSY_MS / 1000);
	else if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN)
		probe_writable(file, why, sizeof why);
	if (why[0] == '\0' && code == SQLITE_READONLY)
		snprintf(why, sizeof why, "%s is read-only for this user", file);
	else if (why[0] == '\0' && (code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && sys != 0)
		snprintf(why, sizeof why, "%s: %s", file, strerror(sys));
	if (why[0] != '\0')
		errbuf_set(e, "store: %s: %s (%s)", what, sqlite3_errmsg(db), why);
	else
		errbuf_set(e, "store: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

int
store_fail(struct store *st, const char *what, struct errbuf *e)
{
	if (st->timed_out) {
		errbuf_set(e, "store: %s: took longer than %u ms", what, st->budget_ms);
		return -1;
	}
	return fail_db(st->db, what, e);
}

/* SQLite's progress handler: nonzero interrupts the running statement. */
static int
over_budget(void *arg)
{
	struct store *st = arg;
	struct timespec now;

	if (st->budget_ms == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < st->deadline.tv_sec ||
	    (now.tv_sec == st->deadline.tv_sec && now.tv_nsec < st->deadline.tv_nsec))
		return 0;
	st->timed_out = true;
	return 1;
}

void
store_time_budget(struct store *st, unsigned ms)
{
	st->budget_ms = ms;
	st->timed_out = false;
	clock_gettime(CLOCK_MONOTONIC, &st->deadline);
	st->deadline.tv_sec += ms / 1000;
	st->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (st->deadline.tv_nsec >= 1000000000L) {
		st->deadline.tv_sec++;
		st->deadline.tv_nsec -= 1000000000L;
	}
}

bool
store_timed_out(const struct store *st)
{
	return st->timed_out;
}

int
store_step(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	store_fail(st, what, e);
	sqlite3_reset(s);
	return -1;
}

int
store_run(struct store *st, sqlite3_stmt *s, const char *what, struct errbuf *e)
{
	int rc = store_step(st, s, what, e);

	if (rc == -1)
		return -1;
	sqlite3_reset(s);
	return 0;
}

void
store_run_quiet(sqlite3_stmt *s)
{
	sqlite3_step(s);
	sqlite3_reset(s);
}

int
store_writable(const struct store *st, struct errbuf *e)
{
	if (st->w != NULL)
		return 0;
	errbuf_set(e, "store: the database was opened read-only");
	return -1;
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *val)
{
	if (val == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, val, -1, SQLITE_STATIC);
}

int
store_bind_count(sqlite3_stmt *s, int i, uint64_t v)
{
	return sqlite3_bind_int64(s, i,
	    v > (uint64_t)STORE_COUNT_MAX ? STORE_COUNT_MAX : (int64_t)v);
}

void
store_fill_cell(sqlite3_stmt *s, int col, store_describe_fn describe, char *flags, struct cell *c)
{
	memset(c, 0, sizeof *c);
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_INTEGER:
		c->type = CELL_INT;
		c->i = sqlite3_column_int64(s, col);
		if (describe != NULL) {
			c->type = CELL_TEXT;
			c->s = describe((uint64_t)c->i, flags, STORE_FLAGS_TEXT);
		}
		break;
	case SQLITE_FLOAT:
		c->type = CELL_REAL;
		c->r = sqlite3_column_double(s, col);
		break;
	case SQLITE_NULL:
		c->type = CELL_NULL;
		break;
	default:
		c->s = (const char *)sqlite3_column_text(s, col);
		c->type = c->s != NULL ? CELL_TEXT : CELL_NULL;
		break;
	}
}

/*
 * dmarcd_sum(x): an integer sum that saturates at 2^63-1 where SQLite's
 * sum() fails with "integer overflow" and total() loses exactness past 2^53.
 * NULLs are skipped; the sum of no row is 0.
 */
struct sat_sum {
	int64_t sum;
};

static void
sat_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct sat_sum *acc;
	int64_t v;

	(void)argc;
	acc = sqlite3_aggregate_context(ctx, sizeof *acc);
	if (acc == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	v = sqlite3_value_int64(argv[0]);
	if (v <= 0)
		return; /* counts are never negative; nothing to add */
	acc->sum = acc->sum > STORE_COUNT_MAX - v ? STORE_COUNT_MAX : acc->sum + v;
}

static void
sat_sum_final(sqlite3_context *ctx)
{
	struct sat_sum *acc = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, acc != NULL ? acc->sum : 0);
}

/* The version number a migration's name starts with ("001_init.sql" is 1). */
static int
migration_version(const char *name, int *version)
{
	int v = 0;
	const char *p;

	for (p = name; *p >= '0' && *p <= '9'; p++) {
		if (v > 99999)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p == name || *p != '_' || v == 0)
		return -1;
	*version = v;
	return 0;
}

static int
user_version(struct store *st, int *version, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "reading the schema version", e);
		goto fail;
	}
	switch (store_step(st, s, "reading the schema version", e)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		errbuf_set(e, "store: no schema version");
		goto fail;
	default:
		goto fail;
	}
	*version = sqlite3_column_int(s, 0);
	rc = 0;
fail:
	sqlite3_finalize(s);
	return rc;
}

int
store_prepare(struct store *st, const char *sql, sqlite3_stmt **s, struct errbuf *e)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return store_fail(st, "preparing a statement", e);
	return 0;
}

int
store_exec(struct store *st, const char *sql, const char *what, struct errbuf *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, what, e);
	return 0;
}

/* Applies, in one transaction, every embedded migration newer than the database. */
static int
apply_migrations(struct store *st, int latest, struct errbuf *e)
{
	char sql[64], what[96];
	int current, v;
	size_t i;

	if (store_exec(st, "BEGIN IMMEDIATE", "migrating", e) == -1)
		return -1;
	if (user_version(st, &current, e) == -1)
		goto fail;
	for (i = 0; i < schema_files_count; i++) {
		if (migration_version(schema_files[i].name, &v) == -1 || v <= current)
			continue;
		if (sqlite3_exec(st->db, (const char *)schema_files[i].bytes, NULL, NULL, NULL) !=
		    SQLITE_OK) {
			snprintf(what, sizeof what, "migration %s", schema_files[i].name);
			fail_db(st->db, what, e);
			goto fail;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", latest);
	if (store_exec(st, sql, "migrating", e) == -1 ||
	    store_exec(st, "COMMIT", "migrating", e) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
migrate(struct store *st, struct errbuf *e)
{
	int latest = 0, current, v;
	size_t i;

	for (i = 0; i < schema_files_count; i++) {
		if (migration_version(schema_files[i].name, &v) == -1 || v <= latest) {
			errbuf_set(e,
			    "store: migration %s: name must start with an "
			    "increasing number and '_'",
			    schema_files[i].name);
			return -1;
		}
		latest = v;
	}
	if (user_version(st, &current, e) == -1)
		return -1;
	if (current > latest) {
		errbuf_set(e,
		    "store: the database schema (version %d) is newer than "
		    "this dmarcd (version %d)",
		    current, latest);
		return -1;
	}
	if (current == latest)
		return 0;
	if (st->mode == STORE_READONLY) {
		errbuf_set(e,
		    "store: database needs migration (schema version %d, "
		    "want %d): run dmarcd ingest once or open it read-write",
		    current, latest);
		return -1;
	}
	return apply_migrations(st, latest, e);
}

static int
configure(struct store *st, struct errbuf *e)
{
	char sql[64];

	if (sqlite3_busy_timeout(st->db, STORE_BUSY_MS) != SQLITE_OK)
		return store_fail(st, "busy timeout", e);
	/* SQLite opens the file lazily: its first read says what is wrong with it. */
	if (store_exec(st, "SELECT count(*) FROM sqlite_schema", "reading the database", e) == -1)
		return -1;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
	if (store_exec(st, sql, "cache size", e) == -1 ||
	    store_exec(st, "PRAGMA foreign_keys = ON", "foreign keys", e) == -1 ||
	    store_exec(st, "PRAGMA temp_store = FILE", "temp store", e) == -1)
		return -1;
	if (sqlite3_create_function(st->db, "dmarcd_sum", 1,
	        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, NULL, sat_sum_step,
	        sat_sum_final) != SQLITE_OK)
		return store_fail(st, "registering dmarcd_sum", e);
	if (store_functions(st->db) == -1)
		return store_fail(st, "registering the SQL functions", e);
	if (st->mode == STORE_READONLY)
		return 0;
	/*
	 * 8 KiB pages (a new database only): shallower B-trees and fewer, larger
	 * writes; -5 % CPU for a Maildir ingest (16 KiB gains 1 % more but fills
	 * the page cache further: 128 MB peak instead of 85 on a 300,000-record
	 * report). FULL syncs the WAL at each commit: a
	 * committed batch survives power loss. A checkpoint every 64 MiB of WAL
	 * (4096 pages) rather than every 1,000 pages: bulk ingests copy each
	 * page to the database file less often.
	 */
	if (store_exec(st, "PRAGMA page_size = 8192", "page size", e) == -1 ||
	    store_exec(st, "PRAGMA journal_mode = WAL", "WAL mode", e) == -1 ||
	    store_exec(st, "PRAGMA synchronous = FULL", "synchronous", e) == -1 ||
	    store_exec(st, "PRAGMA wal_autocheckpoint = 4096", "checkpoint interval", e) == -1)
		return -1;
	return 0;
}

static int
prepare_all(struct store *st, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < SQ_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, store_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		        &st->w->stmt[i], NULL) != SQLITE_OK) {
			errbuf_set(e, "store: preparing statement %zu: %s", i,
			    sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

/*
 * Savepoints (one per input, one per report) keep the pages they change
 * in a statement journal; SQLite writes it to a temporary file past 64 KiB,
 * which for a Maildir of small reports wrote 150 MB through 33,000 calls.
 * It stays in memory instead, and never spills: SQLite 3.40 (Debian 12)
 * fails a spill that starts between about 256 KiB and 8 MiB with a false
 * "database or disk is full" (four refused mails of 10 MiB in one batch
 * stopped the run: test_mutation). The journal holds only pages that
 * existed before the input's savepoint and that the input changes; rollups
 * are written outside savepoints, and records and raw bytes go to new
 * pages, so it stays small (bench/README.md "Ingest": peak RSS).
 */
static void
configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STORE_STMT_JOURNAL_MEMORY);
}

/*
 * Notes in the writer's warning a database file other users can read or write. Only
 * read-write opens look: every command that writes, and the dashboard's
 * start, then warn once; exports and the dashboard's read-only handles
 * stay quiet.
 */
static void
check_private(struct store *st, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & (S_IROTH | S_IWOTH)) != 0)
		snprintf(st->w->warning, sizeof st->w->warning,
		    "%s is open to other users (mode %04o) and holds failure-report headers "
		    "and refused mail: chmod 600 it",
		    path, (unsigned)(sb.st_mode & 07777));
}

/*
 * Creates the database file 0600 before SQLite would (0644 less the umask),
 * so that no other user can ever read it; fchmod because a umask such as
 * 0277 would leave it unwritable. SQLite then creates -wal and -shm with
 * the main file's mode. An existing file keeps its mode. Anything that
 * fails here is left to sqlite3_open_v2, whose errors say more (fail_db).
 */
static void
create_private(struct store *st, const char *path)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	/* O_EXCL refuses a dangling symbolic link: create its target, as SQLite would */
	if (fd == -1 && errno == EEXIST && stat(path, &sb) == -1 && errno == ENOENT)
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		check_private(st, path);
		return;
	}
	(void)fchmod(fd, 0600);
	close(fd);
}

const char *
store_warning(const struct store *st)
{
	return st->w != NULL && st->w->warning[0] != '\0' ? st->w->warning : NULL;
}

int
store_open(const char *path, enum store_mode mode, struct store **out, struct errbuf *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *st;
	int flags;

	*out = NULL;
	pthread_once(&once, configure_sqlite);
	if ((st = calloc(1, sizeof *st)) == NULL) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	st->mode = mode;
	if (mode == STORE_READWRITE && (st->w = calloc(1, sizeof *st->w)) == NULL) {
		errbuf_set(e, "store: out of memory");
		goto fail;
	}
	if (mode == STORE_READWRITE && path[0] != '\0' && strcmp(path, ":memory:") != 0)
		create_private(st, path);
	flags = mode == STORE_READONLY ?
	    SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			errbuf_set(e, "store: %s: out of memory", path);
		else
			fail_db(st->db, path, e);
		goto fail;
	}
	/* checked every 10,000 virtual-machine steps: free when no budget is set */
	sqlite3_progress_handler(st->db, 10000, over_budget, st);
	if (configure(st, e) == -1 || migrate(st, e) == -1)
		goto prefixed;
	if (mode == STORE_READWRITE && prepare_all(st, e) == -1)
		goto prefixed;
	*out = st;
	return 0;
prefixed:
	errbuf_prefix(e, "%s", path);
fail:
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_EXPORT_STMTS; i++)
		sqlite3_finalize(st->export_stmt[i]);
	if (st->w != NULL) {
		for (i = 0; i < SQ_COUNT; i++)
			sqlite3_finalize(st->w->stmt[i]);
		rollup_free(st);
		free(st->w);
	}
	sqlite3_close_v2(st->db);
	free(st);
}

int
store_batch_begin(struct store *st, struct errbuf *e)
{
	if (store_writable(st, e) == -1)
		return -1;
	return store_run(st, st->w->stmt[SQ_BEGIN], "beginning a batch", e);
}

int
store_batch_commit(struct store *st, struct errbuf *e)
{
	if (store_writable(st, e) == -1)
		return -1;
	if (store_run(st, st->w->stmt[SQ_COMMIT], "committing the batch", e) == -1) {
		store_batch_rollback(st);
		return -1;
	}
	return 0;
}

void
store_batch_rollback(struct store *st)
{
	if (st == NULL || st->w == NULL)
		return;
	if (!sqlite3_get_autocommit(st->db))
		store_run_quiet(st->w->stmt[SQ_ROLLBACK]);
	rollup_input_abort(st);
	st->w->in_input = false;
	st->w->sink.phase = SINK_IDLE;
}
