/*
 * The web layer: HTML escaping, password hashes, and the HTTP server itself on an ephemeral port
 * over a real SQLite file filled by `dmarcd ingest`, spoken to through a raw socket (helpers:
 * web_client.c). Query parsing: test_query.c.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "html.h"
#include "server.h"
#include "testutil.h"
#include "throttle.h"
#include "web_client.h"

/* ---- helpers ---- */

/* Sends a request with 40 KB of headers (past the 32 KiB limit); true if it got a 200. */
static bool
oversized_answered(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char buf[256];
	char *req = malloc(41000);
	ssize_t n;
	int fd;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	memcpy(req, "GET / HTTP/1.0\r\nX-Big: ", 23);
	memset(req + 23, 'a', 40000);
	memcpy(req + 40023, "\r\n\r\n", 4);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	(void)!write(fd, req, 40027);
	shutdown(fd, SHUT_WR);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	free(req);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strncmp(buf + 8, " 200", 4) == 0;
}

/* ---- HTML and passwords ---- */

static char *
render(int (*fn)(FILE *, const void *, size_t, const char *), const char *tmpl, const char *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_eq(fn(out, tmpl, strlen(tmpl), arg), 0);
	fclose(out);
	return buf;
}

Test(html, escape_and_shell)
{
	char *buf = NULL, *s;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_eq(html_escape(out, "<script>\"a\" & 'b'</script>"), 0);
	fclose(out);
	cr_expect_str_eq(buf, "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
	free(buf);
	s = render(html_shell, "<head><!--BASE--><x>", "/dmarc");
	cr_expect_str_eq(s, "<head><base href=\"/dmarc/\"><x>");
	free(s);
	s = render(html_shell, "<head><!--BASE--><x>", "");
	cr_expect_str_eq(s, "<head><x>");
	free(s);
}

Test(auth, hash_and_verify)
{
	char hash[AUTH_HASH_MAX];
	struct errbuf e;

	cr_assert_eq(auth_hash_password("s3cret pass", hash, sizeof hash, &e), 0, "%s", e.msg);
	cr_expect(strncmp(hash, "$6$", 3) == 0, "%s", hash);
	cr_expect_eq(auth_check_hash(hash, &e), 0);
	cr_expect(auth_verify("admin", hash, "admin", "s3cret pass"));
	cr_expect(!auth_verify("admin", hash, "admin", "s3cret pas"));
	cr_expect(!auth_verify("admin", hash, "admi", "s3cret pass"));
	cr_expect(!auth_verify("admin", hash, "", ""));
	cr_expect_eq(auth_check_hash("plaintext", &e), -1);
	cr_expect_eq(auth_check_hash("$6$", &e), -1);
}

/* ---- the server ---- */

Test(server, pages_headers_and_limits)
{
	static const char *const missing[] = { "/assets/../../etc/passwd", "/assets/index.html",
		"/assets/", "/etc/passwd", "/index.html", "/api/v2/overview", "/api/v1/",
		"/assets/app.js/", "//assets/app.js" };
	char *dir = wc_make_db();
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;
	size_t i;

	wc_get(port, "GET", "/", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "<script src=\"assets/app.js\" defer></script>"));
	cr_expect_null(strstr(r.body, "<base"), "no prefix: no <base>");
	cr_expect_str_eq(wc_header(&r, "Content-Security-Policy"),
	    "default-src 'self'; "
	    "script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
	    "base-uri 'self'; form-action 'self'");
	cr_expect_str_eq(wc_header(&r, "X-Content-Type-Options"), "nosniff");
	cr_expect_str_eq(wc_header(&r, "X-Frame-Options"), "DENY");
	cr_expect_str_eq(wc_header(&r, "Referrer-Policy"), "no-referrer");
	free(r.raw);

	wc_get(port, "GET", "/assets/app.js", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(wc_header(&r, "Content-Type"), "text/javascript; charset=utf-8");
	cr_expect_not_null(wc_header(&r, "ETag"));
	free(r.raw);

	for (i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		wc_get(port, "GET", missing[i], NULL, &r);
		cr_expect_eq(r.status, 404, "%s: %d", missing[i], r.status);
		cr_expect_str_eq(wc_header(&r, "X-Frame-Options"), "DENY");
		free(r.raw);
	}

	wc_get(port, "POST", "/api/v1/overview", "Content-Length: 0\r\n", &r);
	cr_expect_eq(r.status, 405);
	cr_expect_str_eq(wc_header(&r, "Allow"), "GET, HEAD");
	free(r.raw);

	wc_get(port, "HEAD", "/", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(r.body_len, 0u);
	free(r.raw);

	cr_expect(!oversized_answered(port), "40 KB of headers answered with a 200");
	wc_get(port, "GET", "/", NULL, &r);
	cr_expect_eq(r.status, 200, "the server still answers");
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

Test(server, api_answers_and_errors)
{
	char *dir = wc_make_db();
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;

	wc_get(port, "GET", "/api/v1/overview?from=2024-03-01&to=2024-03-31", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(wc_header(&r, "Content-Type"), "application/json; charset=utf-8");
	cr_expect_not_null(strstr(r.body, "\"from\":\"2024-03-01\",\"to\":\"2024-03-31\""));
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.com\",\"messages\":240,"),
	    "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.org\",\"messages\":15,"),
	    "%s", r.body);
	free(r.raw);

	wc_get(port, "GET", "/api/v1/reports?from=2024-03-01&to=2024-03-31&domain=example.org",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body,
	                       "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"
	                       "\\\"'"),
	    "org_name not escaped for JSON in HTML: %s", r.body);
	cr_expect_not_null(strstr(r.body, "\"total\":1,\"limit\":100,\"offset\":0}"), "%s", r.body);
	free(r.raw);

	wc_get(port, "GET", "/api/v1/reports?domain=example.org", NULL, &r);
	{
		const char *id = strstr(r.body, "\"id\":");
		char path[64];

		cr_assert_not_null(id, "%s", r.body);
		snprintf(path, sizeof path, "/api/v1/report/%ld", strtol(id + 5, NULL, 10));
		free(r.raw);
		wc_get(port, "GET", path, NULL, &r);
		cr_expect_eq(r.status, 200);
		cr_expect(strncmp(r.body, "{\"report\":{\"org_name\":", 22) == 0, "%s", r.body);
		cr_expect_not_null(strstr(r.body, "],\"records_total\":3}\n"), "%s",
		    r.body + (r.body_len > 80 ? r.body_len - 80 : 0));
	}
	free(r.raw);

	wc_get(port, "GET", "/api/v1/sources.csv?from=2024-03-01&to=2024-03-31&sort=messages", NULL,
	    &r);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(wc_header(&r, "Content-Type"), "text/csv; charset=utf-8");
	cr_expect_str_eq(wc_header(&r, "Content-Disposition"),
	    "attachment; filename=\"dmarcd-sources.csv\"");
	cr_expect(strncmp(r.body, "source,policy_domain,messages,", 30) == 0, "%s", r.body);
	cr_expect_null(strstr(r.body, "total_rows"));
	free(r.raw);

	wc_get(port, "GET", "/api/v1/inputs?status=refused", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"status\":\"refused\""), "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"total\":1,"), "%s", r.body);
	free(r.raw);

	wc_get(port, "GET", "/api/v1/overview?days=zero", NULL, &r);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(r.body, "{\"error\":\"days: a number of days from 1 to 3660\"}\n");
	free(r.raw);
	wc_get(port, "GET", "/api/v1/sources?source=not-an-ip", NULL, &r);
	cr_expect_eq(r.status, 400);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/report/999999", NULL, &r);
	cr_expect_eq(r.status, 404);
	cr_expect_str_eq(r.body, "{\"error\":\"no such id\"}\n");
	free(r.raw);
	wc_get(port, "GET", "/api/v1/report/abc", NULL, &r);
	cr_expect_eq(r.status, 404);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/export/records.csv?result=fail", NULL, &r);
	cr_expect_eq(r.status, 400);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* The advice: the advisor's verdict and gates, the object `dmarcd advise --json` prints. */
