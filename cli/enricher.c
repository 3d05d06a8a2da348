/* enricher: names the sources of a database (enricher.h). */
#include "enricher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo.h"
#include "store_sender.h"

#define SCAN_RECORDS 20000 /* records read per transaction */
#define NAME_BATCH 512     /* addresses named per DNS batch and per transaction */

/* The domains noted for one address of the batch. */
struct row_domains {
	char dkim[SENDER_DOMAINS_MAX][SENDER_DOMAIN_LEN];
	char spf[SENDER_DOMAINS_MAX][SENDER_DOMAIN_LEN];
	size_t ndkim, nspf;
};

/* What one pass holds: the open resolver and databases, the batch. */
struct pass {
	const struct enricher_options *o;
	struct store *st;
	struct rdns *dns;
	struct geo *geo;
	int64_t geo_built;
	uint64_t match_hash;
	struct store_sender *rows;   /* NAME_BATCH, in address order */
	struct row_domains *domains; /* theirs */
	size_t n;                    /* rows in the batch */
	uint8_t (*ips)[16];          /* the rows asking DNS */
	struct rdns_answer *answers; /* theirs */
	size_t *asking;              /* their index in rows */
	struct enricher_counts *counts;
};

static int64_t
now(const struct enricher_options *o)
{
	return o->clock != NULL ? o->clock() : (int64_t)time(NULL);
}

static bool
stopped(const struct enricher_options *o)
{
	return o->stop != NULL && atomic_load(o->stop);
}

static uint32_t
clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Sets a row's DNS fields from an answer received at t. */
static void
take_dns(struct store_sender *r, const struct rdns_answer *a, int64_t t)
{
	uint32_t keep;

	snprintf(r->ptr, sizeof r->ptr, "%s", a->name);
	snprintf(r->dns_status, sizeof r->dns_status, "%s", rdns_status_name(a->status));
	switch (a->status) {
	case RDNS_CONFIRMED:
	case RDNS_MISMATCH:
	case RDNS_BAD_NAME:
		keep = clamp(a->ttl, ENRICH_TTL_MIN, ENRICH_TTL_MAX);
		break;
	case RDNS_NONE:
		keep = clamp(a->ttl, ENRICH_NEGATIVE_MIN, ENRICH_NEGATIVE_MAX);
		break;
	default:
		keep = ENRICH_RETRY;
		break;
	}
	r->dns_checked = t;
	r->dns_expires = t + keep;
}

static void
take_geo(struct pass *p, struct store_sender *r)
{
	struct geo_answer g = { 0 };

	if (p->geo != NULL)
		geo_lookup(p->geo, r->ip, &g);
	r->asn = g.asn;
	snprintf(r->as_org, sizeof r->as_org, "%s", g.as_org);
	snprintf(r->country, sizeof r->country, "%s", g.country);
	r->geo_built = p->geo_built;
}

