/*
 * report_sink: for the report_xml tests, a report sink that records what
 * the parser hands it (every header field, a line per record with every
 * normalised field, the totals and hash at the end), and helpers that
 * parse bytes, a byte_reader or a file into it.
 */
#ifndef DMARCD_TEST_REPORT_SINK_H
#define DMARCD_TEST_REPORT_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byte_reader.h"
#include "refusal.h"
#include "report.h"

#define RSINK_LINES 64

struct hdr {
	enum report_dialect dialect;
	char *ns, *version, *org_name, *org_key, *org_email, *extra, *generator;
	char *report_id, *errors, *policy_domain, *fo, *discovery;
	int64_t begin, end;
	enum policy p, sp, np;
	char adkim, aspf, testing;
	int pct;
	uint64_t flags;
};

struct rsink {
	int begin_rc;   /* what begin returns */
	size_t fail_at; /* record returns -1 at this record (1-based), 0: never */
	bool keep;      /* keep a line per record */
	int n_begin, n_end, n_abort;
	size_t n_records;
	struct agg_totals seen; /* sums the sink computes itself */
	char *lines[RSINK_LINES];
	uint64_t rec_flags[RSINK_LINES];
	struct hdr h;
	uint64_t end_flags;
	struct agg_totals totals;
	uint8_t sha[32];
};

/* Pieces of small documents. */
/* clang-format off */
#define META "<report_metadata><org_name>Mini</org_name><email>m@mini.example</email>" \
	"<report_id>m-1</report_id><date_range><begin>1700000000</begin>" \
	"<end>1700086399</end></date_range></report_metadata>"
/* clang-format on */
#define POLICY "<policy_published><domain>example.com</domain><p>none</p></policy_published>"
/* clang-format off */
#define ROW(ip, count, pe) "<row><source_ip>" ip "</source_ip><count>" count "</count>" \
	"<policy_evaluated>" pe "</policy_evaluated></row>"
/* clang-format on */
#define PE_OK "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"
#define HF(v) "<identifiers><header_from>" v "</header_from></identifiers>"
#define REC(row, ids, auth) "<record>" row ids "<auth_results>" auth "</auth_results></record>"
#define OK_REC REC(ROW("192.0.2.1", "1", PE_OK), HF("example.com"), "")
#define FN "receiver.example!example.com!1700000000!1700086399.xml"
#define NS9990 "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"

/* The parser's one-time setup: a suite's .init. */
void rsink_setup(void);

/* The sink that records into s. */
struct report_sink rsink_sink(struct rsink *s);

/* Frees what s recorded (s itself is the caller's). */
void rsink_free(struct rsink *s);

/* Parses rd into s; returns report_xml_parse's rc, *why its refusal. */
int rsink_parse_rd(const struct byte_reader *rd, const char *filename, uint64_t flags,
    struct rsink *s, enum refusal *why, struct errbuf *e);

/* Parses len bytes of buf into s. */
int rsink_parse_mem(const void *buf, size_t len, const char *filename, struct rsink *s,
    enum refusal *why, struct errbuf *e);

/*
 * Parses a file the way the pipeline does: once, and once more through
 * utf8_repair (with W_ENCODING_REPAIRED) when refused for its encoding.
 * Records every line (keep). Returns the refusal.
 */
enum refusal rsink_parse_file(const char *path, const char *filename, struct rsink *s,
    struct errbuf *e);

/* The path of ../shared/spec/examples/NAME, or NULL without ../shared. */
const char *rsink_example(const char *name);

/* SHA-256 of len bytes. */
void rsink_sha256(const void *buf, size_t len, uint8_t out[32]);

#endif