Test(server, advice_answers_and_errors)
{
	static const struct {
		const char *query, *error;
	} bad[] = {
		{ "", "domain: required, the policy domain to advise on" },
		{ "domain=%3Cscript%3E.example", "domain: not a domain name" },
		{ "domain=example.com&window=0", "window: a number of days from 1 to 366" },
		{ "domain=example.com&window=367", "window: a number of days from 1 to 366" },
		{ "domain=example.com&window=7x", "window: a number of days from 1 to 366" },
		{ "domain=example.com&simulate=none", "simulate: quarantine or reject" },
		{ "domain=example.com&pct=101", "pct: a number from 0 to 100" },
		{ "domain=example.com&pct=-1", "pct: a number from 0 to 100" },
		{ "domain=example.com&format=csv", "format: the advice is JSON only" },
		{ "domain=example.com&as_of=2024-3-6",
		    "as_of: not a date YYYY-MM-DD (1971 or later)" },
		{ "domain=example.com&as_of=2024-02-30",
		    "as_of: not a date YYYY-MM-DD (1971 or later)" },
		{ "domain=example.com&as_of=1970-01-02",
		    "as_of: not a date YYYY-MM-DD (1971 or later)" },
	};
	/* "today" (between the two) is the server's clock */
	static const char head[] = "{\"domain\":\"example.com\",\"as_of\":\"2024-03-08\","
	                           "\"today\":\"";
	static const char data[] = "\"newest_report\":\"2024-03-08\",\"window_days\":7,"
	                           "\"has_data\":true,";
	char *dir = wc_make_db(), *want, path[256], error[160];
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;
	size_t i;

	wc_get(port, "GET", "/api/v1/advice?domain=Example.COM&window=7&simulate=quarantine&pct=50",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(wc_header(&r, "Content-Type"), "application/json; charset=utf-8");
	cr_expect(strncmp(r.body, head, sizeof head - 1) == 0, "%s", r.body);
	cr_expect_not_null(strstr(r.body, data), "%s", r.body);
	cr_expect_not_null(strstr(r.body,
	                       "\"step\":\"p=reject (final step)\","
	                       "\"verdict\":\"REGRESSION\","),
	    "%s", r.body);
	cr_expect_not_null(
	    strstr(r.body,
	        "{\"id\":\"R2\",\"title\":\"Every authorized source "
	        "passes\",\"ok\":false,\"data\":false,\"measured\":\"worst: 192.0.2.0/24 at 50.0 %\""),
	    "%s", r.body);
	cr_expect_not_null(strstr(r.body,
	                       "\"impact\":{\"p\":\"quarantine\",\"pct\":50,"
	                       "\"messages\":240,\"failing\":120,\"affected\":60,"),
	    "%s", r.body);
	cr_assert_eq(tu_run(&want,
	                 "%s advise --db %s --json --window 7 --simulate quarantine "
	                 "--pct 50 example.com",
	                 DMARCD_BIN, wc_db_path(dir)),
	    0);
	cr_expect(strlen(want) == r.body_len + 2 && want[0] == '[' &&
	        strncmp(want + 1, r.body, r.body_len - 1) == 0 &&
	        strcmp(want + r.body_len, "]\n") == 0,
	    "the API and `dmarcd advise --json` differ:\n%s\n%s", r.body, want);
	free(want);
	free(r.raw);

	wc_get(port, "GET", "/api/v1/advice?domain=unknown.example", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"window_days\":30,\"has_data\":false,"), "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"step\":\"no reports yet\",\"verdict\":\"NOT READY\""),
	    "%s", r.body);
	free(r.raw);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(path, sizeof path, "/api/v1/advice?%s", bad[i].query);
		snprintf(error, sizeof error, "{\"error\":\"%s\"}\n", bad[i].error);
		wc_get(port, "GET", path, NULL, &r);
		cr_expect_eq(r.status, 400, "%s: %d", bad[i].query, r.status);
		cr_expect_str_eq(r.body, error, "%s", bad[i].query);
		free(r.raw);
	}
	wc_get(port, "GET", "/api/v1/advice.csv?domain=example.com", NULL, &r);
	cr_expect_eq(r.status, 400);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/advice/1?domain=example.com", NULL, &r);
	cr_expect_eq(r.status, 404);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/*
 * as_of=YYYY-MM-DD ends the advice's windows on that day, as `dmarcd advise --as-of` does:
 * the Advisor page of a past day shows what the command line says about it. The data has
 * example.com reports on 2024-03-06 (40 messages) and 2024-03-08 (200).
 */
