/*
 * web_client: for the web server's tests (test_web*.c), a database filled
 * by `dmarcd ingest`, a server started on an ephemeral loopback port, and
 * an HTTP/1.0 client over a raw socket that reads each answer to its end.
 */
#ifndef DMARCD_TEST_WEB_CLIENT_H
#define DMARCD_TEST_WEB_CLIENT_H

#include <stddef.h>

#include "server.h"

/* An answer: its status, the whole of it (NUL-terminated, malloc'd) and its body. */
struct wc_answer {
	int status;
	char *raw;
	const char *body;
	size_t body_len;
};

/* An aggregate report at path: n records of count messages, every other one passing DKIM. */
void wc_write_report(const char *path, const char *org, const char *rid, const char *domain,
    long begin, int n, int count);

/* A scratch directory (malloc'd) with t.db holding three reports and one refused input. */
char *wc_make_db(void);

/* dir/t.db (a static buffer). */
char *wc_db_path(const char *dir);

/* A server on 127.0.0.1:0 with two threads over db; aborts the test when it cannot start. */
struct web_server *wc_start(const char *db, const char *base, const char *user, const char *hash);

/* Starts a server with o on a free loopback port (o.listen and o.threads are set here). */
struct web_server *wc_start_options(struct web_options o);

/* Sends request (a whole request head) to 127.0.0.1:port and reads the answer to EOF. */
void wc_send(unsigned port, const char *request, struct wc_answer *r);

/* One HTTP/1.0 request with "Host: localhost" and the extra header lines given (or NULL). */
void wc_get(unsigned port, const char *method, const char *path, const char *headers,
    struct wc_answer *r);

/* The value of a response header (a static buffer), or NULL. */
const char *wc_header(const struct wc_answer *r, const char *name);

#endif
