/*
 * advise_int: the advisor's state, shared by the files of advise/.
 * advisor.c accumulates records into groups (a network, or a confirmed
 * source) kept in group.c's table; sender.c merges groups into senders
 * and classifies them; step.c chooses the step, asks gates.c for its
 * conditions and fixes, gives the verdict and simulates the impact;
 * dmarc_record.c writes the next record.
 */
#ifndef DMARCD_ADVISE_INT_H
#define DMARCD_ADVISE_INT_H

#include "advise.h"

#define ADVISE_DOMAIN_MAX 253

/* A known source, parsed. */
struct known {
	int64_t id;
	enum known_kind kind;
	enum known_status status;
	uint8_t lo[16], hi[16]; /* CIDR range */
	unsigned prefix;        /* CIDR bits of the 16-byte form */
	char *value;            /* canonical text */
	char *label;            /* or NULL */
};

/*
 * The accumulation unit: a confirmed entry, or the records of one network
 * (/24, /48) that authenticate as the same other domain (or as none).
 */
struct group {
	int64_t known_id; /* > 0: the entry; 0: a network; -1: the overflow row */
	size_t folded;    /* the overflow row: networks summed into it */
	uint8_t net[16];  /* network address (unconfirmed) */
	unsigned prefix;  /* 120 (IPv4 /24), 48 (IPv6 /48), 0 (invalid address) */
	int family;
	struct advise_counts c[PERIOD_COUNT];
	int64_t sub_messages, sub_pass; /* window: header_from a subdomain */
	char *sub_name;                 /* the first such subdomain, or NULL */
	int64_t first_day, last_day;    /* in the scanned days */
	unsigned days;                  /* distinct days with mail (records come day by day) */
	int64_t first_ever;             /* from the caller, -1 unknown */
	char *identity;                 /* the unaligned domain its records pass for, or NULL */
	bool identity_dkim;             /* ... with DKIM (else SPF) */
	char *shown;                    /* that domain in full ("bounce.mailer.example") */
	bool mixed;                     /* ... but its records name several: show identity */
	char *service;                  /* the service its first named address matched, or NULL */
	size_t sender;                  /* index in advisor.senders once merged */
	size_t next;                    /* next group of the same sender, or SIZE_MAX */
};

/* What tells groups apart: a confirmed entry, or a network and the domain it passes for. */
struct group_key {
	int64_t known_id;
	uint8_t net[16];
	unsigned prefix;
	int family;
	const char *identity; /* NULL: none */
	bool identity_dkim;
	const char *shown; /* the full domain identity is the registrable part of */
};

/* Groups merged: a sender being classified. */
struct sender_acc {
	int64_t known_id;
	enum known_status known_status;
	const char *identity; /* its groups' identity, or NULL */
	bool identity_dkim;
	const char *shown; /* the full domain when all its records name the same */
	bool mixed;
	const char *service; /* of its first group that has one, or NULL */
	bool by_service;     /* merged by that service: its mail authenticates as no other domain */
	bool consistent;     /* a steady identity (a domain or a service): never guessed spoofing */
	size_t first_group;  /* list through group.next */
	unsigned n_groups;
	struct advise_counts c[PERIOD_COUNT];
	int64_t sub_messages, sub_pass;
	const char *sub_name; /* the subdomain of its first group that has one, or NULL */
	int64_t first_day, last_day, first_ever;
	unsigned days; /* the most distinct days of one of its groups */
	enum source_class cls;
	bool notable, needs_review, is_new;
};

/* What one reporter's latest reports say of pct and testing. */
struct reporter_view {
	char key[64];     /* the reporter (truncated), "" for unnamed ones */
	int64_t day_last; /* of its latest report */
	int pct;          /* its latest RFC 7489 or draft report's pct, or -1 */
	char testing;     /* its latest RFC 9990 report's testing ('y', 'n'), or 0 */
};

#define POLICY_REPORTERS_MAX 64 /* views kept; the stalest makes room */
#define POLICY_FRESH_DAYS 14    /* a reporter silent this long before the newest is left out */

/* The published policy as the reports show it over time. */
struct policy_track {
	bool seen;
	struct advise_policy_obs last;
	struct reporter_view views[POLICY_REPORTERS_MAX];
	size_t n_views;
	int last_pct;      /* now: the least pct of the current reporters, or -1 */
	char last_testing; /* now: 'y' when a current reporter says so, or 'n', or 0 */
	char *fo;
	int64_t first_day;  /* of the first report looked at */
	int64_t newest_day; /* the latest day_last of any report, or -1 */
	int key, full_key;  /* (p, partial), and every tag */
	int64_t since_day, changed_day;
};

