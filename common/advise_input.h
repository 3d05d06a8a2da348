/*
 * advise_input: what the policy advisor (advise/) is fed, in the store's
 * words: the user's confirmed sources, the policy each report saw, and
 * each record's messages of one day with its raw authentication results.
 * store/ fills these from the database; advise/ computes from them.
 */
#ifndef DMARCD_ADVISE_INPUT_H
#define DMARCD_ADVISE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "report.h"

/*
 * What the user said about a source (FORMATS.md "Source classes"): a CIDR,
 * a DKIM d= or an SPF domain.
 */
enum known_kind { KNOWN_CIDR, KNOWN_DKIM_DOMAIN, KNOWN_SPF_DOMAIN };
enum known_status { KNOWN_AUTHORIZED, KNOWN_UNAUTHORIZED, KNOWN_FORWARDER };

struct known_source {
	int64_t id;
	enum known_kind kind;
	const char *value; /* "192.0.2.0/24", "2001:db8::/32", or a domain */
	const char *label; /* the user's name for it, or NULL */
	enum known_status status;
};

const char *known_kind_name(enum known_kind k);     /* "cidr", "dkim_domain", "spf_domain" */
const char *known_status_name(enum known_status s); /* "authorized", "unauthorized", "forwarder" */
/* Parse those names ("dkim" and "spf" also do); 0, or -1 when unknown. */
int known_kind_parse(const char *s, enum known_kind *k);
int known_status_parse(const char *s, enum known_status *st);

/*
 * The range of a CIDR value ("192.0.2.0/24", "2001:db8::/32"; an address
 * alone is its own range) as 16-byte addresses lo..hi (IPv4 as
 * ::ffff:a.b.c.d), with *bits the prefix length as written (0..32 for
 * IPv4) and *family 4 or 6. 0, or -1 when value is no CIDR.
 */
int known_cidr_range(const char *value, uint8_t lo[16], uint8_t hi[16], unsigned *bits,
    int *family);

/*
 * The policy a report saw: its dates and its policy_published (FORMATS.md
 * "Effective and expected policy").
 */
struct advise_policy_obs {
	const char *reporter;        /* the reporter's key (org), or NULL: one unnamed */
	int64_t day_first, day_last; /* attributed days of the report */
	enum report_dialect dialect;
	enum policy p, sp, np;
	int pct;          /* -1 when absent */
	char testing;     /* 'y', 'n' or 0 */
	char adkim, aspf; /* 'r', 's' or 0 */
	const char *fo;   /* or NULL */
};

/* One raw auth result of a record. */
struct advise_auth {
	const char *domain; /* or NULL */
	const char *result; /* lower-case name: "pass", "fail", ... or NULL */
	bool helo;          /* SPF only: scope helo */
};

#define ADVISE_AUTH_MAX 8 /* results of one record looked at */
#define ADVISE_REASONS_MAX 4

/* One record's messages attributed to one day (FORMATS.md "Time attribution"). */
struct advise_record {
	uint8_t ip[16]; /* IPv4 as ::ffff:a.b.c.d */
	int family;     /* 4, 6, or 0 for an invalid address */
	int64_t day;
	int64_t count;
	bool dkim_aligned, spf_aligned; /* policy_evaluated: pass */
	const char *disposition;        /* "none", "pass", "quarantine", "reject" or NULL */
	const char *header_from;        /* or NULL */
	struct advise_auth dkim[ADVISE_AUTH_MAX];
	size_t n_dkim;
	struct advise_auth spf[ADVISE_AUTH_MAX];
	size_t n_spf;
	const char *reasons[ADVISE_REASONS_MAX]; /* override types, lower case */
	size_t n_reasons;
	const char *service; /* the known service its address matched (a catalogue key), or NULL */
};

#endif
