/* source_warn: warning an owner who vouches for a cloud's or a very broad range (source_warn.h). */
#include "source_warn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "log.h"
#include "store_sender.h"

#define OWNERS_MAX 16 /* network owners of a range's addresses looked at, the biggest first */
#define CLOUDS_MAX 4  /* clouds named in one warning */

struct source_check {
	struct store *st;
	const struct catalogue *cat;
	struct catalogue *builtin; /* owned, when the caller gave none */
	struct geo *geo;           /* NULL: no ASN database */
};

struct source_check *
source_check_new(struct store *st, const struct catalogue *cat, const char *asn_db,
    struct errbuf *e)
{
	struct source_check *sc = calloc(1, sizeof *sc);
	struct errbuf ge;

	if (sc == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	sc->st = st;
	sc->cat = cat;
	if (cat == NULL && (sc->cat = sc->builtin = catalogue_builtin(e)) == NULL) {
		free(sc);
		return NULL;
	}
	/* the sender table still answers without it */
	if (asn_db != NULL && asn_db[0] != '\0' && (sc->geo = geo_open(asn_db, NULL, &ge)) == NULL)
		log_warn("cannot look the owner of a range up: %s", ge.msg);
	return sc;
}

void
source_check_free(struct source_check *sc)
{
	if (sc == NULL)
		return;
	geo_close(sc->geo);
	catalogue_free(sc->builtin);
	free(sc);
}

/* The clouds a range is found in, each once. */
struct clouds {
	const struct catalogue *cat;
	size_t n;
	uint32_t asn[CLOUDS_MAX];
	const char *name[CLOUDS_MAX];
};

static void
cloud_note(struct clouds *c, uint32_t asn)
{
	const char *name = catalogue_cloud(c->cat, asn);
	size_t i;

	if (name == NULL || c->n == CLOUDS_MAX)
		return;
	for (i = 0; i < c->n; i++)
		if (c->asn[i] == asn)
			return;
	c->asn[c->n] = asn;
	c->name[c->n++] = name;
}

static int
on_owner(void *ctx, uint32_t asn, const char *as_org, uint64_t addresses)
{
	(void)as_org;
	(void)addresses;
	cloud_note(ctx, asn);
	return 0;
}

int
source_warn(struct source_check *sc, const struct known_source *k, const char *where,
    const char *hint)
{
	struct clouds c = { .cat = sc->cat };
	struct errbuf e;
	uint8_t lo[16], hi[16];
	unsigned bits;
	int family, warnings = 0;
	char names[CLOUDS_MAX * 96] = "";
	size_t i, len = 0;

	if (k->kind != KNOWN_CIDR || k->status == KNOWN_UNAUTHORIZED ||
	    known_cidr_range(k->value, lo, hi, &bits, &family) == -1)
		return 0;
	if (bits < (family == 4 ? 16u : 32u)) {
		log_warn("%s: a very broad range (shorter than /%u): it holds many networks"
		         " besides yours, and marking it %s vouches for the mail of all of them."
		         " Mark only the networks you run, or prefer %s, which match only mail"
		         " that passed",
		    where, family == 4 ? 16u : 32u, known_status_name(k->status), hint);
		warnings++;
	}
	if (store_sender_owners(sc->st, lo, hi, OWNERS_MAX, on_owner, &c, &e) == -1)
		log_warn("%s: cannot read the owners of its addresses: %s", where, e.msg);
	if (sc->geo != NULL) {
		struct geo_answer a;

		geo_lookup(sc->geo, lo, &a);
		cloud_note(&c, a.asn);
	}
	if (c.n == 0)
		return warnings;
	for (i = 0; i < c.n && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s (AS%u)",
		    i == 0           ? "" :
		        i + 1 == c.n ? " and " :
		                       ", ",
		    c.name[i], (unsigned)c.asn[i]);
	log_warn("%s: in a shared cloud, %s: anyone can rent an address there, so marking it"
	         " %s vouches for every other tenant's mail too. Prefer %s, which match only"
	         " mail that passed",
	    where, names, known_status_name(k->status), hint);
	return warnings + 1;
}
