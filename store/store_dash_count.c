/*
 * store: how many sources a sources page has (its total_rows), counted
 * exactly up to DASH_TOTAL_MAX + 1 in a bounded set of the groups met.
 */
#include "store_dash_int.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* Slots of the set of groups counted: a power of 2, over twice DASH_TOTAL_MAX + 1. */
#define GROUP_SLOTS 4096
_Static_assert(GROUP_SLOTS > 2 * (DASH_TOTAL_MAX + 1), "the group set is half empty at most");

/* The groups counted so far: a set of (domain, address or network). */
struct group_set {
	struct group_key {
		char *domain;
		uint8_t key[16];
		int len;
	} * slots;
	size_t n, cap;
};

static uint64_t
group_hash(const char *domain, const uint8_t key[16], int len)
{
	uint64_t h = hash_fnv1a_str(HASH_FNV1A_INIT ^ (uint64_t)len, domain);

	h = hash_fnv1a(h, key, 16);
	return h ^ (h >> 31);
}

/* Adds a group; returns 1 when new, 0 when known, -1 when out of memory. */
static int
group_add(struct group_set *gs, const char *domain, const uint8_t key[16], int len)
{
	size_t j;
	struct group_key *k;

	for (j = group_hash(domain, key, len) & (gs->cap - 1);; j = (j + 1) & (gs->cap - 1)) {
		k = &gs->slots[j];
		if (k->domain == NULL)
			break;
		if (k->len == len && memcmp(k->key, key, 16) == 0 && strcmp(k->domain, domain) == 0)
			return 0;
	}
	if ((k->domain = strdup(domain)) == NULL)
		return -1;
	memcpy(k->key, key, 16);
	k->len = len;
	gs->n++;
	return 1;
}

/*
 * Counts the groups of the window, up to DASH_TOTAL_MAX + 1: from the
 * rollup rows of the source range or the named addresses, or else from
 * the window's records.
 */
int
dash_count_sources(struct store *st, const struct dash_args *a, enum dash_result result,
    enum dash_group g, int64_t *total, struct errbuf *e)
{
	const struct dash_sums *x = dash_sums(result);
	struct group_set gs = { NULL, 0, GROUP_SLOTS };
	struct sqlb b = { .n = 0 };
	sqlite3_stmt *s;
	const char *d;
	uint8_t key[16], end[16];
	int len, step = SQLITE_DONE, added;
	size_t i;

	*total = 0;
	if (dash_by_address(a)) {
		sqlb_add(&b, "SELECT policy_domain, ip, ");
		sqlb_add(&b, x->messages);
		sqlb_add(&b, ", 1 FROM rollup WHERE ");
		dash_source_rows(&b, a, result, true);
	} else {
		sqlb_add(&b, "SELECT r.policy_domain, a.ip, " REC_COUNT ", " REC_DAY("min"));
		dash_window_records(&b, a, result);
	}
	if ((gs.slots = calloc(gs.cap, sizeof gs.slots[0])) == NULL) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	if ((s = dash_prepare(st, &b, a, e)) == NULL) {
		free(gs.slots);
		return -1;
	}
	while (gs.n <= DASH_TOTAL_MAX &&
	    (step = store_step(st, s, "counting the sources", e)) == SQLITE_ROW) {
		/* a part outside the window, or no messages of the filtered result */
		if (sqlite3_column_type(s, 3) == SQLITE_NULL ||
		    (result != DASH_RESULT_ALL && sqlite3_column_int64(s, 2) <= 0))
			continue;
		d = (const char *)sqlite3_column_text(s, 0);
		len = sqlite3_column_bytes(s, 1);
		memset(key, 0, sizeof key);
		if (len == 16) {
			memcpy(key, sqlite3_column_blob(s, 1), 16);
			if (g == DASH_GROUP_PREFIX)
				store_ip_net(key, key, end);
		} else {
			len = 0;
		}
		if ((added = group_add(&gs, d != NULL ? d : "", key, len)) == -1) {
			errbuf_set(e, "store: out of memory");
			step = -1;
			break;
		}
	}
	*total = (int64_t)gs.n;
	for (i = 0; i < gs.cap; i++)
		free(gs.slots[i].domain);
	free(gs.slots);
	sqlite3_finalize(s);
	return step == -1 ? -1 : 0;
}
