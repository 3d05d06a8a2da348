/*
 * dmarcd poll: polls the sources of the config file (IMAP folders,
 * Maildirs), once or at the configured interval.
 * dmarcd run: the service: the poll loop plus, when the config has a [web]
 * section, the dashboard.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "advise_setup.h"
#include "cli.h"
#include "config.h"
#include "enrich_thread.h"
#include "log.h"
#include "poller.h"
#include "server.h"
#include "store.h"

/* What the command line asks of poll or run. */
struct poll_args {
	const char *file;
	bool once;  /* poll: one round, then exit */
	bool check; /* check the config and the database, then exit */
};

/* Parses --config FILE [--once] [--check]; returns -1 after printing usage on an error. */
static int
parse_args(int argc, char **argv, bool allow_once, struct poll_args *a, int *status)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*a = (struct poll_args){ 0 };
	*status = EXIT_USAGE;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "c:okh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->file = optarg;
			break;
		case 'o':
			if (!allow_once)
				goto usage;
			a->once = true;
			break;
		case 'k':
			a->check = true;
			break;
		case 'h':
			*status = 0;
			goto usage;
		default:
			goto usage;
		}
	}
	if (a->file != NULL && optind == argc)
		return 0;
usage:
	fprintf(*status == 0 ? stdout : stderr,
	    "usage: dmarcd %s --config FILE%s [--check]\n"
	    "  FILE: see dmarcd.conf.example; passwords come from password_file\n"
	    "  or DMARCD_IMAP_PASSWORD_<NAME>, never from the command line\n"
	    "  --check: read the config, its secret files and the database, then exit\n",
	    allow_once ? "poll" : "run", allow_once ? " [--once]" : "");
	return -1;
}

/*
 * --check (the systemd unit's ExecStartPre): everything a start reads
 * before it touches a mailbox or a port, so that a broken config fails
 * at once with its reason, not in a restart loop.
 */
static int
check(const char *file)
{
	char hash[CONFIG_PASSWORD_MAX];
	struct config *c = NULL;
	struct store *st = NULL;
	struct errbuf e;
	int status = EXIT_USAGE;

	if (config_load(file, &c, &e) == -1)
		goto fail;
	if (c->has_web && c->auth_user != NULL &&
	    config_web_auth_hash(c, hash, sizeof hash, &e) == -1)
		goto fail;
	status = EXIT_OPERATIONAL;
	if (store_open(cli_db_path(c->db_path), STORE_READWRITE, &st, &e) == -1)
		goto fail;
	printf("%s: the configuration and the database %s are usable\n", file,
	    cli_db_path(c->db_path));
	store_close(st);
	config_free(c);
	return 0;
fail:
	log_error("%s", e.msg);
	config_free(c);
	return status;
}

/* Starts the dashboard of the [web] section, its advisor set up by [advisor]. */
static int
start_web(const struct config *c, const char *db, struct web_server **w, struct errbuf *e)
{
	char hash[CONFIG_PASSWORD_MAX];
	struct web_options o = { 0 };
	struct advise_config advise;

	o.db_path = db;
	o.listen = c->listen;
	o.base_path = c->base_path;
	o.auth_user = c->auth_user;
	o.allow_remote_without_auth = c->allow_remote_without_auth;
	o.server_name = c->server_name;
	o.threads = (unsigned)c->web_threads;
	advise_setup_config(c, &advise);
	o.advise = &advise;
	if (c->auth_user != NULL) {
		if (config_web_auth_hash(c, hash, sizeof hash, e) == -1)
			return -1;
		o.auth_hash = hash;
	}
	if (web_server_start(&o, w, e) == -1) {
		errbuf_prefix(e, "%s: [web]", c->file);
		return -1;
	}
	log_info("dashboard on http://%s%s/", c->listen, c->base_path);
	return 0;
}

/* Loads the config, opens the store, then polls (and serves when with_web). */
static int
serve(const char *file, bool once, bool with_web)
{
	struct config *c = NULL;
	struct store *st = NULL;
	struct poller *p = NULL;
	struct web_server *w = NULL;
	struct enrich_thread *en = NULL;
	struct errbuf e;
	const char *db;
	int status = EXIT_OPERATIONAL;

	/* Before any thread: they inherit the mask, and the poller alone takes the signals. */
	if (poller_block_signals() == -1 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("cannot set up signals");
		return EXIT_OPERATIONAL;
	}
	if (config_load(file, &c, &e) == -1) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	log_init((enum log_level)c->log_level, c->syslog);
	db = cli_db_path(c->db_path);
	if (cli_store_open(db, STORE_READWRITE, &st, &e) == -1 ||
	    advise_setup_store(c, st, &e) == -1 || poller_new(c, st, &p, &e) == -1 ||
	    (with_web && c->has_web && start_web(c, db, &w, &e) == -1) ||
	    (with_web && enrich_thread_start(c, db, &en, &e) == -1)) {
		log_error("%s", e.msg);
		goto out;
	}
	if (once)
		status = poller_once(p) == 0 ? 0 : EXIT_OPERATIONAL;
	else
		status = poller_loop(p) == 0 ? 0 : EXIT_OPERATIONAL;
out:
	enrich_thread_stop(en);
	web_server_stop(w);
	poller_free(p);
	store_close(st);
	config_free(c);
	return status;
}

int
cmd_poll(int argc, char **argv)
{
	struct poll_args a;
	int status;

	if (parse_args(argc, argv, true, &a, &status) == -1)
		return status;
	return a.check ? check(a.file) : serve(a.file, a.once, false);
}

int
cmd_run(int argc, char **argv)
{
	struct poll_args a;
	int status;

	if (parse_args(argc, argv, false, &a, &status) == -1)
		return status;
	return a.check ? check(a.file) : serve(a.file, false, true);
}
