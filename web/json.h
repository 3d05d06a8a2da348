/*
 * json: JSON output. The one place where a value is escaped for JSON:
 * quotes, backslashes and control characters, plus < > & and U+2028/2029
 * as \u escapes so the output is also safe inside HTML.
 */
#ifndef DMARCD_JSON_H
#define DMARCD_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"

/* Writes s as a quoted JSON string. 0, or -1 on a write error. */
int json_write_string(FILE *out, const char *s);

/* Writes one cell as a JSON value (null, number or string). 0 or -1. */
int json_write_cell(FILE *out, const struct cell *c);

/* Writes {"name": value, ...} for one row. 0 or -1. */
int json_write_object(FILE *out, size_t n, const char *const *names, const struct cell *cells);

#endif
