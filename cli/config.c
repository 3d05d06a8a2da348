/* config: the declarative key table, the INI reader, and the secrets. */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "loopback.h"
#include "num.h"
#include "server.h"

#define CONFIG_LINE_MAX 4096
#define CONFIG_SOURCES_MAX 64   /* [imap] plus [maildir] sections */
#define CONFIG_ADVISOR_MAX 4096 /* [source] plus [domain] sections */

/* Where a key's value lives: the whole config, or the current source section. */
enum sect {
	S_DATABASE,
	S_POLL,
	S_INGEST,
	S_FAILURE,
	S_LOG,
	S_SERVICE,
	S_WEB,
	S_ADVISOR,
	S_IMAP,
	S_MAILDIR,
	S_SOURCE,
	S_DOMAIN,
	S_DNS,
	S_ENRICH,
	S_CATALOGUE, /* [service NAME]: a service of the catalogue, not the [service] settings */
	S_COUNT
};

static const struct {
	const char *name;
	bool named; /* [imap NAME]: one per name; else at most one */
} sections[S_COUNT] = {
	[S_DATABASE] = { "database", false },
	[S_POLL] = { "poll", false },
	[S_INGEST] = { "ingest", false },
	[S_FAILURE] = { "failure", false },
	[S_LOG] = { "log", false },
	[S_SERVICE] = { "service", false },
	[S_WEB] = { "web", false },
	[S_ADVISOR] = { "advisor", false },
	[S_IMAP] = { "imap", true },
	[S_MAILDIR] = { "maildir", true },
	[S_SOURCE] = { "source", true },
	[S_DOMAIN] = { "domain", true },
	[S_DNS] = { "dns", false },
	[S_ENRICH] = { "enrich", false },
	[S_CATALOGUE] = { "service", true },
};

/*
 * T_PERCENT: "98", "99.5" or "98%", kept as a fraction (a double); min and max in percent.
 * T_PCTS: "10,25,50,100" into a struct config_pcts.
 */
enum type { T_STRING, T_BOOL, T_UINT, T_SIZE, T_SECONDS, T_ENUM, T_PERCENT, T_PCTS };

static const char *const after_names[] = { "move", "flag", "delete", "none", NULL };
static const char *const after_invalid_names[] = { "move", "flag", "", "none", NULL };
static const char *const level_names[] = { "error", "warning", "info", "debug", NULL };
static const char *const status_names[] = { "authorized", "unauthorized", "forwarder", NULL };
static const char *const ramp_names[] = { "testing", "pct", NULL };

struct key {
	enum sect sect;
	const char *name;
	enum type type;
	size_t offset;              /* in struct config, config_imap or config_maildir */
	const char *def;            /* default, parsed like a value; NULL: none */
	uint64_t min, max;          /* numbers: inclusive range */
	const char *const *choices; /* T_ENUM: the value is the index */
	bool required;
};

#define C(f) offsetof(struct config, f)
#define I(f) offsetof(struct config_imap, f)
#define M(f) offsetof(struct config_maildir, f)
#define A(f) offsetof(struct config, advisor.f)
#define K(f) offsetof(struct config_source, f)
#define D(f) offsetof(struct config_domain, f)
#define E(f) offsetof(struct config, enrich.f)
#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

