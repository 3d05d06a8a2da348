#include "server.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "deadline.h"
#include "embedded.h"
#include "host.h"
#include "html.h"
#include "log.h"
#include "listener.h"
#include "login.h"
#include "pool.h"
#include "prefix.h"
#include "query.h"
#include "reply.h"
#include "stream.h"
#include "urilimit.h"

#define WEB_THREADS_DEFAULT 4
#define WEB_THREADS_MAX 64
#define WEB_EXPORTS_MAX 2 /* exports streaming at once */
/*
 * A reverse proxy, or wrk -c200, is one address: it may hold three quarters
 * of the connections. libmicrohttpd still counts a closed connection until
 * it has cleaned it up (up to about a second after a burst of closes), so a
 * client's steady connections need room above them.
 */
#define WEB_CONN_LIMIT 512
#define WEB_CONN_PER_IP 384
#define WEB_TIMEOUT_S 30 /* idle: no byte either way */
/*
 * A whole request head is due this long after the connection opened or the
 * previous answer ended, however slowly it trickles in (slowloris): the
 * idle timeout alone never ends a client that sends a byte every few seconds.
 */
#define WEB_HEAD_S 10
#define WEB_REQUEST_MEMORY (32 * 1024) /* request line and headers */
#define WEB_POOL_WAIT_MS 10000
/* An API answer that takes longer is cut off with a 503 that says why. */
#define WEB_QUERY_BUDGET_MS 10000
#define WEB_PREFIX_MAX 128
#define WEB_ASSETS_MAX 32
#define WEB_SHELL "index.html"
#define WEB_CACHE_ENTRIES 128
#define WEB_CACHE_BODY (1024 * 1024)

extern const struct embedded_file web_assets[];
extern const size_t web_assets_count;

struct web_server {
	struct MHD_Daemon *daemon;
	struct pool *pool;
	struct stream_set *streams;
	struct cache *cache;
	unsigned port;
	char base_path[WEB_PREFIX_MAX];
	struct login *login;         /* NULL: no authentication */
	struct advise_config advise; /* the advisor's thresholds */
	char etags[WEB_ASSETS_MAX][24];
	struct deadlines *deadlines; /* request heads due in WEB_HEAD_S (slowloris) */
	char raw_headers[512];       /* the security headers as lines, for urilimit_refuse */
	bool check_host;             /* answer only the Host names of host.h */
	struct host_names names;     /* the configured server names */
};

/* The context of a request that on_uri refused: handle() drops its connection. */
static const char refused_request;
#define REFUSED ((void *)&refused_request)

static const struct {
	const char *ext, *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".woff2", "font/woff2" },
};

/* ---- the page shell and the assets ---- */

/* The sub-path the browser sees: X-Forwarded-Prefix (when well-formed), then --base-path. */
static void
client_prefix(struct web_server *w, struct MHD_Connection *c, char *out, size_t size)
{
	const char *xfp = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Prefix");
	char forwarded[WEB_PREFIX_MAX];

	if (xfp == NULL || prefix_normalize(xfp, forwarded, sizeof forwarded) == -1)
		forwarded[0] = '\0';
	snprintf(out, size, "%s%s", forwarded, w->base_path);
}

static enum MHD_Result
reply_shell(struct web_server *w, struct MHD_Connection *c)
{
	char prefix[2 * WEB_PREFIX_MAX], *body = NULL;
	struct MHD_Response *resp;
	size_t i, len = 0;
	FILE *out;

	for (i = 0; i < web_assets_count; i++)
		if (strcmp(web_assets[i].name, WEB_SHELL) == 0)
			break;
	if (i == web_assets_count)
		return reply_not_found(c);
	client_prefix(w, c, prefix, sizeof prefix);
	if ((out = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	if (html_shell(out, web_assets[i].bytes, web_assets[i].len, prefix) == -1) {
		fclose(out);
		free(body);
		return MHD_NO;
	}
	if (fclose(out) != 0) {
		free(body);
		return MHD_NO;
	}
	if ((resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)) == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return reply_queue(c, 200, resp, "text/html; charset=utf-8");
}

static const char *
content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof content_types / sizeof content_types[0]; i++)
		if (strcmp(dot, content_types[i].ext) == 0)
			return content_types[i].type;
	return "application/octet-stream";
}

