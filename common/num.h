/*
 * num: integer arithmetic that input may push to its limits. Sums of
 * counts saturate instead of wrapping, so a total can be too large but
 * never small or negative.
 */
#ifndef DMARCD_NUM_H
#define DMARCD_NUM_H

#include <stdint.h>

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