Test(server, advice_as_of_matches_the_command_line)
{
	static const char head[] = "{\"domain\":\"example.com\",\"as_of\":\"2024-03-06\","
	                           "\"today\":\"2024-03-06\",\"newest_report\":\"2024-03-06\","
	                           "\"window_days\":30,\"has_data\":true,";
	char *dir = wc_make_db(), *want;
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;

	wc_get(port, "GET", "/api/v1/advice?domain=example.com&as_of=2024-03-06", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect(strncmp(r.body, head, sizeof head - 1) == 0, "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"totals\":{\"messages\":40,"), "%s", r.body);
	cr_assert_eq(tu_run(&want, "%s advise --db %s --json --as-of 2024-03-06 example.com",
	                 DMARCD_BIN, wc_db_path(dir)),
	    0);
	cr_expect(strlen(want) == r.body_len + 2 && want[0] == '[' &&
	        strncmp(want + 1, r.body, r.body_len - 1) == 0 &&
	        strcmp(want + r.body_len, "]\n") == 0,
	    "the API and `dmarcd advise --json --as-of` differ:\n%s\n%s", r.body, want);
	free(want);
	free(r.raw);
	/* without it, the last day with reports, as before */
	wc_get(port, "GET", "/api/v1/advice?domain=example.com&as_of=", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"as_of\":\"2024-03-08\""), "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"totals\":{\"messages\":240,"), "%s", r.body);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* A cached answer is not reused once something new is ingested. */
