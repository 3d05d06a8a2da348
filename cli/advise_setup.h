/*
 * advise_setup: what a config file says to the policy advisor: the
 * [advisor] thresholds, and the [source NAME] and [domain NAME] sections,
 * which go into the database so that every reader (the CLI, the
 * dashboard) sees them.
 */
#ifndef DMARCD_ADVISE_SETUP_H
#define DMARCD_ADVISE_SETUP_H

#include "advise.h"
#include "config.h"
#include "store.h"

/* The advisor's settings: the defaults, overridden by c's [advisor] section. */
void advise_setup_config(const struct config *c, struct advise_config *cfg);

/*
 * Loads c's [source] sections into the database, replacing those loaded
 * from a config before, and sets what each [domain] section says, all in
 * one transaction. A bad value is "file:line: message". 0 or -1 (e).
 * A [source] network in a shared cloud or very broad is loaded and logged
 * as a warning (source_warn.h).
 */
int advise_setup_store(const struct config *c, struct store *st, struct errbuf *e);

#endif
