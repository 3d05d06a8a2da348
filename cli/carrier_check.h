/*
 * carrier_check: the DKIM verifier of the report mails (ingest/carrier_dkim.h)
 * with its keys fetched through the configured resolver ([dns] servers,
 * timeout, tries: the enricher's; enrich/rdns.h rdns_txt), per the config's
 * [ingest] verify_dkim. Used by one thread at a time: the pipeline's writer.
 */
#ifndef DMARCD_CARRIER_CHECK_H
#define DMARCD_CARRIER_CHECK_H

#include "carrier_dkim.h"
#include "config.h"
#include "errbuf.h"

struct carrier_check;

/*
 * Opens the verifier c asks for: 0 and *out, NULL when verify_dkim is no;
 * -1 with e set (bad servers, no memory).
 */
int carrier_check_open(const struct config *c, struct carrier_check **out, struct errbuf *e);

/* The verifier, for pipeline_options.dkim; NULL for a NULL check. */
struct carrier_dkim *carrier_check_dkim(struct carrier_check *k);

/* carrier_check_close(NULL) does nothing. */
void carrier_check_close(struct carrier_check *k);

#endif
