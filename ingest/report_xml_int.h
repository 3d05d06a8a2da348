/*
 * report_xml_int: private to the aggregate-report parser (report_xml.c and
 * report_leaf.c): the element ids, the parser's state, and the mapping of
 * leaf text into the report model.
 */
#ifndef DMARCD_REPORT_XML_INT_H
#define DMARCD_REPORT_XML_INT_H

#include <glib.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "xml_feed.h"
#include "report_xml.h"

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
_Static_assert(E_LAST <= 64, "element ids index a uint64_t mask");

/* how an element is handled */
enum kind { K_LEAF, K_BLOCK, K_MULTI_LEAF, K_MULTI_BLOCK, K_IGNORE };
/* which "seen" mask detects a duplicate */
enum scope { S_HDR, S_REC, S_SUB };

struct rule {
	enum el parent;
	const char *name;
	enum el id;
	enum kind kind;
	enum scope scope;
};

/* The number of element rules (report_xml.c's RULES); under 256. */
#define N_RULES 51

enum { NOT_BEGUN, BEGUN_RECORDS, BEGUN_SKIP };

struct parse {
	const struct report_hints *hints;
	const struct report_sink *sink;
	struct errbuf *e;
	enum refusal why;
	bool sink_failed, root_closed, stopped;
	xmlParserCtxtPtr ctxt;
	struct xml_feed feed;
	struct agg_report rep;
	struct agg_record rec;
	struct arena hdr, recs;        /* strings of the header, of the current record */
	const xmlChar *names[N_RULES]; /* RULES' names in the parser's dictionary */
	const xmlChar *feedback, *ns2; /* "feedback" and NS_DMARC2 there */
	unsigned char first[E_LAST], last[E_LAST]; /* each parent's rules (none: first > last) */
	enum el stack[BOUND_XML_DEPTH + 1];
	int depth;                  /* elements open */
	int skip_depth, leaf_depth; /* -1 when not skipping / not in a leaf */
	char *text;                 /* text of the current leaf, BOUND_XML_TEXT */
	size_t text_len;
	bool text_trunc, in_record, is_rfc9990_ns, reason_nonempty;
	uint64_t seen[3]; /* per scope: single elements already met */
	uint64_t present; /* every element met, for the dialect */
	const char *begin_raw, *end_raw;
	GString *errors;
	int begun;
	uint64_t n_records;     /* <record> elements, dropped ones included */
	int xml_code, xml_line; /* first libxml2 error */
	char xml_msg[256];
};

/* Stores the text of a leaf of the report header (metadata, policy). */
void report_header_leaf(struct parse *p, enum el id, const char *t, size_t n);

/* Stores the text of a leaf of the current record. */
void report_record_leaf(struct parse *p, enum el id, const char *t, size_t n);

#endif
