/*
 * store_class: the rollup by class (schema/006_sender.sql), kept by the
 * enricher's transactions in store_sender.c, never by ingest. Its rule:
 * rollup_class holds, per day, domain, reporter and class, the sums of the
 * rollup rows of every address of that class whose network is heavy for the
 * domain and folded (source.classed = 1). Each function keeps the rule when
 * the caller calls it inside the transaction that changes what it depends
 * on, after reading every record stored so far (store_sender.c does).
 */
#ifndef DMARCD_STORE_CLASS_H
#define DMARCD_STORE_CLASS_H

#include <stdint.h>

#include "store_int.h"

/* The statements of one transaction. */
struct class_ctx;

int class_open(struct store *st, struct class_ctx **out, struct errbuf *e);
void class_close(struct class_ctx *c);

/* Adds sums (SUMS_COLS) to class's row of day, domain and reporter. */
int class_add(struct class_ctx *c, int64_t day, const char *domain, const char *org, int64_t cls,
    const uint64_t *sums, struct errbuf *e);

/* Folds in the heavy networks not folded yet: their named addresses' rollup rows. */
int class_fold(struct class_ctx *c, struct errbuf *e);

/* The class of these names (created when new), 0 when all three are empty. */
int class_id(struct class_ctx *c, const char *service, uint32_t asn, const char *country,
    const char *as_org, int64_t *id, struct errbuf *e);

/* Moves the rollup rows of address ip (network net) from class from to class to (0: none). */
int class_move(struct class_ctx *c, const uint8_t ip[16], const uint8_t net[16], int64_t from,
    int64_t to, struct errbuf *e);

#endif
