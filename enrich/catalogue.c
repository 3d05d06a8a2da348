/*
 * catalogue: known sending services and matching a source to one
 * (catalogue.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "catalogue.h"
#include "embedded.h"
#include "hash.h"
#include "num.h"

/* data/services.conf, compiled in by cmake/embed.cmake */
extern const struct embedded_file catalogue_files[];

const char *const catalogue_categories[] = {
	"mailbox",       /* a mailbox provider: Google Workspace, Microsoft 365 */
	"marketing",     /* newsletters and campaigns */
	"transactional", /* mail sent by an application through an API or SMTP relay */
	"crm",           /* sales and customer-relationship tools */
	"helpdesk",      /* support desks and customer messaging */
	"security",      /* security gateways that relay a domain's outbound mail */
	"forwarder",     /* forwarders and mailing lists: they resend others' mail */
	"hosting",       /* web and mail hosting, ISPs' relays */
	"saas",          /* other applications that send mail in the customer's name */
	NULL,
};

const char *
evidence_name(enum evidence ev)
{
	switch (ev) {
	case EVIDENCE_ASN:
		return "asn";
	case EVIDENCE_SPF:
		return "spf";
	case EVIDENCE_PTR:
		return "ptr";
	case EVIDENCE_DKIM:
		return "dkim";
	case EVIDENCE_NONE:
		break;
	}
	return "";
}

/*
 * Every domain and AS number a service claims is one claim. The claims sit
 * in one open-addressing table keyed on (kind, text), so that a name costs
 * one look-up per label, whatever the catalogue's size: matching runs for
 * every source address.
 */
struct claim {
	char *text; /* a domain, or an AS number in decimal */
	size_t len;
	enum evidence kind;
	size_t svc;
};

struct svc {
	struct service pub; /* points into the strings below */
	char *key, *name, *fix, *doc;
	size_t nclaims[EVIDENCE_DKIM + 1];
};

/* A shared cloud ([cloud KEY]): kept apart from the services, so that it never names a sender. */
struct cloud {
	char *key, *name;
};

struct cloud_asn {
	uint32_t asn;
	size_t cloud;
};

struct catalogue {
	struct svc **svcs; /* pointers, so that a service stays put while others are added */
	size_t nsvc, capsvc;
	struct cloud *clouds;
	size_t ncloud, capcloud;
	struct cloud_asn
	    *cloud_asns; /* looked up by a linear scan: a few dozen, read per command */
	size_t ncloud_asn, capcloud_asn;
	struct claim *claims;
	size_t nclaim, capclaim;
	uint32_t *slots; /* a claim's index + 1; 0 is empty */
	size_t nslot;    /* a power of two, at least twice nclaim */
};

enum field { F_NAME, F_CATEGORY, F_FIX, F_DOC, F_DKIM, F_SPF, F_PTR, F_ASN, F_UNKNOWN };

static const char *const field_names[] = { "name", "category", "fix", "doc", "dkim", "spf", "ptr",
	"asn" };

#define DOMAIN_MAX 253
#define LABEL_MAX 63

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Copies s for an error message: at most 64 bytes, anything unprintable as '?'. */
static const char *
shown(const char *s, size_t len, char out[72])
{
	size_t i, n = len < 64 ? len : 64;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static enum field
field_of(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < F_UNKNOWN; i++)
		if (strlen(field_names[i]) == len && memcmp(field_names[i], key, len) == 0)
			return (enum field)i;
	return F_UNKNOWN;
}

static bool
valid_service_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > BOUND_CATALOGUE_KEY)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static uint64_t
claim_hash(enum evidence kind, const char *s, size_t len)
{
	unsigned char k = (unsigned char)kind;
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, &k, 1);

	h = hash_fnv1a(h, s, len);
	/* FNV-1a's low bits are weak on short keys; the table indexes with them */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

