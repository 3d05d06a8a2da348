/*
 * rdns_answer: reads the DNS answers of rdns.c (internal to enrich/). Each
 * function takes the raw answer abuf[0..alen) exactly as c-ares hands it
 * to a query's callback: bytes from whoever runs the zone, a stranger.
 * Nothing here touches a channel or a socket; nothing writes into abuf or
 * reads past alen, and any bytes at all give a defined result.
 */
#ifndef DMARCD_RDNS_ANSWER_H
#define DMARCD_RDNS_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "bounds.h"
#include "rdns.h"

/* no SOA in a negative answer: an hour, as most zones say */
#define RDNS_ANSWER_NEGATIVE_TTL 3600
#define RDNS_ANSWER_HOST_MAX 254 /* a host name of at most 253 bytes and its NUL */

/* The PTR names of one answer, as rdns.h describes them. */
struct rdns_answer_ptr {
	unsigned nnames; /* host names kept: at most BOUND_RDNS_PTR_NAMES */
	char names[BOUND_RDNS_PTR_NAMES][RDNS_ANSWER_HOST_MAX]; /* lower case, no final dot */
	bool bad; /* bad_name holds the first PTR name that is not a host name */
	char bad_name[RDNS_NAME_MAX]; /* escaped as \DDD, for display only; "" when !bad */
	uint32_t ttl; /* the smallest TTL of the PTR and CNAME records read; UINT32_MAX if none */
};

/*
 * Walks a PTR answer to qname: the PTR records of qname, or of the names it
 * is a CNAME of within this answer (RFC 2317), at most BOUND_RDNS_CNAMES.
 * Fills *out (its ttl counts every PTR name read, kept or not). Returns 0,
 * or -1 when the answer does not parse (*out then holds what came before).
 */
int rdns_answer_ptr(const unsigned char *abuf, int alen, const char *qname,
    struct rdns_answer_ptr *out);

/*
 * RFC 2308: how long a negative answer may be cached, the smaller of the
 * TTL and minimum of the first SOA in its answer or authority section;
 * RDNS_ANSWER_NEGATIVE_TTL without one. abuf may be NULL.
 */
uint32_t rdns_answer_negative_ttl(const unsigned char *abuf, int alen);

/*
 * Whether an A (v4: ip[12..15]) or AAAA (ip[0..15]) answer holds the
 * address, reading at most BOUND_RDNS_ADDRS records and the CNAMEs before
 * them. *ttl is lowered to the smallest TTL of the addresses read, and left
 * alone when the answer holds none or does not parse.
 */
bool rdns_answer_has_addr(const unsigned char *abuf, int alen, bool v4, const uint8_t ip[16],
    uint32_t *ttl);

#endif
