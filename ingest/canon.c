/*
 * canon: the canonical document hash (FORMATS.md "Duplicates and conflicts").
 */
#include "canon.h"

#include <string.h>

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const unsigned char BOM[3] = { 0xef, 0xbb, 0xbf };

/*
 * Hashes a run with CR and CRLF written as LF. A CR ending one call may be
 * followed by the LF that begins the next one: last_cr carries it over.
 */
static void
hash_newlines(struct canon_hash *h, const unsigned char *p, size_t n)
{
	const unsigned char *cr;

	while (n > 0) {
		if (h->last_cr && p[0] == '\n') {
			p++;
			n--;
			h->last_cr = false;
			continue;
		}
		h->last_cr = false;
		if ((cr = memchr(p, '\r', n)) == NULL) {
			EVP_DigestUpdate(h->sum, p, n);
			return;
		}
		EVP_DigestUpdate(h->sum, p, (size_t)(cr - p));
		EVP_DigestUpdate(h->sum, "\n", 1);
		h->last_cr = true;
		n -= (size_t)(cr - p) + 1;
		p = cr + 1;
	}
}

/*
 * Adds whitespace to the held-back trailing run; a run longer than ws[] is
 * hashed at once, keeping a copy of the state from before it to finish
 * with should the run turn out to be trailing.
 */
static void
hold_space(struct canon_hash *h, const unsigned char *p, size_t n)
{
	if (!h->long_run && n <= sizeof h->ws - h->n_ws) {
		memcpy(h->ws + h->n_ws, p, n);
		h->n_ws += n;
		return;
	}
	if (!h->long_run) {
		EVP_MD_CTX_copy_ex(h->before_ws, h->sum);
		h->long_run = true;
		hash_newlines(h, h->ws, h->n_ws);
		h->n_ws = 0;
	}
	hash_newlines(h, p, n);
}

/* The held-back run was not trailing after all: hash it. */
static void
release_space(struct canon_hash *h)
{
	hash_newlines(h, h->ws, h->n_ws);
	h->n_ws = 0;
	h->long_run = false;
}

int
canon_init(struct canon_hash *h)
{
	memset(h, 0, sizeof *h);
	h->sum = EVP_MD_CTX_new();
	h->before_ws = EVP_MD_CTX_new();
	if (h->sum == NULL || h->before_ws == NULL ||
	    EVP_DigestInit_ex(h->sum, EVP_sha256(), NULL) != 1) {
		canon_free(h);
		return -1;
	}
	return 0;
}

void
canon_free(struct canon_hash *h)
{
	EVP_MD_CTX_free(h->sum);
	EVP_MD_CTX_free(h->before_ws);
	h->sum = h->before_ws = NULL;
}

void
canon_update(struct canon_hash *h, const unsigned char *p, size_t n)
{
	size_t last;

	/* a leading BOM, possibly split across calls, is left out */
	while (h->n_seen < sizeof BOM && n > 0 && p[0] == BOM[h->n_seen]) {
		h->n_seen++;
		p++;
		n--;
	}
	if (h->n_seen < sizeof BOM && n > 0) {
		size_t partial = h->n_seen;

		h->n_seen = sizeof BOM;
		canon_update(h, BOM, partial);
	}
	if (!h->started) {
		while (n > 0 && is_xml_space(p[0])) {
			p++;
			n--;
		}
		if (n == 0)
			return;
		h->started = true;
	}
	for (last = n; last > 0 && is_xml_space(p[last - 1]); last--)
		;
	if (last > 0) {
		release_space(h);
		hash_newlines(h, p, last);
	}
	hold_space(h, p + last, n - last);
}

void
canon_final(struct canon_hash *h, uint8_t out[32])
{
	unsigned int len = 32;

	if (h->n_seen < sizeof BOM) {
		size_t partial = h->n_seen;

		h->n_seen = sizeof BOM;
		canon_update(h, BOM, partial);
	}
	EVP_DigestFinal_ex(h->long_run ? h->before_ws : h->sum, out, &len);
}
