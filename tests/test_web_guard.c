/*
 * The dashboard server against hostile requests (the review of issue 12),
 * each over a real server on loopback (web_client.c): requests that
 * libmicrohttpd cannot hold, forged Host headers (DNS rebinding), cache
 * keys built from crafted arguments, and forwarded prefixes.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "server.h"
#include "testutil.h"
#include "throttle.h"
#include "tu_net.h"
#include "urilimit.h"
#include "web_client.h"

/* ---- helpers ---- */

/*
 * Sends request and waits up to wait_ms for the first bytes of the answer:
 * its status, or 0 when none came (no answer, or the connection closed
 * without one). *took_ms: how long it took.
 */
static int
first_answer(unsigned port, const char *request, int wait_ms, int64_t *took_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct pollfd pfd;
	int64_t t0 = tu_now_ms();
	char buf[64];
	ssize_t n = 0;
	int fd;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(send(fd, request, strlen(request), MSG_NOSIGNAL), (ssize_t)strlen(request));
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, wait_ms) == 1)
		n = read(fd, buf, sizeof buf - 1);
	*took_ms = tu_now_ms() - t0;
	close(fd);
	if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0)
		return 0;
	buf[n] = '\0';
	return (int)strtol(buf + 9, NULL, 10);
}

/* A request for path with n query arguments a0=0&a1=1..., and extra header lines. */
static char *
many_args(const char *path, int n, const char *headers)
{
	size_t size = strlen(path) + (size_t)n * 16 + strlen(headers) + 64, len;
	char *req = malloc(size);
	int i;

	cr_assert_not_null(req);
	len = (size_t)snprintf(req, size, "GET %s", path);
	for (i = 0; i < n; i++)
		len +=
		    (size_t)snprintf(req + len, size - len, "%ca%d=%d", i == 0 ? '?' : '&', i, i);
	snprintf(req + len, size - len, " HTTP/1.1\r\nHost: localhost\r\n%s\r\n", headers);
	return req;
}

/* ---- requests that libmicrohttpd cannot hold (finding 10) ---- */

/*
 * 1,000 query arguments used to exhaust libmicrohttpd's pool: no answer
 * until the 10 s head deadline. Now a 414 at once, on every route; up to
 * URILIMIT_ARGS_MAX are answered as before. A long target and many headers
 * get libmicrohttpd's own 414 and 431.
 */
Test(guard, a_thousand_query_arguments_get_a_414_at_once)
{
	static const char *const routes[] = { "/api/v1/overview", "/", "/assets/app.js",
		"/nowhere" };
	char *dir = wc_make_db(), *req, *headers;
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;
	int64_t took;
	size_t i;
	int k;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		req = many_args(routes[i], 1000, "");
		cr_expect_eq(first_answer(port, req, 5000, &took), 414, "%s", routes[i]);
		cr_expect_lt(took, 2000, "%s: answered after %lld ms", routes[i], (long long)took);
		free(req);
	}
	req = many_args("/api/v1/overview", 1000, "");
	req[strlen(req) - 2] = '\0'; /* HTTP/1.0 reading to the end: the whole answer */
	memcpy(strstr(req, "HTTP/1.1"), "HTTP/1.0", 8);
	wc_send(port, req, &r);
	cr_expect_eq(r.status, 414);
	cr_expect_str_eq(r.body, "too many query arguments: at most 128\n");
	cr_expect_str_eq(wc_header(&r, "X-Frame-Options"), "DENY");
	cr_expect_not_null(wc_header(&r, "Content-Security-Policy"));
	free(r.raw);
	free(req);

	req = many_args("/api/v1/overview", URILIMIT_ARGS_MAX, "");
	cr_expect_eq(first_answer(port, req, 5000, &took), 200, "the most arguments allowed");
	free(req);
	req = many_args("/api/v1/overview", URILIMIT_ARGS_MAX + 1, "");
	cr_expect_eq(first_answer(port, req, 5000, &took), 414, "one more");
	free(req);

	/* The most arguments allowed, with headers up to libmicrohttpd's limit: each answered. */
	for (k = 0; k <= 600; k += 50) {
		size_t size = (size_t)k * 16 + 1, len = 0;
		int j, status;

		headers = malloc(size);
		headers[0] = '\0';
		for (j = 0; j < k; j++)
			len += (size_t)snprintf(headers + len, size - len, "X-H%d: v\r\n", j);
		req = many_args("/api/v1/overview", URILIMIT_ARGS_MAX, headers);
		status = first_answer(port, req, 5000, &took);
		cr_expect(status == 200 || status == 431, "%d headers: %d", k, status);
		cr_expect_lt(took, 2000, "%d headers: answered after %lld ms", k, (long long)took);
		free(req);
		free(headers);
	}

	req = calloc(1, 41000);
	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', 40000);
	memcpy(req + 40005, " HTTP/1.1\r\nHost: localhost\r\n\r\n", 31);
	cr_expect_eq(first_answer(port, req, 5000, &took), 414, "a 40 KB target");
	free(req);

	wc_get(port, "GET", "/api/v1/overview", NULL, &r);
	cr_expect_eq(r.status, 200, "the server still answers");
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* ---- the answer cache (finding 4) ---- */