Test(server, answers_follow_new_data)
{
	char *dir = wc_make_db(), path[512];
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;

	wc_get(port, "GET", "/api/v1/overview?from=2024-03-01&to=2024-03-31", NULL, &r);
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.com\",\"messages\":240,"),
	    "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/overview?from=2024-03-01&to=2024-03-31", NULL, &r);
	cr_expect_not_null(strstr(r.body, "\"messages\":240,"), "the same answer twice");
	free(r.raw);
	snprintf(path, sizeof path, "%s/d.xml", dir);
	wc_write_report(path, "Reporter B", "rep-4", "example.com", 1709942400, 1, 60);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s %s", DMARCD_BIN, wc_db_path(dir), path), 0);
	wc_get(port, "GET", "/api/v1/overview?from=2024-03-01&to=2024-03-31", NULL, &r);
	cr_expect_not_null(strstr(r.body, "\"policy_domain\":\"example.com\",\"messages\":300,"),
	    "a stale answer after an ingest: %s", r.body);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* The export downloads are byte for byte what `dmarcd export` writes. */
Test(server, exports_equal_the_cli)
{
	static const char *const kinds[] = { "reports", "records", "sources", "domains",
		"failures" };
	char *dir = wc_make_db(), *want, path[256];
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	struct wc_answer r;
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		cr_assert_eq(tu_run(&want,
		                 "%s export %s --db %s --domain example.com --since 2024-03-06 "
		                 "--until 2024-03-07",
		                 DMARCD_BIN, kinds[i], wc_db_path(dir)),
		    0);
		snprintf(path, sizeof path,
		    "/api/v1/export/%s.csv?domain=example.com&from=2024-03-06"
		    "&to=2024-03-07",
		    kinds[i]);
		wc_get(web_server_port(w), "GET", path, NULL, &r);
		cr_expect_eq(r.status, 200);
		cr_expect_eq(r.body_len, strlen(want), "%s: %zu bytes, want %zu", kinds[i],
		    r.body_len, strlen(want));
		cr_expect_str_eq(r.body, want, "%s differs", kinds[i]);
		free(r.raw);
		free(want);

		cr_assert_eq(tu_run(&want, "%s export %s --db %s --format json", DMARCD_BIN,
		                 kinds[i], wc_db_path(dir)),
		    0);
		snprintf(path, sizeof path, "/api/v1/export/%s.json", kinds[i]);
		wc_get(web_server_port(w), "GET", path, NULL, &r);
		cr_expect_str_eq(r.body, want, "%s (JSON) differs", kinds[i]);
		free(r.raw);
		free(want);
	}
	web_server_stop(w);
	free(dir);
}

