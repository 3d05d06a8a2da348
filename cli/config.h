/*
 * config: the configuration file of the long-running service (dmarcd poll,
 * dmarcd run). INI-like: "[section]" or "[type name]" headers, "key = value"
 * lines, ";" or "#" comments (whole lines, or after a value following a
 * blank). Every key is declared once in a table with its type, default and
 * range (config.c); an unknown section or key, a repeated key, or a bad
 * value is an error reported as "file:line: message". dmarcd.conf.example
 * documents every key.
 *
 * Secrets never come from the command line: an IMAP password comes from
 * password_file (mode 0600 or stricter), from "password" in the config file
 * itself (then itself 0600 or stricter), or from the environment variable
 * DMARCD_IMAP_PASSWORD_<NAME> (NAME upper-cased, other characters as "_").
 */
#ifndef DMARCD_CONFIG_H
#define DMARCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "errbuf.h"

#define CONFIG_NAME_MAX 64 /* the free name of an [imap NAME] or [maildir NAME] */
#define CONFIG_PASSWORD_MAX 1024

/* What happens to a mail at its IMAP server once its data is committed. */
enum config_after { CONFIG_AFTER_MOVE, CONFIG_AFTER_FLAG, CONFIG_AFTER_DELETE, CONFIG_AFTER_NONE };

/* One [imap NAME] section: a mailbox folder polled over IMAP. */
struct config_imap {
	char *name;
	unsigned line; /* of the section header, for messages */
	char *url;     /* imaps://host[:port]/MAILBOX or imap://... */
	char *user;
	char *password; /* as written in the config file, or NULL */
	char *password_file;
	char *ca_file;        /* NULL: the system's CA store */
	bool starttls;        /* imap:// only: require STARTTLS (default yes) */
	char *source_address; /* local address to connect from, or NULL */
	int after;            /* enum config_after: for mail whose data was stored */
	int after_invalid;    /* enum config_after: for refused mail (never delete) */
	char *archive_folder;
	char *invalid_folder;
	uint64_t timeout; /* seconds: connect, server reply, stalled transfer */
};

/*
 * [advisor]: the policy advisor's thresholds (advise/advise.h documents
 * each). Shares are fractions (the file says percent: "98" or "98%").
 */
/* A ramp of pct steps ("10,25,50,100"): increasing, 1..100, ending at 100. */
#define CONFIG_PCTS_MAX 8
struct config_pcts {
	unsigned v[CONFIG_PCTS_MAX];
	unsigned n;
};

struct config_advisor {
	uint64_t window_days, min_days_none, min_days_ramp, min_days_quarantine;
	uint64_t min_reporters, min_messages, notable_per_day, source_min_messages;
	uint64_t min_service_messages, stable_days, new_source_days, first_pct, stale_days;
	double coverage_days, notable_share, pass_quarantine, source_pass, enforced_share;
	double pass_reject, dkim_reject, collateral_max, indirect_max, regression_points;
	char *rua; /* rua= for records whose owner's record is unknown */
	int ramp;  /* 0: testing (pct=first_pct; t=y, then full), 1: pct (the ramp_pct steps) */
	struct config_pcts ramp_pct;
};

/* One [source NAME] section: a sending source the owner confirms (FORMATS.md "Source classes"). */
struct config_source {
	char *name;
	unsigned line;
	char *domain;                          /* the policy domain it sends for */
	char *cidr, *dkim_domain, *spf_domain; /* exactly one is set */
	int status;                            /* enum known_status (advise_input.h) */
	char *label;                           /* NULL: the section's name */
};

/* One [domain NAME] section: what the owner says about policy domain NAME. */
struct config_domain {
	char *name;
	unsigned line;
	char *record; /* the DMARC record as published, or NULL */
	bool no_mailing_lists;
};

/* One [maildir NAME] section: a local Maildir. */
struct config_maildir {
	char *name;
	unsigned line;
	char *path;
};

