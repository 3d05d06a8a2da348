/*
 * store: the rollup sums held in memory (store_sums.h): a hash table of
 * keys (domain, prefix, address, day, reporter) with their sums, and the
 * interned names the keys refer to. store_rollup.c decides when sums move
 * and when they are written.
 */
#include "store_sums.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "num.h"

#define SUMS_MIN_CAP 256
#define SUMS_NAMES_MIN 64

static uint64_t
str_hash(const char *s)
{
	uint64_t h = hash_fnv1a_str(HASH_FNV1A_INIT, s);

	return h ^ (h >> 29);
}

/* Doubles the name slots and rehashes. -1 when out of memory. */
static int
names_grow(struct sums_names *nm)
{
	size_t n = nm->nslots == 0 ? SUMS_NAMES_MIN * 2 : nm->nslots * 2, i, j;
	uint32_t *slots = calloc(n, sizeof *slots);
	char **s;

	if (slots == NULL)
		return -1;
	if ((s = reallocarray(nm->s, n / 2, sizeof *s)) == NULL) {
		free(slots);
		return -1;
	}
	nm->s = s;
	for (i = 0; i < nm->n; i++) {
		j = str_hash(nm->s[i]) & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(nm->slots);
	nm->slots = slots;
	nm->nslots = n;
	nm->cap = n / 2;
	return 0;
}

int64_t
sums_name(struct sums_names *nm, const char *name)
{
	size_t j;
	char *copy;

	if (nm->n + 1 > nm->cap && names_grow(nm) == -1)
		return -1;
	for (j = str_hash(name) & (nm->nslots - 1); nm->slots[j] != 0;
	     j = (j + 1) & (nm->nslots - 1))
		if (strcmp(nm->s[nm->slots[j] - 1], name) == 0)
			return nm->slots[j] - 1;
	if ((copy = strdup(name)) == NULL)
		return -1;
	nm->s[nm->n] = copy;
	nm->slots[j] = (uint32_t)++nm->n;
	return (int64_t)nm->n - 1;
}

void
sums_names_clear(struct sums_names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->s[i]);
	nm->n = 0;
	if (nm->slots != NULL)
		memset(nm->slots, 0, nm->nslots * sizeof nm->slots[0]);
}

void
sums_names_release(struct sums_names *nm)
{
	sums_names_clear(nm);
	free(nm->s);
	free(nm->slots);
	memset(nm, 0, sizeof *nm);
}

static size_t
key_hash(const struct sums_entry *k)
{
	uint64_t h = (uint64_t)k->day * UINT64_C(0x9e3779b97f4a7c15);

	h ^= (uint64_t)k->dom << 42 ^ (uint64_t)k->org << 21 ^ (uint64_t)k->hf ^
	    (k->prefix ? UINT64_C(1) << 63 : 0);
	h = hash_fnv1a(h, k->ip, 16);
	return (size_t)(h ^ (h >> 29));
}

static bool
key_eq(const struct sums_entry *x, const struct sums_entry *k)
{
	return x->day == k->day && x->dom == k->dom && x->org == k->org && x->hf == k->hf &&
	    x->prefix == k->prefix && x->iplen == k->iplen && memcmp(x->ip, k->ip, 16) == 0;
}

/* Doubles the table. -1 when out of memory. */
static int
grow(struct sums *so)
{
	size_t cap = so->cap == 0 ? SUMS_MIN_CAP : so->cap * 2, i, j;
	struct sums_entry *slots;
	uint32_t *order;

	if ((slots = calloc(cap, sizeof *slots)) == NULL)
		return -1;
	if ((order = malloc(cap / 2 * sizeof *order)) == NULL) {
		free(slots);
		return -1;
	}
	for (i = 0; i < so->used; i++) {
		const struct sums_entry *x = &so->slots[so->order[i]];

		for (j = key_hash(x) & (cap - 1); slots[j].used; j = (j + 1) & (cap - 1))
			;
		slots[j] = *x;
		order[i] = (uint32_t)j;
	}
	free(so->slots);
	free(so->order);
	so->slots = slots;
	so->order = order;
	so->cap = cap;
	return 0;
}

