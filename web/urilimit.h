/*
 * urilimit: the ceiling on a request's query arguments. libmicrohttpd
 * keeps each argument in the connection's memory pool (about 56 bytes
 * each, next to the request head); past about 470 the pool runs out while
 * it splits the query, and libmicrohttpd 0.9.75 then loses its own 431:
 * it neither answers nor closes, and the client waits for the head
 * deadline. The server counts the arguments from the request line first,
 * and refuses more than URILIMIT_ARGS_MAX itself.
 */
#ifndef DMARCD_URILIMIT_H
#define DMARCD_URILIMIT_H

#include <stddef.h>

/* Far above what the dashboard sends (a dozen), far below the pool's limit. */
#define URILIMIT_ARGS_MAX 128

/* The query arguments of a request target, as libmicrohttpd splits them (at '&'). */
size_t urilimit_args(const char *uri);

/*
 * Writes a 414 answer that says why to the socket fd (headers: more
 * "Name: value\r\n" lines), as much as it takes without blocking, then
 * shuts the socket down so that the server closes the connection.
 */
void urilimit_refuse(int fd, const char *headers);

#endif