/* Stopping while an export is being sent neither hangs nor leaks. */
Test(server, stop_during_an_export, .timeout = 60)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char *dir = wc_make_db(),
	     req[] = "GET /api/v1/export/records.csv HTTP/1.1\r\n"
	             "Host: localhost\r\n\r\n",
	     buf[64];
	struct web_server *w = wc_start(wc_db_path(dir), "", NULL, NULL);
	int fd;

	sa.sin_port = htons((uint16_t)web_server_port(w));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
	cr_assert_gt(read(fd, buf, sizeof buf), 0);
	web_server_stop(w);
	close(fd);
	free(dir);
}

Test(server, base_path_and_forwarded_prefix)
{
	char *dir = wc_make_db();
	struct web_server *w = wc_start(wc_db_path(dir), "/dmarc/", NULL, NULL);
	unsigned port = web_server_port(w);
	struct wc_answer r;

	wc_get(port, "GET", "/dmarc", NULL, &r);
	cr_expect_eq(r.status, 301);
	cr_expect_str_eq(wc_header(&r, "Location"), "/dmarc/");
	free(r.raw);
	wc_get(port, "GET", "/dmarc/", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "<base href=\"/dmarc/\">"), "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/dmarc/", "X-Forwarded-Prefix: /proxy/\r\n", &r);
	cr_expect_not_null(strstr(r.body, "<base href=\"/proxy/dmarc/\">"), "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/dmarc/", "X-Forwarded-Prefix: /x\"><script>alert(1)</script>\r\n",
	    &r);
	cr_expect_not_null(strstr(r.body, "<base href=\"/dmarc/\">"), "hostile prefix used");
	cr_expect_null(strstr(r.body, "alert(1)"));
	free(r.raw);
	wc_get(port, "GET", "/dmarc/api/v1/reporters", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body, "\"org_name\":\"Reporter A\""), "%s", r.body);
	free(r.raw);
	wc_get(port, "GET", "/api/v1/reporters", NULL, &r);
	cr_expect_eq(r.status, 404);
	free(r.raw);
	wc_get(port, "GET", "/dmarcx/", NULL, &r);
	cr_expect_eq(r.status, 404);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

Test(server, remote_listening_needs_auth)
{
	char *dir = wc_make_db(), hash[AUTH_HASH_MAX];
	struct web_options o = { .db_path = wc_db_path(dir), .listen = "0.0.0.0:0" };
	struct web_server *w = NULL;
	struct errbuf e;

	cr_expect_eq(web_server_start(&o, &w, &e), -1);
	cr_expect_null(w);
	cr_expect_not_null(strstr(e.msg, "refusing to listen on 0.0.0.0:0 without authentication"),
	    "%s", e.msg);
	o.listen = "[::]:0";
	cr_expect_eq(web_server_start(&o, &w, &e), -1);
	o.allow_remote_without_auth = true;
	o.listen = "0.0.0.0:0";
	cr_expect_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	web_server_stop(w);

	o.allow_remote_without_auth = false;
	cr_assert_eq(auth_hash_password("pw", hash, sizeof hash, &e), 0);
	o.auth_user = "admin";
	o.auth_hash = hash;
	cr_expect_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	web_server_stop(w);

	o.auth_hash = "not-a-hash";
	cr_expect_eq(web_server_start(&o, &w, &e), -1);
	o.auth_hash = NULL;
	cr_expect_eq(web_server_start(&o, &w, &e), -1, "a user without a hash");
	o.auth_user = NULL;
	o.listen = "localhost:99999";
	cr_expect_eq(web_server_start(&o, &w, &e), -1);
	cr_expect_not_null(strstr(e.msg, "listen address"), "%s", e.msg);
	o.listen = "127.0.0.1:0";
	o.base_path = "/bad path";
	cr_expect_eq(web_server_start(&o, &w, &e), -1);
	free(dir);
}

