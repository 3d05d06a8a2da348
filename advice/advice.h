/*
 * advice: the policy advisor run against the store. It feeds advise/,
 * which only computes, from store_advise for one domain: the confirmed
 * sources, the published policies, the days and the records of the window,
 * then notes the reports it left out as possibly forged. `dmarcd advise`
 * and the API's /api/v1/advice both call it, so both say the same; it sits
 * below both, above the store and the advisor.
 */
#ifndef DMARCD_ADVICE_H
#define DMARCD_ADVICE_H

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

#endif