/* Every key of the file. dmarcd.conf.example documents each one. */
static const struct key keys[] = {
	{ S_DATABASE, "path", T_STRING, C(db_path), NULL, 0, 0, NULL, false },

	{ S_POLL, "interval", T_SECONDS, C(interval), "5m", 1, 86400, NULL, false },
	{ S_POLL, "batch", T_UINT, C(batch), "50", 1, 1000, NULL, false },

	{ S_INGEST, "max_input", T_SIZE, C(bounds.max_input), "50M", 4 * KiB, 1 * GiB, NULL,
	    false },
	{ S_INGEST, "max_document", T_SIZE, C(bounds.max_document), "2G", 1 * MiB, 16 * GiB, NULL,
	    false },
	{ S_INGEST, "max_message_out", T_SIZE, C(bounds.max_message_out), "4G", 1 * MiB, 64 * GiB,
	    NULL, false },
	{ S_INGEST, "max_ratio", T_UINT, C(bounds.max_ratio), "1000", 10, 100000, NULL, false },
	{ S_INGEST, "verify_dkim", T_BOOL, C(verify_dkim), "yes", 0, 0, NULL, false },
	{ S_INGEST, "require_verified", T_BOOL, C(require_verified), "no", 0, 0, NULL, false },
	{ S_INGEST, "authserv_id", T_STRING, C(authserv_id), NULL, 0, 0, NULL, false },

	{ S_FAILURE, "keep_body", T_BOOL, C(keep_body), "no", 0, 0, NULL, false },
	{ S_FAILURE, "retention_days", T_UINT, C(retention_days), "30", 1, 36500, NULL, false },

	{ S_LOG, "syslog", T_BOOL, C(syslog), "no", 0, 0, NULL, false },
	{ S_LOG, "level", T_ENUM, C(log_level), "info", 0, 0, level_names, false },

	{ S_SERVICE, "user", T_STRING, C(user), NULL, 0, 0, NULL, false },

	{ S_WEB, "listen", T_STRING, C(listen), WEB_LISTEN_DEFAULT, 0, 0, NULL, false },
	{ S_WEB, "base_path", T_STRING, C(base_path), "", 0, 0, NULL, false },
	{ S_WEB, "auth_user", T_STRING, C(auth_user), NULL, 0, 0, NULL, false },
	{ S_WEB, "auth_hash_file", T_STRING, C(auth_hash_file), NULL, 0, 0, NULL, false },
	{ S_WEB, "allow_remote_without_auth", T_BOOL, C(allow_remote_without_auth), "no", 0, 0,
	    NULL, false },
	{ S_WEB, "server_name", T_STRING, C(server_name), NULL, 0, 0, NULL, false },
	{ S_WEB, "threads", T_UINT, C(web_threads), "0", 0, 64, NULL, false },

	{ S_IMAP, "url", T_STRING, I(url), NULL, 0, 0, NULL, true },
	{ S_IMAP, "user", T_STRING, I(user), NULL, 0, 0, NULL, true },
	{ S_IMAP, "password", T_STRING, I(password), NULL, 0, 0, NULL, false },
	{ S_IMAP, "password_file", T_STRING, I(password_file), NULL, 0, 0, NULL, false },
	{ S_IMAP, "ca_file", T_STRING, I(ca_file), NULL, 0, 0, NULL, false },
	{ S_IMAP, "starttls", T_BOOL, I(starttls), "yes", 0, 0, NULL, false },
	{ S_IMAP, "source_address", T_STRING, I(source_address), NULL, 0, 0, NULL, false },
	{ S_IMAP, "after", T_ENUM, I(after), "move", 0, 0, after_names, false },
	{ S_IMAP, "after_invalid", T_ENUM, I(after_invalid), "move", 0, 0, after_invalid_names,
	    false },
	{ S_IMAP, "archive_folder", T_STRING, I(archive_folder), "Archive/DMARC", 0, 0, NULL,
	    false },
	{ S_IMAP, "invalid_folder", T_STRING, I(invalid_folder), "Archive/Invalid", 0, 0, NULL,
	    false },
	{ S_IMAP, "timeout", T_SECONDS, I(timeout), "60", 5, 3600, NULL, false },

	{ S_MAILDIR, "path", T_STRING, M(path), NULL, 0, 0, NULL, true },

	{ S_ADVISOR, "window_days", T_UINT, A(window_days), "30", 1, 366, NULL, false },
	{ S_ADVISOR, "min_days_none", T_UINT, A(min_days_none), "30", 0, 3650, NULL, false },
	{ S_ADVISOR, "min_days_ramp", T_UINT, A(min_days_ramp), "7", 0, 3650, NULL, false },
	{ S_ADVISOR, "min_days_quarantine", T_UINT, A(min_days_quarantine), "30", 0, 3650, NULL,
	    false },
	{ S_ADVISOR, "coverage_days", T_PERCENT, A(coverage_days), "90", 0, 100, NULL, false },
	{ S_ADVISOR, "min_reporters", T_UINT, A(min_reporters), "3", 0, 1000, NULL, false },
	{ S_ADVISOR, "min_messages", T_UINT, A(min_messages), "1000", 0, UINT64_MAX, NULL, false },
	{ S_ADVISOR, "notable_share", T_PERCENT, A(notable_share), "0.1", 0, 100, NULL, false },
	{ S_ADVISOR, "notable_per_day", T_UINT, A(notable_per_day), "10", 0, UINT64_MAX, NULL,
	    false },
	{ S_ADVISOR, "min_service_messages", T_UINT, A(min_service_messages), "20", 0, UINT64_MAX,
	    NULL, false },
	{ S_ADVISOR, "pass_quarantine", T_PERCENT, A(pass_quarantine), "98", 0, 100, NULL, false },
	{ S_ADVISOR, "source_pass", T_PERCENT, A(source_pass), "95", 0, 100, NULL, false },
	{ S_ADVISOR, "source_min_messages", T_UINT, A(source_min_messages), "50", 0, UINT64_MAX,
	    NULL, false },
	{ S_ADVISOR, "enforced_share", T_PERCENT, A(enforced_share), "80", 0, 100, NULL, false },
	{ S_ADVISOR, "pass_reject", T_PERCENT, A(pass_reject), "99.5", 0, 100, NULL, false },
	{ S_ADVISOR, "dkim_reject", T_PERCENT, A(dkim_reject), "98", 0, 100, NULL, false },
	{ S_ADVISOR, "collateral_max", T_PERCENT, A(collateral_max), "0.1", 0, 100, NULL, false },
	{ S_ADVISOR, "indirect_max", T_PERCENT, A(indirect_max), "0.5", 0, 100, NULL, false },
	{ S_ADVISOR, "stable_days", T_UINT, A(stable_days), "14", 0, 3650, NULL, false },
	{ S_ADVISOR, "new_source_days", T_UINT, A(new_source_days), "7", 0, 3650, NULL, false },
	{ S_ADVISOR, "regression_points", T_PERCENT, A(regression_points), "1", 0, 100, NULL,
	    false },
	{ S_ADVISOR, "first_pct", T_UINT, A(first_pct), "10", 0, 100, NULL, false },
	{ S_ADVISOR, "stale_days", T_UINT, A(stale_days), "4", 0, 3650, NULL, false },
	{ S_ADVISOR, "rua", T_STRING, A(rua), NULL, 0, 0, NULL, false },
	{ S_ADVISOR, "ramp", T_ENUM, A(ramp), "testing", 0, 0, ramp_names, false },
	{ S_ADVISOR, "ramp_pct", T_PCTS, A(ramp_pct), "10,25,50,100", 0, 0, NULL, false },

	{ S_SOURCE, "domain", T_STRING, K(domain), NULL, 0, 0, NULL, true },
	{ S_SOURCE, "cidr", T_STRING, K(cidr), NULL, 0, 0, NULL, false },
	{ S_SOURCE, "dkim_domain", T_STRING, K(dkim_domain), NULL, 0, 0, NULL, false },
	{ S_SOURCE, "spf_domain", T_STRING, K(spf_domain), NULL, 0, 0, NULL, false },
	{ S_SOURCE, "status", T_ENUM, K(status), NULL, 0, 0, status_names, true },
	{ S_SOURCE, "label", T_STRING, K(label), NULL, 0, 0, NULL, false },

	{ S_DOMAIN, "record", T_STRING, D(record), NULL, 0, 0, NULL, false },
	{ S_DOMAIN, "no_mailing_lists", T_BOOL, D(no_mailing_lists), "no", 0, 0, NULL, false },

	{ S_DNS, "servers", T_STRING, E(dns_servers), NULL, 0, 0, NULL, false },
	{ S_DNS, "timeout", T_SECONDS, E(dns_timeout), "2", 1, 60, NULL, false },
	{ S_DNS, "tries", T_UINT, E(dns_tries), "2", 1, 10, NULL, false },
	{ S_DNS, "inflight", T_UINT, E(dns_inflight), "256", 1, 4096, NULL, false },

	{ S_ENRICH, "enabled", T_BOOL, E(enabled), "yes", 0, 0, NULL, false },
	{ S_ENRICH, "dns", T_BOOL, E(dns), "yes", 0, 0, NULL, false },
	{ S_ENRICH, "asn_db", T_STRING, E(asn_db), NULL, 0, 0, NULL, false },
	{ S_ENRICH, "country_db", T_STRING, E(country_db), NULL, 0, 0, NULL, false },
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* The reader's position. */
struct parser {
	struct config *c;
	const char *name;
	unsigned line;
	enum sect sect;                    /* S_COUNT before the first header */
	void *base;                        /* where the current section's keys live */
	bool set[N_KEYS];                  /* keys given in the current section */
	bool seen[S_COUNT];                /* unnamed sections met */
	char service[CONFIG_NAME_MAX + 1]; /* the current [service NAME]'s name */
};

void
config_each_key(void (*fn)(void *ctx, const char *section, const char *key), void *ctx)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		fn(ctx, sections[keys[i].sect].name, keys[i].name);
}