/* The claim of (kind, s) in *at: true when there is one. */
static bool
claim_find(const struct catalogue *c, enum evidence kind, const char *s, size_t len, size_t *at)
{
	size_t mask, i;

	if (c->nslot == 0)
		return false;
	mask = c->nslot - 1;
	for (i = claim_hash(kind, s, len) & mask; c->slots[i] != 0; i = (i + 1) & mask) {
		const struct claim *cl = &c->claims[c->slots[i] - 1];

		if (cl->kind == kind && cl->len == len && memcmp(cl->text, s, len) == 0) {
			*at = c->slots[i] - 1;
			return true;
		}
	}
	return false;
}

static void
slot_put(uint32_t *slots, size_t nslot, const struct claim *cl, uint32_t index)
{
	size_t mask = nslot - 1, i;

	for (i = claim_hash(cl->kind, cl->text, cl->len) & mask; slots[i] != 0; i = (i + 1) & mask)
		;
	slots[i] = index + 1;
}

static int
claim_add(struct catalogue *c, size_t svc, enum evidence kind, const char *text, size_t len,
    struct errbuf *e)
{
	struct claim *cl;
	size_t i;

	if (c->nclaim == c->capclaim) {
		size_t cap = c->capclaim == 0 ? 256 : c->capclaim * 2;
		struct claim *n = realloc(c->claims, cap * sizeof *n);

		if (n == NULL)
			goto oom;
		c->claims = n;
		c->capclaim = cap;
	}
	if ((c->nclaim + 1) * 2 > c->nslot) {
		size_t nslot = c->nslot == 0 ? 512 : c->nslot * 2;
		uint32_t *slots = calloc(nslot, sizeof *slots);

		if (slots == NULL)
			goto oom;
		for (i = 0; i < c->nclaim; i++)
			slot_put(slots, nslot, &c->claims[i], (uint32_t)i);
		free(c->slots);
		c->slots = slots;
		c->nslot = nslot;
	}
	cl = &c->claims[c->nclaim];
	cl->text = strndup(text, len);
	if (cl->text == NULL)
		goto oom;
	cl->len = len;
	cl->kind = kind;
	cl->svc = svc;
	slot_put(c->slots, c->nslot, cl, (uint32_t)c->nclaim);
	c->nclaim++;
	c->svcs[svc]->nclaims[kind]++;
	return 0;
oom:
	errbuf_set(e, "out of memory");
	return -1;
}

static bool
svc_find(const struct catalogue *c, const char *key, size_t *at)
{
	size_t i;

	/* a linear scan: services are looked up by key only while loading */
	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svcs[i]->key, key) == 0) {
			*at = i;
			return true;
		}
	return false;
}

static int
svc_add(struct catalogue *c, const char *key, size_t *at, struct errbuf *e)
{
	struct svc *s = NULL;

	if (c->nsvc == BOUND_CATALOGUE_SERVICES) {
		errbuf_set(e, "more than %d services", BOUND_CATALOGUE_SERVICES);
		return -1;
	}
	if (c->nsvc == c->capsvc) {
		size_t cap = c->capsvc == 0 ? 64 : c->capsvc * 2;
		struct svc **n = realloc(c->svcs, cap * sizeof *n);

		if (n == NULL)
			goto oom;
		c->svcs = n;
		c->capsvc = cap;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		goto oom;
	/* a service the config adds with its evidence only is shown by its key */
	s->key = strdup(key);
	s->name = strdup(key);
	s->fix = strdup("");
	s->doc = strdup("");
	if (s->key == NULL || s->name == NULL || s->fix == NULL || s->doc == NULL)
		goto oom;
	s->pub.key = s->key;
	s->pub.name = s->name;
	s->pub.category = "saas";
	s->pub.fix = s->fix;
	s->pub.doc = s->doc;
	c->svcs[c->nsvc] = s;
	*at = c->nsvc++;
	return 0;
oom:
	if (s != NULL) {
		free(s->key);
		free(s->name);
		free(s->fix);
		free(s->doc);
		free(s);
	}
	errbuf_set(e, "out of memory");
	return -1;
}

/*
 * Writes the domain d (len bytes) lower-cased, without a final dot, to
 * out: -1 with e set unless it is two labels or more of letters, digits
 * and inner hyphens, 253 bytes at most.
 */
static int
domain_norm(const char *d, size_t len, char out[DOMAIN_MAX + 1], size_t *outlen, struct errbuf *e)
{
	size_t i, label = 0, labels = 1;
	char buf[72];

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > DOMAIN_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		char ch = lower(d[i]);

		if (ch == '.') {
			if (label == 0 || out[i - 1] == '-')
				goto bad;
			label = 0;
			labels++;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    (ch == '-' && label > 0)) {
			if (++label > LABEL_MAX)
				goto bad;
		} else {
			goto bad;
		}
		out[i] = ch;
	}
	/* one label would claim a whole top-level domain */
	if (label == 0 || out[len - 1] == '-' || labels < 2)
		goto bad;
	out[len] = '\0';
	*outlen = len;
	return 0;
bad:
	errbuf_set(e, "\"%s\" is not a domain name of two labels or more", shown(d, len, buf));
	return -1;
}

