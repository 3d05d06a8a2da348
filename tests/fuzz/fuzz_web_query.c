/*
 * libFuzzer target: the dashboard's HTTP requests, sent over loopback to two
 * real web servers (libmicrohttpd, then server.c, query.c, api.c, auth.c,
 * html.c, the store's dashboard queries) over a small database. The input
 * is split at '\n' into three fields: the request target (path and query
 * string), an X-Forwarded-Prefix value and an Authorization value, each
 * header left out when empty. A request with an Authorization value goes to
 * the server with HTTP Basic authentication (user "fuzz", password "fuzz"),
 * the others to the one under the base path /dmarc.
 * Checked: no request gets a 500, and the page shell's <base href> stays
 * one attribute value, escaped.
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "extract.h"
#include "log.h"
#include "pipeline.h"
#include "server.h"
#include "store.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define REQUEST_MAX (64 * 1024)
#define RESPONSE_MAX (1024 * 1024) /* kept for the checks; the rest is read and dropped */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The database's reports: an ordinary one, one with hostile strings, one refused. */
static const char *const seed_inputs[] = {
	"<?xml version=\"1.0\"?><feedback><report_metadata><org_name>Reporter A</org_name>"
	"<email>r@a.example</email><report_id>r-1</report_id><date_range><begin>1709683200"
	"</begin><end>1709769599</end></date_range></report_metadata><policy_published>"
	"<domain>example.com</domain><p>reject</p></policy_published><record><row><source_ip>"
	"192.0.2.1</source_ip><count>7</count><policy_evaluated><disposition>none</disposition>"
	"<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>"
	"example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain>"
	"<result>pass</result></spf></auth_results></record></feedback>",
	"<?xml version=\"1.0\"?><feedback><report_metadata><org_name>&lt;script&gt;\"'=1"
	"</org_name><email>r@b.example</email><report_id>&lt;/td&gt;</report_id><date_range>"
	"<begin>1709769600</begin><end>1709855999</end></date_range></report_metadata>"
	"<policy_published><domain>example.org</domain><p>none</p></policy_published><record>"
	"<row><source_ip>2001:db8::1</source_ip><count>3</count><policy_evaluated><disposition>"
	"quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>"
	"<identifiers><header_from>example.org</header_from></identifiers><auth_results>"
	"</auth_results></record></feedback>",
	"<feedback><report_metadata>",
};

static struct web_server *open_server, *auth_server;
static unsigned open_port, auth_port;
static char dir[] = "/tmp/dmarcd-fuzz-web-XXXXXX";
static char db[sizeof dir + 8];