/*
 * The cache used to key on "name=value&" decoded: a value holding "&" and
 * "=" (sent as %26 and %3D) shared a key with two arguments, so a cross-site
 * <img> could plant the answer the dashboard would then be given.
 */
Test(guard, crafted_arguments_never_share_a_cached_answer)
{
	char *dir = wc_make_db();
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;

	/* Two arguments: the last 7 days; one argument: a domain "example.org&days=7", no window.
	 */
	wc_get(port, "GET", "/api/v1/reports?domain=example.org&days=7", NULL, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_null(strstr(r.body, "\"from\":null"), "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/reports?domain=example.org%26days%3D7", NULL, &r);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"from\":null,\"to\":null,"),
	    "the other request's answer: %s", r.body);
	free(r.raw);

	/* Planted first: an unfiltered answer under the key of a filtered request. */
	wc_get(port, "GET",
	    "/api/v1/overview?from=2024-03-01&to=2024-03-31&x=1%26domain%3Dexample.org", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.com\""), "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/overview?from=2024-03-01&to=2024-03-31&x=1&domain=example.org",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.org\""), "%s", r.body);
	cr_expect_null(strstr(r.body, "\"policy_domain\":\"example.com\""),
	    "the planted answer: %s", r.body);
	free(r.raw);

	/* The same request twice still shares its answer (a value with "&" included). */
	wc_get(port, "GET", "/api/v1/reports?domain=example.org&x=a%26b", NULL, &r);
	cr_expect_eq(r.status, 200);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/reports?domain=example.org&x=a%26b", NULL, &r);
	cr_expect_eq(r.status, 200);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* ---- forwarded prefixes (finding 8) ---- */

/*
 * X-Forwarded-Prefix went into <base href> under a looser check than
 * --base-path: "//evil.example" made a protocol-relative base, the page's
 * scripts and links on another site. Both now pass one check.
 */
Test(guard, a_forwarded_prefix_passes_the_base_path_check)
{
	static const char *const refused[] = { "//evil.example", "//evil.example/", "/a//b",
		"/x\"><script>", "evil", "/a b" };
	char *dir = wc_make_db(), headers[128];
	struct web_server *w = wc_start(wc_db_path(dir), "/dmarc/", NULL, NULL);
	struct web_options o = { .db_path = wc_db_path(dir), .listen = "127.0.0.1:0" };
	struct web_server *other = NULL;
	struct wc_answer r;
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(headers, sizeof headers, "X-Forwarded-Prefix: %s\r\n", refused[i]);
		wc_get(web_server_port(w), "GET", "/dmarc/", headers, &r);
		cr_expect_eq(r.status, 200);
		cr_expect_not_null(strstr(r.body, "<base href=\"/dmarc/\">"), "%s: %s", refused[i],
		    strstr(r.body, "<base"));
		free(r.raw);
		o.base_path = refused[i];
		cr_expect_eq(web_server_start(&o, &other, &e), -1, "--base-path %s", refused[i]);
		cr_expect_not_null(strstr(e.msg, "want a path such as /dmarc"), "%s", e.msg);
	}
	wc_get(web_server_port(w), "GET", "/dmarc/", "X-Forwarded-Prefix: /proxy/\r\n", &r);
	cr_expect_not_null(strstr(r.body, "<base href=\"/proxy/dmarc/\">"), "%s", r.body);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* ---- the password hash file (finding 9) ---- */

/*
 * dmarcd serve read --auth-hash-file whatever its mode, and cut its line
 * at 255 bytes: now refused like password_file, by the same function. The
 * listen address is invalid, so that the old code stops too (exit 1).
 */