/* The row of ip in the batch (sorted by address), or NULL. */
static struct row_domains *
row_of(struct pass *p, const uint8_t ip[16])
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(p->rows[mid].ip, ip, 16);

		if (c == 0)
			return &p->domains[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
on_domain(void *ctx, const uint8_t ip[16], const char *kind, const char *domain)
{
	struct row_domains *d = row_of(ctx, ip);

	if (d == NULL || domain == NULL)
		return 0;
	if (strcmp(kind, "dkim") == 0 && d->ndkim < SENDER_DOMAINS_MAX)
		snprintf(d->dkim[d->ndkim++], SENDER_DOMAIN_LEN, "%s", domain);
	else if (strcmp(kind, "spf") == 0 && d->nspf < SENDER_DOMAINS_MAX)
		snprintf(d->spf[d->nspf++], SENDER_DOMAIN_LEN, "%s", domain);
	return 0;
}

/* Matches a row against the catalogue with its domains, host name and AS. */
static void
take_match(struct pass *p, size_t i)
{
	struct store_sender *r = &p->rows[i];
	const struct row_domains *d = &p->domains[i];
	const char *dk[SENDER_DOMAINS_MAX], *sp[SENDER_DOMAINS_MAX];
	struct catalogue_facts f = { .dkim = dk, .ndkim = d->ndkim, .spf = sp, .nspf = d->nspf };
	struct catalogue_match m;
	size_t k;

	for (k = 0; k < d->ndkim; k++)
		dk[k] = d->dkim[k];
	for (k = 0; k < d->nspf; k++)
		sp[k] = d->spf[k];
	f.asn = r->asn;
	f.ptr = strcmp(r->dns_status, "confirmed") == 0 ? r->ptr : NULL;
	catalogue_match(p->o->catalogue, &f, &m);
	r->service[0] = r->evidence[0] = r->evidence_value[0] = '\0';
	if (m.service != NULL) {
		snprintf(r->service, sizeof r->service, "%s", m.service->key);
		snprintf(r->evidence, sizeof r->evidence, "%s", evidence_name(m.evidence));
		snprintf(r->evidence_value, sizeof r->evidence_value, "%s", m.value);
		p->counts->matched++;
	}
	r->match_hash = p->match_hash;
}

/* Names the n rows of p->rows: DNS for those due, then geo and the catalogue. */
static int
name_batch(struct pass *p, size_t n, struct errbuf *e)
{
	int64_t t = now(p->o);
	size_t i, k = 0;

	for (i = 0; i < n && p->dns != NULL; i++) {
		struct store_sender *r = &p->rows[i];

		if (p->o->refresh || r->dns_expires == 0 || r->dns_expires <= t) {
			memcpy(p->ips[k], r->ip, 16);
			p->asking[k++] = i;
		}
	}
	if (k > 0 && rdns_resolve(p->dns, (const uint8_t(*)[16])p->ips, k, p->answers, e) == -1)
		return -1;
	t = now(p->o);
	for (i = 0; i < k; i++) {
		take_dns(&p->rows[p->asking[i]], &p->answers[i], t);
		if (p->answers[i].status == RDNS_CONFIRMED)
			p->counts->confirmed++;
	}
	p->n = n;
	memset(p->domains, 0, n * sizeof *p->domains);
	if (store_sender_domains(p->st, p->rows[0].ip, p->rows[n - 1].ip, on_domain, p, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (p->o->refresh || p->rows[i].geo_built != p->geo_built)
			take_geo(p, &p->rows[i]);
		take_match(p, i);
	}
	p->counts->named += n;
	return store_sender_put(p->st, p->rows, n, e);
}

/* Writes the catalogue's services to the service table. */
static int
sync_services(struct pass *p, struct errbuf *e)
{
	size_t n = catalogue_count(p->o->catalogue), i;
	struct store_service *sv = calloc(n > 0 ? n : 1, sizeof *sv);
	int rc;

	if (sv == NULL) {
		errbuf_set(e, "enrich: out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct service *s = catalogue_at(p->o->catalogue, i);

		sv[i] = (struct store_service){ s->key, s->name, s->category, s->fix, s->doc };
	}
	rc = store_service_sync(p->st, sv, n, e);
	free(sv);
	return rc;
}

static int
scan_records(struct pass *p, struct errbuf *e)
{
	size_t read;
	bool more = true;

	while (more && !stopped(p->o)) {
		if (store_sender_scan(p->st, SCAN_RECORDS, &read, &more, e) == -1)
			return -1;
		p->counts->records += read;
	}
	return 0;
}

static int
name_due(struct pass *p, struct errbuf *e)
{
	struct sender_due q = { .dns = p->dns != NULL,
		.now = now(p->o),
		.geo_built = p->geo_built,
		.match_hash = p->match_hash,
		.all = p->o->refresh };
	uint8_t after[16] = { 0 };
	uint64_t total, done = 0;
	size_t n;

	if (store_sender_due_count(p->st, &q, &total, e) == -1)
		return -1;
	if (p->o->progress != NULL)
		p->o->progress(p->o->progress_ctx, 0, total);
	while (!stopped(p->o)) {
		if (store_sender_due(p->st, &q, after, p->rows, NAME_BATCH, &n, e) == -1)
			return -1;
		if (n == 0)
			break;
		memcpy(after, p->rows[n - 1].ip, 16);
		if (name_batch(p, n, e) == -1)
			return -1;
		done += n;
		if (p->o->progress != NULL)
			p->o->progress(p->o->progress_ctx, done, total > done ? total : done);
	}
	return 0;
}

static int
open_pass(struct pass *p, struct errbuf *e)
{
	p->rows = calloc(NAME_BATCH, sizeof *p->rows);
	p->domains = calloc(NAME_BATCH, sizeof *p->domains);
	p->ips = calloc(NAME_BATCH, sizeof *p->ips);
	p->answers = calloc(NAME_BATCH, sizeof *p->answers);
	p->asking = calloc(NAME_BATCH, sizeof *p->asking);
	if (p->rows == NULL || p->domains == NULL || p->ips == NULL || p->answers == NULL ||
	    p->asking == NULL) {
		errbuf_set(e, "enrich: out of memory");
		return -1;
	}
	if (p->o->dns != NULL && (p->dns = rdns_open(p->o->dns, e)) == NULL)
		return -1;
	if ((p->o->asn_db != NULL && p->o->asn_db[0] != '\0') ||
	    (p->o->country_db != NULL && p->o->country_db[0] != '\0')) {
		if ((p->geo = geo_open(p->o->asn_db, p->o->country_db, e)) == NULL)
			return -1;
		p->geo_built = geo_built(p->geo);
	}
	p->match_hash = catalogue_hash(p->o->catalogue);
	return 0;
}

static void
close_pass(struct pass *p)
{
	if (p->dns != NULL)
		rdns_close(p->dns);
	if (p->geo != NULL)
		geo_close(p->geo);
	free(p->rows);
	free(p->domains);
	free(p->ips);
	free(p->answers);
	free(p->asking);
}

int
enricher_run(struct store *st, const struct enricher_options *o, struct enricher_counts *c,
    struct errbuf *e)
{
	struct pass p = { .o = o, .st = st, .counts = c };
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (open_pass(&p, e) == 0 && sync_services(&p, e) == 0 && scan_records(&p, e) == 0 &&
	    store_sender_discover(st, &c->discovered, e) == 0 && name_due(&p, e) == 0)
		rc = 0;
	close_pass(&p);
	return rc;
}
