/* store: the IMAP polling state (schema/003_imap.sql). */
#include "store_int.h"

#include <time.h>

/*
 * A savepoint nests in the batch when one is open and is a transaction of
 * its own otherwise, so these functions work in both places.
 */
#define IMAP_BEGIN "SAVEPOINT imap"
#define IMAP_COMMIT "RELEASE imap"
#define IMAP_ROLLBACK "ROLLBACK TO imap; RELEASE imap"

/* Statements here run once per mail or per poll, on a writer: prepared on use. */
static int
prepare(struct store *st, const char *sql, sqlite3_stmt **s, struct errbuf *e)
{
	if (store_writable(st, e) == -1)
		return -1;
	return store_prepare(st, sql, s, e);
}

/* Runs a prepared statement to completion, then finalizes it (*s becomes NULL). */
static int
run_once(struct store *st, sqlite3_stmt **s, const char *what, struct errbuf *e)
{
	int rc = store_step(st, *s, what, e);

	sqlite3_finalize(*s);
	*s = NULL;
	return rc == -1 ? -1 : 0;
}

static void
rollback(struct store *st)
{
	sqlite3_exec(st->db, IMAP_ROLLBACK, NULL, NULL, NULL);
}

/* Reads (id, uidvalidity, last_uid) of a folder; 1 found, 0 not, -1 error. */
static int
find_folder(struct store *st, const char *account, const char *mailbox, struct store_imap_folder *f,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st,
	        "SELECT id, uidvalidity, last_uid FROM imap_folder"
	        " WHERE account = ?1 AND mailbox = ?2",
	        &s, e) == -1)
		return -1;
	if ((store_bind_text(s, 1, account) | store_bind_text(s, 2, mailbox)) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "reading an IMAP folder", e);
	}
	rc = store_step(st, s, "reading an IMAP folder", e);
	if (rc == SQLITE_ROW) {
		f->id = sqlite3_column_int64(s, 0);
		f->uidvalidity = (uint64_t)sqlite3_column_int64(s, 1);
		f->last_uid = (uint64_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

int
store_imap_folder(struct store *st, const char *account, const char *mailbox, uint64_t uidvalidity,
    struct store_imap_folder *out, bool *reset, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int found;

	*reset = false;
	if (store_exec(st, IMAP_BEGIN, "opening IMAP state", e) == -1)
		return -1;
	if ((found = find_folder(st, account, mailbox, out, e)) == -1)
		goto fail;
	if (found && out->uidvalidity == uidvalidity)
		return store_exec(st, IMAP_COMMIT, "reading IMAP state", e) == -1 ? -1 : 0;
	/* New, or UIDVALIDITY changed: start again from UID 0; pending rows go by cascade. */
	*reset = found;
	if (found) {
		if (prepare(st, "DELETE FROM imap_folder WHERE id = ?1", &s, e) == -1)
			goto fail;
		if (sqlite3_bind_int64(s, 1, out->id) != SQLITE_OK) {
			store_fail(st, "resetting an IMAP folder", e);
			goto fail;
		}
		if (run_once(st, &s, "resetting an IMAP folder", e) == -1)
			goto fail;
	}
	if (prepare(st,
	        "INSERT INTO imap_folder (account, mailbox, uidvalidity, last_uid)"
	        " VALUES (?1, ?2, ?3, 0)",
	        &s, e) == -1)
		goto fail;
	if ((store_bind_text(s, 1, account) | store_bind_text(s, 2, mailbox) |
	        sqlite3_bind_int64(s, 3, (int64_t)uidvalidity)) != SQLITE_OK) {
		store_fail(st, "recording an IMAP folder", e);
		goto fail;
	}
	if (run_once(st, &s, "recording an IMAP folder", e) == -1)
		goto fail;
	out->id = sqlite3_last_insert_rowid(st->db);
	out->uidvalidity = uidvalidity;
	out->last_uid = 0;
	if (store_exec(st, IMAP_COMMIT, "recording an IMAP folder", e) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}

/* The two writes of a processed mail, inside the caller's savepoint or batch. */
static int
mark_done(struct store *st, int64_t folder_id, uint64_t uid, bool refused, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;

	if (prepare(st, "UPDATE imap_folder SET last_uid = max(last_uid, ?2) WHERE id = ?1", &s,
	        e) == -1)
		return -1;
	if ((sqlite3_bind_int64(s, 1, folder_id) | sqlite3_bind_int64(s, 2, (int64_t)uid)) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "advancing an IMAP folder", e);
	}
	if (run_once(st, &s, "advancing an IMAP folder", e) == -1)
		return -1;
	if (prepare(st,
	        "INSERT OR REPLACE INTO imap_pending (folder_id, uid, refused)"
	        " VALUES (?1, ?2, ?3)",
	        &s, e) == -1)
		return -1;
	if ((sqlite3_bind_int64(s, 1, folder_id) | sqlite3_bind_int64(s, 2, (int64_t)uid) |
	        sqlite3_bind_int(s, 3, refused)) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "queueing an IMAP action", e);
	}
	return run_once(st, &s, "queueing an IMAP action", e);
}

int
store_imap_done(struct store *st, int64_t folder_id, uint64_t uid, bool refused, struct errbuf *e)
{
	if (store_exec(st, IMAP_BEGIN, "recording an IMAP mail", e) == -1)
		return -1;
	if (mark_done(st, folder_id, uid, refused, e) == -1 ||
	    store_exec(st, IMAP_COMMIT, "recording an IMAP mail", e) == -1) {
		rollback(st);
		return -1;
	}
	return 0;
}

int
store_imap_skip(struct store *st, int64_t folder_id, uint64_t uid, const uint8_t key_sha256[32],
    uint64_t size, const char *location, const char *code, const char *reason, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int64_t now = (int64_t)time(NULL);

	if (store_exec(st, IMAP_BEGIN, "recording a skipped mail", e) == -1)
		return -1;
	if (prepare(st,
	        "INSERT INTO input (raw_sha256, raw_size, source, location, status,"
	        " refusal_code, reason, first_seen_at, last_seen_at)"
	        " VALUES (?1, ?2, 'imap', ?3, 'refused', ?4, ?5, ?6, ?6)"
	        " ON CONFLICT (raw_sha256) DO UPDATE SET times_seen = times_seen + 1,"
	        " last_seen_at = excluded.last_seen_at",
	        &s, e) == -1)
		goto fail;
	if ((sqlite3_bind_blob(s, 1, key_sha256, 32, SQLITE_STATIC) | store_bind_count(s, 2, size) |
	        store_bind_text(s, 3, location) | store_bind_text(s, 4, code) |
	        store_bind_text(s, 5, reason) | sqlite3_bind_int64(s, 6, now)) != SQLITE_OK) {
		store_fail(st, "recording a skipped mail", e);
		goto fail;
	}
	if (run_once(st, &s, "recording a skipped mail", e) == -1 ||
	    mark_done(st, folder_id, uid, true, e) == -1 ||
	    store_exec(st, IMAP_COMMIT, "recording a skipped mail", e) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}

int
store_imap_each_pending(struct store *st, int64_t folder_id,
    int (*fn)(void *ctx, uint64_t uid, bool refused), void *ctx, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st,
	        "SELECT uid, refused FROM imap_pending WHERE folder_id = ?1"
	        " ORDER BY uid",
	        &s, e) == -1)
		return -1;
	if (sqlite3_bind_int64(s, 1, folder_id) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "listing IMAP actions", e);
	}
	while ((rc = store_step(st, s, "listing IMAP actions", e)) == SQLITE_ROW) {
		if (fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1) != 0) ==
		    -1) {
			errbuf_set(e, "store: listing IMAP actions: stopped");
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_imap_clear(struct store *st, int64_t folder_id, const uint64_t *uids, size_t n,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	size_t i;

	if (n == 0)
		return 0;
	if (prepare(st, "DELETE FROM imap_pending WHERE folder_id = ?1 AND uid = ?2", &s, e) == -1)
		return -1;
	if (store_exec(st, IMAP_BEGIN, "clearing IMAP actions", e) == -1) {
		sqlite3_finalize(s);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((sqlite3_bind_int64(s, 1, folder_id) |
		        sqlite3_bind_int64(s, 2, (int64_t)uids[i])) != SQLITE_OK) {
			store_fail(st, "clearing IMAP actions", e);
			goto fail;
		}
		if (store_run(st, s, "clearing IMAP actions", e) == -1)
			goto fail;
	}
	sqlite3_finalize(s);
	if (store_exec(st, IMAP_COMMIT, "clearing IMAP actions", e) == -1) {
		rollback(st);
		return -1;
	}
	return 0;
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}
