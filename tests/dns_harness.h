/*
 * dns_harness: a real authoritative DNS server for tests and benchmarks:
 * Debian's nsd in a scratch directory, serving the zones a test writes, on
 * 127.0.0.1 and a free port, UDP and TCP. Start waits until the server
 * answers (never for a fixed time); stop ends it and removes the
 * directory. Knows only common/ (errbuf) and libc, not Criterion, so that
 * a bench program can use it too.
 */
#ifndef DMARCD_DNS_HARNESS_H
#define DMARCD_DNS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "errbuf.h"

#define DH_NSD "/usr/sbin/nsd"
#define DH_NSD_CHECKCONF "/usr/sbin/nsd-checkconf"

/* One server: its scratch directory, its zones, its port and process once started. */
struct dh_server {
	char dir[256];
	char **zones; /* origins, without the final dot */
	size_t nzones, cap;
	int port;  /* 0 until started */
	pid_t pid; /* 0 when not running */
};

/* Whether nsd is installed (tests skip with a message when it is not). */
bool dh_nsd_present(void);

/* Creates the scratch directory; 0, or -1 with e set. */
int dh_init(struct dh_server *s, struct errbuf *e);

/*
 * Starts DIR/ORIGIN.zone: $ORIGIN, $TTL 3600, a SOA whose minimum (the
 * negative TTL, RFC 2308) is minimum, an NS. Returns the file for the
 * caller to append records to (relative names are under origin) and close,
 * or NULL with e set. Every zone must be written before dh_start.
 */
FILE *dh_zone_open(struct dh_server *s, const char *origin, uint32_t minimum, struct errbuf *e);

/* dh_zone_open with the records given as one text, closed. */
int dh_zone(struct dh_server *s, const char *origin, uint32_t minimum, const char *records,
    struct errbuf *e);

/*
 * Writes DIR/nsd.conf for the zones written, checks it with nsd-checkconf,
 * starts nsd -d on a free port (another one when it was taken meanwhile)
 * and waits up to timeout_s until it answers for the last zone. 0, or -1
 * with e set (nsd's log is DIR/nsd.log).
 */
int dh_start(struct dh_server *s, int timeout_s, struct errbuf *e);

/* "127.0.0.1:PORT", for rdns_options.servers (static buffer). */
const char *dh_servers(const struct dh_server *s);

/* Stops nsd (SIGTERM, then SIGKILL to its process group) and removes DIR unless keep. */
void dh_stop(struct dh_server *s, bool keep);

#endif
