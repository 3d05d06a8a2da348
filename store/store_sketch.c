/*
 * store: sketches of the distinct source addresses of a rollup_day row, so
 * that the overview counts a year's distinct sources without reading the
 * address-level rollup.
 *
 * A sketch is a blob: empty for no source; while it holds at most
 * SKETCH_SPARSE addresses, their 32-bit hashes, sorted, 4 bytes each
 * big-endian (counts are exact); beyond, a HyperLogLog of SKETCH_REGISTERS
 * one-byte registers (standard error 1.04 / sqrt(1024) = 3.3%). Sketches
 * merge exactly: the union of two is the sketch of the union.
 */
#include "store_sketch.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define SKETCH_INDEX_BITS 10
_Static_assert(SKETCH_REGISTERS == 1 << SKETCH_INDEX_BITS, "registers");
_Static_assert(SKETCH_SPARSE * 4 < SKETCH_REGISTERS, "a sparse sketch is shorter than a dense one");

/* A union of sketches: the hashes while few, the registers always. */
struct acc {
	uint32_t hashes[SKETCH_SPARSE];
	size_t n;
	bool dense;
	uint8_t regs[SKETCH_REGISTERS];
};

void
sketch_reset(struct sketch *k)
{
	k->n = 0;
	memset(k->regs, 0, sizeof k->regs);
}

uint32_t
sketch_hash(const uint8_t *ip, size_t len)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, ip, len);

	/* murmur3's finaliser spreads FNV's weak high bits */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32_t)(h >> 32);
}

static void
reg_add(uint8_t *regs, uint32_t h)
{
	uint32_t w = h << SKETCH_INDEX_BITS;
	uint8_t rho = 1;

	while (rho <= 32 - SKETCH_INDEX_BITS && (w & UINT32_C(0x80000000)) == 0) {
		w <<= 1;
		rho++;
	}
	if (regs[h >> (32 - SKETCH_INDEX_BITS)] < rho)
		regs[h >> (32 - SKETCH_INDEX_BITS)] = rho;
}

void
sketch_add(struct sketch *k, uint32_t h)
{
	size_t i;

	reg_add(k->regs, h);
	if (k->n > SKETCH_SPARSE)
		return;
	for (i = 0; i < k->n; i++)
		if (k->hashes[i] == h)
			return;
	k->hashes[k->n++] = h;
}

static int
by_hash(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t
sketch_blob(struct sketch *k, uint8_t *out)
{
	size_t i;

	if (k->n > SKETCH_SPARSE) {
		memcpy(out, k->regs, SKETCH_REGISTERS);
		return SKETCH_REGISTERS;
	}
	qsort(k->hashes, k->n, sizeof k->hashes[0], by_hash);
	for (i = 0; i < k->n; i++)
		put_be32(out + i * 4, k->hashes[i]);
	return k->n * 4;
}

/* Adds one hash to the union, keeping the hashes sorted while they fit. */
static void
acc_hash(struct acc *a, uint32_t h)
{
	size_t lo = 0, hi = a->n, mid;

	reg_add(a->regs, h);
	if (a->dense)
		return;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->hashes[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->n && a->hashes[lo] == h)
		return;
	if (a->n == SKETCH_SPARSE) {
		a->dense = true;
		return;
	}
	memmove(a->hashes + lo + 1, a->hashes + lo, (a->n - lo) * sizeof a->hashes[0]);
	a->hashes[lo] = h;
	a->n++;
}

/* Adds a stored sketch to the union; a blob of another length is ignored. */
static void
acc_blob(struct acc *a, const uint8_t *b, size_t len)
{
	size_t i;

	if (len == SKETCH_REGISTERS) {
		a->dense = true;
		/* branch-free, so that the compiler vectorises the register-wise maximum */
		for (i = 0; i < SKETCH_REGISTERS; i++)
			a->regs[i] = a->regs[i] < b[i] ? b[i] : a->regs[i];
		return;
	}
	if (len % 4 != 0 || len / 4 > SKETCH_SPARSE)
		return;
	for (i = 0; i < len; i += 4)
		acc_hash(a, get_be32(b + i));
}

static void
acc_value(struct acc *a, sqlite3_value *v)
{
	if (sqlite3_value_type(v) == SQLITE_BLOB)
		acc_blob(a, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v));
}

static double
acc_estimate(const struct acc *a)
{
	const double m = SKETCH_REGISTERS, alpha = 0.7213 / (1.0 + 1.079 / m);
	double sum = 0, est;
	size_t i, zeros = 0;

	if (!a->dense)
		return (double)a->n;
	for (i = 0; i < SKETCH_REGISTERS; i++) {
		sum += 1.0 / (double)(UINT64_C(1) << a->regs[i]);
		zeros += a->regs[i] == 0;
	}
	est = alpha * m * m / sum;
	if (est <= 2.5 * m && zeros > 0)
		est = m * log(m / (double)zeros);
	else if (est > 4294967296.0 / 30 && est < 4294967296.0)
		est = -4294967296.0 * log(1.0 - est / 4294967296.0);
	return est;
}

/* dmarcd_sketch_merge(a, b): the sketch of the union of a and b. */
static void
fn_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct acc *a;
	uint8_t out[SKETCH_REGISTERS];
	size_t i;

	(void)argc;
	if ((a = calloc(1, sizeof *a)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	acc_value(a, argv[0]);
	acc_value(a, argv[1]);
	if (a->dense) {
		sqlite3_result_blob(ctx, a->regs, SKETCH_REGISTERS, SQLITE_TRANSIENT);
	} else {
		for (i = 0; i < a->n; i++)
			put_be32(out + i * 4, a->hashes[i]);
		sqlite3_result_blob(ctx, out, (int)(a->n * 4), SQLITE_TRANSIENT);
	}
	free(a);
}

/* dmarcd_sketch_count(a, ...): aggregate, the distinct count of the union of every argument. */
static void
fn_count_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
	int i;

	if (a == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (i = 0; i < argc; i++)
		acc_value(a, argv[i]);
}

static void
fn_count_final(sqlite3_context *ctx)
{
	struct acc *a = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, a != NULL ? (int64_t)(acc_estimate(a) + 0.5) : 0);
}

int
sketch_functions(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	if (sqlite3_create_function(db, "dmarcd_sketch_merge", 2, flags, NULL, fn_merge, NULL,
	        NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_sketch_count", -1, flags, NULL, NULL, fn_count_step,
	        fn_count_final) != SQLITE_OK)
		return -1;
	return 0;
}
