/*
 * dns_harness: nsd in a scratch directory for tests and benchmarks
 * (dns_harness.h).
 */
#include "dns_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tu_net.h"

bool
dh_nsd_present(void)
{
	return access(DH_NSD, X_OK) == 0 && access(DH_NSD_CHECKCONF, X_OK) == 0;
}

int
dh_init(struct dh_server *s, struct errbuf *e)
{
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/dmarcd-dns-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		errbuf_set(e, "dns harness: mkdtemp: %s", strerror(errno));
		return -1;
	}
	/* nsd drops nothing (username ""), but keep the tree readable to any user */
	chmod(s->dir, 0755);
	return 0;
}

FILE *
dh_zone_open(struct dh_server *s, const char *origin, uint32_t minimum, struct errbuf *e)
{
	char path[512];
	FILE *f;

	if (s->nzones == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **z = realloc(s->zones, cap * sizeof *z);

		if (z == NULL) {
			errbuf_set(e, "dns harness: out of memory");
			return NULL;
		}
		s->zones = z;
		s->cap = cap;
	}
	if ((s->zones[s->nzones] = strdup(origin)) == NULL) {
		errbuf_set(e, "dns harness: out of memory");
		return NULL;
	}
	s->nzones++;
	snprintf(path, sizeof path, "%s/%s.zone", s->dir, origin);
	if ((f = fopen(path, "w")) == NULL) {
		errbuf_set(e, "dns harness: %s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f,
	    "$ORIGIN %s.\n$TTL 3600\n"
	    "@ IN SOA ns.harness.test. hostmaster.harness.test. 1 3600 600 86400 %u\n"
	    "@ IN NS ns.harness.test.\n",
	    origin, minimum);
	return f;
}

int
dh_zone(struct dh_server *s, const char *origin, uint32_t minimum, const char *records,
    struct errbuf *e)
{
	FILE *f = dh_zone_open(s, origin, minimum, e);

	if (f == NULL)
		return -1;
	fputs(records, f);
	if (fclose(f) != 0) {
		errbuf_set(e, "dns harness: %s.zone: %s", origin, strerror(errno));
		return -1;
	}
	return 0;
}

const char *
dh_servers(const struct dh_server *s)
{
	static char buf[32];

	snprintf(buf, sizeof buf, "127.0.0.1:%d", s->port);
	return buf;
}

static int
write_conf(const struct dh_server *s, const char *conf, struct errbuf *e)
{
	FILE *f = fopen(conf, "w");
	size_t i;

	if (f == NULL) {
		errbuf_set(e, "dns harness: %s: %s", conf, strerror(errno));
		return -1;
	}
	/* every file nsd writes goes into the scratch dir; round-robin off keeps RRset order */
	fprintf(f,
	    "server:\n"
	    "\tip-address: 127.0.0.1\n\tport: %d\n\tdo-ip6: no\n\tserver-count: 1\n"
	    "\treuseport: no\n\tround-robin: no\n\ttcp-count: 128\n"
	    "\tusername: \"\"\n\tchroot: \"\"\n\tdatabase: \"\"\n"
	    "\tzonesdir: \"%s\"\n\tzonelistfile: \"%s/zone.list\"\n"
	    "\txfrdfile: \"%s/xfrd.state\"\n\txfrdir: \"%s\"\n\tpidfile: \"%s/nsd.pid\"\n"
	    "\tlogfile: \"%s/nsd.log\"\n\tverbosity: 1\n\thide-version: yes\n"
	    "remote-control:\n\tcontrol-enable: no\n",
	    s->port, s->dir, s->dir, s->dir, s->dir, s->dir, s->dir);
	for (i = 0; i < s->nzones; i++)
		fprintf(f, "zone:\n\tname: \"%s\"\n\tzonefile: \"%s.zone\"\n", s->zones[i],
		    s->zones[i]);
	if (fclose(f) != 0) {
		errbuf_set(e, "dns harness: %s: %s", conf, strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs argv with stdout and stderr into log; its exit status, or -1. */
static int
run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int status;

	if (pid == -1)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static pid_t
spawn_nsd(const char *conf, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* its own group: nsd forks a transfer daemon and servers, stopped together */
		setpgid(0, 0);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(DH_NSD, "nsd", "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A SOA query for origin in wire form; its length, or 0 when the name does not fit. */
static size_t
soa_query(const char *origin, uint16_t id, unsigned char *q, size_t qsz)
{
	size_t o = 12, len;
	const char *p = origin;

	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[5] = 1; /* one question, no recursion wanted */
	while (*p != '\0') {
		const char *dot = strchr(p, '.');

		len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len > 63 || o + len + 6 > qsz)
			return 0;
		q[o++] = (unsigned char)len;
		memcpy(q + o, p, len);
		o += len;
		p += len + (dot != NULL);
	}
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = 6; /* SOA */
	q[o++] = 0;
	q[o++] = 1; /* IN */
	return o;
}

/* Whether the server answers authoritatively for origin within wait_ms. */
static bool
answers(int port, const char *origin, int wait_ms)
{
	struct sockaddr_in a = { 0 };
	unsigned char q[300], r[512];
	uint16_t id = (uint16_t)(tu_now_ms() ^ getpid());
	size_t qlen = soa_query(origin, id, q, sizeof q);
	struct pollfd pfd;
	bool ok = false;
	ssize_t n;

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (qlen == 0 || (pfd.fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return false;
	pfd.events = POLLIN;
	if (sendto(pfd.fd, q, qlen, 0, (struct sockaddr *)&a, sizeof a) == (ssize_t)qlen &&
	    poll(&pfd, 1, wait_ms) == 1 && (n = recv(pfd.fd, r, sizeof r, 0)) >= 12)
		/* same id, a response, authoritative, NOERROR */
		ok = r[0] == q[0] && r[1] == q[1] && (r[2] & 0x84) == 0x84 && (r[3] & 0x0f) == 0;
	close(pfd.fd);
	return ok;
}

int
dh_start(struct dh_server *s, int timeout_s, struct errbuf *e)
{
	char conf[300], log[300];
	char *check[] = { DH_NSD_CHECKCONF, conf, NULL };
	int attempt, status;

	if (s->nzones == 0) {
		errbuf_set(e, "dns harness: no zone written");
		return -1;
	}
	snprintf(conf, sizeof conf, "%s/nsd.conf", s->dir);
	snprintf(log, sizeof log, "%s/nsd.log", s->dir);
	for (attempt = 0; attempt < 5; attempt++) {
		int64_t deadline = tu_now_ms() + (int64_t)timeout_s * 1000;

		if ((s->port = tu_free_port()) == -1) {
			errbuf_set(e, "dns harness: no free port: %s", strerror(errno));
			return -1;
		}
		if (write_conf(s, conf, e) == -1)
			return -1;
		if (attempt == 0 && run(check, log) != 0) {
			errbuf_set(e, "dns harness: nsd-checkconf refused %s (see %s)", conf, log);
			return -1;
		}
		if ((s->pid = spawn_nsd(conf, log)) == -1) {
			errbuf_set(e, "dns harness: fork: %s", strerror(errno));
			s->pid = 0;
			return -1;
		}
		while (tu_now_ms() < deadline) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				s->pid = 0;
				break; /* most likely the port was taken meanwhile: another one */
			}
			if (answers(s->port, s->zones[s->nzones - 1], 100))
				return 0;
		}
		if (s->pid != 0) {
			errbuf_set(e, "dns harness: nsd did not answer within %d s (see %s)",
			    timeout_s, log);
			dh_stop(s, true);
			return -1;
		}
	}
	errbuf_set(e, "dns harness: nsd exited at start 5 times (see %s)", log);
	return -1;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
dh_stop(struct dh_server *s, bool keep)
{
	size_t i;

	if (s->pid > 0) {
		int64_t deadline = tu_now_ms() + 5000;
		pid_t got = 0;

		kill(s->pid, SIGTERM);
		/* nsd stops its children before it exits; wait for that, not a fixed time */
		while ((got = waitpid(s->pid, NULL, WNOHANG)) == 0 && tu_now_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (got == 0) {
			kill(-s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
		}
		s->pid = 0;
	}
	if (!keep && s->dir[0] != '\0')
		nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < s->nzones; i++)
		free(s->zones[i]);
	free(s->zones);
	s->zones = NULL;
	s->nzones = s->cap = 0;
}
