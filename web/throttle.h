/*
 * throttle: slows password guessing at the dashboard's login. Failed logins
 * are counted per client address (an IPv6 address by its /64, which one
 * host usually holds whole). The first THROTTLE_FREE_FAILURES cost nothing;
 * each further one blocks the address for twice as long as the one before,
 * from 1 s up to THROTTLE_MAX_BLOCK_S: a blocked address is answered
 * without its password being checked. A login that succeeds clears the
 * address; so does THROTTLE_FORGET_S without a failure.
 *
 * Memory is bounded: THROTTLE_SLOTS addresses are remembered; when a new
 * one finds no room near its slot, it replaces the one that failed least
 * recently there. Behind a reverse proxy every client has the proxy's
 * address: rate-limit at the proxy too. Safe to call from any thread.
 * Times are milliseconds of a monotonic clock, given by the caller.
 */
#ifndef DMARCD_THROTTLE_H
#define DMARCD_THROTTLE_H

#include <stdint.h>
#include <sys/socket.h>

#define THROTTLE_FREE_FAILURES 5
#define THROTTLE_MAX_BLOCK_S 60
#define THROTTLE_FORGET_S 900
#define THROTTLE_SLOTS 1024

struct throttle;

/* Returns NULL when out of memory. */
struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);

/* Milliseconds the address must still wait (0: it may try a password now). */
int64_t throttle_wait(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

/* A wrong password from addr. Returns the milliseconds it is now blocked for (0: none). */
int64_t throttle_failed(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

/* The right password from addr: forget its failures. */
void throttle_passed(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

#endif