Test(server, basic_auth)
{
	char *dir = wc_make_db(), hash[AUTH_HASH_MAX];
	struct web_server *w;
	struct errbuf e;
	struct wc_answer r;

	cr_assert_eq(auth_hash_password("open sesame", hash, sizeof hash, &e), 0);
	w = wc_start(wc_db_path(dir), "", "admin", hash);
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", NULL, &r);
	cr_expect_eq(r.status, 401);
	cr_expect_not_null(wc_header(&r, "WWW-Authenticate"));
	cr_expect_str_eq(wc_header(&r, "X-Frame-Options"), "DENY");
	free(r.raw);
	/* admin:wrong */
	wc_get(web_server_port(w), "GET", "/api/v1/reporters",
	    "Authorization: Basic "
	    "YWRtaW46d3Jvbmc=\r\n",
	    &r);
	cr_expect_eq(r.status, 401);
	free(r.raw);
	/* admin:open sesame */
	wc_get(web_server_port(w), "GET", "/api/v1/reporters",
	    "Authorization: Basic "
	    "YWRtaW46b3BlbiBzZXNhbWU=\r\n",
	    &r);
	cr_expect_eq(r.status, 200);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

/* The login throttle's clock in a test: the milliseconds the test sets, read by the workers. */
static int64_t
test_clock(void *arg)
{
	return atomic_load((_Atomic int64_t *)arg);
}

/*
 * Failed logins from one address: after THROTTLE_FREE_FAILURES, a 429 until the block ends.
 * The server's clock is the test's: the block ends when the test moves it, not after a wait.
 */
Test(server, failed_logins_are_throttled)
{
	static const char wrong[] = "Authorization: Basic YWRtaW46d3Jvbmc=\r\n"; /* admin:wrong */
	static const char right[] =
	    "Authorization: Basic YWRtaW46b3BlbiBzZXNhbWU=\r\n"; /* admin:open sesame */
	char *dir = wc_make_db(), hash[AUTH_HASH_MAX];
	_Atomic int64_t now = 1000000;
	struct web_options o = { .listen = "127.0.0.1:0",
		.base_path = "",
		.auth_user = "admin",
		.auth_hash = hash,
		.threads = 2,
		.clock_ms = test_clock,
		.clock_arg = &now };
	struct web_server *w;
	struct errbuf e;
	struct wc_answer r;
	int i;

	cr_assert_eq(auth_hash_password("open sesame", hash, sizeof hash, &e), 0);
	o.db_path = wc_db_path(dir);
	cr_assert_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	for (i = 0; i <= THROTTLE_FREE_FAILURES; i++) {
		wc_get(web_server_port(w), "GET", "/api/v1/reporters", wrong, &r);
		cr_expect_eq(r.status, 401, "failure %d", i + 1);
		free(r.raw);
	}
	/* Blocked for 1 s: even the right password waits, unchecked. */
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", right, &r);
	cr_expect_eq(r.status, 429);
	cr_expect_str_eq(wc_header(&r, "Retry-After"), "1");
	cr_expect_not_null(strstr(r.raw, "too many failed logins: try again in 1 s"), "%s", r.raw);
	free(r.raw);
	/* A request without credentials is not a failure: still a plain 401. */
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", NULL, &r);
	cr_expect_eq(r.status, 401);
	free(r.raw);
	/* 1 ms before the block's end: still blocked; at its end, the password is checked. */
	atomic_fetch_add(&now, 999);
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", right, &r);
	cr_expect_eq(r.status, 429, "the block lasts 1 s of the server's clock");
	cr_expect_str_eq(wc_header(&r, "Retry-After"), "1");
	free(r.raw);
	atomic_fetch_add(&now, 1);
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", right, &r);
	cr_expect_eq(r.status, 200, "the block is over");
	free(r.raw);
	/* The success cleared the count: a wrong password is a plain 401 again, not a block. */
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", wrong, &r);
	cr_expect_eq(r.status, 401);
	free(r.raw);
	wc_get(web_server_port(w), "GET", "/api/v1/reporters", right, &r);
	cr_expect_eq(r.status, 200);
	free(r.raw);
	web_server_stop(w);
	free(dir);
}

Test(server, cli_serve_and_hash_password)
{
	char *dir = wc_make_db(), *out;

	cr_expect_eq(tu_run(&out, "printf 'pw\\n' | %s hash-password", DMARCD_BIN), 0);
	cr_expect(strncmp(out, "$6$", 3) == 0, "%s", out);
	free(out);
	/* a password longer than the reader takes is refused, never cut and hashed */
	cr_expect_eq(
	    tu_run(&out, "head -c 3000 /dev/zero | tr '\\0' x | %s hash-password 2>&1", DMARCD_BIN),
	    1);
	cr_expect_not_null(strstr(out, "at most 1022 bytes"), "%s", out);
	free(out);
	cr_expect_eq(
	    tu_run(&out, "%s serve --db %s --listen 0.0.0.0:0 2>&1", DMARCD_BIN, wc_db_path(dir)),
	    1);
	cr_expect_not_null(strstr(out, "refusing to listen"), "%s", out);
	free(out);
	cr_expect_eq(tu_run(NULL, "%s serve --auth-user admin 2>/dev/null", DMARCD_BIN), 2);
	free(dir);
}

/*
 * The names of a source (issue 14): the columns, the groups, the filters
 * and their 400s; a hostile host name and AS name come out escaped for
 * JSON and CSV. The sender rows are written with the sqlite3 shell, as the
 * enricher would leave them.
 */
Test(server, api_names_of_sources)
{
	static const char *const bad[] = { "service=Send%20Grid", "service=a_b", "asn=0",
		"asn=4294967296", "asn=x", "country=de", "country=USA", "group=owner" };
	static const char names[] =
	    "INSERT INTO service VALUES ('sendgrid', 'SendGrid', 'esp', 'f', 'd');\n"
	    "INSERT INTO sender (ip, net, ptr, dns_status, asn, as_org, country, service,"
	    " evidence, evidence_value) VALUES (X'00000000000000000000FFFFC0000201',"
	    " X'00000000000000000000FFFFC0000200', '=1+2;\"x\"<script>', 'confirmed', 11377,"
	    " '-cmd|'' /C calc''!A0', 'US', 'sendgrid', 'dkim', 'sendgrid.net');\n"
	    /* its class and the rollup by class, as the enricher keeps them (store_class.h) */
	    "INSERT INTO sender_class VALUES (1, 'sendgrid', 11377, 'US', 'SendGrid');\n"
	    "UPDATE sender SET class = 1; UPDATE source SET classed = 1;\n"
	    "INSERT INTO rollup_class SELECT u.day, u.policy_domain, u.org_key, 1, sum(u.messages),"
	    " sum(u.dmarc_pass), sum(u.dkim_aligned), sum(u.spf_aligned), sum(u.disposition_none),"
	    " sum(u.disposition_quarantine), sum(u.disposition_reject), sum(u.fail_none),"
	    " sum(u.fail_quarantine), sum(u.fail_reject) FROM rollup u JOIN source so ON"
	    " so.policy_domain = u.policy_domain AND so.ip = X'00000000000000000000FFFFC0000200'"
	    " WHERE u.ip = X'00000000000000000000FFFFC0000201' GROUP BY 1, 2, 3;\n";
	char *dir = wc_make_db(), sql[2048];
	struct web_server *w;
	struct wc_answer r;
	unsigned port;
	size_t i;

	snprintf(sql, sizeof sql, "%s/names.sql", dir);
	tu_write_file(sql, names, sizeof names - 1);
	cr_assert_eq(tu_run(NULL, "sqlite3 %s < %s", wc_db_path(dir), sql), 0);
	w = wc_start(wc_db_path(dir), "", NULL, NULL);
	port = web_server_port(w);

	wc_get(port, "GET", "/api/v1/sources?from=2024-03-01&to=2024-03-31&domain=example.com",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body,
	                       "\"source\":\"192.0.2.1\",\"policy_domain\":\"example.com\","
	                       "\"messages\":110,"),
	    "%s", r.body);
	cr_expect_not_null(strstr(r.body,
	                       "\"host\":\"=1+2;\\\"x\\\"\\u003cscript\\u003e\","
	                       "\"dns_status\":\"confirmed\",\"service\":\"sendgrid\","
	                       "\"service_name\":\"SendGrid\",\"category\":\"esp\","
	                       "\"evidence\":\"dkim:sendgrid.net\",\"asn\":11377,"
	                       "\"as_org\":\"-cmd|' /C calc'!A0\",\"country\":\"US\""),
	    "%s", r.body);
	/* 192.0.2.2 has no sender row: no names */
	cr_expect_not_null(strstr(r.body, "\"source\":\"192.0.2.2\""), "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"host\":null,\"dns_status\":null,\"service\":null,"),
	    "%s", r.body);
	free(r.raw);

	wc_get(port, "GET",
	    "/api/v1/sources.csv?from=2024-03-01&to=2024-03-31&domain=example.com&service=sendgrid",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(
	    strstr(r.body,
	        ",first_seen,last_seen,host,dns_status,service,service_name,"
	        "category,evidence,asn,as_org,country,ptr\r\n192.0.2.1,example.com,110,"),
	    "%s", r.body);
	cr_expect_not_null(strstr(r.body,
	                       ",\"'=1+2;\"\"x\"\"<script>\",confirmed,sendgrid,SendGrid,esp,"
	                       "dkim:sendgrid.net,11377,\"'-cmd|' /C calc'!A0\",US,"
	                       "\"'=1+2;\"\"x\"\"<script>\"\r\n"),
	    "%s", r.body);
	cr_expect_null(strstr(r.body, "192.0.2.2"), "the service filter: %s", r.body);
	free(r.raw);

	/* example.com: 192.0.2.1's 110 are SendGrid's, 192.0.2.2..4 (130) not named */
	wc_get(port, "GET",
	    "/api/v1/sources?from=2024-03-01&to=2024-03-31&domain=example.com"
	    "&group=service",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_not_null(strstr(r.body,
	                       "\"source\":\"sendgrid\",\"policy_domain\":\"example.com\","
	                       "\"messages\":110,"),
	    "%s", r.body);
	cr_expect_not_null(
	    strstr(r.body, "\"source\":\"\",\"policy_domain\":\"example.com\",\"messages\":130,"),
	    "%s", r.body);
	cr_expect_not_null(strstr(r.body, "\"total\":2,"), "%s", r.body);
	free(r.raw);

	wc_get(port, "GET", "/api/v1/records?from=2024-03-01&to=2024-03-31&asn=11377&country=US",
	    NULL, &r);
	cr_expect_eq(r.status, 200);
	/* 192.0.2.1 in rep-1, rep-2 (example.org) and rep-3 */
	cr_expect_not_null(strstr(r.body, "\"total\":3,"), "%s", r.body);
	cr_expect_not_null(strstr(r.body,
	                       "\"service_name\":\"SendGrid\",\"asn\":11377,\"as_org\":"
	                       "\"-cmd|' /C calc'!A0\",\"country\":\"US\""),
	    "%s", r.body);
	free(r.raw);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[128];

		snprintf(path, sizeof path, "/api/v1/sources?%s", bad[i]);
		wc_get(port, "GET", path, NULL, &r);
		cr_expect_eq(r.status, 400, "%s: %d", bad[i], r.status);
		free(r.raw);
	}
	web_server_stop(w);
	free(dir);
}
