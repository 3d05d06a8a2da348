/*
 * days: UTC days since 1970-01-01, the unit of every per-day figure (a
 * report is counted on its days, the dashboard and the advisor speak in
 * days), and their text. Proleptic Gregorian, no time zone, no locale.
 */
#ifndef DMARCD_DAYS_H
#define DMARCD_DAYS_H

#include <stdint.h>

#define DAYS_TEXT_SIZE 11 /* "YYYY-MM-DD" and its NUL */

/* The day that contains epoch second ts (floor, also before 1970). */
int64_t days_of(int64_t ts);

/* The day of year y, month m (1-12), day d (1-31). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* day as "YYYY-MM-DD" into out; returns out, for use inside a printf. */
const char *days_text(int64_t day, char out[DAYS_TEXT_SIZE]);

#endif
