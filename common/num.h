/*
 * num: integers from text and sums that input may push to their limits.
 * Parsing is strict: ASCII digits only (no sign, no blank, no base
 * prefix), and a value past the maximum is an error, never wrapped or
 * clamped. Sums of counts saturate instead of wrapping, so a total can be
 * too large but never small or negative.
 */
#ifndef DMARCD_NUM_H
#define DMARCD_NUM_H

#include <stdint.h>

/*
 * The decimal number that starts s, at most max: 0 with *out and *rest
 * pointing past its digits, or -1 when s starts with no digit or the
 * number exceeds max.
 */
int num_parse_prefix(const char *s, uint64_t max, uint64_t *out, const char **rest);

/* s is all digits and at most max: 0 with *out, else -1. */
int num_parse(const char *s, uint64_t max, uint64_t *out);

/* a + b, or UINT64_MAX when it does not fit. */
static inline uint64_t
num_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a + b for a, b >= 0, or INT64_MAX when it does not fit. */
static inline int64_t
num_add_sat_i64(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

#endif