/* AS numbers that name no network of a service: 0, AS_TRANS, documentation and private ones. */
static bool
asn_usable(uint64_t n)
{
	return n != 0 && n != 23456 && !(n >= 64496 && n <= 131071) && n < UINT64_C(4200000000);
}

/*
 * The next item of the comma-separated list at *p, blanks trimmed, in
 * *item and *len; *p moves past it. 1 (an item), 0 (the end), -1 with e
 * set on an empty item.
 */
static int
list_next(const char **p, const char **item, size_t *len, struct errbuf *e)
{
	const char *s = *p, *end;
	size_t n;

	if (s == NULL)
		return 0;
	end = strchr(s, ',');
	n = end != NULL ? (size_t)(end - s) : strlen(s);
	*p = end != NULL ? end + 1 : NULL;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0) {
		errbuf_set(e, "an empty item in the list");
		return -1;
	}
	*item = s;
	*len = n;
	return 1;
}

/* The AS number written in len bytes at s, when it names a public network; -1 with e set. */
static int
asn_parse(const char *s, size_t len, uint32_t *out, struct errbuf *e)
{
	char num[12], buf[72];
	uint64_t n;

	if (len <= 10) {
		memcpy(num, s, len);
		num[len] = '\0';
	}
	if (len > 10 || num_parse(num, UINT32_MAX, &n) == -1 || !asn_usable(n)) {
		errbuf_set(e, "\"%s\" is not the AS number of a public network",
		    shown(s, len, buf));
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* The cloud of key, when there is one. */
static bool
cloud_find(const struct catalogue *c, const char *key, size_t *at)
{
	for (*at = 0; *at < c->ncloud; (*at)++)
		if (strcmp(c->clouds[*at].key, key) == 0)
			return true;
	return false;
}

/* The cloud that claims asn, or SIZE_MAX. */
static size_t
cloud_of(const struct catalogue *c, uint32_t asn)
{
	size_t i;

	for (i = 0; i < c->ncloud_asn; i++)
		if (c->cloud_asns[i].asn == asn)
			return c->cloud_asns[i].cloud;
	return SIZE_MAX;
}

const char *
catalogue_cloud(const struct catalogue *c, uint32_t asn)
{
	size_t at = c != NULL ? cloud_of(c, asn) : SIZE_MAX;

	return at != SIZE_MAX ? c->clouds[at].name : NULL;
}

/*
 * Splits the comma-separated list in value, normalises each item and
 * checks it may be claimed by service svc (SIZE_MAX: a new one); then, if
 * all are good and add is true, adds them. Checking first leaves the
 * catalogue unchanged when one item is bad.
 */
static int
claims_set(struct catalogue *c, size_t svc, enum evidence kind, const char *value, bool add,
    struct errbuf *e)
{
	const char *p = value, *item;
	size_t count = 0, fresh = 0, len;
	int more;

	while ((more = list_next(&p, &item, &len, e)) == 1) {
		size_t nlen, at;
		char norm[DOMAIN_MAX + 1];
		enum evidence k;

		if (kind == EVIDENCE_ASN) {
			uint32_t n;

			if (asn_parse(item, len, &n, e) == -1)
				return -1;
			nlen = (size_t)snprintf(norm, sizeof norm, "%u", (unsigned)n);
			/* a spammer renting a server there would pass for the service */
			if (cloud_of(c, n) != SIZE_MAX) {
				errbuf_set(e,
				    "AS%s is the shared cloud %s, where anyone can rent an address:"
				    " it names no service",
				    norm, c->clouds[cloud_of(c, n)].name);
				return -1;
			}
		} else if (domain_norm(item, len, norm, &nlen, e) == -1) {
			return -1;
		}
		/* a domain names one service, whatever the kind of evidence */
		for (k = EVIDENCE_ASN; k <= EVIDENCE_DKIM; k++) {
			if ((kind == EVIDENCE_ASN) != (k == EVIDENCE_ASN))
				continue;
			if (!claim_find(c, k, norm, nlen, &at))
				continue;
			if (c->claims[at].svc != svc) {
				errbuf_set(e, "%s%s is already claimed by service %s",
				    kind == EVIDENCE_ASN ? "AS" : "", norm,
				    c->svcs[c->claims[at].svc]->key);
				return -1;
			}
			if (k == kind)
				break;
		}
		if (k > EVIDENCE_DKIM) {
			fresh++;
			if (add && claim_add(c, svc, kind, norm, nlen, e) == -1)
				return -1;
		}
		if (++count > BOUND_CATALOGUE_CLAIMS)
			goto too_many;
	}
	if (more == -1)
		return -1;
	if (svc != SIZE_MAX && fresh > BOUND_CATALOGUE_CLAIMS - c->svcs[svc]->nclaims[kind])
		goto too_many;
	return 0;
too_many:
	errbuf_set(e, "more than %d %s values for one service", BOUND_CATALOGUE_CLAIMS,
	    evidence_name(kind));
	return -1;
}

/* Adds the clouds' AS numbers in value to cloud at, checked first: none claimed by another. */
static int
cloud_asns_add(struct catalogue *c, size_t at, const char *value, struct errbuf *e)
{
	const char *p = value, *item;
	size_t len, count = 0, have = 0, i;
	uint32_t n, asns[BOUND_CATALOGUE_CLAIMS];
	char num[16];
	int more;

	for (i = 0; i < c->ncloud_asn; i++)
		have += c->cloud_asns[i].cloud == at;
	while ((more = list_next(&p, &item, &len, e)) == 1) {
		if (asn_parse(item, len, &n, e) == -1)
			return -1;
		snprintf(num, sizeof num, "%u", (unsigned)n);
		if (claim_find(c, EVIDENCE_ASN, num, strlen(num), &i)) {
			errbuf_set(e, "AS%s is already claimed by service %s", num,
			    c->svcs[c->claims[i].svc]->key);
			return -1;
		}
		if (cloud_of(c, n) != SIZE_MAX && cloud_of(c, n) != at) {
			errbuf_set(e, "AS%s is already claimed by cloud %s", num,
			    c->clouds[cloud_of(c, n)].key);
			return -1;
		}
		for (i = 0; i < count && asns[i] != n; i++)
			;
		if (cloud_of(c, n) == at || i < count)
			continue;
		if (have + count == BOUND_CATALOGUE_CLAIMS) {
			errbuf_set(e, "more than %d AS numbers for one cloud",
			    BOUND_CATALOGUE_CLAIMS);
			return -1;
		}
		asns[count++] = n;
	}
	if (more == -1)
		return -1;
	if (c->ncloud_asn + count > c->capcloud_asn) {
		size_t cap = c->capcloud_asn * 2 + count + 16;
		struct cloud_asn *m = realloc(c->cloud_asns, cap * sizeof *m);

		if (m == NULL) {
			errbuf_set(e, "out of memory");
			return -1;
		}
		c->cloud_asns = m;
		c->capcloud_asn = cap;
	}
	for (i = 0; i < count; i++)
		c->cloud_asns[c->ncloud_asn++] = (struct cloud_asn){ asns[i], at };
	return 0;
}

/* A key of a [cloud KEY] section: name (replaced) or asn (added); the cloud is created when new. */
static int
cloud_set(struct catalogue *c, const char *cloud, const char *key, const char *value,
    struct errbuf *e)
{
	size_t at, i;
	char *name;

	if (!cloud_find(c, cloud, &at)) {
		if (c->ncloud == BOUND_CATALOGUE_SERVICES) {
			errbuf_set(e, "more than %d clouds", BOUND_CATALOGUE_SERVICES);
			return -1;
		}
		if (c->ncloud == c->capcloud) {
			size_t cap = c->capcloud == 0 ? 16 : c->capcloud * 2;
			struct cloud *m = realloc(c->clouds, cap * sizeof *m);

			if (m == NULL)
				goto oom;
			c->clouds = m;
			c->capcloud = cap;
		}
		c->clouds[at].key = strdup(cloud);
		c->clouds[at].name = strdup(cloud);
		if (c->clouds[at].key == NULL || c->clouds[at].name == NULL) {
			free(c->clouds[at].key);
			free(c->clouds[at].name);
			goto oom;
		}
		c->ncloud++;
	}
	if (strcmp(key, "asn") == 0)
		return cloud_asns_add(c, at, value, e);
	if (strcmp(key, "name") != 0) {
		errbuf_set(e, "a cloud has a name and an asn list only");
		return -1;
	}
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
			errbuf_set(e, "a control character in the value");
			return -1;
		}
	if (i == 0) {
		errbuf_set(e, "an empty name");
		return -1;
	}
	if ((name = strdup(value)) == NULL)
		goto oom;
	free(c->clouds[at].name);
	c->clouds[at].name = name;
	return 0;
oom:
	errbuf_set(e, "out of memory");
	return -1;
}

static int
text_replace(char **field, const char **pub, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return -1;
	free(*field);
	*field = s;
	*pub = s;
	return 0;
}

static int
value_check(enum field f, const char *value, size_t len, const char **category, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
			errbuf_set(e, "a control character in the value");
			return -1;
		}
	switch (f) {
	case F_NAME:
		if (len == 0) {
			errbuf_set(e, "an empty name");
			return -1;
		}
		break;
	case F_CATEGORY:
		for (i = 0; catalogue_categories[i] != NULL; i++)
			if (strcmp(catalogue_categories[i], value) == 0) {
				*category = catalogue_categories[i];
				return 0;
			}
		errbuf_set(e, "unknown category \"%s\"", value);
		return -1;
	case F_DOC:
		if (len > 0 && strncmp(value, "https://", 8) != 0 &&
		    strncmp(value, "http://", 7) != 0) {
			errbuf_set(e, "a link starts with https:// or http://");
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

int
catalogue_set(struct catalogue *c, const char *service, const char *key, const char *value,
    struct errbuf *e)
{
	size_t klen = strlen(service), vlen, svc = SIZE_MAX;
	const char *category = NULL;
	enum field f;
	char buf[72];
	int rc = 0;

	if (!valid_service_key(service, klen)) {
		errbuf_set(e, "service \"%s\": a service's name is 1 to %d of a-z, 0-9 and -",
		    shown(service, klen, buf), BOUND_CATALOGUE_KEY);
		return -1;
	}
	f = field_of(key, strlen(key));
	if (f == F_UNKNOWN) {
		errbuf_set(e, "service %s: unknown key \"%s\"", service,
		    shown(key, strlen(key), buf));
		return -1;
	}
	vlen = strnlen(value, BOUND_CATALOGUE_VALUE + 1);
	if (vlen > BOUND_CATALOGUE_VALUE) {
		errbuf_set(e, "service %s: %s: longer than %d bytes", service, key,
		    BOUND_CATALOGUE_VALUE);
		return -1;
	}
	if (value_check(f, value, vlen, &category, e) == -1)
		goto fail;
	(void)svc_find(c, service, &svc);
	if (f >= F_DKIM) {
		enum evidence kind = f == F_DKIM ? EVIDENCE_DKIM :
		    f == F_SPF                   ? EVIDENCE_SPF :
		    f == F_PTR                   ? EVIDENCE_PTR :
		                                   EVIDENCE_ASN;

		if (claims_set(c, svc, kind, value, false, e) == -1)
			goto fail;
		if (svc == SIZE_MAX && svc_add(c, service, &svc, e) == -1)
			goto fail;
		if (claims_set(c, svc, kind, value, true, e) == -1)
			goto fail;
		return 0;
	}
	if (svc == SIZE_MAX && svc_add(c, service, &svc, e) == -1)
		goto fail;
	switch (f) {
	case F_NAME:
		rc = text_replace(&c->svcs[svc]->name, &c->svcs[svc]->pub.name, value);
		break;
	case F_FIX:
		rc = text_replace(&c->svcs[svc]->fix, &c->svcs[svc]->pub.fix, value);
		break;
	case F_DOC:
		rc = text_replace(&c->svcs[svc]->doc, &c->svcs[svc]->pub.doc, value);
		break;
	case F_CATEGORY:
		c->svcs[svc]->pub.category = category;
		break;
	default:
		break;
	}
	if (rc == -1) {
		errbuf_set(e, "out of memory");
		goto fail;
	}
	return 0;
fail:
	errbuf_prefix(e, "service %s: %s", service, key);
	return -1;
}

struct catalogue *
catalogue_new(struct errbuf *e)
{
	struct catalogue *c = calloc(1, sizeof *c);

	if (c == NULL)
		errbuf_set(e, "out of memory");
	return c;
}

/*
 * A section of a parsed file that created its service must say what it is
 * and how to tell it; one that created its cloud, its name and networks.
 */
static int
section_end(const struct catalogue *c, size_t first_new, size_t first_cloud, const char *key,
    bool cloud, unsigned seen, struct errbuf *e)
{
	size_t at, k, claims = 0;

	if (cloud) {
		if (!cloud_find(c, key, &at) || at < first_cloud)
			return 0;
		if (!(seen & (1u << F_NAME)) || !(seen & (1u << F_ASN))) {
			errbuf_set(e, "cloud %s: a new cloud needs a name and an asn", key);
			return -1;
		}
		return 0;
	}
	if (key[0] == '\0' || !svc_find(c, key, &at) || at < first_new)
		return 0;
	for (k = 0; k <= EVIDENCE_DKIM; k++)
		claims += c->svcs[at]->nclaims[k];
	if (!(seen & (1u << F_NAME)) || !(seen & (1u << F_CATEGORY))) {
		errbuf_set(e, "service %s: a new service needs a name and a category", key);
		return -1;
	}
	if (claims == 0) {
		errbuf_set(e, "service %s: a new service needs one of dkim, spf, ptr or asn", key);
		return -1;
	}
	return 0;
}

/*
 * Reads "[service KEY]" or "[cloud KEY]" (blanks trimmed) into key and
 * *cloud: -1 with e set when it is neither.
 */
static int
section_head(const char *s, size_t n, char key[BOUND_CATALOGUE_KEY + 1], bool *cloud,
    struct errbuf *e)
{
	char buf[72];
	size_t kind;

	if (n < 2 || s[n - 1] != ']')
		goto bad;
	s++;
	n -= 2;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	*cloud = n > 6 && memcmp(s, "cloud", 5) == 0 && is_blank(s[5]);
	kind = *cloud ? 5 : 7;
	if (!*cloud && (n < 8 || memcmp(s, "service", 7) != 0 || !is_blank(s[7])))
		goto bad;
	s += kind + 1;
	n -= kind + 1;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	if (!valid_service_key(s, n)) {
		errbuf_set(e, "\"%s\": a %s's name is 1 to %d of a-z, 0-9 and -", shown(s, n, buf),
		    *cloud ? "cloud" : "service", BOUND_CATALOGUE_KEY);
		return -1;
	}
	memcpy(key, s, n);
	key[n] = '\0';
	return 0;
bad:
	errbuf_set(e, "a section is [service NAME] or [cloud NAME]");
	return -1;
}

int
catalogue_parse(struct catalogue *c, const char *text, size_t len, const char *origin,
    struct errbuf *e)
{
	char key[BOUND_CATALOGUE_KEY + 1] = "", value[BOUND_CATALOGUE_LINE + 1];
	size_t pos = 0, lineno = 0, section_line = 0, first_new = c->nsvc, first_cloud = c->ncloud;
	unsigned seen = 0;
	bool cloud = false;

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos), *eq;
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos, klen, vlen, at;
		enum field f;

		pos += n + (nl != NULL);
		lineno++;
		if (n > BOUND_CATALOGUE_LINE) {
			errbuf_set(e, "a line longer than %d bytes", BOUND_CATALOGUE_LINE);
			goto fail;
		}
		if (memchr(s, '\0', n) != NULL) {
			errbuf_set(e, "a NUL byte");
			goto fail;
		}
		while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
			n--;
		while (n > 0 && is_blank(*s)) {
			s++;
			n--;
		}
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (section_end(c, first_new, first_cloud, key, cloud, seen, e) == -1) {
				lineno = section_line;
				goto fail;
			}
			if (section_head(s, n, key, &cloud, e) == -1)
				goto fail;
			if (cloud && cloud_find(c, key, &at) && at >= first_cloud) {
				errbuf_set(e, "cloud %s: a second [cloud %s] section", key, key);
				goto fail;
			}
			if (!cloud && svc_find(c, key, &at) && at >= first_new) {
				errbuf_set(e, "service %s: a second [service %s] section", key,
				    key);
				goto fail;
			}
			section_line = lineno;
			seen = 0;
			continue;
		}
		eq = memchr(s, '=', n);
		if (eq == NULL) {
			errbuf_set(e, "a line is [service NAME], key = value or a comment");
			goto fail;
		}
		if (key[0] == '\0') {
			errbuf_set(e, "a key before the first [service NAME] section");
			goto fail;
		}
		klen = (size_t)(eq - s);
		while (klen > 0 && is_blank(s[klen - 1]))
			klen--;
		f = field_of(s, klen);
		vlen = n - (size_t)(eq + 1 - s);
		for (eq++; vlen > 0 && is_blank(*eq); eq++)
			vlen--;
		memcpy(value, eq, vlen);
		value[vlen] = '\0';
		/* lists may go on over several lines; a text said twice is a mistake */
		if (f < F_DKIM && (seen & (1u << f))) {
			errbuf_set(e, "%s %s: %s set twice", cloud ? "cloud" : "service", key,
			    field_names[f]);
			goto fail;
		}
		if (f == F_UNKNOWN || (cloud && f != F_NAME && f != F_ASN)) {
			char buf[72];

			errbuf_set(e, "%s %s: unknown key \"%s\"", cloud ? "cloud" : "service", key,
			    shown(s, klen, buf));
			goto fail;
		}
		seen |= 1u << f;
		if (cloud && cloud_set(c, key, field_names[f], value, e) == -1) {
			errbuf_prefix(e, "cloud %s: %s", key, field_names[f]);
			goto fail;
		}
		if (!cloud && catalogue_set(c, key, field_names[f], value, e) == -1)
			goto fail;
	}
	if (section_end(c, first_new, first_cloud, key, cloud, seen, e) == -1) {
		lineno = section_line;
		goto fail;
	}
	return 0;
fail:
	errbuf_prefix(e, "%s:%zu", origin, lineno);
	return -1;
}

