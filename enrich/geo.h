/*
 * geo: the network owner (AS number and organisation) and the country of
 * an address, from MaxMind-format databases (.mmdb) read with
 * libmaxminddb. Either database may be absent: its fields stay empty.
 * Layouts read: MaxMind's GeoLite2/GeoIP2 ASN and Country, and
 * ip-location-db's (country_code). Where a user gets a free database, and
 * its licence: README "Where the names come from"; scripts/install-geo.sh.
 * A database is untrusted input: what it says is checked before it is
 * answered (below). After geo_open a handle is only read: one handle may be
 * shared by threads (libmaxminddb's lookups only read its MMDB_s).
 */
#ifndef DMARCD_GEO_H
#define DMARCD_GEO_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"

#define GEO_ORG_MAX 128

struct geo_answer {
	uint32_t asn;             /* 1..4294967295; 0 when unknown or out of range */
	char as_org[GEO_ORG_MAX]; /* "" when unknown; printable UTF-8 (controls, bidi and
	                             invalid bytes gone), cut on a character boundary;
	                             markup kept: escaped where it is shown */
	char country[3];          /* two ASCII letters, upper-cased; "" when unknown */
};

struct geo;

/*
 * Opens the databases named (either path NULL or "" for none; both none
 * gives a handle that answers nothing). NULL with e set, naming the config
 * key and the file, when a file named cannot be opened or is not an .mmdb.
 * The files are mapped: replace them by renaming, never by rewriting.
 */
struct geo *geo_open(const char *asn_db, const char *country_db, struct errbuf *e);

/*
 * Looks ip (16 bytes, IPv4 as ::ffff:a.b.c.d, looked up as IPv4) up and
 * fills *out; fields not found stay empty. g may be NULL: all empty.
 */
void geo_lookup(const struct geo *g, const uint8_t ip[16], struct geo_answer *out);

/*
 * The build time (epoch) of the databases, the later of the two, 0 with
 * none: a newer database means the stored answers are refreshed.
 */
int64_t geo_built(const struct geo *g);

/* Closes the databases; geo_close(NULL) does nothing. */
void geo_close(struct geo *g);

#endif
