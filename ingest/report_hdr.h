/*
 * report_hdr: the completion of an aggregate report's header before the
 * sink's begin (FORMATS.md "The header's fallbacks"), with the file name and
 * Subject as fallbacks (FORMATS.md "Report file names", "Subjects"). Private
 * to ingest/: report_xml.c is its only user.
 */
#ifndef DMARCD_REPORT_HDR_H
#define DMARCD_REPORT_HDR_H

#include <stdbool.h>

#include "arena.h"
#include "errbuf.h"
#include "refusal.h"
#include "report.h"
#include "report_xml.h"

/*
 * Completes r: org_name and org_key, policy_domain, begin_ts/end_ts from the
 * raw <begin>/<end> texts (NULL when absent; FORMATS.md "Report periods" and
 * "Plausibility"), report_id, with the file name, Subject and sender of hints
 * as fallbacks. have_policy says whether <policy_published> was present.
 * Strings it adds live in a. Returns 0, or -1 with *why and e.
 */
int report_hdr_complete(struct arena *a, struct agg_report *r, const char *begin_raw,
    const char *end_raw, bool have_policy, const struct report_hints *hints, enum refusal *why,
    struct errbuf *e);

#endif
