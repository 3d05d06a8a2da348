#include "web_client.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

void
wc_write_report(const char *path, const char *org, const char *rid, const char *domain, long begin,
    int n, int count)
{
	FILE *f = fopen(path, "w");
	int i;

	cr_assert_not_null(f);
	fprintf(f,
	    "<?xml version=\"1.0\"?>\n<feedback><version>1.0</version>"
	    "<report_metadata><org_name>%s</org_name><email>r@reporter.example</email>"
	    "<report_id>%s</report_id><date_range><begin>%ld</begin><end>%ld</end>"
	    "</date_range></report_metadata><policy_published><domain>%s</domain>"
	    "<p>reject</p><sp>none</sp><pct>100</pct></policy_published>\n",
	    org, rid, begin, begin + 86399, domain);
	for (i = 0; i < n; i++)
		fprintf(f,
		    "<record><row><source_ip>192.0.2.%d</source_ip><count>%d</count>"
		    "<policy_evaluated><disposition>none</disposition><dkim>%s</dkim>"
		    "<spf>fail</spf></policy_evaluated></row><identifiers>"
		    "<header_from>%s</header_from></identifiers><auth_results><spf>"
		    "<domain>%s</domain><result>pass</result></spf></auth_results></record>\n",
		    i + 1, count, i % 2 == 0 ? "pass" : "fail", domain, domain);
	fprintf(f, "</feedback>\n");
	cr_assert_eq(fclose(f), 0);
}

char *
wc_make_db(void)
{
	char *dir = tu_scratch_dir(), path[512];

	snprintf(path, sizeof path, "%s/in", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/in/a.xml", dir);
	wc_write_report(path, "Reporter A", "rep-1", "example.com", 1709683200, 4, 10);
	snprintf(path, sizeof path, "%s/in/b.xml", dir);
	wc_write_report(path, "&lt;script&gt;alert(1)&lt;/script&gt;\"'", "rep-2", "example.org",
	    1709769600, 3, 5);
	snprintf(path, sizeof path, "%s/in/c.xml", dir);
	wc_write_report(path, "Reporter A", "rep-3", "example.com", 1709856000, 2, 100);
	snprintf(path, sizeof path, "%s/in/broken.xml", dir);
	tu_write_file(path, "<feedback><report_metadata>", 27);
	cr_assert_eq(tu_run(NULL, "%s ingest --db %s/t.db %s/in 2>/dev/null", DMARCD_BIN, dir, dir),
	    3);
	return dir;
}

char *
wc_db_path(const char *dir)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/t.db", dir);
	return path;
}

struct web_server *
wc_start_options(struct web_options o)
{
	struct web_server *w;
	struct errbuf e;

	o.listen = "127.0.0.1:0";
	o.threads = 2;
	cr_assert_eq(web_server_start(&o, &w, &e), 0, "%s", e.msg);
	cr_assert_neq(web_server_port(w), 0u);
	return w;
}

struct web_server *
wc_start(const char *db, const char *base, const char *user, const char *hash)
{
	struct web_options o = { .db_path = db,
		.base_path = base,
		.auth_user = user,
		.auth_hash = hash };

	return wc_start_options(o);
}

void
wc_send(unsigned port, const char *request, struct wc_answer *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char chunk[8192];
	size_t len = 0;
	ssize_t n;
	char *end;
	int fd;

	memset(r, 0, sizeof *r);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_neq(fd, -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect to port %u", port);
	cr_assert_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	r->raw = calloc(1, 1);
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		r->raw = realloc(r->raw, len + (size_t)n + 1);
		memcpy(r->raw + len, chunk, (size_t)n);
		len += (size_t)n;
		r->raw[len] = '\0';
	}
	close(fd);
	cr_assert(len > 12 && strncmp(r->raw, "HTTP/1.", 7) == 0, "no HTTP answer: %s", r->raw);
	r->status = (int)strtol(r->raw + 9, NULL, 10);
	end = strstr(r->raw, "\r\n\r\n");
	cr_assert_not_null(end);
	r->body = end + 4;
	r->body_len = len - (size_t)(r->body - r->raw);
}

void
wc_get(unsigned port, const char *method, const char *path, const char *headers,
    struct wc_answer *r)
{
	char req[8192];

	snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: localhost\r\n%s\r\n", method, path,
	    headers != NULL ? headers : "");
	wc_send(port, req, r);
}

const char *
wc_header(const struct wc_answer *r, const char *name)
{
	static char value[1024];
	const char *p = r->raw, *eol;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL && p < r->body - 2) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			eol = strstr(p, "\r\n");
			snprintf(value, sizeof value, "%.*s", (int)(eol - p), p);
			return value;
		}
	}
	return NULL;
}
