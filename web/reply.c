#include "reply.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* clang-format off */
#define WEB_CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
/* clang-format on */

static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", WEB_CSP },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
};

#define N_SECURITY_HEADERS (sizeof security_headers / sizeof security_headers[0])

void
reply_security_headers(struct MHD_Response *r)
{
	size_t i;

	for (i = 0; i < N_SECURITY_HEADERS; i++)
		MHD_add_response_header(r, security_headers[i][0], security_headers[i][1]);
}

enum MHD_Result
reply_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r, const char *type)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	reply_security_headers(r);
	if (type != NULL)
		MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
reply_static(struct MHD_Connection *c, unsigned status, const char *type, const char *body)
{
	return reply_queue(c, status,
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT),
	    type);
}

enum MHD_Result
reply_json_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct api_reply r = { 0 };
	struct MHD_Response *resp;

	if (api_error(&r, status, msg) == -1) {
		free(r.body);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(r.body);
	else
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply_queue(c, status, resp, r.content_type);
}

enum MHD_Result
reply_not_found(struct MHD_Connection *c)
{
	return reply_static(c, 404, "text/plain; charset=utf-8", "not found\n");
}

enum MHD_Result
reply_unauthorized(struct MHD_Connection *c)
{
	static const char body[] = "authentication required\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	reply_security_headers(r);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	ret = MHD_queue_basic_auth_fail_response(c, "dmarcd", r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
reply_misdirected(struct MHD_Connection *c)
{
	return reply_static(c, 421, "text/plain; charset=utf-8",
	    "misdirected request: this dashboard answers only to localhost, 127.0.0.1, [::1] "
	    "and its configured server names (--server-name, server_name in [web])\n");
}

enum MHD_Result
reply_throttled(struct MHD_Connection *c, int64_t retry_s)
{
	char body[96], seconds[24];
	struct MHD_Response *r;
	int n;

	n = snprintf(body, sizeof body, "too many failed logins: try again in %" PRId64 " s\n",
	    retry_s);
	snprintf(seconds, sizeof seconds, "%" PRId64, retry_s);
	r = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
	if (r != NULL)
		MHD_add_response_header(r, "Retry-After", seconds);
	return reply_queue(c, 429, r, "text/plain; charset=utf-8");
}

enum MHD_Result
reply_redirect(struct MHD_Connection *c, const char *location)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r != NULL)
		MHD_add_response_header(r, "Location", location);
	return reply_queue(c, 301, r, NULL);
}

void
reply_raw_headers(char *out, size_t size)
{
	size_t i, len = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < N_SECURITY_HEADERS; i++) {
		n = snprintf(out + len, size - len, "%s: %s\r\n", security_headers[i][0],
		    security_headers[i][1]);
		if (n < 0 || (size_t)n >= size - len) {
			out[len] = '\0';
			return;
		}
		len += (size_t)n;
	}
}
