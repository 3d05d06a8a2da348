/*
 * report_pack: an aggregate report's metadata, or one of its records, with
 * every string, as one block of bytes, so that it can cross from the thread
 * that parses to the thread that stores (cli/parse_thread.c).
 *
 * pack writes into buf, at most cap bytes, and returns the size the block
 * needs: when that is more than cap, buf holds nothing usable and the
 * caller packs again into a buffer of that size. Only the first n_dkim,
 * n_spf and n_reasons results of a record are packed (at most their
 * bounds). unpack reads a block that pack wrote in this process; the
 * strings of the result point into the block, which must outlive it.
 */
#ifndef DMARCD_REPORT_PACK_H
#define DMARCD_REPORT_PACK_H

#include <stddef.h>

#include "report.h"

size_t agg_report_pack(const struct agg_report *r, void *buf, size_t cap);
void agg_report_unpack(void *buf, struct agg_report *r);

size_t agg_record_pack(const struct agg_record *rec, void *buf, size_t cap);
void agg_record_unpack(void *buf, struct agg_record *rec);

#endif