Test(guard, serve_refuses_a_hash_file_others_can_read_or_too_long)
{
	char *dir = tu_scratch_dir(), path[512], line[301], *out;

	snprintf(path, sizeof path, "%s/web.hash", dir);
	tu_write_file(path, "$6$salt$hash\n", 13);
	cr_assert_eq(chmod(path, 0640), 0);
	cr_expect_eq(tu_run(&out,
	                 "%s serve --db %s/t.db --listen localhost:99999 --auth-user admin "
	                 "--auth-hash-file %s 2>&1",
	                 DMARCD_BIN, dir, path),
	    1);
	cr_expect_not_null(strstr(out, "--auth-hash-file"), "%s", out);
	cr_expect_not_null(strstr(out, "mode 640: must be 0600 or stricter"), "%s", out);
	cr_expect_null(strstr(out, "$6$"), "%s", out);
	free(out);

	memset(line, 'a', 300);
	line[300] = '\n';
	tu_write_file(path, line, sizeof line);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_expect_eq(tu_run(&out,
	                 "%s serve --db %s/t.db --listen localhost:99999 --auth-user admin "
	                 "--auth-hash-file %s 2>&1",
	                 DMARCD_BIN, dir, path),
	    1);
	cr_expect_not_null(strstr(out, "its first line is longer than 255 bytes"), "%s", out);
	free(out);
	free(dir);
}

/* ---- Host names (finding 5) ---- */

/* The status of GET path with the Host line given (NULL: none), over HTTP/1.0. */
static int
status_with_host(unsigned port, const char *path, const char *host, const char *headers)
{
	struct wc_answer r;
	char req[1024];
	int status;

	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n%s%s%s%s\r\n", path,
	    host != NULL ? "Host: " : "", host != NULL ? host : "", host != NULL ? "\r\n" : "",
	    headers != NULL ? headers : "");
	wc_send(port, req, &r);
	status = r.status;
	if (status == 421)
		cr_expect_not_null(strstr(r.body, "misdirected request"), "%s", r.body);
	free(r.raw);
	return status;
}

/*
 * DNS rebinding: a page of evil.example, its name made to resolve to
 * 127.0.0.1, read the unauthenticated dashboard; its requests carry Host:
 * evil.example. Only loopback names are answered now, and a request
 * without a Host (HTTP/1.0) is refused too.
 */
Test(guard, a_forged_host_gets_a_421_without_auth)
{
	static const char *const answered[] = { "localhost", "localhost:8080", "LocalHost.",
		"127.0.0.1", "127.0.0.1:8080", "127.9.8.7:1", "[::1]", "[::1]:8080",
		"[::ffff:127.0.0.1]:80" };
	static const char *const misdirected[] = { "evil.example", "evil.example:8080",
		"localhost.evil.example", "127.0.0.1.evil.example", "128.0.0.1", "[::2]", "",
		"localhost:", "localhost:80:80", "localhost:abc", "[::1", "::1", "0.0.0.0",
		"localhost@evil.example" };
	char *dir = wc_make_db();
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	size_t i;

	for (i = 0; i < sizeof answered / sizeof answered[0]; i++)
		cr_expect_eq(status_with_host(port, "/api/v1/reporters", answered[i], NULL), 200,
		    "Host: %s", answered[i]);
	for (i = 0; i < sizeof misdirected / sizeof misdirected[0]; i++) {
		cr_expect_eq(status_with_host(port, "/api/v1/reporters", misdirected[i], NULL), 421,
		    "Host: %s", misdirected[i]);
		cr_expect_eq(status_with_host(port, "/", misdirected[i], NULL), 421, "Host: %s",
		    misdirected[i]);
	}
	cr_expect_eq(status_with_host(port, "/api/v1/reporters", NULL, NULL), 421, "no Host");
	web_server_stop(w);
	free(dir);
}

static struct web_server *
start_named(const char *db, const char *names, const char *user, const char *hash)
{
	struct web_options o = { .db_path = db,
		.server_name = names,
		.auth_user = user,
		.auth_hash = hash };

	return wc_start_options(o);
}

/*
 * Configured names are answered besides loopback. With authentication any
 * Host is answered (the credentials guard it), unless names are configured.
 */
