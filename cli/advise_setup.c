/* advise_setup: what a config file says to the advisor (advise_setup.h). */
#include "advise_setup.h"

#include <stdio.h>
#include <stdlib.h>

#include "source_warn.h"
#include "store_advise.h"

void
advise_setup_config(const struct config *c, struct advise_config *cfg)
{
	const struct config_advisor *x = &c->advisor;

	advise_config_default(cfg);
	cfg->window_days = (unsigned)x->window_days;
	cfg->min_days_none = (unsigned)x->min_days_none;
	cfg->min_days_ramp = (unsigned)x->min_days_ramp;
	cfg->min_days_quarantine = (unsigned)x->min_days_quarantine;
	cfg->coverage_days = x->coverage_days;
	cfg->min_reporters = (unsigned)x->min_reporters;
	cfg->min_messages = x->min_messages;
	cfg->notable_share = x->notable_share;
	cfg->notable_per_day = (double)x->notable_per_day;
	cfg->min_service_messages = x->min_service_messages;
	cfg->pass_quarantine = x->pass_quarantine;
	cfg->source_pass = x->source_pass;
	cfg->source_min_messages = x->source_min_messages;
	cfg->enforced_share = x->enforced_share;
	cfg->pass_reject = x->pass_reject;
	cfg->dkim_reject = x->dkim_reject;
	cfg->collateral_max = x->collateral_max;
	cfg->indirect_max = x->indirect_max;
	cfg->stable_days = (unsigned)x->stable_days;
	cfg->new_source_days = (unsigned)x->new_source_days;
	cfg->regression_points = x->regression_points;
	cfg->first_pct = (unsigned)x->first_pct;
	cfg->stale_days = (unsigned)x->stale_days;
	cfg->ramp_by_pct = x->ramp == 1;
	for (cfg->n_ramp_pct = 0; cfg->n_ramp_pct < x->ramp_pct.n &&
	     cfg->n_ramp_pct < sizeof cfg->ramp_pct / sizeof cfg->ramp_pct[0];
	     cfg->n_ramp_pct++)
		cfg->ramp_pct[cfg->n_ramp_pct] = x->ramp_pct.v[cfg->n_ramp_pct];
	cfg->rua = x->rua;
}

/* A [source] section as a known source, its value canonical in value (size bytes). */
static int
known_of(const struct config *c, const struct config_source *s, struct known_source *k, char *value,
    size_t size, struct errbuf *e)
{
	const char *v = s->cidr != NULL ? s->cidr :
	    s->dkim_domain != NULL      ? s->dkim_domain :
	                                  s->spf_domain;

	k->kind = s->cidr != NULL  ? KNOWN_CIDR :
	    s->dkim_domain != NULL ? KNOWN_DKIM_DOMAIN :
	                             KNOWN_SPF_DOMAIN;
	k->status = (enum known_status)s->status;
	k->label = s->label != NULL ? s->label : s->name;
	k->value = value;
	if (known_value_canonical(k->kind, v, value, size, e) == -1) {
		errbuf_prefix(e, "%s:%u: [source %s]", c->file, s->line, s->name);
		return -1;
	}
	return 0;
}

/* Warns of the [source] networks in a shared cloud or very broad, once they are loaded. */
static int
warn_sources(const struct config *c, struct store *st, const struct known_source *known,
    struct errbuf *e)
{
	struct source_check *sc = NULL;
	char where[600];
	size_t i;

	for (i = 0; i < c->n_known; i++) {
		const struct config_source *s = &c->known[i];

		if (known[i].kind != KNOWN_CIDR || known[i].status == KNOWN_UNAUTHORIZED)
			continue;
		/* the catalogue and the database are opened only for a [source] that needs them */
		if (sc == NULL &&
		    (sc = source_check_new(st, c->catalogue, c->enrich.asn_db, e)) == NULL)
			return -1;
		snprintf(where, sizeof where, "%s:%u: [source %s] cidr = %s", c->file, s->line,
		    s->name, known[i].value);
		(void)source_warn(sc, &known[i], where,
		    "a [source] with dkim_domain = (or spf_domain =)");
	}
	source_check_free(sc);
	return 0;
}

int
advise_setup_store(const struct config *c, struct store *st, struct errbuf *e)
{
	struct known_source *known = NULL;
	const char **domains = NULL;
	char(*values)[256] = NULL, (*names)[256] = NULL, domain[256];
	size_t i;
	int rc = -1;

	if (c->n_known > 0) {
		known = calloc(c->n_known, sizeof *known);
		domains = calloc(c->n_known, sizeof *domains);
		values = calloc(c->n_known, sizeof *values);
		names = calloc(c->n_known, sizeof *names);
		if (known == NULL || domains == NULL || values == NULL || names == NULL) {
			errbuf_set(e, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < c->n_known; i++) {
		const struct config_source *s = &c->known[i];

		if (known_of(c, s, &known[i], values[i], sizeof values[i], e) == -1)
			goto out;
		if (known_value_canonical(KNOWN_DKIM_DOMAIN, s->domain, names[i], sizeof names[i],
		        e) == -1) {
			errbuf_prefix(e, "%s:%u: [source %s] domain", c->file, s->line, s->name);
			goto out;
		}
		domains[i] = names[i];
	}
	if (store_known_load_config(st, c->n_known, domains, known, e) == -1 ||
	    warn_sources(c, st, known, e) == -1)
		goto out;
	for (i = 0; i < c->n_domains; i++) {
		const struct config_domain *d = &c->domains[i];

		if (known_value_canonical(KNOWN_DKIM_DOMAIN, d->name, domain, sizeof domain, e) ==
		    -1) {
			errbuf_prefix(e, "%s:%u: [domain %s]", c->file, d->line, d->name);
			goto out;
		}
		if (store_advise_domain_set(st, domain, d->record, d->no_mailing_lists, e) == -1)
			goto out;
	}
	rc = 0;
out:
	free(known);
	free(domains);
	free(values);
	free(names);
	return rc;
}
