/*
 * csv: RFC 4180 output. The one place where a value is escaped for CSV:
 * quoted when it holds a comma, semicolon, quote, CR or LF; and, against
 * spreadsheet formula injection, prefixed with ' when it starts with
 * = + - @ TAB or CR, also after leading spaces, quotes or line breaks.
 * Numbers (CELL_INT, CELL_REAL) are written as numbers, never guarded: a
 * negative one stays a number; a text cell "-5" is guarded like any text.
 */
#ifndef DMARCD_CSV_H
#define DMARCD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"

/* Writes one CRLF-terminated row of names. Returns 0, or -1 on a write error. */
int csv_write_header(FILE *out, size_t n, const char *const *names);

/* Writes one CRLF-terminated row of cells (NULL as an empty field). 0 or -1. */
int csv_write_row(FILE *out, size_t n, const struct cell *cells);

/* Writes one value escaped as a CSV field (no separator). 0 or -1. */
int csv_write_field(FILE *out, const char *s);

#endif