struct advisor {
	char domain[ADVISE_DOMAIN_MAX + 1];
	int64_t as_of;
	int64_t today; /* advisor_set_today */
	struct advise_config cfg;
	enum policy simulate;
	int simulate_pct;
	struct known *known;
	size_t n_known, cap_known;
	struct advise_service *services; /* copies: the strings are the advisor's */
	size_t n_services, cap_services;
	char *record; /* the user's current DMARC record, or NULL */
	bool no_mailing_lists;
	struct policy_track pol;
	int64_t day_messages[30]; /* last 30 days, index as_of - day */
	unsigned reporters;
	/* groups, found by a hash of their key */
	struct group *groups;
	size_t n_groups, cap_groups;
	uint32_t *slots; /* group index + 1, 0 empty */
	size_t n_slots;
	bool overflowed;
	/* after merging */
	struct sender_acc *senders;
	size_t n_senders;
};

/* The service of a catalogue key (advisor_add_service), or NULL. */
const struct advise_service *advise_service_find(const struct advisor *a, const char *key);

/* The first day of each period: as_of - length + 1. */
int64_t advise_period_start(const struct advisor *a, enum advise_period p);

/* True when d is the domain or one of its subdomains (case-insensitive). */
bool advise_domain_under(const char *d, const char *domain);

/* *sum += n, saturated at INT64_MAX (counts come from strangers). */
void advise_add(int64_t *sum, int64_t n);

/* to += c, field by field, saturated. */
void advise_counts_add(struct advise_counts *to, const struct advise_counts *c);

/*
 * The group of key k (group.c), created when new; at ADVISE_GROUPS_MAX the
 * half with the least mail is first folded into the overflow row. NULL when
 * out of memory.
 */
struct group *advise_group_find(struct advisor *a, const struct group_key *k);

/* A lower-case copy of at most ADVISE_DOMAIN_MAX bytes of d; NULL for NULL or out of memory. */
char *advise_lower_dup(const char *d);

/* Share a / b (0 when b is 0). */
double advise_ratio(int64_t a, int64_t b);

/* Merges groups into senders and classifies them (sender.c). 0, or -1 out of memory (e). */
int advise_senders(struct advisor *a, advise_first_day_fn first_day, void *ctx, struct errbuf *e);

/* The label of sender s: its entry, identity and networks. */
void advise_sender_describe(const struct advisor *a, const struct sender_acc *s,
    struct advise_sender *out);

/*
 * The conditions of step st (parked: the parked-domain path) and their
 * fixes, into out (gates.c): D1, the fixes of the senders, the gate of the
 * step, A2 and A3.
 */
struct advise_step;
void advise_gates(const struct advisor *a, struct advice *out, const struct advise_step *st,
    bool parked);

/* A2 and A3 (gates.c); volume: A2 asks for min_messages too. */
void advise_data_conditions(const struct advisor *a, struct advice *out, bool volume);

/* Whether every message of the window is unauthorized (gates.c). */
bool advise_is_parked(const struct advisor *a);

/* The sp= the owner published (their record's, or the reports' when not p=), or UNSET. */
enum policy advise_published_sp(const struct advisor *a);

/* Authorized mail: aligned or misaligned senders. */
bool advise_authorized(enum source_class c);

/* A fix, a note into out (at most ADVISE_FIXES_MAX, ADVISE_NOTES_MAX; the rest are dropped). */
void advise_fix(struct advice *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void advise_note(struct advice *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Judges the next step into out: step, verdict, conditions, fixes, impact (step.c). */
void advise_judge(const struct advisor *a, struct advice *out);

/*
 * A step of the policy: the record to publish next (and the impact
 * simulation's default). sp and np: POLICY_UNSET keeps what the record has.
 */
struct advise_step {
	char text[96];
	enum policy p;
	int pct;
	bool testing;
	enum policy sp, np;
};

/* The policy tag ("p", "sp", "np") of the owner's record (advisor_set_domain), or POLICY_UNSET. */
enum policy advise_record_policy(const struct advisor *a, const char *tag);

/* Writes the next record for the step judged (dmarc_record.c). */
void advise_next_record(const struct advisor *a, const struct advise_step *st, struct advice *out);

#endif
