/*
 * advise: the policy readiness advisor (FORMATS.md "Effective and expected
 * policy", "Time attribution", "Source classes", "Readiness gates"). For one
 * policy domain it classifies the sending sources seen in a window, decides
 * whether the domain is ready for the next step of its published policy (none
 * -> quarantine in test mode -> full quarantine -> reject), simulates what a
 * stricter policy would have done to the window's mail, and writes the next
 * DMARC record to publish.
 *
 * The advisor computes; it never reads the database. Its caller feeds it
 * (advice/advice.c does so from the store): the user's confirmed sources, the
 * policy each report saw, the messages and reporters of each day, then
 * every record of the window one attributed day at a time; advisor_finish
 * then produces a struct advice. Memory is bounded by ADVISE_GROUPS_MAX
 * source networks; at that many, the half with the least mail is summed
 * into one "smaller sources" row, counted as unauthorized.
 */
#ifndef DMARCD_ADVISE_H
#define DMARCD_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advise_input.h"
#include "errbuf.h"
#include "report.h"

#define ADVISE_GROUPS_MAX 32768  /* networks and confirmed sources tracked per run */
#define ADVISE_SENDERS_SHOWN 100 /* senders listed in an advice; the rest are summed */
#define ADVISE_CONDITIONS_MAX 16
#define ADVISE_FIXES_MAX 12
#define ADVISE_TEXT_MAX 1024
#define ADVISE_NOTES_MAX 6
#define ADVISE_LABEL_MAX 160
#define ADVISE_WINDOW_MAX 366   /* days */
#define ADVISE_HISTORY_DAYS 400 /* policy history looked at, days before as_of */

/* Gate thresholds (FORMATS.md "Readiness gates"); advise_config_default fills the defaults. */
struct advise_config {
	unsigned window_days;          /* evaluation and impact window (30) */
	unsigned min_days_none;        /* A1: days monitored at p=none (30) */
	unsigned min_days_ramp;        /* days at a partial quarantine before full (7) */
	unsigned min_days_quarantine;  /* B1: days at full quarantine (30) */
	double coverage_days;          /* A2: share of the last 30 days with reports (0.90) */
	unsigned min_reporters;        /* A2 (3) */
	uint64_t min_messages;         /* A2, last 30 days (1000) */
	double notable_share;          /* A3: sources above this share need review (0.001) */
	double notable_per_day;        /* A3: ... or above this many messages a day (10) */
	uint64_t min_service_messages; /* a service or forwarder, not scattered spoofing (20) */
	double pass_quarantine;        /* A4: authorized pass rate, last 14 days (0.98) */
	double source_pass;            /* A5, B4: each authorized source (0.95) */
	uint64_t source_min_messages;  /* A5, B4: sources this big are judged alone (50) */
	double enforced_share;         /* B2: failing volume enforced or explained (0.80) */
	double pass_reject;            /* B3: authorized pass rate, last 30 days (0.995) */
	double dkim_reject;            /* B4: authorized DKIM-aligned rate (0.98) */
	double collateral_max;         /* B5: authorized mail quarantined or rejected (0.001) */
	double indirect_max;           /* B6: indirect-flow failures / authorized volume (0.005) */
	unsigned stable_days;          /* B7: no policy change, no new authorized source (14) */
	unsigned new_source_days;      /* A6 (7) */
	double regression_points;      /* guard: 3-day pass rate below the 30-day one by (0.01) */
	unsigned first_pct;            /* pct of the first quarantine step (10); 100 skips it */
	unsigned stale_days;           /* D1: the newest report at most this many days old (4) */
	bool ramp_by_pct;     /* the quarantine ramp by pct steps, not pct=first_pct; t=y */
	unsigned ramp_pct[8]; /* its steps, increasing, the last 100 (10, 25, 50, 100) */
	unsigned n_ramp_pct;
	const char *rua; /* rua= for a record the user has not given, or NULL */
};

void advise_config_default(struct advise_config *c);

/*
 * Checks and canonicalises a known source's value into out (size bytes):
 * a CIDR with its host bits clear ("192.0.2.0/24"), or a lower-case
 * domain. Returns 0, or -1 with the reason in e.
 */
int known_value_canonical(enum known_kind k, const char *value, char *out, size_t size,
    struct errbuf *e);

