/* carrier_check: libopendkim's keys from our resolver (carrier_check.h). */
#include "carrier_check.h"

#include <stdio.h>
#include <stdlib.h>

#include "rdns.h"

struct carrier_check {
	struct rdns *dns;
	struct carrier_dkim *dkim;
};

static enum carrier_key
lookup(void *ctx, const char *name, char *txt, size_t size)
{
	struct carrier_check *k = ctx;
	enum rdns_status status;
	struct errbuf e;

	if (rdns_txt(k->dns, name, txt, size, &status, &e) == -1) {
		snprintf(txt, size, "%s", e.msg);
		return CARRIER_KEY_TEMPERROR;
	}
	switch (status) {
	case RDNS_CONFIRMED:
		return CARRIER_KEY_FOUND;
	case RDNS_NONE:
		return CARRIER_KEY_NONE;
	default:
		snprintf(txt, size, "DNS %s for %s", rdns_status_name(status), name);
		return CARRIER_KEY_TEMPERROR;
	}
}

int
carrier_check_open(const struct config *c, struct carrier_check **out, struct errbuf *e)
{
	struct rdns_options o = { c->enrich.dns_servers, (unsigned)(c->enrich.dns_timeout * 1000),
		(unsigned)c->enrich.dns_tries, 1 };
	struct carrier_check *k;

	*out = NULL;
	if (!c->verify_dkim)
		return 0;
	if ((k = calloc(1, sizeof *k)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if ((k->dns = rdns_open(&o, e)) == NULL ||
	    (k->dkim = carrier_dkim_new(lookup, k, e)) == NULL) {
		carrier_check_close(k);
		return -1;
	}
	*out = k;
	return 0;
}

struct carrier_dkim *
carrier_check_dkim(struct carrier_check *k)
{
	return k != NULL ? k->dkim : NULL;
}

void
carrier_check_close(struct carrier_check *k)
{
	if (k == NULL)
		return;
	carrier_dkim_free(k->dkim);
	rdns_close(k->dns);
	free(k);
}