/* An embedded asset by its exact name: nothing is ever read from disk. */
static enum MHD_Result
reply_asset(struct web_server *w, struct MHD_Connection *c, const char *name)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	struct MHD_Response *resp;
	size_t i;

	for (i = 0; i < web_assets_count && i < WEB_ASSETS_MAX; i++)
		if (strcmp(web_assets[i].name, name) == 0 && strcmp(name, WEB_SHELL) != 0)
			break;
	if (i == web_assets_count || i == WEB_ASSETS_MAX)
		return reply_not_found(c);
	if (inm != NULL && strcmp(inm, w->etags[i]) == 0) {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (resp != NULL)
			MHD_add_response_header(resp, "ETag", w->etags[i]);
		return reply_queue(c, 304, resp, NULL);
	}
	resp = MHD_create_response_from_buffer(web_assets[i].len, (void *)web_assets[i].bytes,
	    MHD_RESPMEM_PERSISTENT);
	if (resp != NULL) {
		MHD_add_response_header(resp, "ETag", w->etags[i]);
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
	}
	return reply_queue(c, 200, resp, content_type(name));
}

/* ---- the API ---- */

static const char *
conn_arg(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static int64_t
today(void)
{
	return (int64_t)time(NULL) / 86400;
}

static enum MHD_Result
reply_export(struct web_server *w, struct MHD_Connection *c, bool head, enum export_kind kind,
    bool json)
{
	static const char *const names[] = { "reports", "records", "sources", "domains",
		"failures" };
	struct export_filter f;
	struct MHD_Response *resp;
	struct query q;
	struct errbuf e;
	char disp[96];
	bool busy;

	errbuf_clear(&e);
	if (query_parse(conn_arg, c, today(), &q, &e) == -1)
		return reply_json_error(c, 400, e.msg);
	if (q.filter.reporter != NULL || q.filter.result != DASH_RESULT_ALL ||
	    q.filter.source != NULL)
		return reply_json_error(c, 400, "exports filter on domain, from, to and days only");
	query_export_filter(&q, &f);
	if (head)
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	else if ((resp = stream_export(w->streams, c, kind, json, &f, &busy, &e)) == NULL) {
		if (busy)
			return reply_json_error(c, 503,
			    "too many exports running: try again shortly");
		log_error("web: export: %s", e.msg);
		return reply_json_error(c, 500, "cannot start the export");
	}
	if (resp == NULL)
		return MHD_NO;
	snprintf(disp, sizeof disp, "attachment; filename=\"dmarcd-%s.%s\"", names[kind],
	    json ? "json" : "csv");
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply_queue(c, 200, resp,
	    json ? "application/json; charset=utf-8" : "text/csv; charset=utf-8");
}

struct cache_key {
	char *key;
	size_t size, len;
	bool overflow;
};

static enum MHD_Result
add_key_arg(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	struct cache_key *k = cls;

	(void)kind;
	if (cache_key_arg(k->key, k->size, &k->len, name, value) == -1) {
		k->overflow = true;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * The cache key of an API request: its route, then its arguments as given,
 * each encoded by cache_key_arg. 0, or -1 if too long.
 */
static int
make_cache_key(struct MHD_Connection *c, const char *route, char *key, size_t size)
{
	struct cache_key k = { .key = key, .size = size, .len = 0, .overflow = false };

	if (size == 0 || cache_key_arg(key, size, &k.len, route, NULL) == -1)
		return -1;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_key_arg, &k);
	return k.overflow ? -1 : 0;
}

/* Answers from the cache, else from the database (and keeps the answer). 0, or -1. */
static int
answer_api(struct web_server *w, struct MHD_Connection *c, const char *route, struct api_reply *r)
{
	char key[CACHE_KEY_MAX];
	struct cache_version v;
	struct store *st;
	int64_t day = today();
	bool cacheable;
	int rc;

	cacheable = make_cache_key(c, route, key, sizeof key) == 0;
	if (cacheable) {
		cache_version(w->cache, day, &v);
		if (cache_get(w->cache, key, &v, r))
			return 0;
	}
	if ((st = pool_acquire(w->pool, WEB_POOL_WAIT_MS)) == NULL) {
		memset(r, 0, sizeof *r);
		return api_error(r, 503, "server busy: try again shortly");
	}
	store_time_budget(st, WEB_QUERY_BUDGET_MS);
	rc = api_handle(st, route, conn_arg, c, day, &w->advise, r);
	store_time_budget(st, 0);
	pool_release(w->pool, st);
	if (rc == 0 && cacheable)
		cache_put(w->cache, key, &v, r);
	return rc;
}

static enum MHD_Result
reply_api(struct web_server *w, struct MHD_Connection *c, bool head, const char *route)
{
	struct api_reply r;
	struct MHD_Response *resp;
	enum export_kind kind;
	char disp[96];
	bool json;

	if (api_export_route(route, &kind, &json))
		return reply_export(w, c, head, kind, json);
	if (answer_api(w, c, route, &r) == -1) {
		free(r.body);
		return MHD_NO;
	}
	if (r.status >= 500)
		log_error("web: /api/v1/%s: %s", route, r.error);
	resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(r.body);
		return MHD_NO;
	}
	if (r.filename[0] != '\0') {
		snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", r.filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply_queue(c, r.status, resp, r.content_type);
}

/* ---- requests ---- */

/* ---- request-head deadlines (slowloris): deadline.h ---- */

/* MHD_OPTION_NOTIFY_CONNECTION: a deadline slot per connection, from its accept to its close. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct web_server *w = cls;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci != NULL ? deadlines_open(w->deadlines, ci->connect_fd) : NULL;
	} else {
		deadlines_close(w->deadlines, *socket_context);
		*socket_context = NULL;
	}
}

/* A request head arrived (busy), or its answer ended: the next head is due in WEB_HEAD_S. */
static void
head_deadline(struct web_server *w, struct MHD_Connection *c, bool busy)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		deadlines_arm(w->deadlines, ci->socket_context, busy);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the answer to a request ended. */
static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode code)
{
	(void)con_cls;
	(void)code;
	head_deadline(cls, c, false);
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: the request line, before libmicrohttpd splits
 * its query (urilimit.h). A target of too many arguments gets its 414 here:
 * libmicrohttpd would not answer it. Returns the request's context.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct web_server *w = cls;
	const union MHD_ConnectionInfo *ci;

	if (urilimit_args(uri) <= URILIMIT_ARGS_MAX)
		return NULL;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL)
		urilimit_refuse(ci->connect_fd, w->raw_headers);
	return REFUSED;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct web_server *w = cls;
	size_t blen = strlen(w->base_path);
	char location[WEB_PREFIX_MAX + 2];
	int64_t retry_s = 0;
	struct MHD_Response *r;
	bool head = strcmp(method, "HEAD") == 0;

	(void)version;
	(void)upload;
	if (*con_cls == REFUSED)
		return MHD_NO; /* answered by on_uri */
	head_deadline(w, c, true);
	/*
	 * The first call brings the head only. A GET or HEAD is answered at the
	 * next one: libmicrohttpd closes the connection after an answer queued
	 * before the request was read in full (no keep-alive, a TCP connection
	 * per request). Any other method is refused at once, its body unread.
	 */
	if (*con_cls == NULL && (head || strcmp(method, "GET") == 0)) {
		*con_cls = w;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0; /* a body sent with a GET: skipped */
		return MHD_YES;
	}
	if (w->check_host &&
	    !host_allowed(&w->names, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
		return reply_misdirected(c);
	if (!head && strcmp(method, "GET") != 0) {
		r = MHD_create_response_from_buffer(19, (void *)"method not allowed\n",
		    MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, "Allow", "GET, HEAD");
		return reply_queue(c, 405, r, "text/plain; charset=utf-8");
	}
	if (w->login != NULL) {
		switch (login_check(w->login, c, &retry_s)) {
		case LOGIN_OK:
			break;
		case LOGIN_THROTTLED:
			return reply_throttled(c, retry_s);
		case LOGIN_REFUSED:
			return reply_unauthorized(c);
		}
	}
	if (blen > 0) {
		if (strncmp(url, w->base_path, blen) != 0 ||
		    (url[blen] != '\0' && url[blen] != '/'))
			return reply_not_found(c);
		if (url[blen] == '\0') {
			snprintf(location, sizeof location, "%s/", w->base_path);
			return reply_redirect(c, location);
		}
		url += blen;
	}
	if (strcmp(url, "/") == 0)
		return reply_shell(w, c);
	if (strncmp(url, "/assets/", 8) == 0)
		return reply_asset(w, c, url + 8);
	if (strncmp(url, "/api/v1/", 8) == 0)
		return reply_api(w, c, head, url + 8);
	return reply_not_found(c);
}

/* ---- starting and stopping ---- */

/* Checks --base-path ("" or "/a/b", no trailing slash once normalised) into out. */
static int
set_base_path(const char *s, char *out, size_t size, struct errbuf *e)
{
	if (prefix_normalize(s, out, size) == -1) {
		errbuf_set(e, "base path '%s': want a path such as /dmarc (letters, digits, -._~/)",
		    s != NULL ? s : "");
		return -1;
	}
	return 0;
}

/* The rules that need no resource: addresses, paths, authentication. */
static int
check_options(const struct web_options *o, struct web_server *w, struct listener_addr *addr,
    const char *listen_text, struct errbuf *e)
{
	bool auth = o->auth_user != NULL || o->auth_hash != NULL;

	if (listener_parse(listen_text, addr, e) == -1 ||
	    set_base_path(o->base_path, w->base_path, sizeof w->base_path, e) == -1 ||
	    host_names_parse(o->server_name, &w->names, e) == -1)
		return -1;
	/*
	 * Without authentication anyone whose page the browser runs could read
	 * the dashboard through a rebound name: only loopback and the named
	 * Hosts are answered. With authentication the credentials guard it (the
	 * browser keeps them for the real origin only), so any Host is answered
	 * unless names are configured: then they are enforced as well, as the
	 * owner asked.
	 */
	w->check_host = !auth || w->names.n > 0;
	if (auth &&
	    (o->auth_user == NULL || o->auth_user[0] == '\0' || o->auth_hash == NULL ||
	        strchr(o->auth_user, ':') != NULL)) {
		errbuf_set(e,
		    "authentication needs both a user name (without ':') and a "
		    "password hash");
		return -1;
	}
	if (auth && auth_check_hash(o->auth_hash, e) == -1)
		return -1;
	if (!addr->loopback && !auth && !o->allow_remote_without_auth) {
		errbuf_set(e,
		    "refusing to listen on %s without authentication: anyone who can "
		    "reach it could read every report. Configure a user and a password hash "
		    "(dmarcd hash-password), listen on 127.0.0.1, or pass "
		    "--allow-remote-without-auth",
		    listen_text);
		return -1;
	}
	if (auth &&
	    (w->login = login_new(o->auth_user, o->auth_hash, o->clock_ms, o->clock_arg)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	return 0;
}

/* FNV-1a: an ETag per asset, fixed for the binary's lifetime. */
static void
make_etags(struct web_server *w)
{
	size_t i, j;

	for (i = 0; i < web_assets_count && i < WEB_ASSETS_MAX; i++) {
		uint64_t h = 0xcbf29ce484222325ULL;

		for (j = 0; j < web_assets[i].len; j++)
			h = (h ^ web_assets[i].bytes[j]) * 0x100000001b3ULL;
		snprintf(w->etags[i], sizeof w->etags[i], "\"%016" PRIx64 "\"", h);
	}
}

int
web_server_start(const struct web_options *o, struct web_server **out, struct errbuf *e)
{
	const char *listen_text = o->listen != NULL ? o->listen : WEB_LISTEN_DEFAULT;
	unsigned threads = o->threads != 0 ? o->threads : WEB_THREADS_DEFAULT;
	struct listener_addr addr;
	struct web_server *w;
	int fd = -1;

	*out = NULL;
	if (threads > WEB_THREADS_MAX)
		threads = WEB_THREADS_MAX;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		errbuf_set(e, "web: out of memory");
		return -1;
	}
	if (o->advise != NULL)
		w->advise = *o->advise;
	else
		advise_config_default(&w->advise);
	if (check_options(o, w, &addr, listen_text, e) == -1)
		goto fail;
	if (pool_open(o->db_path, threads + WEB_EXPORTS_MAX, &w->pool, e) == -1)
		goto fail;
	if ((w->streams = stream_set_new(w->pool, WEB_EXPORTS_MAX)) == NULL) {
		errbuf_set(e, "out of memory");
		goto fail;
	}
	if ((w->cache = cache_new(o->db_path, WEB_CACHE_ENTRIES, WEB_CACHE_BODY)) == NULL) {
		errbuf_set(e, "out of memory");
		goto fail;
	}
	make_etags(w);
	reply_raw_headers(w->raw_headers, sizeof w->raw_headers);
	if ((w->deadlines = deadlines_new(WEB_CONN_LIMIT, WEB_HEAD_S)) == NULL) {
		errbuf_set(e, "cannot start a thread");
		goto fail;
	}
	if (listener_open(&addr, listen_text, &fd, e) == -1)
		goto fail;
	w->port = listener_port(fd);
	w->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	        MHD_ALLOW_SUSPEND_RESUME | (addr.ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, handle, w, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
	    threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONN_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_REQUEST_MEMORY,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, w, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, w, MHD_OPTION_URI_LOG_CALLBACK, on_uri, w, MHD_OPTION_END);
	if (w->daemon == NULL) {
		errbuf_set(e, "listen %s: libmicrohttpd could not start", listen_text);
		close(fd);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	errbuf_prefix(e, "web");
	web_server_stop(w);
	return -1;
}

unsigned
web_server_port(const struct web_server *w)
{
	return w->port;
}

void
web_server_stop(struct web_server *w)
{
	if (w == NULL)
		return;
	if (w->streams != NULL)
		stream_set_cancel(w->streams);
	if (w->daemon != NULL)
		MHD_stop_daemon(w->daemon);
	deadlines_free(w->deadlines);
	stream_set_free(w->streams);
	cache_free(w->cache);
	pool_close(w->pool);
	login_free(w->login);
	free(w);
}
