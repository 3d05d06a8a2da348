/*
 * throttle: slows password guessing at the dashboard's login. Failed logins
 * are counted per client address (an IPv6 address by its /64, which one
 * host usually holds whole; an IPv4-mapped IPv6 address, as a server on
 * [::] sees IPv4 clients, as its IPv4 address). The first
 * THROTTLE_FREE_FAILURES cost nothing; each further one blocks the address
 * for twice as long as the one before, from 1 s up to
 * THROTTLE_MAX_BLOCK_S: a blocked address is answered without its password
 * being checked. A login that succeeds clears its own address only; so
 * does THROTTLE_FORGET_S without a failure.
 *
 * A global ceiling slows guessing from many addresses (a /48, a botnet),
 * which the count per address does not: all failed logins share a budget
 * of THROTTLE_GLOBAL_BURST, refilled by one every THROTTLE_GLOBAL_EVERY_MS
 * (a token bucket). While it is spent, every address must wait for the
 * next refill, at most THROTTLE_GLOBAL_EVERY_MS, before its password is
 * checked: any number of addresses gets at most THROTTLE_GLOBAL_BURST
 * tries plus one per THROTTLE_GLOBAL_EVERY_MS (600 an hour), and nobody is
 * ever kept out for longer than that wait. The addresses that logged in
 * lately (the last THROTTLE_TRUSTED, for THROTTLE_TRUST_S) skip the global
 * wait, so that the owner gets in at once from a known address during an
 * attack; their own count and blocks still apply, and only the right
 * password makes an address trusted.
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
#define THROTTLE_GLOBAL_BURST 50
#define THROTTLE_GLOBAL_EVERY_MS 6000
#define THROTTLE_TRUSTED 8
#define THROTTLE_TRUST_S (30 * 86400)

struct throttle;

/* Returns NULL when out of memory. */
struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);

/*
 * Milliseconds the address must still wait (0: it may try a password now):
 * its own block, or the global ceiling's unless the address is trusted.
 */
int64_t throttle_wait(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

/* A wrong password from addr. Returns the milliseconds it is now blocked for (0: none). */
int64_t throttle_failed(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

/* The right password from addr: forget its failures (its own only), and trust it. */
void throttle_passed(struct throttle *t, const struct sockaddr *addr, int64_t now_ms);

/* Milliseconds an untrusted address waits for the global ceiling (0: none). */
int64_t throttle_global_wait(struct throttle *t, int64_t now_ms);

#endif
