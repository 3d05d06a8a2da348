/*
 * store: dmarcd's database. The only module that speaks SQL; SQLite now,
 * behind an interface a second backend (PostgreSQL) could implement.
 *
 * Writing happens in batches: store_batch_begin opens a transaction that
 * holds many inputs; each input is atomic inside it (a savepoint);
 * store_batch_commit makes the batch durable (it survives a power loss),
 * and only then may the caller acknowledge the inputs at their source.
 */
#ifndef DMARCD_STORE_H
#define DMARCD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "report.h"

struct store;

enum store_mode { STORE_READWRITE, STORE_READONLY };

/*
 * Opens (creating if needed, read-write mode only) the database at path and
 * applies pending migrations from schema/. Returns 0 and *out, or -1 (e).
 * A new database is created mode 0600 whatever the umask, and SQLite gives
 * its -wal and -shm files the same mode: it holds failure-report headers
 * (personal data) and refused mail. An existing file keeps its mode.
 * Only a read-write handle carries the writer's state (its statements, the
 * report sink, the rollup sums: about 50 KB); a read-only one holds its
 * connection, its read statements and its time budget, and refuses writes.
 */
int store_open(const char *path, enum store_mode mode, struct store **out, struct errbuf *e);
void store_close(struct store *st);

/*
 * What the caller should warn about once the database is open ("PATH is
 * open to other users (mode 0644) ..."), or NULL. Set by a read-write
 * store_open on an existing file that other users may read or write.
 */
const char *store_warning(const struct store *st);

/*
 * A time budget for the statements that follow on st (the dashboard's
 * handles): one still running ms milliseconds after this call is
 * interrupted and fails ("took longer than N ms"), and store_timed_out then
 * says so. ms 0 removes the budget.
 */
void store_time_budget(struct store *st, unsigned ms);
bool store_timed_out(const struct store *st);

int store_batch_begin(struct store *st, struct errbuf *e);
/* Commits the batch durably. On failure the batch is rolled back. */
int store_batch_commit(struct store *st, struct errbuf *e);
void store_batch_rollback(struct store *st);

/* ---- inputs: the ingest log ---- */

enum store_input_status {
	STORE_INPUT_PENDING = 0, /* being processed inside the current batch */
	STORE_INPUT_STORED,      /* every report stored (or already present) */
	STORE_INPUT_DUPLICATE,   /* the very same bytes were ingested before */
	STORE_INPUT_PARTIAL,     /* some documents stored, some refused */
	STORE_INPUT_REFUSED,     /* nothing stored; raw bytes kept */
};

struct input_meta {
	const uint8_t *raw_sha256; /* 32 bytes */
	uint64_t raw_size;
	const char *source;   /* "file", "maildir", "stdin", "imap" */
	const char *location; /* path, or account/folder/uid: shown to users */
};

struct input_outcome {
	enum store_input_status status;
	const char *kind; /* extract_kind_name(): "aggregate", "failure", ... */
	const char *subject, *from, *message_id; /* of the mail, or NULL */
	const char *refusal_code;                /* refusal_code(), "" when none */
	const char *reason;                      /* human text, "" when none */
	const char *carrier_dmarc; /* the mail's own DMARC result, NULL when unknown */
	unsigned reports_stored, reports_duplicate;
	uint64_t records;
};

/* Sets *seen when an input with this raw hash was recorded before (counts it seen again). */
int store_input_seen(struct store *st, const uint8_t sha256[32], bool *seen, struct errbuf *e);

/*
 * Starts recording one input inside the batch (a savepoint) and returns
 * its id for store_report_sink. Finish with store_input_end or abort.
 */
int store_input_begin(struct store *st, const struct input_meta *m, int64_t *input_id,
    struct errbuf *e);

/*
 * Records the input's outcome. raw (len bytes) is kept when the status is
 * STORE_INPUT_REFUSED or STORE_INPUT_PARTIAL, so that store_each_refused can hand it back; pass
 * it always. Releases the savepoint.
 */
