/*
 * advice: the policy advisor run against the store, and its JSON form.
 * One function feeds advise/ from store_advise for a domain (the CLI's
 * `dmarcd advise` and the API's /api/v1/advice both call it); one writes
 * the result as JSON (both print that too).
 */
#ifndef DMARCD_WEB_ADVICE_H
#define DMARCD_WEB_ADVICE_H

#include <stdio.h>

#include "advise.h"
#include "store.h"

/*
 * Computes the advice for domain (lower case) into *out (the caller frees
 * it with advice_free). as_of_day < 0 ends the windows at the domain's
 * last day with data. simulate / simulate_pct: as advisor_new. 0 or -1 (e).
 */
int advice_compute(struct store *st, const char *domain, const struct advise_config *cfg,
    int64_t as_of_day, enum policy simulate, int simulate_pct, struct advice *out,
    struct errbuf *e);

/* Writes a as one JSON object (README.md documents it). 0, or -1 on a write error. */
int advice_write_json(FILE *out, const struct advice *a);

#endif
