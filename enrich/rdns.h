/*
 * rdns: forward-confirmed reverse DNS (FCrDNS) of many addresses at once,
 * with c-ares. For each address: its PTR name, then the A (AAAA) records of
 * that name; the name is confirmed when they contain the address. Many
 * queries are in flight at once (rdns_options.inflight); every query has a
 * timeout and a bounded number of tries. The answer's ttl says how long it
 * may be cached: the smallest TTL of the answers used, or for a negative
 * answer the zone's negative TTL, clamped by the caller.
 *
 * A PTR name is the resolver's, i.e. a stranger's: it is kept only when it
 * is a plausible host name (letters, digits, '-', '_', dots; at most 253
 * bytes); otherwise the status is RDNS_BAD_NAME and name holds the name
 * with every other byte escaped as \DDD, for display only.
 */
#ifndef DMARCD_RDNS_H
#define DMARCD_RDNS_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

#define RDNS_NAME_MAX 1024 /* name[] holds an escaped name of 253 bytes and a NUL */

enum rdns_status {
	RDNS_CONFIRMED, /* a PTR name whose A/AAAA records contain the address */
	RDNS_MISMATCH,  /* a PTR name, but its A/AAAA records do not contain the address */
	RDNS_NONE,      /* no PTR record (NXDOMAIN or no data) */
	RDNS_BAD_NAME,  /* a PTR name that is not a host name (escaped in name) */
	RDNS_SERVFAIL,  /* the server failed or refused */
	RDNS_TIMEOUT,   /* no answer within the tries */
	RDNS_STATUS_COUNT
};

/* The status's name as stored and shown: "confirmed", "mismatch", ... */
const char *rdns_status_name(enum rdns_status s);

struct rdns_answer {
	enum rdns_status status;
	uint32_t ttl;             /* seconds the answer may be cached */
	char name[RDNS_NAME_MAX]; /* the PTR name (lower case, no final dot), "" when none */
};

struct rdns_options {
	/*
	 * Comma-separated servers, each an address with an optional port
	 * ("127.0.0.1:5353,[::1]:53"); NULL or "" for the system's resolver
	 * (/etc/resolv.conf).
	 */
	const char *servers;
	unsigned timeout_ms; /* per try; 0 means 2000 */
	unsigned tries;      /* 0 means 2 */
	unsigned inflight;   /* addresses resolved at once; 0 means 256 */
};

struct rdns;

/* A resolver, or NULL with e set (bad servers, no memory). */
struct rdns *rdns_open(const struct rdns_options *o, struct errbuf *e);

/*
 * Resolves n addresses (16 bytes each, IPv4 as ::ffff:a.b.c.d) and fills
 * out[0..n-1]; blocks until every one has an answer or timed out. Returns
 * 0, or -1 with e set when the resolver itself failed (no memory).
 */
int rdns_resolve(struct rdns *r, const uint8_t (*ips)[16], size_t n, struct rdns_answer *out,
    struct errbuf *e);

void rdns_close(struct rdns *r);

#endif
