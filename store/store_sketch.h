/*
 * store_sketch: sketches of the distinct source addresses of a rollup_day
 * row (sources_pass, sources_fail), built in memory while a report is
 * stored, then merged and counted in SQL by dmarcd_sketch_merge and
 * dmarcd_sketch_count. The stored form is described in store_sketch.c; it
 * is data on disk, so it never changes.
 */
#ifndef DMARCD_STORE_SKETCH_H
#define DMARCD_STORE_SKETCH_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define SKETCH_SPARSE 255     /* hashes a short sketch holds: its count is exact */
#define SKETCH_REGISTERS 1024 /* registers of a long sketch (a HyperLogLog) */

/* A sketch being built: the hashes while few, the registers always. */
struct sketch {
	uint32_t hashes[SKETCH_SPARSE + 1];
	size_t n; /* > SKETCH_SPARSE: too many, registers only */
	uint8_t regs[SKETCH_REGISTERS];
};

/* Empties k: the sketch of no source. */
void sketch_reset(struct sketch *k);

/* A 32-bit hash of an address (len bytes), the one every stored sketch holds. */
uint32_t sketch_hash(const uint8_t *ip, size_t len);

/* Adds a hash to k. */
void sketch_add(struct sketch *k, uint32_t h);

/* k's stored form in out (at least SKETCH_REGISTERS bytes); returns its length. */
size_t sketch_blob(struct sketch *k, uint8_t *out);

/*
 * Registers on db dmarcd_sketch_merge(a, b), the sketch of the union, and
 * the aggregate dmarcd_sketch_count(a, ...), the distinct count of the
 * union of every argument. 0, or -1 (the connection's error says why).
 */
int sketch_functions(sqlite3 *db);

#endif
