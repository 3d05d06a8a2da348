#include "urilimit.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

size_t
urilimit_args(const char *uri)
{
	const char *q = strchr(uri, '?');
	size_t n;

	if (q == NULL)
		return 0;
	for (n = 1; (q = strchr(q + 1, '&')) != NULL; n++)
		;
	return n;
}

void
urilimit_refuse(int fd, const char *headers)
{
	char answer[2048], body[64];
	int n;

	snprintf(body, sizeof body, "too many query arguments: at most %d\n", URILIMIT_ARGS_MAX);
	n = snprintf(answer, sizeof answer,
	    "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n%s\r\n%s",
	    strlen(body), headers, body);
	/*
	 * Nothing else is being written on this connection: libmicrohttpd reads
	 * a request line only once the previous answer is sent. A short answer
	 * fits the empty socket buffer; the shutdown then ends the connection.
	 */
	if (n > 0 && (size_t)n < sizeof answer)
		(void)!send(fd, answer, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_RDWR);
}
