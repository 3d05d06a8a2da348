/*
 * store_sums: the rollup sums held in memory: a hash table of keys (a
 * domain, an address or its network, a day, a reporter, a header_from)
 * with the sums of schema/001_init.sql, and the interned names the keys
 * refer to by number. What the sums are for, and when they are written, is
 * store_rollup.c's business.
 */
#ifndef DMARCD_STORE_SUMS_H
#define DMARCD_STORE_SUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* The sums every rollup keeps (schema/001_init.sql), in column order. */
enum sums_col {
	SUMS_MESSAGES,
	SUMS_DMARC_PASS,
	SUMS_DKIM_ALIGNED,
	SUMS_SPF_ALIGNED,
	SUMS_NONE,
	SUMS_QUARANTINE,
	SUMS_REJECT,
	SUMS_FAIL_NONE,
	SUMS_FAIL_QUARANTINE,
	SUMS_FAIL_REJECT,
	SUMS_COLS
};

/* Names the sums refer to by number: domains, reporters, header_from. */
struct sums_names {
	char **s; /* by id */
	size_t n, cap;
	uint32_t *slots; /* open addressing over ids + 1, 0 when empty */
	size_t nslots;
};

/* A key's name id when it has no name (a record without header_from). */
#define SUMS_NO_NAME UINT32_MAX

/*
 * One key of the sums: an address of a policy domain on one day, from one
 * reporter, with one header_from; or, with prefix set, the /24 or /48
 * network of addresses of a domain (the source table: day, org and hf are
 * 0, seen holds the first and last day, sums only messages and dmarc_pass).
 */
struct sums_entry {
	uint8_t ip[16];
	uint8_t iplen; /* 16, or 0 for an invalid address */
	bool used, prefix;
	bool seen_pass, seen_fail; /* already in the report's source sketches */
	uint32_t dom, org, hf;     /* sums_names ids; hf SUMS_NO_NAME when absent */
	int64_t day;
	int64_t seen[2]; /* first and last second seen on the day */
	uint64_t sums[SUMS_COLS];
};

/* Sums by key: a report's or an input's. Zeroed is empty. */
struct sums {
	struct sums_entry *slots; /* open addressing, cap a power of 2 */
	uint32_t *order;          /* the used slots, in insertion order */
	size_t cap, used, max;    /* max: keys held before they are written */
};

/*
 * The sums c messages of one record add: pass its DMARC result, dkim and
 * spf its aligned results, disp its disposition. The one rule for the
 * rollups (store_rollup.c) and the names' (store_sender.c).
 */
void sums_of_record(uint64_t c, bool pass, bool dkim, bool spf, enum disposition disp,
    uint64_t sums[SUMS_COLS]);

/* The id of name (interned), or -1 when out of memory. */
int64_t sums_name(struct sums_names *nm, const char *name);

/* Forgets every name (keeping the memory of the table). */
void sums_names_clear(struct sums_names *nm);

/* Forgets every name and frees the memory. */
void sums_names_release(struct sums_names *nm);

/* The entry of a key, created empty; NULL when the sums hold their max keys or no memory. */
struct sums_entry *sums_get(struct sums *so, const struct sums_entry *key);

/* Adds x's sums and seen range into dst under x's key; NULL when full. */
struct sums_entry *sums_merge_one(struct sums *dst, const struct sums_entry *x);

/* Empties the sums (keeping their memory). */
void sums_clear(struct sums *so);

/* Frees the sums' memory. */
void sums_release(struct sums *so);

/* Sorts the used entries: by domain, then in key order (prefix, address, day, ...). */
void sums_sort(struct sums *so);

#endif
