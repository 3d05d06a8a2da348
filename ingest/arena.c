/*
 * arena: chunks of ARENA_CHUNK bytes; an allocation too large for one gets
 * a chunk of its own, linked behind the head so that the head keeps
 * serving small ones.
 */
#include "arena.h"

#include <glib.h>
#include <string.h>

#define ARENA_CHUNK 4096

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	char data[];
};

static struct arena_chunk *
chunk_new(size_t size, struct arena_chunk *next)
{
	struct arena_chunk *c;

	if (size > G_MAXSIZE - sizeof *c)
		g_error("arena: allocation of %zu bytes", size);
	c = g_malloc(sizeof *c + size);
	c->next = next;
	c->size = size;
	c->used = 0;
	return c;
}

char *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;

	if (c != NULL && n <= c->size - c->used) {
		c->used += n;
		return c->data + c->used - n;
	}
	if (c == NULL)
		c = a->head = chunk_new(ARENA_CHUNK, NULL);
	if (n > ARENA_CHUNK / 4) {
		c->next = chunk_new(n, c->next);
		c->next->used = n;
		return c->next->data;
	}
	a->head = chunk_new(ARENA_CHUNK, c);
	a->head->used = n;
	return a->head->data;
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
	char *s = arena_alloc(a, n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (a->head == NULL)
		return;
	for (c = a->head->next; c != NULL; c = next) {
		next = c->next;
		g_free(c);
	}
	a->head->next = NULL;
	a->head->used = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	g_free(a->head);
	a->head = NULL;
}