static int fail_at(struct parser *p, struct errbuf *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets e to "file:line: message" and returns -1. */
static int
fail_at(struct parser *p, struct errbuf *e, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errbuf_set(e, "%s:%u: %s", p->name, p->line, msg);
	return -1;
}

/* Parses a decimal number with an optional unit suffix scaled by units. */
static int
parse_scaled(const char *s, const char *suffixes, const uint64_t *scale, uint64_t *out)
{
	const char *end, *u;
	uint64_t v;

	if (num_parse_prefix(s, UINT64_MAX, &v, &end) == -1)
		return -1;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	if (end[1] != '\0' || (u = strchr(suffixes, *end)) == NULL)
		return -1;
	if (v > UINT64_MAX / scale[u - suffixes])
		return -1;
	*out = v * scale[u - suffixes];
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* "98", "99.5" or "98%" within [k->min, k->max] percent, as a fraction. */
static int
set_percent(struct parser *p, const struct key *k, double *field, const char *v, struct errbuf *e)
{
	char *end;
	double d;

	if (!isdigit((unsigned char)v[0]))
		return fail_at(p, e, "%s: '%s' is not a percentage", k->name, v);
	errno = 0;
	d = strtod(v, &end);
	if (*end == '%')
		end++;
	if (errno != 0 || *end != '\0')
		return fail_at(p, e, "%s: '%s' is not a percentage", k->name, v);
	if (d < (double)k->min || d > (double)k->max)
		return fail_at(p, e, "%s: '%s' is out of range", k->name, v);
	*field = d / 100.0;
	return 0;
}

/* Stores value v of key k into base. */
/* "10,25,50,100": increasing whole percentages from 1, the last 100. */
static int
set_pcts(struct parser *p, const struct key *k, struct config_pcts *out, const char *v,
    struct errbuf *e)
{
	struct config_pcts x = { .n = 0 };
	const char *s = v;
	uint64_t n;

	for (;;) {
		char item[8];
		size_t len = strcspn(s, ",");

		while (len > 0 && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (len == 0 || len >= sizeof item || x.n == CONFIG_PCTS_MAX)
			goto bad;
		memcpy(item, s, len);
		item[len] = '\0';
		if (parse_scaled(item, "", NULL, &n) == -1 || n < 1 || n > 100 ||
		    (x.n > 0 && n <= x.v[x.n - 1]))
			goto bad;
		x.v[x.n++] = (unsigned)n;
		s += strcspn(s, ",");
		if (*s == '\0')
			break;
		s++;
	}
	if (x.v[x.n - 1] != 100)
		goto bad;
	*out = x;
	return 0;
bad:
	return fail_at(p, e,
	    "%s: '%s' is not increasing percentages ending at 100 (at most %d, like 10,25,50,100)",
	    k->name, v, CONFIG_PCTS_MAX);
}

static int
set_value(struct parser *p, const struct key *k, void *base, const char *v, struct errbuf *e)
{
	static const uint64_t sizes[] = { KiB, MiB, GiB };
	static const uint64_t seconds[] = { 1, 60, 3600, 86400 };
	char *field = (char *)base + k->offset;
	uint64_t n = 0;
	size_t i;
	int rc = 0;

	switch (k->type) {
	case T_STRING:
		free(*(char **)field);
		if ((*(char **)field = strdup(v)) == NULL)
			return fail_at(p, e, "out of memory");
		return 0;
	case T_BOOL:
		if (parse_bool(v, (bool *)field) == -1)
			return fail_at(p, e, "%s: '%s' is not yes or no", k->name, v);
		return 0;
	case T_ENUM:
		for (i = 0; k->choices[i] != NULL; i++) {
			if (k->choices[i][0] != '\0' && strcmp(v, k->choices[i]) == 0) {
				*(int *)field = (int)i;
				return 0;
			}
		}
		return fail_at(p, e, "%s: '%s' is not one of the documented values", k->name, v);
	case T_UINT:
		rc = parse_scaled(v, "", NULL, &n);
		break;
	case T_SIZE:
		rc = parse_scaled(v, "KMG", sizes, &n);
		break;
	case T_SECONDS:
		rc = parse_scaled(v, "smhd", seconds, &n);
		break;
	case T_PERCENT:
		return set_percent(p, k, (double *)field, v, e);
	case T_PCTS:
		return set_pcts(p, k, (struct config_pcts *)field, v, e);
	}
	if (rc == -1)
		return fail_at(p, e, "%s: '%s' is not a valid number", k->name, v);
	if (n < k->min || n > k->max)
		return fail_at(p, e, "%s: '%s' is out of range", k->name, v);
	*(uint64_t *)field = n;
	return 0;
}

/* Applies the defaults of section s to base. */
static int
set_defaults(struct parser *p, enum sect s, void *base, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (keys[i].sect == s && keys[i].def != NULL &&
		    set_value(p, &keys[i], base, keys[i].def, e) == -1)
			return -1;
	return 0;
}

/* The host part of an imap:// or imaps:// URL into host (size bytes); -1 if malformed. */
static int
url_host(const char *url, char *host, size_t size)
{
	const char *h, *end;

	if (strncmp(url, "imaps://", 8) == 0)
		h = url + 8;
	else if (strncmp(url, "imap://", 7) == 0)
		h = url + 7;
	else
		return -1;
	if (*h == '[')
		end = strchr(h, ']') != NULL ? strchr(h, ']') + 1 : NULL;
	else
		end = h + strcspn(h, ":/?#@");
	if (end == NULL || end == h || (size_t)(end - h) >= size || *end == '@' ||
	    strchr(end, '@') != NULL)
		return -1;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	return 0;
}

/* Checks what the table cannot: the current section as a whole. */
static int
end_section(struct parser *p, struct errbuf *e)
{
	struct config_imap *im = p->base;
	char host[256];
	unsigned line = p->line;
	size_t i;
	int rc = 0;

	if (p->sect == S_COUNT)
		return 0;
	if (p->sect == S_IMAP)
		p->line = im->line;
	else if (p->sect == S_MAILDIR)
		p->line = ((struct config_maildir *)p->base)->line;
	else if (p->sect == S_SOURCE)
		p->line = ((struct config_source *)p->base)->line;
	else if (p->sect == S_DOMAIN)
		p->line = ((struct config_domain *)p->base)->line;
	for (i = 0; i < N_KEYS && rc == 0; i++)
		if (keys[i].sect == p->sect && keys[i].required && !p->set[i])
			rc = fail_at(p, e, "[%s] needs '%s'", sections[p->sect].name, keys[i].name);
	if (rc == 0 && p->sect == S_IMAP) {
		if (url_host(im->url, host, sizeof host) == -1)
			rc = fail_at(p, e,
			    "url: '%s' is not imaps://HOST[:PORT]/FOLDER or "
			    "imap://... (the user name goes in 'user')",
			    im->url);
		else if (strncmp(im->url, "imap://", 7) == 0 && !im->starttls &&
		    !loopback_host(host))
			rc = fail_at(p, e,
			    "starttls = no: plaintext IMAP is allowed only to "
			    "loopback, not to %s",
			    host);
		else if (im->password != NULL && im->password_file != NULL)
			rc = fail_at(p, e, "give password or password_file, not both");
	}
	if (rc == 0 && p->sect == S_SOURCE) {
		const struct config_source *ks = p->base;

		if ((ks->cidr != NULL) + (ks->dkim_domain != NULL) + (ks->spf_domain != NULL) != 1)
			rc = fail_at(p, e,
			    "[source %s] needs exactly one of cidr, dkim_domain and "
			    "spf_domain",
			    ks->name);
	}
	p->line = line;
	return rc;
}

static bool
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > CONFIG_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* Appends a zeroed source to *arr (elements of size sz) and returns it. */
static void *
grow(void **arr, size_t *n, size_t sz)
{
	char *a = realloc(*arr, (*n + 1) * sz);

	if (a == NULL)
		return NULL;
	*arr = a;
	memset(a + *n * sz, 0, sz);
	return a + (*n)++ * sz;
}

/* Where the sections of a named type go, and where their name and line live. */
struct named {
	void **arr;
	size_t *n;
	size_t size;
	size_t max;        /* with the other types sharing the limit */
	size_t name, line; /* offsets of char *name and unsigned line */
};

#define NAMED(arr, n, type, max) \
	(struct named) \
	{ \
		(void **)&(arr), &(n), sizeof(type), (max), offsetof(type, name), \
		    offsetof(type, line) \
	}

static struct named
named_of(struct config *c, enum sect sect)
{
	switch (sect) {
	case S_IMAP:
		return NAMED(c->imap, c->n_imap, struct config_imap,
		    CONFIG_SOURCES_MAX - c->n_maildir);
	case S_MAILDIR:
		return NAMED(c->maildir, c->n_maildir, struct config_maildir,
		    CONFIG_SOURCES_MAX - c->n_imap);
	case S_SOURCE:
		return NAMED(c->known, c->n_known, struct config_source,
		    CONFIG_ADVISOR_MAX - c->n_domains);
	default:
		return NAMED(c->domains, c->n_domains, struct config_domain,
		    CONFIG_ADVISOR_MAX - c->n_known);
	}
}

/* Appends a [type NAME] section and makes it current. */
static int
add_named(struct parser *p, enum sect sect, const char *name, struct errbuf *e)
{
	struct named nd = named_of(p->c, sect);
	char *item;
	size_t i;

	if (*nd.n >= nd.max)
		return fail_at(p, e, "too many [%s] sections", sections[sect].name);
	for (i = 0; i < *nd.n; i++) {
		item = (char *)*nd.arr + i * nd.size;
		if (strcmp(*(char **)(item + nd.name), name) == 0)
			return fail_at(p, e, "[%s %s] appears twice", sections[sect].name, name);
	}
	if ((item = grow(nd.arr, nd.n, nd.size)) == NULL)
		return fail_at(p, e, "out of memory");
	p->base = item;
	*(unsigned *)(item + nd.line) = p->line;
	if ((*(char **)(item + nd.name) = strdup(name)) == NULL)
		return fail_at(p, e, "out of memory");
	return 0;
}

/*
 * "[service NAME]": a service of the catalogue, added or changed
 * (catalogue.h); its lines go to catalogue_set, which checks them.
 */
static int
begin_catalogue(struct parser *p, const char *name, size_t len, struct errbuf *e)
{
	struct errbuf ce;

	if (len >= sizeof p->service)
		return fail_at(p, e, "[service NAME]: NAME is too long");
	memcpy(p->service, name, len);
	p->service[len] = '\0';
	if (p->c->catalogue == NULL && (p->c->catalogue = catalogue_builtin(&ce)) == NULL)
		return fail_at(p, e, "%s", ce.msg);
	p->sect = S_CATALOGUE;
	memset(p->set, 0, sizeof p->set);
	return 0;
}

/* "[type]" or "[type name]": s is what is between the brackets. */
static int
begin_section(struct parser *p, const char *s, size_t len, struct errbuf *e)
{
	char type[32], name[CONFIG_NAME_MAX + 1];
	size_t tlen = 0;
	const char *n;
	enum sect sect;

	if (end_section(p, e) == -1)
		return -1;
	while (tlen < len && !isspace((unsigned char)s[tlen]))
		tlen++;
	for (n = s + tlen; n < s + len && isspace((unsigned char)*n); n++)
		;
	if (tlen >= sizeof type)
		return fail_at(p, e, "unknown section");
	memcpy(type, s, tlen);
	type[tlen] = '\0';
	for (sect = 0; sect < S_COUNT; sect++)
		if (strcmp(sections[sect].name, type) == 0)
			break;
	if (sect == S_COUNT)
		return fail_at(p, e, "unknown section [%s]", type);
	if (sect == S_SERVICE && n != s + len)
		return begin_catalogue(p, n, (size_t)(s + len - n), e);
	if (!sections[sect].named) {
		if (n != s + len)
			return fail_at(p, e, "[%s] takes no name", type);
		if (p->seen[sect])
			return fail_at(p, e, "[%s] appears twice", type);
		p->seen[sect] = true;
		p->base = p->c;
		if (sect == S_WEB) {
			p->c->has_web = true;
			if (set_defaults(p, S_WEB, p->c, e) == -1)
				return -1;
		}
	} else {
		if (!valid_name(n, (size_t)(s + len - n)))
			return fail_at(p, e, "[%s NAME]: NAME is 1 to 64 of A-Z a-z 0-9 . _ -",
			    type);
		memcpy(name, n, (size_t)(s + len - n));
		name[s + len - n] = '\0';
		if (add_named(p, sect, name, e) == -1)
			return -1;
		if (set_defaults(p, sect, p->base, e) == -1)
			return -1;
	}
	p->sect = sect;
	memset(p->set, 0, sizeof p->set);
	return 0;
}

/* The value after "=": a "quoted string" (\" and \\ escapes), or up to a " ;" / " #" comment. */
static int
read_value(struct parser *p, const char *s, size_t len, char *out, size_t size, struct errbuf *e)
{
	size_t i, n = 0;

	if (len >= size)
		return fail_at(p, e, "value too long");
	if (len > 0 && s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			out[n++] = s[i];
		}
		if (i == len)
			return fail_at(p, e, "unterminated quoted value");
		for (i++; i < len && isspace((unsigned char)s[i]); i++)
			;
		if (i < len && s[i] != ';' && s[i] != '#')
			return fail_at(p, e, "text after a quoted value");
	} else {
		for (i = 0; i < len; i++) {
			if ((s[i] == ';' || s[i] == '#') && i > 0 &&
			    isspace((unsigned char)s[i - 1]))
				break;
			out[n++] = s[i];
		}
		while (n > 0 && isspace((unsigned char)out[n - 1]))
			n--;
	}
	out[n] = '\0';
	return 0;
}

/* A "key = value" line of a [service NAME] section. */
static int
catalogue_line(struct parser *p, const char *key, const char *v, size_t len, struct errbuf *e)
{
	char value[CONFIG_LINE_MAX];
	struct errbuf ce;

	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	if (read_value(p, v, len, value, sizeof value, e) == -1)
		return -1;
	if (catalogue_set(p->c->catalogue, p->service, key, value, &ce) == -1)
		return fail_at(p, e, "%s", ce.msg);
	return 0;
}

static int
key_line(struct parser *p, const char *s, size_t len, struct errbuf *e)
{
	char name[64], value[CONFIG_LINE_MAX];
	const char *eq = memchr(s, '=', len), *v;
	size_t klen, i;

	if (eq == NULL)
		return fail_at(p, e, "expected 'key = value' or '[section]'");
	for (klen = (size_t)(eq - s); klen > 0 && isspace((unsigned char)s[klen - 1]); klen--)
		;
	if (klen == 0 || klen >= sizeof name)
		return fail_at(p, e, "expected 'key = value'");
	memcpy(name, s, klen);
	name[klen] = '\0';
	if (p->sect == S_COUNT)
		return fail_at(p, e, "'%s' before any [section]", name);
	if (p->sect == S_CATALOGUE)
		return catalogue_line(p, name, eq + 1, (size_t)(s + len - eq - 1), e);
	for (i = 0; i < N_KEYS; i++)
		if (keys[i].sect == p->sect && strcmp(keys[i].name, name) == 0)
			break;
	if (i == N_KEYS)
		return fail_at(p, e, "unknown key '%s' in [%s]", name, sections[p->sect].name);
	if (p->set[i])
		return fail_at(p, e, "'%s' is set twice in this section", name);
	p->set[i] = true;
	for (v = eq + 1; v < s + len && isspace((unsigned char)*v); v++)
		;
	if (read_value(p, v, (size_t)(s + len - v), value, sizeof value, e) == -1)
		return -1;
	if (value[0] == '\0' && keys[i].type != T_STRING)
		return fail_at(p, e, "%s: empty value", name);
	return set_value(p, &keys[i], p->base, value, e);
}

static int
parse_line(struct parser *p, const char *s, size_t len, struct errbuf *e)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || s[0] == ';' || s[0] == '#')
		return 0;
	if (memchr(s, '\0', len) != NULL)
		return fail_at(p, e, "NUL byte in line");
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len), *rest;

		if (close == NULL)
			return fail_at(p, e, "expected ']' at the end of the section line");
		for (rest = close + 1; rest < s + len && isspace((unsigned char)*rest); rest++)
			;
		if (rest < s + len && *rest != ';' && *rest != '#')
			return fail_at(p, e, "text after ']'");
		return begin_section(p, s + 1, (size_t)(close - s - 1), e);
	}
	return key_line(p, s, len, e);
}