struct sums_entry *
sums_get(struct sums *so, const struct sums_entry *key)
{
	struct sums_entry *x;
	size_t j;

	if (so->used >= so->cap / 2) {
		if (so->cap >= 2 * so->max || grow(so) == -1) {
			/* Full: the key may still be there. */
			if (so->cap == 0)
				return NULL;
		}
	}
	for (j = key_hash(key) & (so->cap - 1);; j = (j + 1) & (so->cap - 1)) {
		x = &so->slots[j];
		if (!x->used)
			break;
		if (key_eq(x, key))
			return x;
	}
	if (so->used >= so->cap / 2)
		return NULL;
	*x = *key;
	memset(x->sums, 0, sizeof x->sums);
	x->seen[0] = INT64_MAX;
	x->seen[1] = INT64_MIN;
	x->seen_pass = x->seen_fail = false;
	x->used = true;
	so->order[so->used++] = (uint32_t)j;
	return x;
}

struct sums_entry *
sums_merge_one(struct sums *dst, const struct sums_entry *x)
{
	struct sums_entry *y = sums_get(dst, x);
	size_t i;

	if (y == NULL)
		return NULL;
	for (i = 0; i < SUMS_COLS; i++)
		y->sums[i] = num_add_sat(y->sums[i], x->sums[i]);
	if (x->seen[0] < y->seen[0])
		y->seen[0] = x->seen[0];
	if (x->seen[1] > y->seen[1])
		y->seen[1] = x->seen[1];
	return y;
}

void
sums_clear(struct sums *so)
{
	size_t i;

	for (i = 0; i < so->used; i++)
		so->slots[so->order[i]].used = false;
	so->used = 0;
}

void
sums_release(struct sums *so)
{
	free(so->slots);
	free(so->order);
	so->slots = NULL;
	so->order = NULL;
	so->cap = so->used = 0;
}

/*
 * Key order within a domain: prefix, address, day, reporter, header_from.
 * Domains, reporters and header_from compare by id: what matters is that
 * the writes of one domain come together and in the table's key order.
 */
static int
by_key(const void *a, const void *b, void *ctx)
{
	const struct sums_entry *slots = ctx;
	const struct sums_entry *x = &slots[*(const uint32_t *)a];
	const struct sums_entry *y = &slots[*(const uint32_t *)b];
	int c;

	if (x->dom != y->dom)
		return x->dom < y->dom ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix ? 1 : -1;
	if (x->iplen != y->iplen)
		return x->iplen < y->iplen ? -1 : 1;
	if ((c = memcmp(x->ip, y->ip, 16)) != 0)
		return c;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->org != y->org)
		return x->org < y->org ? -1 : 1;
	return x->hf < y->hf ? -1 : x->hf > y->hf;
}

void
sums_sort(struct sums *so)
{
	if (so->used > 1)
		qsort_r(so->order, so->used, sizeof so->order[0], by_key, so->slots);
}

void
sums_of_record(uint64_t c, bool pass, bool dkim, bool spf, enum disposition disp,
    uint64_t sums[SUMS_COLS])
{
	memset(sums, 0, SUMS_COLS * sizeof sums[0]);
	sums[SUMS_MESSAGES] = c;
	sums[SUMS_DMARC_PASS] = pass ? c : 0;
	sums[SUMS_DKIM_ALIGNED] = dkim ? c : 0;
	sums[SUMS_SPF_ALIGNED] = spf ? c : 0;
	switch (disp) {
	case DISP_NONE:
	case DISP_PASS:
		sums[SUMS_NONE] = c;
		sums[SUMS_FAIL_NONE] = pass ? 0 : c;
		break;
	case DISP_QUARANTINE:
		sums[SUMS_QUARANTINE] = c;
		sums[SUMS_FAIL_QUARANTINE] = pass ? 0 : c;
		break;
	case DISP_REJECT:
		sums[SUMS_REJECT] = c;
		sums[SUMS_FAIL_REJECT] = pass ? 0 : c;
		break;
	case DISP_UNKNOWN:
		break;
	}
}
