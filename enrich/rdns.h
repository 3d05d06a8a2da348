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
 * is a plausible host name (labels of 1..63 letters, digits, '-' and '_',
 * joined by dots; at most 253 bytes); otherwise the status is RDNS_BAD_NAME
 * and name holds the name with every other byte escaped as \DDD (a '.'
 * inside a label too), for display only. A bad name is never looked up.
 *
 * Several PTR names: the first BOUND_RDNS_PTR_NAMES host names, in answer
 * order, are looked up in turn; the first that confirms is the answer,
 * else the first name with RDNS_MISMATCH (or with RDNS_SERVFAIL or
 * RDNS_TIMEOUT when a lookup failed: name then holds the unconfirmed PTR
 * name). Bad names beside host names are ignored. CNAMEs are followed
 * within one answer only: in the PTR answer (RFC 2317), and by c-ares in
 * the A/AAAA answer; at most BOUND_RDNS_ADDRS addresses of a name are read.
 *
 * TTLs: confirmed and mismatch, the smallest of the records used (PTR,
 * CNAMEs, A/AAAA) and of the answers that ruled out earlier names; none,
 * the smaller of the SOA's TTL and minimum in the negative answer (3600
 * without one); bad_name, the PTR's; servfail and timeout at most 300.
 *
 * Time: c-ares doubles a query's timeout at each round of tries, so one
 * query lasts at most timeout_ms * (2^tries - 1), and an address asks at
 * most 1 + BOUND_RDNS_PTR_NAMES queries one after the other.
 *
 * rdns_txt asks one TXT record through the same resolver (DKIM keys).
 *
 * Threads: a handle is used by one thread at a time; handles are
 * independent, and rdns_open may be called from any thread.
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
	unsigned
	    inflight; /* addresses resolved at once; 0 means 256; at most BOUND_RDNS_INFLIGHT */
};

struct rdns;

/* A resolver, or NULL with e set (bad servers, no memory). Close it with rdns_close. */
struct rdns *rdns_open(const struct rdns_options *o, struct errbuf *e);

/*
 * Resolves n addresses (16 bytes each, IPv4 as ::ffff:a.b.c.d) and fills
 * out[0..n-1]; blocks until every one has an answer or timed out. Returns
 * 0, or -1 with e set when the resolver itself failed (no memory, poll);
 * out is then partly filled and the handle may be used again.
 */
int rdns_resolve(struct rdns *r, const uint8_t (*ips)[16], size_t n, struct rdns_answer *out,
    struct errbuf *e);

/*
 * Asks for the TXT records of name (a DKIM key: selector._domainkey.domain)
 * and blocks until the answer or the timeout: *status is RDNS_CONFIRMED
 * with the first record's strings joined into out (cut to size - 1 bytes,
 * NUL-terminated; bytes from a stranger), RDNS_NONE for no such name or no
 * TXT record, RDNS_SERVFAIL or RDNS_TIMEOUT (out ""). Returns 0, or -1 with
 * e set when the resolver itself failed. size must be at least 1.
 */
int rdns_txt(struct rdns *r, const char *name, char *out, size_t size, enum rdns_status *status,
    struct errbuf *e);

/* Frees the resolver; rdns_close(NULL) does nothing. */
void rdns_close(struct rdns *r);

#endif