int store_input_end(struct store *st, int64_t input_id, const struct input_outcome *o,
    const void *raw, size_t len, struct errbuf *e);

/* Rolls back everything since store_input_begin (an operational failure). */
void store_input_abort(struct store *st);

/*
 * Calls fn for each report the open input input_id stored, with its row and
 * its metadata's org_email and org_name (NULL when absent; valid during the
 * call). fn returns 0, or -1 to stop (the call then returns -1, e as fn
 * left it). Before store_input_end.
 */
int store_input_reports(struct store *st, int64_t input_id,
    int (*fn)(void *ctx, int64_t report, const char *org_email, const char *org_name,
        struct errbuf *e),
    void *ctx, struct errbuf *e);

/* A report's origin (schema/007_origin.sql), as the mail that carried it says. */
struct store_origin {
	const char *origin; /* "verified", "unverified", "failed"; NULL when nobody looked */
	const char *detail; /* why, in words */
	bool temporary;     /* unverified only because a key could not be fetched */
	bool require;       /* every report must be verified ([ingest] require_verified) */
};

/*
 * Records report's origin and marks the report suspect (unless it is
 * already, FORMATS.md "Reports that may be forged") when its signature
 * failed; when it is unverified (not temporarily) and its reporter has
 * verified reports for the domain; or when it is unverified and o->require.
 * Inside the input that stored it. 0 or -1 (e).
 */
int store_report_origin(struct store *st, int64_t report, const struct store_origin *o,
    struct errbuf *e);

/* ---- aggregate reports ---- */

struct store_counts {
	unsigned reports_stored;
	unsigned reports_duplicate; /* same key and same content, or same content */
	unsigned reports_conflict;  /* same key, other content: first kept, noted */
	uint64_t records;           /* records stored */
};

/*
 * Fills sink so that reports streamed into it are stored for input_id,
 * deduplicated on (org_key, report_id, policy_domain, begin_ts) and on the
 * canonical XML hash. counts (caller-owned, zeroed by the caller) adds up
 * the outcomes. st and counts must outlive the sink's use. On a read-only
 * st the sink refuses every report.
 */
void store_report_sink(struct store *st, int64_t input_id, struct store_counts *counts,
    struct report_sink *sink);

/* ---- reprocessing refused inputs ---- */

/*
 * Calls fn for every input recorded as refused or partial, oldest first,
 * with its kept raw bytes (valid during the call). fn may run a new
 * store_input_reopen/end cycle for it; a -1 from fn
 * stops the walk and is returned.
 */
int store_each_refused(struct store *st,
    int (*fn)(void *ctx, int64_t input_id, const char *location, const void *raw, size_t len),
    void *ctx, struct errbuf *e);

/* Like store_input_begin, but re-opens an existing input row for a new attempt. */
int store_input_reopen(struct store *st, int64_t input_id, struct errbuf *e);

/* ---- reading: exports and the dashboard ---- */

/*
 * The failures export has one row per DMARC failure report (non-DMARC ARF
 * feedback is left out), filtered on the reported domain and the arrival time.
 */
enum export_kind {
	EXPORT_REPORTS,
	EXPORT_RECORDS,
	EXPORT_SOURCES,
	EXPORT_DOMAINS,
	EXPORT_FAILURES
};

struct export_filter {
	const char *domain;   /* policy domain, or NULL for all */
	int64_t since, until; /* epoch seconds, inclusive; INT64_MIN / INT64_MAX when open */
};

enum cell_type { CELL_NULL, CELL_INT, CELL_REAL, CELL_TEXT };

struct cell {
	enum cell_type type;
	int64_t i;
	double r;
	const char *s; /* valid during the row callback only */
};

/*
 * Runs the export query and calls row once per row with ncols cells; names
 * are the column names (stable: documented in README.md). A -1 from row
 * stops and is returned.
 */
int store_export(struct store *st, enum export_kind kind, const struct export_filter *f,
    int (*row)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells),
    void *ctx, struct errbuf *e);

