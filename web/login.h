/*
 * login: the dashboard's HTTP Basic login. Checks a request's credentials
 * against the configured user and password hash (auth.h), and throttles
 * the addresses that fail (throttle.h), logging each block.
 */
#ifndef DMARCD_LOGIN_H
#define DMARCD_LOGIN_H

#include <microhttpd.h>
#include <stdint.h>

struct login;

enum login_result {
	LOGIN_OK,
	LOGIN_REFUSED,  /* no or wrong credentials: 401 */
	LOGIN_THROTTLED /* the address failed too often lately: 429 */
};

/*
 * For user and hash (both copied; checked by the caller), timed by clock_ms(clock_arg)
 * (monotonic milliseconds), or by CLOCK_MONOTONIC when clock_ms is NULL.
 * NULL when out of memory.
 */
struct login *login_new(const char *user, const char *hash, int64_t (*clock_ms)(void *clock_arg),
    void *clock_arg);

/* Wipes the hash; NULL is a no-op. */
void login_free(struct login *l);

/*
 * Checks c's credentials, unless its address failed too often lately
 * (*retry_s: the seconds it must still wait). A request without
 * credentials is refused without counting: browsers send one first.
 */
enum login_result login_check(struct login *l, struct MHD_Connection *c, int64_t *retry_s);

#endif
