/*
 * listener: the dashboard's listening socket. Parses the address to
 * listen on (IPv4:PORT, [IPv6]:PORT, localhost:PORT), says whether it is
 * loopback (which decides whether authentication is required), and opens it.
 */
#ifndef DMARCD_LISTENER_H
#define DMARCD_LISTENER_H

#include <stdbool.h>
#include <sys/socket.h>

#include "errbuf.h"

struct listener_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool loopback; /* 127.0.0.0/8, ::1, or ::ffff:127.x.x.x */
};

/* Parses "127.0.0.1:8080", "[::1]:8080" or "localhost:8080" into *a. Returns 0, or -1 (e). */
int listener_parse(const char *text, struct listener_addr *a, struct errbuf *e);

/* Opens a socket listening on a (text names it in errors) into *fd. Returns 0, or -1 (e). */
int listener_open(const struct listener_addr *a, const char *text, int *fd, struct errbuf *e);

/* The port fd listens on (the one the system chose for port 0), or 0. */
unsigned listener_port(int fd);

#endif
