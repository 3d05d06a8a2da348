#include "login.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "log.h"
#include "throttle.h"

struct login {
	char *user, *hash;
	struct throttle *throttle;
	int64_t (*clock_ms)(void *clock_arg);
	void *clock_arg;
};

static int64_t
monotonic_ms(void *unused)
{
	struct timespec ts;

	(void)unused;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct login *
login_new(const char *user, const char *hash, int64_t (*clock_ms)(void *clock_arg), void *clock_arg)
{
	struct login *l = calloc(1, sizeof *l);

	if (l != NULL) {
		l->clock_ms = clock_ms != NULL ? clock_ms : monotonic_ms;
		l->clock_arg = clock_arg;
	}
	if (l == NULL || (l->user = strdup(user)) == NULL || (l->hash = strdup(hash)) == NULL ||
	    (l->throttle = throttle_new()) == NULL) {
		login_free(l);
		return NULL;
	}
	return l;
}

void
login_free(struct login *l)
{
	if (l == NULL)
		return;
	throttle_free(l->throttle);
	free(l->user);
	if (l->hash != NULL)
		explicit_bzero(l->hash, strlen(l->hash));
	free(l->hash);
	free(l);
}

/* Whole seconds, rounded up. */
static int64_t
seconds_of(int64_t ms)
{
	return (ms + 999) / 1000;
}

static void
log_blocked(const struct sockaddr *addr, int64_t block_ms)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const void *a = addr->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)addr)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)addr)->sin_addr;

	inet_ntop(addr->sa_family, a, text, sizeof text);
	log_warn("web: failed logins from %s: it waits %" PRId64 " s before its next try", text,
	    seconds_of(block_ms));
}

enum login_result
login_check(struct login *l, struct MHD_Connection *c, int64_t *retry_s)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *addr = ci != NULL ? ci->client_addr : NULL;
	int64_t now = l->clock_ms(l->clock_arg), wait, block;
	char *user, *pass = NULL;
	enum login_result rc = LOGIN_REFUSED;

	if ((user = MHD_basic_auth_get_username_password(c, &pass)) == NULL)
		return LOGIN_REFUSED;
	if (addr != NULL && (wait = throttle_wait(l->throttle, addr, now)) > 0) {
		*retry_s = seconds_of(wait);
		rc = LOGIN_THROTTLED;
	} else if (pass != NULL && auth_verify(l->user, l->hash, user, pass)) {
		rc = LOGIN_OK;
		if (addr != NULL)
			throttle_passed(l->throttle, addr, now);
	} else if (addr != NULL) {
		if ((block = throttle_failed(l->throttle, addr, now)) > 0)
			log_blocked(addr, block);
		/* At most once a refill: while the budget is spent, only trusted addresses are
		 * checked. */
		if ((block = throttle_global_wait(l->throttle, now)) > 0)
			log_warn("web: failed logins from many addresses: every address not "
			         "logged in lately waits %" PRId64 " s before its next try",
			    seconds_of(block));
	}
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	MHD_free(user);
	return rc;
}
