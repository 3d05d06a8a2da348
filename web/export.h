/*
 * export: a store export written as CSV or JSON, byte for byte what
 * `dmarcd export` writes for the same kind and filter (the API's
 * /api/v1/export/ downloads use it).
 */
#ifndef DMARCD_EXPORT_H
#define DMARCD_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "errbuf.h"
#include "store.h"

/*
 * Runs the export into out: CSV with a header row (the header alone when
 * empty), or a JSON array of objects. Returns 0, or -1 (e) on a database
 * or write error.
 */
int export_write(FILE *out, struct store *st, enum export_kind kind, bool json,
    const struct export_filter *f, struct errbuf *e);

#endif
