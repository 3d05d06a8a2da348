/*
 * reply: every answer the dashboard's server queues carries the same
 * security headers (a Content-Security-Policy without inline script or
 * style, nosniff, no referrer, no framing); this is their one home, and
 * the fixed answers (404, 401, 421, 429, 301, a JSON error) live here too.
 * Each reply_* queues its answer on c and returns libmicrohttpd's result.
 */
#ifndef DMARCD_REPLY_H
#define DMARCD_REPLY_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

/* Adds the security headers to r. */
void reply_security_headers(struct MHD_Response *r);

/* The security headers as "Name: value\r\n" lines, for answers written on the socket. */
void reply_raw_headers(char *out, size_t size);

/* Queues r (NULL: out of memory) with the security headers and type, then releases it. */
enum MHD_Result reply_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
    const char *type);

/* A body that lives as long as the program. */
enum MHD_Result reply_static(struct MHD_Connection *c, unsigned status, const char *type,
    const char *body);

/* {"error": msg} as the API answers errors, never cached. */
enum MHD_Result reply_json_error(struct MHD_Connection *c, unsigned status, const char *msg);

enum MHD_Result reply_not_found(struct MHD_Connection *c);

/* 401 asking for HTTP Basic credentials. */
enum MHD_Result reply_unauthorized(struct MHD_Connection *c);

/* 421: a Host that is neither loopback nor a configured name (DNS rebinding). */
enum MHD_Result reply_misdirected(struct MHD_Connection *c);

/* 429 with Retry-After: too many failed logins from this address. */
enum MHD_Result reply_throttled(struct MHD_Connection *c, int64_t retry_s);

/* 301 to location. */
enum MHD_Result reply_redirect(struct MHD_Connection *c, const char *location);

#endif
