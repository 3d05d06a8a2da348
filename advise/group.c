/*
 * The table of groups that advisor_add_record fills: found by a hash of
 * their key (confirmed entry, network, identity), grown as needed, and
 * compacted at ADVISE_GROUPS_MAX by folding the groups of least mail into
 * one overflow row.
 */
#include "advise_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SLOTS_MIN 1024

static uint64_t
group_hash(int64_t known_id, const uint8_t net[16], unsigned prefix, const char *identity)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)known_id ^ ((uint64_t)prefix << 40);
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ net[i]) * 1099511628211ull;
	for (; identity != NULL && *identity != '\0'; identity++)
		h = (h ^ (uint8_t)tolower((unsigned char)*identity)) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool
same_identity(const char *x, const char *y)
{
	return x == NULL || y == NULL ? x == y : strcasecmp(x, y) == 0;
}

static int
grow_slots(struct advisor *a)
{
	size_t n = a->n_slots ? a->n_slots * 2 : SLOTS_MIN, i;
	uint32_t *slots = calloc(n, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < a->n_groups; i++) {
		const struct group *g = &a->groups[i];
		size_t s = group_hash(g->known_id, g->net, g->prefix, g->identity) & (n - 1);

		while (slots[s] != 0)
			s = (s + 1) & (n - 1);
		slots[s] = (uint32_t)(i + 1);
	}
	free(a->slots);
	a->slots = slots;
	a->n_slots = n;
	return 0;
}

char *
advise_lower_dup(const char *d)
{
	char *out;
	size_t i;

	if (d == NULL || (out = strndup(d, ADVISE_DOMAIN_MAX)) == NULL)
		return NULL;
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}

static struct group *
new_group(struct advisor *a, const struct group_key *k)
{
	char *identity = advise_lower_dup(k->identity), *shown = advise_lower_dup(k->shown);
	struct group *g;

	if (k->identity != NULL && (identity == NULL || shown == NULL))
		goto fail;
	if (a->n_groups == a->cap_groups) {
		size_t cap = a->cap_groups ? a->cap_groups * 2 : 256;
		struct group *p = reallocarray(a->groups, cap, sizeof *p);

		if (p == NULL)
			goto fail;
		a->groups = p;
		a->cap_groups = cap;
	}
	g = &a->groups[a->n_groups++];
	memset(g, 0, sizeof *g);
	g->known_id = k->known_id;
	memcpy(g->net, k->net, 16);
	g->prefix = k->prefix;
	g->family = k->family;
	g->identity = identity;
	g->identity_dkim = k->identity_dkim;
	g->shown = shown;
	g->first_day = INT64_MAX;
	g->last_day = INT64_MIN;
	g->first_ever = -1;
	return g;
fail:
	free(identity);
	free(shown);
	return NULL;
}

/* Puts every group in the hash table again (after a compaction). */
static void
rehash(struct advisor *a)
{
	size_t i;

	memset(a->slots, 0, a->n_slots * sizeof *a->slots);
	for (i = 0; i < a->n_groups; i++) {
		const struct group *g = &a->groups[i];
		size_t s =
		    group_hash(g->known_id, g->net, g->prefix, g->identity) & (a->n_slots - 1);

		while (a->slots[s] != 0)
			s = (s + 1) & (a->n_slots - 1);
		a->slots[s] = (uint32_t)(i + 1);
	}
}

static int64_t
group_volume(const struct group *g)
{
	return g->c[PERIOD_WINDOW].messages > g->c[PERIOD_30].messages ?
	    g->c[PERIOD_WINDOW].messages :
	    g->c[PERIOD_30].messages;
}

static int
by_volume(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static void
fold(struct group *into, struct group *g)
{
	int p;

	for (p = 0; p < PERIOD_COUNT; p++)
		advise_counts_add(&into->c[p], &g->c[p]);
	advise_add(&into->sub_messages, g->sub_messages);
	advise_add(&into->sub_pass, g->sub_pass);
	if (g->first_day < into->first_day)
		into->first_day = g->first_day;
	if (g->last_day > into->last_day)
		into->last_day = g->last_day;
	free(g->identity);
	free(g->shown);
	free(g->service);
	free(g->sub_name);
}

/*
 * At the cap: folds the unconfirmed networks of the least mail, about half
 * of the groups, into the overflow row (known_id -1, made the first time),
 * so that memory stays bounded however many spoofed sources a window has.
 */
static int
compact(struct advisor *a)
{
	int64_t *vol = malloc(a->n_groups * sizeof *vol), cut;
	struct group *over = NULL;
	size_t i, n = 0, kept = 0;

	if (vol == NULL)
		return -1;
	for (i = 0; i < a->n_groups; i++)
		if (a->groups[i].known_id == 0)
			vol[n++] = group_volume(&a->groups[i]);
	qsort(vol, n, sizeof *vol, by_volume);
	cut = n > 0 ? vol[n / 2] : 0;
	free(vol);
	for (i = 0; i < a->n_groups && over == NULL; i++)
		if (a->groups[i].known_id == -1)
			over = &a->groups[i];
	if (over == NULL) {
		static const struct group_key overflow = { .known_id = -1 };

		if ((over = new_group(a, &overflow)) == NULL)
			return -1;
	}
	for (i = 0; i < a->n_groups; i++) {
		struct group *g = &a->groups[i];

		if (g->known_id == 0 && group_volume(g) <= cut) {
			fold(over, g);
			over->folded++;
			continue;
		}
		a->groups[kept++] = *g;
	}
	a->n_groups = kept;
	a->overflowed = true;
	rehash(a);
	return 0;
}

struct group *
advise_group_find(struct advisor *a, const struct group_key *k)
{
	struct group *g;
	size_t s;

	if (a->n_slots == 0 || (a->n_groups + 1) * 2 > a->n_slots)
		if (grow_slots(a) == -1)
			return NULL;
	s = group_hash(k->known_id, k->net, k->prefix, k->identity) & (a->n_slots - 1);
	for (; a->slots[s] != 0; s = (s + 1) & (a->n_slots - 1)) {
		g = &a->groups[a->slots[s] - 1];
		if (g->known_id == k->known_id && g->prefix == k->prefix &&
		    memcmp(g->net, k->net, 16) == 0 && same_identity(g->identity, k->identity))
			return g;
	}
	if (a->n_groups >= ADVISE_GROUPS_MAX) {
		if (compact(a) == -1)
			return NULL;
		return advise_group_find(a, k);
	}
	g = new_group(a, k);
	if (g != NULL)
		a->slots[s] = (uint32_t)a->n_groups;
	return g;
}