struct catalogue *
catalogue_builtin(struct errbuf *e)
{
	struct catalogue *c = catalogue_new(e);
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; catalogue_files[i].name != NULL; i++)
		if (catalogue_parse(c, (const char *)catalogue_files[i].bytes,
		        catalogue_files[i].len, catalogue_files[i].name, e) == -1) {
			catalogue_free(c);
			return NULL;
		}
	return c;
}

size_t
catalogue_count(const struct catalogue *c)
{
	return c->nsvc;
}

const struct service *
catalogue_at(const struct catalogue *c, size_t i)
{
	return i < c->nsvc ? &c->svcs[i]->pub : NULL;
}

uint64_t
catalogue_hash(const struct catalogue *c)
{
	uint64_t h = HASH_FNV1A_INIT;
	unsigned char sep = 0;
	size_t i;

	/* NUL between fields, so that moving text from one field to the next changes the hash;
	   the clouds name no source, so they are not in it */
	for (i = 0; i < c->nsvc; i++) {
		const struct service *s = &c->svcs[i]->pub;
		const char *fields[] = { s->key, s->name, s->category, s->fix, s->doc };
		size_t k;

		for (k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			h = hash_fnv1a_str(h, fields[k]);
			h = hash_fnv1a(h, &sep, 1);
		}
	}
	for (i = 0; i < c->nclaim; i++) {
		const struct claim *cl = &c->claims[i];
		unsigned char kind = (unsigned char)cl->kind;

		h = hash_fnv1a(h, &kind, 1);
		h = hash_fnv1a_str(h, c->svcs[cl->svc]->key);
		h = hash_fnv1a(h, &sep, 1);
		h = hash_fnv1a(h, cl->text, cl->len);
		h = hash_fnv1a(h, &sep, 1);
	}
	return h;
}

