/*
 * geo: the network owner (AS number and organisation) and the country of
 * an address, from MaxMind-format databases (.mmdb) read with
 * libmaxminddb. Either database may be absent: its fields stay empty.
 * Where a user gets a free database, and its licence: README "Where the
 * names come from".
 */
#ifndef DMARCD_GEO_H
#define DMARCD_GEO_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"

#define GEO_ORG_MAX 128

struct geo_answer {
	uint32_t asn;             /* 0 when unknown */
	char as_org[GEO_ORG_MAX]; /* "" when unknown; printable UTF-8, truncated */
	char country[3];          /* ISO 3166-1 alpha-2, upper case; "" when unknown */
};

struct geo;

/*
 * Opens the databases named (either path NULL or "" for none). NULL with e
 * set when a file named cannot be opened or is not an .mmdb.
 */
struct geo *geo_open(const char *asn_db, const char *country_db, struct errbuf *e);

/* Looks ip (16 bytes, IPv4 as ::ffff:a.b.c.d) up; fields not found stay empty. */
void geo_lookup(const struct geo *g, const uint8_t ip[16], struct geo_answer *out);

/*
 * The build time (epoch) of the databases, the later of the two, 0 with
 * none: a newer database means the stored answers are refreshed.
 */
int64_t geo_built(const struct geo *g);

void geo_close(struct geo *g);

#endif