static void
cleanup(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[sizeof db + 16];
	size_t i;

	web_server_stop(auth_server);
	web_server_stop(open_server);
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void
fill_database(void)
{
	struct pipeline_options o = { 0 };
	struct pipeline_input in = { 0 };
	struct pipeline *p;
	struct store *st;
	struct bounds b;
	struct errbuf e;
	size_t i;

	bounds_default(&b);
	CHECK(store_open(db, STORE_READWRITE, &st, &e) == 0);
	CHECK(pipeline_new(st, &b, &o, &p, &e) == 0);
	for (i = 0; i < sizeof seed_inputs / sizeof seed_inputs[0]; i++) {
		in.source = "file";
		in.location = "fuzz.xml";
		in.data = (const unsigned char *)seed_inputs[i];
		in.len = strlen(seed_inputs[i]);
		CHECK(pipeline_ingest(p, &in, &e) == 0);
	}
	CHECK(pipeline_flush(p, &e) == 0);
	pipeline_free(p);
	store_close(st);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* the fewest rounds SHA-crypt allows: authentication is hashed on every try */
	struct crypt_data cd;
	const char *hash;
	struct web_options o = { 0 };
	struct errbuf e;

	(void)argc;
	(void)argv;
	log_init(LOG_LEVEL_ERROR, false);
	extract_init();
	CHECK(mkdtemp(dir) != NULL);
	snprintf(db, sizeof db, "%s/t.db", dir);
	atexit(cleanup);
	fill_database();
	memset(&cd, 0, sizeof cd);
	CHECK((hash = crypt_r("fuzz", "$6$rounds=1000$fuzzsaltfuzzsalt$", &cd)) != NULL);
	o.db_path = db;
	o.listen = "127.0.0.1:0";
	o.threads = 1;
	o.base_path = "/dmarc";
	CHECK(web_server_start(&o, &open_server, &e) == 0);
	o.base_path = "";
	o.auth_user = "fuzz";
	o.auth_hash = hash;
	CHECK(web_server_start(&o, &auth_server, &e) == 0);
	open_port = web_server_port(open_server);
	auth_port = web_server_port(auth_server);
	return 0;
}

/* The next '\n'-terminated field of data[*off..size), as a pointer and a length. */
static const uint8_t *
next_field(const uint8_t *data, size_t size, size_t *off, size_t *len)
{
	const uint8_t *start = data + *off, *nl;

	if (*off >= size) {
		*len = 0;
		return start;
	}
	nl = memchr(start, '\n', size - *off);
	*len = nl != NULL ? (size_t)(nl - start) : size - *off;
	*off += *len + 1;
	return start;
}

struct request {
	char buf[REQUEST_MAX];
	size_t len;
};

static void
add(struct request *r, const void *p, size_t n)
{
	if (n > sizeof r->buf - r->len)
		n = sizeof r->buf - r->len;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void
add_str(struct request *r, const char *s)
{
	add(r, s, strlen(s));
}

/* Sends the request to port and reads the answer to its end; returns the bytes kept. */
static size_t
exchange(unsigned port, const struct request *r, char *resp, size_t size)
{
	struct sockaddr_in sin;
	struct timeval tv = { 15, 0 };
	struct linger reset = { 1, 0 };
	struct pollfd pfd;
	size_t got = 0, sent = 0;
	char drop[65536];
	ssize_t n;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	/* closed with a reset: thousands of connections a second leave no TIME_WAIT behind */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
	/* libFuzzer's timer signals interrupt the calls: a connect then goes on by itself */
	while (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1 && errno != EISCONN) {
		CHECK(errno == EINTR || errno == EALREADY || errno == EINPROGRESS);
		poll(&pfd, 1, 100);
	}
	while (sent < r->len) {
		if ((n = send(fd, r->buf + sent, r->len - sent, MSG_NOSIGNAL)) > 0)
			sent += (size_t)n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	for (;;) {
		if (got < size - 1)
			n = recv(fd, resp + got, size - 1 - got, 0);
		else
			n = recv(fd, drop, sizeof drop, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < size - 1)
			got += (size_t)n;
	}
	close(fd);
	resp[got] = '\0';
	return got;
}

/* The page shell's <base href="..."> holds no markup: html_escape did its work. */
static void
check_base(const char *resp, size_t len)
{
	static const char mark[] = "<base href=\"";
	const char *b = memmem(resp, len, mark, sizeof mark - 1), *end;

	if (b == NULL)
		return;
	b += sizeof mark - 1;
	end = memchr(b, '"', len - (size_t)(b - resp));
	CHECK(end != NULL);
	CHECK(
	    memchr(b, '<', (size_t)(end - b)) == NULL && memchr(b, '>', (size_t)(end - b)) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char resp[RESPONSE_MAX];
	static struct request r;
	const uint8_t *target, *xfp, *auth;
	size_t off = 0, tlen, xlen, alen, got;

	target = next_field(data, size, &off, &tlen);
	xfp = next_field(data, size, &off, &xlen);
	auth = next_field(data, size, &off, &alen);
	r.len = 0;
	add_str(&r, "GET ");
	add(&r, target, tlen);
	add_str(&r, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
	if (xlen > 0) {
		add_str(&r, "X-Forwarded-Prefix: ");
		add(&r, xfp, xlen);
		add_str(&r, "\r\n");
	}
	if (alen > 0) {
		add_str(&r, "Authorization: ");
		add(&r, auth, alen);
		add_str(&r, "\r\n");
	}
	add_str(&r, "\r\n");
	got = exchange(alen > 0 ? auth_port : open_port, &r, resp, sizeof resp);
	CHECK(!(got >= 12 && memcmp(resp, "HTTP/1.", 7) == 0 && memcmp(resp + 8, " 500", 4) == 0));
	check_base(resp, got);
	return 0;
}
