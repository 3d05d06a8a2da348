/*
 * poller: the service loop of dmarcd poll and dmarcd run. It polls every
 * source of the config (IMAP folders, Maildirs) through the pipeline, in
 * bounded batches. IMAP mail is fetched only above the folder's last
 * processed UID, which advances in the commit that holds the mail's data;
 * the action at the server (move, flag, delete) happens only after that
 * commit, and an action that did not happen (a crash, a lost connection)
 * is retried at the next poll. Connection errors are logged and retried
 * with backoff, never fatal.
 *
 * Stopping: the caller blocks SIGTERM and SIGINT (poller_block_signals)
 * before starting any thread; the poller then finishes the current mail,
 * commits, and returns.
 */
#ifndef DMARCD_POLLER_H
#define DMARCD_POLLER_H

#include "config.h"
#include "errbuf.h"
#include "store.h"

struct poller;

/* Blocks SIGTERM and SIGINT in the calling thread (and the threads it starts). 0 or -1. */
int poller_block_signals(void);

/*
 * Prepares polling the sources of c into st; checks every source's password
 * is available. c and st must outlive the poller. Returns 0 and *out, or -1 (e).
 */
int poller_new(const struct config *c, struct store *st, struct poller **out, struct errbuf *e);
void poller_free(struct poller *p);

/*
 * Both first switch to the config's [service] user when there is one
 * (privdrop.h; root only), or warn when running as root without one.
 */

/* Polls every source once. Returns 0, or -1 when the switch or some source failed (logged). */
int poller_once(struct poller *p);

/* Polls at the configured interval until SIGTERM or SIGINT. Returns 0, or -1 (logged). */
int poller_loop(struct poller *p);

#endif
