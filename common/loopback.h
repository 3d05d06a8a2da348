/*
 * loopback: whether a host names this machine, for the one place a secret
 * may travel in clear (plaintext IMAP). Only literals count, never a name
 * that merely looks like one ("127.mail.example" is anyone's host).
 */
#ifndef DMARCD_LOOPBACK_H
#define DMARCD_LOOPBACK_H

#include <stdbool.h>

/*
 * True when host, as a URL carries it, is a loopback literal: an IPv4
 * address in 127.0.0.0/8 in dotted-quad form, ::1 (bare or in brackets),
 * or the name "localhost" (any case), which libcurl (7.78 and later)
 * resolves to 127.0.0.1 and ::1 itself, without asking DNS or /etc/hosts.
 */
bool loopback_host(const char *host);

#endif