/* Classes of sources (FORMATS.md "Source classes"; the four kinds). */
enum source_class {
	CLASS_ALIGNED,      /* authorized and aligned */
	CLASS_MISALIGNED,   /* authorized (or looks it) but not aligned: a service to set up */
	CLASS_FORWARDER,    /* forwarded or mailing-list mail */
	CLASS_UNAUTHORIZED, /* nothing passes, or only for unrelated domains: spoofing */
};

const char *source_class_name(enum source_class c);

/* Volume counters over a period. */
struct advise_counts {
	int64_t messages, pass, dkim_aligned, spf_aligned;
	int64_t fail_enforced;  /* failing, disposition quarantine or reject */
	int64_t fail_handled;   /* failing, and enforced or given an override reason */
	int64_t fail_indirect;  /* failing: forwarding reason or DKIM broken in transit */
	int64_t fail_list;      /* of which the receiver said mailing_list */
	int64_t fail_unaligned; /* failing but authenticated for another domain */
	int64_t fail_noauth;    /* failing with no raw pass at all */
};

/* The periods counted, each ending at the as-of day. */
enum advise_period { PERIOD_WINDOW, PERIOD_30, PERIOD_14, PERIOD_3, PERIOD_COUNT };

/* A sending source: a confirmed entry, or networks grouped by what they authenticate as. */
struct advise_sender {
	char label[ADVISE_LABEL_MAX * 2 + 8]; /* "sendgrid.net (167.89.0.0/24, 149.72.3.0/24)" */
	char networks[ADVISE_LABEL_MAX];      /* the networks, comma-separated (first few) */
	unsigned n_networks;
	char identity[ADVISE_LABEL_MAX]; /* unaligned domain it authenticates as, or "" */
	bool identity_dkim;              /* ... with DKIM (else SPF) */
	enum source_class cls;
	bool confirmed;              /* by a known source entry */
	int64_t known_id;            /* that entry, or 0 */
	bool needs_review;           /* unconfirmed, notable, and not clearly aligned/forwarded */
	bool is_new;                 /* first seen in the last new_source_days */
	int64_t first_day, last_day; /* first_day: all time when the caller knows it */
	struct advise_counts c[PERIOD_COUNT];
	char subdomain[256];            /* the first subdomain its mail is From, or "" */
	int64_t sub_messages, sub_pass; /* window: its mail From subdomains, and passing */
	double share;                   /* of the window's volume */
	int64_t affected;               /* window messages the simulated policy would hit */
	/* the known service its addresses matched (advisor_add_service), "" when none */
	char service[64];
	char service_name[96];
	char service_doc[256];
};

/* AT REJECT: at the last step and holding; REGRESSION: at an enforcing step, and slipping. */
enum advise_verdict {
	VERDICT_READY,
	VERDICT_NOT_READY,
	VERDICT_PROVISIONAL,
	VERDICT_AT_REJECT,
	VERDICT_REGRESSION
};
const char *advise_verdict_name(enum advise_verdict v); /* "READY", "NOT READY", ... */

/* One gate condition, with the measured value against its threshold. */
struct advise_condition {
	const char *id; /* "A1".."A7", "B1".."B7", "R1", "R2" */
	const char *title;
	bool ok;
	bool data; /* a data-sufficiency condition: failing it is PROVISIONAL */
	bool wait; /* time at a policy (A1, B1): only waiting fixes it */
	char measured[ADVISE_TEXT_MAX]; /* "41 days", "97.2 %" ... */
	char threshold[96];             /* ">= 30 days" */
};

struct advise_impact {
	enum policy policy; /* simulated p */
	unsigned pct;
	int64_t messages, failing; /* window volume and its DMARC failures */
	int64_t affected;          /* failing x pct: quarantined or rejected */
	int64_t legit_at_risk;     /* of which authorized senders' mail */
	int64_t indirect_at_risk;  /* of which forwarded / mailing-list mail */
	int64_t spoofing_stopped;  /* of which unauthorized mail */
	int64_t already_enforced;  /* failing mail receivers already quarantined/rejected */
};

