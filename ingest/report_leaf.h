/*
 * report_leaf: the elements of an aggregate report (their ids, which
 * report_xml.c's rule table gives to names) and what the text of each leaf
 * means in the report model: normalised (report_norm.h) into the report's
 * header or the current record. Private to ingest/.
 */
#ifndef DMARCD_REPORT_LEAF_H
#define DMARCD_REPORT_LEAF_H

#include <glib.h>
#include <stddef.h>

#include "arena.h"
#include "report.h"

enum el {
	E_NONE,
	E_ROOT,
	E_VERSION,
	E_META,
	E_ORG,
	E_EMAIL,
	E_EXTRA,
	E_RID,
	E_RANGE,
	E_BEGIN,
	E_END,
	E_ERROR,
	E_GENERATOR,
	E_POLICY,
	E_PDOMAIN,
	E_ADKIM,
	E_ASPF,
	E_P,
	E_SP,
	E_NP,
	E_PCT,
	E_FO,
	E_TESTING,
	E_DISCOVERY,
	E_EXTENSION,
	E_RECORD,
	E_ROW,
	E_IP,
	E_COUNT,
	E_PE,
	E_DISP,
	E_PE_DKIM,
	E_PE_SPF,
	E_REASON,
	E_RTYPE,
	E_RCOMMENT,
	E_IDS,
	E_HFROM,
	E_EFROM,
	E_ETO,
	E_AUTH,
	E_DKIM,
	E_DDOMAIN,
	E_DSEL,
	E_DRESULT,
	E_DHUMAN,
	E_SPF,
	E_SDOMAIN,
	E_SSCOPE,
	E_SRESULT,
	E_SHUMAN,
	E_LAST
};
/*
 * What the header's leaves hold beyond the report model: <begin> and <end> as
 * sent, for report_hdr_complete, and every <error> text, trimmed, joined by
 * newlines up to BOUND_XML_ERROR_TEXT bytes. Zero-initialised is empty; its
 * owner frees errors with g_string_free.
 */
struct report_leaf_hdr {
	const char *begin_raw, *end_raw;
	GString *errors;
};

/*
 * Stores the text t[0..n) of header leaf id (metadata, policy) in r, with
 * strings in a, or in h. r->errors points into h->errors.
 */
void report_leaf_header(struct agg_report *r, struct report_leaf_hdr *h, struct arena *a,
    enum el id, const char *t, size_t n);

/*
 * Stores the text t[0..n) of leaf id in rec, with strings in a; a reason,
 * DKIM or SPF leaf goes to the slot after the last one counted. dialect is
 * the report's (RFC 9990 deviations are flagged).
 */
void report_leaf_record(struct agg_record *rec, enum report_dialect dialect, struct arena *a,
    enum el id, const char *t, size_t n);

#endif
