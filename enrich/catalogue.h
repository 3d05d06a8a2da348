/*
 * catalogue: the known sending services (data/services.conf, compiled in,
 * plus the [service NAME] sections of the config file, which add services
 * or replace a built-in one's keys) and how a source is recognised as one
 * of them. The file's format is described at its top.
 *
 * Evidence, strongest first: a DKIM signature that passed with a d= domain
 * of the service; a forward-confirmed PTR name under one of its suffixes;
 * an envelope (SPF) domain of the service whose SPF check passed; the
 * address's AS number. A domain or a suffix matches itself and every name
 * under it ("sendgrid.net" matches "em123.sendgrid.net"). Among matches
 * of the same strength the longest domain wins, then the earlier service.
 *
 * It also lists the shared clouds ([cloud KEY] sections of the file): AS
 * numbers where anyone can rent an address. They never name a source; they
 * let dmarcd warn when an owner vouches for a network in one, and no
 * service may claim their AS numbers.
 */
#ifndef DMARCD_CATALOGUE_H
#define DMARCD_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

enum evidence { EVIDENCE_NONE, EVIDENCE_ASN, EVIDENCE_SPF, EVIDENCE_PTR, EVIDENCE_DKIM };

/* "asn", "spf", "ptr", "dkim" ("" for none), as stored and shown. */
const char *evidence_name(enum evidence ev);

struct service {
	const char *key;      /* the section's NAME: lower case, [a-z0-9-] */
	const char *name;     /* shown: "Google Workspace" */
	const char *category; /* one of catalogue_categories */
	const char *fix;      /* how to get aligned mail out of it, in a sentence or three */
	const char *doc;      /* a link to its documentation, "" when none */
};

/* The categories, NULL-terminated: "mailbox", "marketing", "transactional", ... */
extern const char *const catalogue_categories[];

struct catalogue;

/*
 * The built-in catalogue, or NULL with e set: out of memory, or a bad
 * data/services.conf (a bug, which test_catalogue catches). The caller
 * frees it with catalogue_free().
 */
struct catalogue *catalogue_builtin(struct errbuf *e);

/* An empty catalogue (for a file of services alone, and tests), or NULL when out of memory. */
struct catalogue *catalogue_new(struct errbuf *e);

/*
 * Sets one key of a service (created when new): name, category, fix, doc
 * (replaced), dkim, spf, ptr (comma-separated domains, added to the
 * service's), asn (comma-separated numbers, added). A new service is named
 * by its key, in category "saas", until told otherwise. -1 with e set on an
 * unknown key, a bad value, a bad service name, a domain or AS number that
 * another service claims, or a bound of bounds.h; the catalogue is then
 * unchanged. The config file's [service NAME] sections come through here,
 * as does the built-in file. Pointers from catalogue_at() and matches stay
 * valid until the catalogue is changed or freed.
 */
int catalogue_set(struct catalogue *c, const char *service, const char *key, const char *value,
    struct errbuf *e);

/*
 * Parses a whole file in the catalogue's format (data/services.conf tells
 * it) into c, adding to what is there; -1 with e as "origin:line: ...".
 * A section that creates a service must give its name, category and some
 * evidence. On failure c holds the lines before the bad one.
 */
int catalogue_parse(struct catalogue *c, const char *text, size_t len, const char *origin,
    struct errbuf *e);

size_t catalogue_count(const struct catalogue *c);
const struct service *catalogue_at(const struct catalogue *c, size_t i);

/* A hash of the whole catalogue: when it changes, every source is matched again. */
uint64_t catalogue_hash(const struct catalogue *c);

/* What is known of a source (NULL / 0 / empty when unknown). */
struct catalogue_facts {
	const char *ptr; /* a forward-confirmed PTR name */
	uint32_t asn;
	const char *const *dkim; /* d= domains of DKIM signatures that passed */
	size_t ndkim;
	const char *const *spf; /* envelope domains whose SPF check passed */
	size_t nspf;
};

struct catalogue_match {
	const struct service *service; /* NULL when nothing matched */
	enum evidence evidence;
	char value[256]; /* what matched: the domain, the PTR name, "AS15169" */
};

/*
 * Names the source described by f: the strongest evidence wins, then the
 * longest matching domain, then the earlier service. value is the name as
 * the source showed it (lower case, without a final dot): the DKIM or SPF
 * domain, the PTR name, or "AS" and the number. Takes no lock and changes
 * nothing: threads may share a catalogue nobody changes.
 */
void catalogue_match(const struct catalogue *c, const struct catalogue_facts *f,
    struct catalogue_match *out);

/*
 * The name of the shared cloud whose networks include AS asn ("Amazon
 * AWS"), or NULL when asn is no cloud's (or c is NULL). Valid until c is
 * changed or freed.
 */
const char *catalogue_cloud(const struct catalogue *c, uint32_t asn);

void catalogue_free(struct catalogue *c);

#endif