/* The best match for name among the claims of kind. */
struct best {
	bool found;
	size_t claim;
	char value[256];
};

/* Keeps the claim of name found by the longest of its suffixes, if it beats best. */
static void
lookup(const struct catalogue *c, enum evidence kind, const char *name, struct best *best)
{
	char norm[DOMAIN_MAX + 1];
	size_t len, i, p, at;

	if (name == NULL)
		return;
	len = strnlen(name, DOMAIN_MAX + 2);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DOMAIN_MAX)
		return;
	for (i = 0; i < len; i++)
		norm[i] = lower(name[i]);
	norm[len] = '\0';
	/* the suffixes on label boundaries, longest first: the first found is the longest claim */
	for (p = 0;;) {
		const char *dot;

		if (claim_find(c, kind, norm + p, len - p, &at))
			break;
		dot = memchr(norm + p, '.', len - p);
		if (dot == NULL)
			return;
		p = (size_t)(dot - norm) + 1;
	}
	if (best->found) {
		const struct claim *a = &c->claims[at], *b = &c->claims[best->claim];

		if (a->len < b->len || (a->len == b->len && a->svc >= b->svc))
			return;
	}
	best->found = true;
	best->claim = at;
	memcpy(best->value, norm, len + 1);
}

static bool
found(const struct catalogue *c, const struct best *b, enum evidence ev,
    struct catalogue_match *out)
{
	if (!b->found)
		return false;
	out->service = &c->svcs[c->claims[b->claim].svc]->pub;
	out->evidence = ev;
	memcpy(out->value, b->value, sizeof out->value);
	return true;
}

