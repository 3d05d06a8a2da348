#include "cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct entry {
	char key[CACHE_KEY_MAX];
	struct cache_version v;
	struct api_reply r; /* r.body owned by the entry; NULL when free */
	uint64_t used;      /* for evicting the least recently used */
};

struct cache {
	pthread_mutex_t mu;
	char db[4096], wal[4100];
	unsigned n;
	size_t max_body;
	uint64_t clock;
	struct entry *e;
};

/* Appends s percent-encoded (all but A-Za-z0-9-._~); false when it does not fit. */
static bool
append_encoded(char *key, size_t size, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p != '\0' && strchr("-._~", *p) != NULL)) {
			if (size - *len < 2)
				return false;
			key[(*len)++] = (char)*p;
		} else {
			if (size - *len < 4)
				return false;
			key[(*len)++] = '%';
			key[(*len)++] = hex[*p >> 4];
			key[(*len)++] = hex[*p & 15];
		}
	}
	key[*len] = '\0';
	return true;
}

/* Appends one separator byte; false when it does not fit. */
static bool
append_byte(char *key, size_t size, size_t *len, char c)
{
	if (size - *len < 2)
		return false;
	key[(*len)++] = c;
	key[*len] = '\0';
	return true;
}

int
cache_key_arg(char *key, size_t size, size_t *len, const char *name, const char *value)
{
	if (*len >= size || !append_encoded(key, size, len, name) ||
	    (value != NULL &&
	        (!append_byte(key, size, len, '=') || !append_encoded(key, size, len, value))) ||
	    !append_byte(key, size, len, '&'))
		return -1;
	return 0;
}

struct cache *
cache_new(const char *db_path, unsigned entries, size_t max_body)
{
	struct cache *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	if ((c->e = calloc(entries, sizeof *c->e)) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	snprintf(c->db, sizeof c->db, "%s", db_path);
	snprintf(c->wal, sizeof c->wal, "%s-wal", c->db);
	c->n = entries;
	c->max_body = max_body;
	return c;
}

void
cache_free(struct cache *c)
{
	unsigned i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->e[i].r.body);
	free(c->e);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void
file_version(const char *path, int64_t *size, int64_t *mtime_ns)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		*size = -1;
		*mtime_ns = -1;
		return;
	}
	*size = (int64_t)sb.st_size;
	*mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

void
cache_version(struct cache *c, int64_t today, struct cache_version *v)
{
	memset(v, 0, sizeof *v);
	file_version(c->db, &v->db_size, &v->db_mtime_ns);
	file_version(c->wal, &v->wal_size, &v->wal_mtime_ns);
	v->today = today;
}

static bool
same_version(const struct cache_version *a, const struct cache_version *b)
{
	return a->db_size == b->db_size && a->db_mtime_ns == b->db_mtime_ns &&
	    a->wal_size == b->wal_size && a->wal_mtime_ns == b->wal_mtime_ns &&
	    a->today == b->today;
}

bool
cache_get(struct cache *c, const char *key, const struct cache_version *v, struct api_reply *r)
{
	bool hit = false;
	unsigned i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];

		if (e->r.body == NULL || strcmp(e->key, key) != 0 || !same_version(&e->v, v))
			continue;
		*r = e->r;
		if ((r->body = malloc(e->r.len > 0 ? e->r.len : 1)) != NULL) {
			memcpy(r->body, e->r.body, e->r.len);
			e->used = ++c->clock;
			hit = true;
		}
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void
cache_put(struct cache *c, const char *key, const struct cache_version *v,
    const struct api_reply *r)
{
	struct entry *e = NULL;
	char *copy;
	unsigned i;

	if (r->status != 200 || r->len > c->max_body || strlen(key) >= CACHE_KEY_MAX ||
	    (copy = malloc(r->len > 0 ? r->len : 1)) == NULL)
		return;
	memcpy(copy, r->body, r->len);
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++) {
		if (c->e[i].r.body != NULL && strcmp(c->e[i].key, key) == 0) {
			e = &c->e[i];
			break;
		}
		if (e == NULL || c->e[i].r.body == NULL ||
		    (e->r.body != NULL && c->e[i].used < e->used))
			e = &c->e[i];
	}
	free(e->r.body);
	memcpy(e->key, key, strlen(key) + 1);
	e->v = *v;
	e->r = *r;
	e->r.body = copy;
	e->used = ++c->clock;
	pthread_mutex_unlock(&c->mu);
}
