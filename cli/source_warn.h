/*
 * source_warn: the warnings for a network an owner vouches for (dmarcd
 * classify DOMAIN cidr VALUE authorized|forwarder, a [source] section with
 * cidr =). A range in a shared cloud (the catalogue's [cloud] sections),
 * where anyone can rent an address, would make every other tenant's mail
 * count as the owner's; a very broad one (IPv4 shorter than /16, IPv6
 * shorter than /32) holds networks of many owners. The network's owner
 * (AS) comes from the sender table's addresses inside the range and, with
 * an ASN database, from the range's first address. These are warnings
 * only: the caller still does what it was told.
 */
#ifndef DMARCD_SOURCE_WARN_H
#define DMARCD_SOURCE_WARN_H

#include "advise_input.h"
#include "catalogue.h"
#include "store.h"

struct source_check;

/*
 * A checker reading st, with catalogue cat (NULL: the built-in one) and
 * the ASN database asn_db (NULL or "": none). A database that cannot be
 * opened is logged as a warning and left out. NULL with e set when out of
 * memory or the built-in catalogue cannot be read. Free with
 * source_check_free().
 */
struct source_check *source_check_new(struct store *st, const struct catalogue *cat,
    const char *asn_db, struct errbuf *e);

void source_check_free(struct source_check *sc);

/*
 * Logs (log_warn) why the known source k is risky to vouch for, as "where:
 * ..." (where: "example.com cidr 192.0.2.0/24", "file:12: [source x]"),
 * advising hint instead (the kind of entry that matches only mail that
 * passed). Only CIDRs marked authorized or forwarder are looked at.
 * Returns the number of warnings; a database that cannot be read is itself
 * a warning, never an error.
 */
int source_warn(struct source_check *sc, const struct known_source *k, const char *where,
    const char *hint);

#endif