Test(guard, server_names_and_authentication)
{
	static const char right[] = "Authorization: Basic YWRtaW46b3BlbiBzZXNhbWU=\r\n";
	static const char *const bad[] = { "bad_name", "a/b", "host:8080", "[::1]:80", "[zz]",
		"a,b,c,d,e,f,g,h,i" };
	char *dir = wc_make_db(), hash[AUTH_HASH_MAX], *out;
	struct web_options o = { .db_path = wc_db_path(dir), .listen = "127.0.0.1:0" };
	struct web_server *w;
	struct errbuf e;
	size_t i;

	w = start_named(wc_db_path(dir), "dmarc.example.org, 192.0.2.10 [2001:db8::1]", NULL, NULL);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "dmarc.example.org", NULL), 200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "DMARC.Example.org.:8443", NULL),
	    200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "192.0.2.10:8080", NULL), 200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "[2001:db8::1]:8080", NULL), 200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "localhost", NULL), 200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "example.org", NULL), 421);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "dmarc.example.org.evil", NULL),
	    421);
	web_server_stop(w);

	cr_assert_eq(auth_hash_password("open sesame", hash, sizeof hash, &e), 0);
	w = start_named(wc_db_path(dir), NULL, "admin", hash);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "anything.example", right), 200,
	    "with authentication and no names: any Host");
	cr_expect_eq(status_with_host(web_server_port(w), "/", NULL, right), 200);
	web_server_stop(w);
	w = start_named(wc_db_path(dir), "dmarc.example.org", "admin", hash);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "dmarc.example.org", right), 200);
	cr_expect_eq(status_with_host(web_server_port(w), "/", "anything.example", right), 421,
	    "with authentication and names: the names");
	web_server_stop(w);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.server_name = bad[i];
		cr_expect_eq(web_server_start(&o, &w, &e), -1, "server name %s", bad[i]);
		cr_expect_not_null(strstr(e.msg, "server name"), "%s", e.msg);
	}
	cr_expect_eq(tu_run(&out,
	                 "timeout 20 %s serve --db %s --listen 127.0.0.1:0 --server-name a/b 2>&1",
	                 DMARCD_BIN, wc_db_path(dir)),
	    1);
	cr_expect_not_null(strstr(out, "server name 'a/b'"), "%s", out);
	free(out);
	free(dir);
}

/* ---- failed logins on a server on [::] (finding 3) ---- */

/* The status of GET /api/v1/reporters to [::]:port over IPv4 from 127.0.0.x, with headers. */
static int
status_from(const char *source, unsigned port, const char *headers)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) },
	                   src = { .sin_family = AF_INET };
	char req[512], buf[64];
	ssize_t n;
	int fd;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	inet_pton(AF_INET, source, &src.sin_addr);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&src, sizeof src), 0, "bind %s", source);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	snprintf(req, sizeof req, "GET /api/v1/reporters HTTP/1.0\r\nHost: localhost\r\n%s\r\n",
	    headers);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	cr_assert_gt(n, 12);
	buf[n] = '\0';
	return (int)strtol(buf + 9, NULL, 10);
}

/*
 * On [::] every IPv4 client is ::ffff:a.b.c.d: a guesser on 127.0.0.2 used
 * to block the owner on 127.0.0.1 too (one /64 for all of IPv4).
 */
Test(guard, a_guesser_over_ipv4_on_a_dual_stack_server_blocks_only_itself)
{
	static const char wrong[] = "Authorization: Basic YWRtaW46d3Jvbmc=\r\n";
	static const char right[] = "Authorization: Basic YWRtaW46b3BlbiBzZXNhbWU=\r\n";
	char *dir = wc_make_db(), hash[AUTH_HASH_MAX];
	struct web_options o = { .db_path = wc_db_path(dir), .listen = "[::]:0", .threads = 2 };
	struct web_server *w;
	struct errbuf e;
	int i;

	cr_assert_eq(auth_hash_password("open sesame", hash, sizeof hash, &e), 0);
	o.auth_user = "admin";
	o.auth_hash = hash;
	if (web_server_start(&o, &w, &e) == -1)
		cr_skip_test("no IPv6 here: %s", e.msg);
	for (i = 0; i <= THROTTLE_FREE_FAILURES; i++)
		cr_expect_eq(status_from("127.0.0.2", web_server_port(w), wrong), 401, "failure %d",
		    i + 1);
	cr_expect_eq(status_from("127.0.0.2", web_server_port(w), right), 429, "the guesser waits");
	cr_expect_eq(status_from("127.0.0.1", web_server_port(w), right), 200,
	    "the owner on another address does not");
	web_server_stop(w);
	free(dir);
}
