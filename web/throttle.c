/*
 * An open-addressed table: an address lives in one of THROTTLE_PROBE slots
 * from its hash, whose seed is random so that nobody can aim addresses at
 * one window to push a guesser out of it. Slots past THROTTLE_FORGET_S and
 * past their block are free again. The global ceiling is a token bucket
 * kept as the time it would be full again (global_full): each failure adds
 * THROTTLE_GLOBAL_EVERY_MS to it, and it is spent when that is more than
 * THROTTLE_GLOBAL_BURST - 1 refills ahead.
 */
#include "throttle.h"

#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define THROTTLE_PROBE 8

struct slot {
	bool used;
	uint8_t key[16];
	unsigned failures;
	int64_t last_failure, blocked_until;
};

struct trusted {
	bool used;
	uint8_t key[16];
	int64_t until;
};

struct throttle {
	pthread_mutex_t lock;
	uint64_t seed;
	int64_t global_full; /* when the global budget is whole again */
	struct slot slots[THROTTLE_SLOTS];
	struct trusted trusted[THROTTLE_TRUSTED];
};

struct throttle *
throttle_new(void)
{
	struct throttle *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	if (getrandom(&t->seed, sizeof t->seed, 0) != sizeof t->seed)
		t->seed = (uint64_t)(uintptr_t)t;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/*
 * The address's key: IPv4 as is, IPv6 by its /64, an IPv4-mapped IPv6
 * address as its IPv4 address (they all share the /64 ::ffff:0:0/64, which
 * would make every IPv4 client of a server on [::] one address). False for
 * other families.
 */
static bool
key_of(const struct sockaddr *addr, uint8_t key[16])
{
	memset(key, 0, 16);
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		key[0] = 4;
		memcpy(key + 1, &in->sin_addr, 4);
		return true;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			key[0] = 4;
			memcpy(key + 1, in6->sin6_addr.s6_addr + 12, 4);
			return true;
		}
		key[0] = 6;
		memcpy(key + 1, &in6->sin6_addr, 8);
		return true;
	}
	return false;
}

/* The global ceiling's wait at now (lock held). */
static int64_t
global_wait(const struct throttle *t, int64_t now)
{
	int64_t ahead =
	    t->global_full - now - (THROTTLE_GLOBAL_BURST - 1) * (int64_t)THROTTLE_GLOBAL_EVERY_MS;

	return ahead > 0 ? ahead : 0;
}

/* A failure spends one of the global budget; never more than a whole budget ahead. */
static void
global_spend(struct throttle *t, int64_t now)
{
	int64_t cap = now + THROTTLE_GLOBAL_BURST * (int64_t)THROTTLE_GLOBAL_EVERY_MS;

	if (t->global_full < now)
		t->global_full = now;
	t->global_full += THROTTLE_GLOBAL_EVERY_MS;
	if (t->global_full > cap)
		t->global_full = cap;
}

/* The trusted entry of key, or NULL (lock held). */
static struct trusted *
trusted_of(struct throttle *t, const uint8_t key[16], int64_t now)
{
	size_t i;

	for (i = 0; i < THROTTLE_TRUSTED; i++)
		if (t->trusted[i].used && now < t->trusted[i].until &&
		    memcmp(t->trusted[i].key, key, 16) == 0)
			return &t->trusted[i];
	return NULL;
}

/* Trusts key for THROTTLE_TRUST_S, in its entry, else the one that ends first (lock held). */
static void
trust(struct throttle *t, const uint8_t key[16], int64_t now)
{
	struct trusted *e = trusted_of(t, key, now);
	size_t i;

	for (i = 0; e == NULL && i < THROTTLE_TRUSTED; i++)
		if (!t->trusted[i].used)
			e = &t->trusted[i];
	if (e == NULL) {
		e = &t->trusted[0];
		for (i = 1; i < THROTTLE_TRUSTED; i++)
			if (t->trusted[i].until < e->until)
				e = &t->trusted[i];
	}
	e->used = true;
	memcpy(e->key, key, 16);
	e->until = now + THROTTLE_TRUST_S * INT64_C(1000);
}

static size_t
slot_of(const struct throttle *t, const uint8_t key[16])
{
	uint64_t h = 14695981039346656037u ^ t->seed;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 1099511628211u;
	return (size_t)(h ^ (h >> 29)) % THROTTLE_SLOTS;
}

/*
 * The slot of key, or NULL when it has none. With make, a new slot: a free
 * one in its window, else the one there that failed least recently.
 */
static struct slot *
find(struct throttle *t, const uint8_t key[16], int64_t now, bool make)
{
	struct slot *s, *spare = NULL;
	size_t first = slot_of(t, key), i;

	for (i = 0; i < THROTTLE_PROBE; i++) {
		s = &t->slots[(first + i) % THROTTLE_SLOTS];
		if (s->used && now - s->last_failure >= THROTTLE_FORGET_S * INT64_C(1000) &&
		    now >= s->blocked_until)
			s->used = false;
		if (s->used && memcmp(s->key, key, 16) == 0)
			return s;
		if (spare == NULL ||
		    (spare->used && (!s->used || s->last_failure < spare->last_failure)))
			spare = s;
	}
	if (!make)
		return NULL;
	memset(spare, 0, sizeof *spare);
	spare->used = true;
	memcpy(spare->key, key, 16);
	return spare;
}

int64_t
throttle_wait(struct throttle *t, const struct sockaddr *addr, int64_t now)
{
	uint8_t key[16];
	struct slot *s;
	int64_t wait = 0;

	if (!key_of(addr, key))
		return 0;
	pthread_mutex_lock(&t->lock);
	if ((s = find(t, key, now, false)) != NULL && s->blocked_until > now)
		wait = s->blocked_until - now;
	if (trusted_of(t, key, now) == NULL && global_wait(t, now) > wait)
		wait = global_wait(t, now);
	pthread_mutex_unlock(&t->lock);
	return wait;
}

int64_t
throttle_failed(struct throttle *t, const struct sockaddr *addr, int64_t now)
{
	uint8_t key[16];
	struct slot *s;
	int64_t block = 0;
	unsigned over;

	if (!key_of(addr, key))
		return 0;
	pthread_mutex_lock(&t->lock);
	global_spend(t, now);
	s = find(t, key, now, true);
	if (s->failures < UINT_MAX)
		s->failures++;
	s->last_failure = now;
	if (s->failures > THROTTLE_FREE_FAILURES) {
		over = s->failures - THROTTLE_FREE_FAILURES - 1;
		block = over < 6 ? INT64_C(1000) << over : THROTTLE_MAX_BLOCK_S * INT64_C(1000);
		if (block > THROTTLE_MAX_BLOCK_S * INT64_C(1000))
			block = THROTTLE_MAX_BLOCK_S * INT64_C(1000);
		s->blocked_until = now + block;
	}
	pthread_mutex_unlock(&t->lock);
	return block;
}

void
throttle_passed(struct throttle *t, const struct sockaddr *addr, int64_t now)
{
	uint8_t key[16];
	struct slot *s;

	if (!key_of(addr, key))
		return;
	pthread_mutex_lock(&t->lock);
	if ((s = find(t, key, now, false)) != NULL)
		s->used = false;
	trust(t, key, now);
	pthread_mutex_unlock(&t->lock);
}

int64_t
throttle_global_wait(struct throttle *t, int64_t now)
{
	int64_t wait;

	pthread_mutex_lock(&t->lock);
	wait = global_wait(t, now);
	pthread_mutex_unlock(&t->lock);
	return wait;
}
