/*
 * report_xml: streaming parser for one aggregate report document (RFC 7489, the
 * pre-RFC draft, RFC 9990), built on libxml2's push parser with SAX2 callbacks
 * (no tree is built). Elements are matched by local name; unknown elements and
 * RFC 9990 extension content are skipped; values are normalised as in
 * FORMATS.md "Normalising values". Any DOCTYPE is refused; entities are never
 * expanded and nothing is loaded from the network. A start tag of more than
 * BOUND_XML_ATTRS attributes, and an encoding other than UTF-8, UTF-16,
 * US-ASCII, ISO-8859-n or Windows-125n, are refused (REFUSE_XML_LIMIT). Memory
 * stays bounded whatever the document's size: records go to the sink one by
 * one.
 */
#ifndef DMARCD_REPORT_XML_H
#define DMARCD_REPORT_XML_H

#include <stdint.h>

#include "byte_reader.h"
#include "report.h"

/* Facts from around the document, used only as fallbacks (FORMATS.md "The header's fallbacks"). */
struct report_hints {
	const char *filename;  /* attachment or file name, or NULL */
	const char *subject;   /* decoded Subject of the carrying mail, or NULL */
	const char *mail_from; /* From address of the carrying mail, or NULL */
};

/* Call once per process before any parse (initialises libxml2). */
void report_xml_init(void);

/*
 * Parses the document read from rd and streams it into sink. flags are
 * warnings the caller already knows (W_TRAILING_GARBAGE, W_ENCODING_REPAIRED...)
 * and are added to the report's flags.
 * Returns 0 when the document was dealt with: *why is REFUSE_NONE when the
 * sink's end was called, otherwise the refusal, with the reason in e (the
 * sink was aborted if it had begun). REFUSE_XML_ENCODING asks the caller to
 * try once more through a utf8_repair reader.
 * Returns -1 when the sink failed; e says why.
 */
int report_xml_parse(const struct byte_reader *rd, const struct report_hints *hints, uint64_t flags,
    const struct report_sink *sink, enum refusal *why, struct errbuf *e);

#endif