void
catalogue_match(const struct catalogue *c, const struct catalogue_facts *f,
    struct catalogue_match *out)
{
	struct best b;
	size_t i;

	memset(out, 0, sizeof *out);
	memset(&b, 0, sizeof b);
	for (i = 0; i < f->ndkim; i++)
		lookup(c, EVIDENCE_DKIM, f->dkim[i], &b);
	if (found(c, &b, EVIDENCE_DKIM, out))
		return;
	lookup(c, EVIDENCE_PTR, f->ptr, &b);
	if (found(c, &b, EVIDENCE_PTR, out))
		return;
	for (i = 0; i < f->nspf; i++)
		lookup(c, EVIDENCE_SPF, f->spf[i], &b);
	if (found(c, &b, EVIDENCE_SPF, out))
		return;
	if (f->asn != 0) {
		char num[16];
		int n = snprintf(num, sizeof num, "%u", (unsigned)f->asn);

		if (claim_find(c, EVIDENCE_ASN, num, (size_t)n, &b.claim)) {
			b.found = true;
			snprintf(b.value, sizeof b.value, "AS%s", num);
			(void)found(c, &b, EVIDENCE_ASN, out);
		}
	}
}

void
catalogue_free(struct catalogue *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsvc; i++) {
		free(c->svcs[i]->key);
		free(c->svcs[i]->name);
		free(c->svcs[i]->fix);
		free(c->svcs[i]->doc);
		free(c->svcs[i]);
	}
	for (i = 0; i < c->nclaim; i++)
		free(c->claims[i].text);
	for (i = 0; i < c->ncloud; i++) {
		free(c->clouds[i].key);
		free(c->clouds[i].name);
	}
	free(c->clouds);
	free(c->cloud_asns);
	free(c->svcs);
	free(c->claims);
	free(c->slots);
	free(c);
}
