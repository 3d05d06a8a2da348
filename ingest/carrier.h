/*
 * carrier: what authenticates the mail that carried a report (FORMATS.md
 * "Reports that may be forged"): its DKIM signatures, each with the
 * signing domain (d=) and a result, as carrier_dkim.c verifies them or as
 * a trusted receiving server recorded them (Authentication-Results), and
 * the origin a report of that mail gets from them. Pure functions over
 * bytes and strings: no I/O.
 */
#ifndef DMARCD_CARRIER_H
#define DMARCD_CARRIER_H

#include <stdbool.h>
#include <stddef.h>

#define CARRIER_SIGS 8         /* signatures examined per mail, the topmost */
#define CARRIER_DOMAIN_MAX 254 /* a domain of 253 bytes and its NUL */
#define CARRIER_WHY_MAX 96     /* a signature's failure, in words */
#define CARRIER_DETAIL_MAX 256 /* an origin's detail */

enum carrier_result {
	CARRIER_PASS,      /* the signature verifies */
	CARRIER_FAIL,      /* it does not (bad signature, body changed) */
	CARRIER_TEMPERROR, /* its key could not be fetched now (DNS timeout, server failure) */
	CARRIER_STALE,     /* no key, a revoked one, or expired: old mail, or an invented key */
};

struct carrier_sig {
	char domain[CARRIER_DOMAIN_MAX]; /* d=, lower case */
	enum carrier_result result;
	char why[CARRIER_WHY_MAX]; /* "" when it passed */
};

/* A mail's authentication: how it was learnt, and the signatures. */
struct carrier_auth {
	bool mail;     /* the input was a mail (false: a bare report file) */
	bool verified; /* its signatures were looked at (false: not asked to) */
	unsigned n;    /* signatures, at most CARRIER_SIGS */
	struct carrier_sig sig[CARRIER_SIGS];
};

/* A report's origin (schema/007_origin.sql). */
enum carrier_origin {
	CARRIER_UNKNOWN,    /* a mail whose signatures nobody looked at */
	CARRIER_VERIFIED,   /* a signature of the reporter's domain passes */
	CARRIER_UNVERIFIED, /* none of the reporter's: a file, unsigned, signed by others, DNS */
	CARRIER_FAILED,     /* a signature of the reporter's domain fails, none passes */
};

/* "verified", "unverified", "failed"; NULL for CARRIER_UNKNOWN. */
const char *carrier_origin_name(enum carrier_origin o);

/*
 * The origin of a report whose metadata names org_email and org_name (either
 * may be NULL) carried by a mail authenticated as a. The reporter's domain
 * is the registrable domain (Public Suffix List) of org_email's domain or,
 * when org_name is a domain name, of org_name; a signature is the
 * reporter's when its d= has the same registrable domain. detail says why
 * in words (always set, size bytes). *temporary is set when the report is
 * unverified only because a key of the reporter's could not be fetched.
 */
enum carrier_origin carrier_origin(const struct carrier_auth *a, const char *org_email,
    const char *org_name, bool *temporary, char *detail, size_t size);

/*
 * Adds a signature to a (ignored once a holds CARRIER_SIGS); domain is
 * copied in lower case, cut to CARRIER_DOMAIN_MAX - 1 bytes.
 */
void carrier_add(struct carrier_auth *a, const char *domain, size_t len, enum carrier_result result,
    const char *why);

/*
 * Reads one Authentication-Results value (RFC 8601) ar: when its
 * authserv-id is authserv_id (case-insensitive), adds its dkim= results
 * with their header.d= to a (a->verified set) and copies its dmarc= result
 * (lower case) into dmarc (size bytes, at least 1; "" when none), and returns true;
 * otherwise changes nothing and returns false. Comments in parentheses are
 * skipped; a result without header.d= is ignored.
 */
bool carrier_auth_results(struct carrier_auth *a, const char *ar, const char *authserv_id,
    char *dmarc, size_t size);

#endif
