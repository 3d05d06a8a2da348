/*
 * fuzz_sinks: sinks for the fuzz targets that accept every report and
 * check the invariants the model promises (report.h, failure.h): required
 * fields set, begin <= end, counts in range, strings NUL-terminated. A
 * broken invariant aborts, so libFuzzer reports it like a crash.
 */
#ifndef DMARCD_FUZZ_SINKS_H
#define DMARCD_FUZZ_SINKS_H

#include "failure.h"
#include "report.h"

/* Sinks over a zeroed struct fuzz_state (the producer's contract is checked too). */
struct fuzz_state {
	int begun; /* a document between begin and end/abort */
	unsigned long records, reports, failures;
};

struct report_sink fuzz_report_sink(struct fuzz_state *s);
struct failure_sink fuzz_failure_sink(struct fuzz_state *s);

/* Aborts unless the producer closed every document it began. */
void fuzz_sinks_done(const struct fuzz_state *s);

#endif
