/*
 * server: the dashboard and its JSON/CSV API over HTTP (libmicrohttpd),
 * reading the database through read-only store handles. Every asset is
 * compiled into the binary; nothing is served from disk by a request path.
 * Listening on anything but loopback requires authentication (HTTP Basic
 * against a password hash) unless explicitly allowed. Without
 * authentication only loopback and configured Host names are answered
 * (DNS rebinding; host.h).
 */
#ifndef DMARCD_SERVER_H
#define DMARCD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "advise.h"
#include "errbuf.h"

/* Where the dashboard listens unless told otherwise: loopback only. */
#define WEB_LISTEN_DEFAULT "127.0.0.1:8080"

struct web_options {
	const char *db_path;
	const char
	    *listen; /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"; NULL: WEB_LISTEN_DEFAULT */
	const char *base_path;          /* "" or a prefix such as "/dmarc" behind a reverse proxy */
	const char *auth_user;          /* HTTP Basic user, or NULL for none */
	const char *auth_hash;          /* its password hash (see README), or NULL */
	bool allow_remote_without_auth; /* explicit override of the loopback-only rule */
	/*
	 * The names besides loopback the dashboard answers to, "NAME[,NAME...]"
	 * (host.h), or NULL. Requests of any other Host, or none, get a 421:
	 * always without authentication, and with it when names are given.
	 */
	const char *server_name;
	unsigned threads;                   /* worker threads, 0 for the default */
	const struct advise_config *advise; /* the advisor's thresholds, NULL for the defaults;
	                                       its strings must outlive the server */
	/*
	 * The monotonic clock, in milliseconds, that times failed logins
	 * (throttle.h), called from the worker threads with clock_arg; NULL for
	 * CLOCK_MONOTONIC. Tests drive it to end a block without waiting.
	 */
	int64_t (*clock_ms)(void *clock_arg);
	void *clock_arg;
};

struct web_server;

/* Starts serving in background threads. Returns 0 and *out, or -1 (e). */
int web_server_start(const struct web_options *o, struct web_server **out, struct errbuf *e);

/* The TCP port actually bound (useful when port 0 was asked). */
unsigned web_server_port(const struct web_server *w);

/* Stops serving and frees w; NULL is a no-op. */
void web_server_stop(struct web_server *w);

#endif