/* [dns] and [enrich]: naming the sources (cli/enricher.h). */
struct config_enrich {
	bool enabled;         /* dmarcd run names new sources in the background */
	bool dns;             /* ask reverse DNS (no: names from the databases and the catalogue) */
	char *dns_servers;    /* NULL: the system's resolver */
	uint64_t dns_timeout; /* seconds per try */
	uint64_t dns_tries, dns_inflight;
	char *asn_db, *country_db; /* .mmdb files, NULL when none */
};

struct catalogue;

struct config {
	char *file;        /* the path it was loaded from */
	bool file_private; /* the file's mode is 0600 or stricter */
	/* [database] */
	char *db_path; /* NULL: $DMARCD_DB, else ./dmarcd.db */
	/* [poll] */
	uint64_t interval; /* seconds between polls */
	uint64_t batch;    /* IMAP mails per commit */
	/* [ingest] */
	struct bounds bounds;
	bool verify_dkim;      /* verify the report mails' DKIM signatures (DNS: [dns]) */
	bool require_verified; /* every unverified report is suspect */
	char *authserv_id;     /* trust Authentication-Results of this server only, or NULL */
	/* [failure] */
	bool keep_body;
	uint64_t retention_days;
	/* [log] */
	bool syslog;
	int log_level; /* enum log_level (log.h) */
	/* [service] */
	char *user; /* run as this user once the files and socket are open, or NULL */
	/* [web]: present when has_web */
	bool has_web;
	char *listen;
	char *base_path;
	char *auth_user;
	char *auth_hash_file;
	bool allow_remote_without_auth;
	char *server_name; /* names besides loopback the dashboard answers to, or NULL */
	uint64_t web_threads;
	/* sources, in file order */
	struct config_imap *imap;
	size_t n_imap;
	struct config_maildir *maildir;
	size_t n_maildir;
	/* the advisor: [advisor], [source NAME]s and [domain NAME]s in file order */
	struct config_advisor advisor;
	struct config_source *known;
	size_t n_known;
	struct config_domain *domains;
	size_t n_domains;
	/* naming the sources: [dns], [enrich], and the [service NAME] sections */
	struct config_enrich enrich;
	struct catalogue
	    *catalogue; /* the built-in one with the file's [service NAME]s; NULL: none */
};

/*
 * Reads and checks the file at path. Returns 0 and *out (free with
 * config_free), or -1 with "path:line: message" (or "path: message") in e.
 */
int config_load(const char *path, struct config **out, struct errbuf *e);

/* Same, from len bytes of text; name is used in messages. The text is not trusted. */
int config_parse(const char *name, const char *text, size_t len, struct config **out,
    struct errbuf *e);

/* Frees c, wiping the passwords it holds; NULL is a no-op. */
void config_free(struct config *c);

/*
 * Resolves the password of an IMAP section into buf (size bytes, NUL
 * terminated): its password_file (refused unless mode 0600 or stricter),
 * else its password key (refused unless the config file is 0600 or
 * stricter), else DMARCD_IMAP_PASSWORD_<NAME>. Returns 0, or -1 (e, which
 * never holds the password).
 */
int config_imap_password(const struct config *c, const struct config_imap *im, char *buf,
    size_t size, struct errbuf *e);

/*
 * Reads the first line of a secret file (a password, a password hash) into
 * buf (size bytes, NUL-terminated), without its line end. Refused, never
 * truncated: a file that group or others may access (0600 or stricter is
 * wanted), not a regular file or larger than CONFIG_PASSWORD_MAX, an empty
 * first line, one that does not fit buf. what names the file's setting in e
 * ("password_file", "--auth-hash-file"); e never holds the content. 0 or -1 (e).
 */
int config_secret_file(const char *what, const char *path, char *buf, size_t size,
    struct errbuf *e);

/* Reads the [web] auth_hash_file into buf by config_secret_file. Returns 0 or -1 (e). */
int config_web_auth_hash(const struct config *c, char *buf, size_t size, struct errbuf *e);

/* Calls fn for every declared key, in table order ("imap", "url"; "web", "listen"; ...). */
void config_each_key(void (*fn)(void *ctx, const char *section, const char *key), void *ctx);

#endif