int
config_parse(const char *name, const char *text, size_t len, struct config **out, struct errbuf *e)
{
	struct parser p = { 0 };
	const char *s = text, *nl, *end = text + len;

	if ((p.c = calloc(1, sizeof *p.c)) == NULL || (p.c->file = strdup(name)) == NULL) {
		errbuf_set(e, "%s: out of memory", name);
		goto fail;
	}
	p.name = name;
	bounds_default(&p.c->bounds);
	for (p.sect = 0; p.sect < S_COUNT; p.sect++)
		if (p.sect != S_WEB && !sections[p.sect].named &&
		    set_defaults(&p, p.sect, p.c, e) == -1)
			goto fail;
	p.sect = S_COUNT;
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if (nl - s >= CONFIG_LINE_MAX) {
			fail_at(&p, e, "line longer than 4096 bytes");
			goto fail;
		}
		if (parse_line(&p, s, (size_t)(nl - s), e) == -1)
			goto fail;
		s = nl + 1;
	}
	if (end_section(&p, e) == -1)
		goto fail;
	*out = p.c;
	return 0;
fail:
	config_free(p.c);
	return -1;
}

int
config_load(const char *path, struct config **out, struct errbuf *e)
{
	char *text = NULL;
	size_t len;
	mode_t mode;
	int rc;

	if (config_read_small_file(path, CONFIG_FILE_MAX, &text, &len, &mode, e) == -1)
		return -1;
	rc = config_parse(path, text, len, out, e);
	free(text);
	if (rc == 0)
		(*out)->file_private = (mode & 077) == 0;
	return rc;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_imap; i++) {
		struct config_imap *im = &c->imap[i];

		free(im->name);
		free(im->url);
		free(im->user);
		config_free_secret(im->password);
		free(im->password_file);
		free(im->ca_file);
		free(im->source_address);
		free(im->archive_folder);
		free(im->invalid_folder);
	}
	for (i = 0; i < c->n_maildir; i++) {
		free(c->maildir[i].name);
		free(c->maildir[i].path);
	}
	for (i = 0; i < c->n_known; i++) {
		free(c->known[i].name);
		free(c->known[i].domain);
		free(c->known[i].cidr);
		free(c->known[i].dkim_domain);
		free(c->known[i].spf_domain);
		free(c->known[i].label);
	}
	for (i = 0; i < c->n_domains; i++) {
		free(c->domains[i].name);
		free(c->domains[i].record);
	}
	free(c->imap);
	free(c->maildir);
	free(c->known);
	free(c->domains);
	free(c->advisor.rua);
	free(c->file);
	free(c->db_path);
	free(c->listen);
	free(c->base_path);
	free(c->server_name);
	free(c->auth_user);
	free(c->auth_hash_file);
	free(c->user);
	free(c->enrich.dns_servers);
	free(c->authserv_id);
	free(c->enrich.asn_db);
	free(c->enrich.country_db);
	catalogue_free(c->catalogue);
	free(c);
}
