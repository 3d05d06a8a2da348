/*
 * pipeline: ingests inputs into the store in durable batches. Each input is
 * atomic (all its reports or none); many inputs share one commit so that
 * durability costs little; an input's acknowledgement at its source (a
 * Maildir move, an IMAP move) runs only after the commit that holds its
 * data. This is the only code that joins ingest/ to store/.
 *
 * With parse_ahead, inputs are parsed on a second thread (parse_thread.h) while
 * this one stores the inputs before them: pipeline_ingest copies the input
 * and returns before it is stored, and its outcome (counted in the totals,
 * recorded, acknowledged after its commit) follows in a later call or in
 * pipeline_flush. An operational failure may then surface in a later call.
 */
#ifndef DMARCD_PIPELINE_H
#define DMARCD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "carrier_dkim.h"
#include "errbuf.h"
#include "store.h"

struct pipeline;

struct pipeline_totals {
	uint64_t inputs;           /* inputs handled (mails or files) */
	uint64_t inputs_duplicate; /* the very same bytes seen before */
	uint64_t inputs_refused;   /* nothing stored */
	uint64_t inputs_partial;   /* some documents refused */
	uint64_t reports_stored;
	uint64_t reports_duplicate;
	uint64_t reports_conflict;
	uint64_t failures_stored; /* failure (forensic) reports */
	uint64_t failures_duplicate;
	uint64_t records;
};

struct pipeline_options {
	bool verbose;             /* log every input, not only refusals */
	bool keep_failure_bodies; /* store failure reports' sample bodies (personal data) */
	bool parse_ahead;         /* parse on a second thread; inputs take no record callback */
	/* verifies the DKIM signatures of the mails that stored reports (borrowed); NULL: not */
	struct carrier_dkim *dkim;
	bool require_verified;   /* every report not verified is suspect */
	const char *authserv_id; /* trust this server's Authentication-Results only (borrowed) */
};

/* One input: its bytes, where it came from, how to acknowledge it. */
struct pipeline_input {
	const char *source;   /* "file", "maildir", "stdin", "imap" */
	const char *location; /* shown to users and in the ingest log */
	const unsigned char *data;
	size_t len;
	/* called with ack_arg after the commit that holds the input; may be NULL */
	int (*ack)(const char *ack_arg, struct errbuf *e);
	const char *ack_arg; /* copied */
	/*
	 * called inside the batch right after the input is recorded, with its
	 * status (STORE_INPUT_DUPLICATE for bytes seen before), so that what it
	 * writes to the store commits with the input's data or not at all
	 * (IMAP: the folder's last UID); may be NULL. A -1 is an operational
	 * failure of pipeline_ingest.
	 */
	int (*record)(void *record_arg, enum store_input_status status, struct errbuf *e);
	void *record_arg;
};

/* Starts a pipeline over st (read-write). Returns 0 and *out, or -1 (e). */
int pipeline_new(struct store *st, const struct bounds *b, const struct pipeline_options *o,
    struct pipeline **out, struct errbuf *e);

/*
 * Frees the pipeline. Pending inputs that were not flushed are rolled back
 * and not acknowledged: call pipeline_flush first.
 */
void pipeline_free(struct pipeline *p);

/*
 * Ingests one input. Refusals are outcomes (counted, logged, recorded with
 * the raw bytes); -1 means an operational failure (database, I/O) and the
 * current batch is lost, unacknowledged.
 */
int pipeline_ingest(struct pipeline *p, const struct pipeline_input *in, struct errbuf *e);

/* Retries every input stored as refused or partial with the current parsers. */
int pipeline_reprocess(struct pipeline *p, struct errbuf *e);

/* Stores every input given, commits the batch durably, then runs its acknowledgements. */
int pipeline_flush(struct pipeline *p, struct errbuf *e);

const struct pipeline_totals *pipeline_totals(const struct pipeline *p);

#endif