struct advice {
	char domain[256];
	int64_t as_of_day;  /* the last day with data, the windows end here */
	int64_t today;      /* the day the advice is for: D1 measures the data's age against it */
	int64_t newest_day; /* the last day of the newest report, or -1 */
	unsigned window_days;
	bool has_data;
	/* the published policy, as the latest reports saw it */
	enum policy p, sp;
	int pct; /* 100 when absent */
	bool testing;
	bool partial;             /* pct < 100 or t=y */
	int64_t policy_since_day; /* first day of the current (p, partial) */
	int64_t last_change_day;  /* last change of any published tag, or -1 */
	/* the step judged and its verdict */
	char step[96]; /* "p=none -> p=quarantine; pct=10; t=y (first step)" */
	enum advise_verdict verdict;
	struct advise_condition cond[ADVISE_CONDITIONS_MAX];
	size_t n_cond;
	char fixes[ADVISE_FIXES_MAX][ADVISE_TEXT_MAX]; /* what to do first, most volume first */
	size_t n_fixes;
	/* senders, most volume first; the rest summed */
	struct advise_sender *senders;
	size_t n_senders;
	size_t n_senders_total;
	struct advise_counts others[CLASS_UNAUTHORIZED + 1]; /* unlisted senders, by class */
	struct advise_counts totals;                         /* window */
	int64_t subdomain_messages; /* window messages with header_from under the domain */
	struct advise_impact impact;
	char next_record[ADVISE_TEXT_MAX];
	bool record_complete; /* false: the user's rua= is unknown (placeholder) */
	char notes[ADVISE_NOTES_MAX][ADVISE_TEXT_MAX];
	size_t n_notes;
};

void advice_free(struct advice *a);

struct advisor;

/*
 * Starts an advice for domain (lower case) with the windows ending at
 * as_of_day. simulate (POLICY_UNSET: the next step's policy) and
 * simulate_pct (0..100, or -1: the next step's) choose the impact
 * simulation. NULL when out of memory.
 */
struct advisor *advisor_new(const char *domain, int64_t as_of_day, const struct advise_config *c,
    enum policy simulate, int simulate_pct);
void advisor_free(struct advisor *a);

/* The user's confirmed sources, before any record. 0, or -1 (e): a bad value. */
int advisor_add_known(struct advisor *a, const struct known_source *k, struct errbuf *e);

/* A known sending service (the catalogue), named by the records' service keys. */
struct advise_service {
	const char *key, *name, *fix, *doc;
};

/*
 * Tells the advisor a service's name, how to align mail sent through it and
 * its documentation, for the senders whose addresses matched it. 0, or -1
 * (e): out of memory, or more than ADVISE_SERVICES_MAX.
 */
#define ADVISE_SERVICES_MAX 4096
int advisor_add_service(struct advisor *a, const struct advise_service *sv, struct errbuf *e);

/*
 * The day the advice is given (the caller's clock, or the as-of day the
 * user asked for): data whose newest report ends stale_days before it is
 * stale (FORMATS.md "Readiness gates", D1). Without a call: as_of_day.
 */
void advisor_set_today(struct advisor *a, int64_t today);

/* The owner's DMARC record (its tags are kept), and whether nobody posts to lists from it. */
void advisor_set_domain(struct advisor *a, const char *record, bool no_mailing_lists);

/* Every report's policy in begin order, ADVISE_HISTORY_DAYS before as_of_day to it. */
void advisor_add_policy(struct advisor *a, const struct advise_policy_obs *o);

/* The messages of one day and reporters that day, for the coverage gate (last 30 days). */
void advisor_add_day(struct advisor *a, int64_t day, int64_t messages);
/* Distinct reporters over the last 30 days. */
void advisor_set_reporters(struct advisor *a, unsigned reporters);

/* One record's messages of one day in the window. 0, or -1 out of memory. */
int advisor_add_record(struct advisor *a, const struct advise_record *r, struct errbuf *e);

/*
 * The first day a network (addr, prefix bits of the 16-byte form) sent
 * mail for the domain, all time; -1 when unknown. Called for notable
 * senders only.
 */
typedef int64_t (*advise_first_day_fn)(void *ctx, const uint8_t addr[16], unsigned prefix);

/* Classifies, judges and simulates into *out (caller frees with advice_free). 0 or -1 (e). */
int advisor_finish(struct advisor *a, advise_first_day_fn first_day, void *ctx, struct advice *out,
    struct errbuf *e);

#endif