/* The column names of an export, the same as store_export passes (for an empty result). */
void store_export_columns(enum export_kind kind, size_t *ncols, const char *const **names);

/* Parses "reports", "records", ... into *kind; -1 when unknown. */
int export_kind_parse(const char *s, enum export_kind *kind);

/* ---- failure reports (ruf): store/store_failure.c, schema/002_failure.sql ---- */

struct failure_report;
struct failure_sink;

/* How long failure samples (personal data) are kept by default (FORMATS.md "Retention"). */
#define STORE_FAILURE_RETENTION_DAYS 30

enum store_failure_outcome { STORE_FAILURE_STORED, STORE_FAILURE_DUPLICATE };

/*
 * Stores one failure report for input_id (0 or less: none), atomically,
 * unless a report with the same content hash is stored already
 * (*out = STORE_FAILURE_DUPLICATE, nothing written). The sample's header
 * block is always kept, its body only when keep_body. Returns 0 or -1 (e).
 */
int store_put_failure(struct store *st, int64_t input_id, const struct failure_report *f,
    bool keep_body, enum store_failure_outcome *out, struct errbuf *e);

/* A failure_sink that stores into st for one input, counting the outcomes. */
struct store_failure_ctx {
	struct store *st;
	int64_t input_id;
	bool keep_body;
	unsigned stored, duplicate;
};

/* Fills sink to call store_put_failure with ctx (caller-owned, outliving the sink). */
void store_failure_sink(struct store_failure_ctx *ctx, struct failure_sink *sink);

/*
 * Retention: clears the sample (headers, body and the To header) of every
 * failure report that arrived before older_than_ts (reports without an
 * arrival date: stored before it). *cleared counts the reports cleared now.
 * Returns 0 or -1 (e).
 */
int store_prune(struct store *st, int64_t older_than_ts, uint64_t *cleared, struct errbuf *e);

/* ---- IMAP polling state: store/store_imap.c, schema/003_imap.sql ---- */

/* Where the polling of one IMAP folder stands. */
struct store_imap_folder {
	int64_t id;
	uint64_t uidvalidity;
	uint64_t last_uid; /* mail up to this UID has its data committed */
};

/*
 * Loads the state of (account, mailbox) as the server now reports
 * uidvalidity: a new folder starts at UID 0; a folder whose UIDVALIDITY
 * changed starts again at UID 0 and forgets its pending actions (*reset).
 * Commits on its own when no batch is open. Returns 0 or -1 (e).
 */
int store_imap_folder(struct store *st, const char *account, const char *mailbox,
    uint64_t uidvalidity, struct store_imap_folder *out, bool *reset, struct errbuf *e);

/*
 * Inside the batch that holds mail uid's data: advances the folder's last
 * UID to uid and queues the mail's action at the server (the one for
 * refused mail when refused). Returns 0 or -1 (e).
 */
int store_imap_done(struct store *st, int64_t folder_id, uint64_t uid, bool refused,
    struct errbuf *e);

/*
 * Records mail uid, which was not downloaded (over the size limit), as a
 * refused input without raw bytes (code and reason say why), keyed by
 * key_sha256 so that it is recorded once, and marks it done as refused,
 * atomically (in the open batch, or on its own). Returns 0 or -1 (e).
 */
int store_imap_skip(struct store *st, int64_t folder_id, uint64_t uid, const uint8_t key_sha256[32],
    uint64_t size, const char *location, const char *code, const char *reason, struct errbuf *e);

/*
 * Calls fn for each pending action of the folder, in UID order; a -1 from
 * fn stops the walk and is returned. Returns 0 or -1 (e).
 */
int store_imap_each_pending(struct store *st, int64_t folder_id,
    int (*fn)(void *ctx, uint64_t uid, bool refused), void *ctx, struct errbuf *e);

/* Forgets the pending actions of n UIDs (done at the server). Returns 0 or -1 (e). */
int store_imap_clear(struct store *st, int64_t folder_id, const uint64_t *uids, size_t n,
    struct errbuf *e);

#endif
