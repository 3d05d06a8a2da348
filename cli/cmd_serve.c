/*
 * dmarcd serve: the dashboard and its API over HTTP until SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "num.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "privdrop.h"
#include "server.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd serve [--db FILE] [--listen ADDR:PORT] [--base-path /PREFIX]\n"
	    "       [--auth-user USER --auth-hash-file FILE] [--allow-remote-without-auth]\n"
	    "       [--server-name NAME[,NAME...]] [--threads N] [--user NAME]\n"
	    "  ADDR:PORT: 127.0.0.1:8080 (default), [::1]:8080, 0.0.0.0:8080 (needs auth)\n"
	    "  FILE of --auth-hash-file: one line, made by 'dmarcd hash-password',\n"
	    "       mode 0600 or stricter\n"
	    "  NAME of --server-name: a name besides localhost, 127.0.0.1 and [::1]\n"
	    "       that the dashboard answers to (any other Host gets a 421)\n"
	    "  NAME of --user: started as root, run as this user once the socket and\n"
	    "       the database are open\n");
}

/* A database that does not exist yet is created (empty), so that the dashboard can say so. */
static int
ensure_db(const char *path)
{
	struct store *st;
	struct errbuf e;
	struct stat sb;

	if (stat(path, &sb) == 0)
		return 0;
	if (cli_store_open(path, STORE_READWRITE, &st, &e) == -1) {
		log_error("%s", e.msg);
		return -1;
	}
	store_close(st);
	log_info("serve: created the empty database %s", path);
	return 0;
}

static int
parse_threads(const char *s, unsigned *out)
{
	uint64_t v;

	if (num_parse(s, 64, &v) == -1 || v < 1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "base-path", required_argument, NULL, 'b' },
		{ "auth-user", required_argument, NULL, 'u' },
		{ "auth-hash-file", required_argument, NULL, 'a' },
		{ "allow-remote-without-auth", no_argument, NULL, 'R' },
		{ "server-name", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct web_options o = { 0 };
	struct web_server *w = NULL;
	const char *hash_file = NULL, *db = NULL, *user = NULL, *listen, *base;
	char hash[AUTH_HASH_MAX];
	struct errbuf e;
	sigset_t set;
	int opt, sig, host_len, base_len;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:l:b:u:a:Rn:t:U:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'l':
			o.listen = optarg;
			break;
		case 'b':
			o.base_path = optarg;
			break;
		case 'u':
			o.auth_user = optarg;
			break;
		case 'a':
			hash_file = optarg;
			break;
		case 'R':
			o.allow_remote_without_auth = true;
			break;
		case 'n':
			o.server_name = optarg;
			break;
		case 't':
			if (parse_threads(optarg, &o.threads) == -1) {
				fprintf(stderr, "dmarcd serve: --threads is 1 to 64\n");
				return EXIT_USAGE;
			}
			break;
		case 'U':
			user = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage();
		return EXIT_USAGE;
	}
	if ((o.auth_user != NULL) != (hash_file != NULL)) {
		fprintf(stderr, "dmarcd serve: --auth-user and --auth-hash-file go together\n");
		return EXIT_USAGE;
	}
	if (hash_file != NULL) {
		if (config_secret_file("--auth-hash-file", hash_file, hash, sizeof hash, &e) ==
		    -1) {
			log_error("serve: %s", e.msg);
			return EXIT_OPERATIONAL;
		}
		o.auth_hash = hash;
	}
	o.db_path = cli_db_path(db);
	if (ensure_db(o.db_path) == -1)
		return EXIT_OPERATIONAL;
	/* Block the signals before the server's threads exist, so that they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (web_server_start(&o, &w, &e) == -1) {
		log_error("%s", e.msg);
		return EXIT_OPERATIONAL;
	}
	/* Root is given up here: the socket and the database handles are open. */
	if (user != NULL && privdrop_switch(user, o.db_path, &e) == -1) {
		log_error("serve: %s", e.msg);
		web_server_stop(w);
		return EXIT_OPERATIONAL;
	}
	if (user != NULL)
		log_info("serve: running as user %s", user);
	else if (geteuid() == 0)
		log_warn("serve: running as root: name an unprivileged user with --user");
	listen = o.listen != NULL ? o.listen : WEB_LISTEN_DEFAULT;
	host_len = strrchr(listen, ':') != NULL ? (int)(strrchr(listen, ':') - listen) : 0;
	base = o.base_path != NULL ? o.base_path : "";
	base_len = (int)strlen(base);
	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;
	log_info("serve: the dashboard is on http://%.*s:%u%.*s/ (port %u; Ctrl-C stops it)",
	    host_len, listen, web_server_port(w), base_len, base, web_server_port(w));
	while (sigwait(&set, &sig) != 0)
		;
	log_info("serve: stopping");
	web_server_stop(w);
	return 0;
}
