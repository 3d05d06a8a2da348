/*
 * arf_text: failure reports sent as plain text with no ARF part, in the
 * Exim/cPanel style (FORMATS.md "Plaintext failure reports"): indented "Key:
 * value" lines, a separator line ending in "detected.", then a copy of the
 * failed message's headers. Private to ingest/ (arf.c).
 */
#ifndef DMARCD_ARF_TEXT_H
#define DMARCD_ARF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "arf_hdrs.h"

/* True when len bytes of text carry the "Sender Domain:" / "Sender IP Address:" keys. */
bool arf_text_is_report(const void *text, size_t len);

/*
 * Reads the "Key: value" lines before the separator into fields (zeroed
 * by the caller, names as written) and sets *sample to the offset where the
 * header copy starts (len when there is none). Returns 0, or -1 when out
 * of memory (e).
 */
int arf_text_parse(const void *text, size_t len, struct arf_hdrs *fields, size_t *sample,
    struct errbuf *e);

#endif
