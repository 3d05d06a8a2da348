/*
 * dmarcd enrich: names the sources of a database now (enricher.h), with a
 * progress bar; --refresh asks again for every address, expired or not.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "config.h"
#include "enrich_thread.h"
#include "log.h"
#include "progress.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: dmarcd enrich [--db FILE] [--config FILE] [--refresh] [--no-dns]\n"
	    "                     [--dns-servers LIST] [--asn-db FILE] [--country-db FILE]\n"
	    "  names the sources: reverse DNS (forward-confirmed), network owner and country\n"
	    "  (.mmdb files), and the known service they match; --config reads [dns], [enrich]\n"
	    "  and [service NAME] from a config file, the options override it\n");
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *pg = ctx;

	if (pg->total != total)
		progress_init(pg, total, "addresses", NULL);
	progress_update(pg, done, 0);
}

struct enrich_args {
	const char *db, *config, *servers, *asn_db, *country_db;
	bool refresh, no_dns;
};

static int
parse_args(int argc, char **argv, struct enrich_args *a)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "refresh", no_argument, NULL, 'r' },
		{ "no-dns", no_argument, NULL, 'n' },
		{ "dns-servers", required_argument, NULL, 's' },
		{ "asn-db", required_argument, NULL, 'a' },
		{ "country-db", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:c:rns:a:g:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			a->db = optarg;
			break;
		case 'c':
			a->config = optarg;
			break;
		case 'r':
			a->refresh = true;
			break;
		case 'n':
			a->no_dns = true;
			break;
		case 's':
			a->servers = optarg;
			break;
		case 'a':
			a->asn_db = optarg;
			break;
		case 'g':
			a->country_db = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
cmd_enrich(int argc, char **argv)
{
	struct enrich_args a = { 0 };
	struct config *c = NULL;
	struct catalogue *builtin = NULL;
	struct store *st = NULL;
	struct enricher_options o;
	struct enricher_counts n;
	struct rdns_options dns;
	struct progress pg = { 0 };
	struct errbuf e;
	int rc, status = EXIT_OPERATIONAL;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	/* Without --config, an empty config: every key at its default. */
	if ((a.config != NULL ? config_load(a.config, &c, &e) :
	                        config_parse("(none)", "", 0, &c, &e)) == -1) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (c->catalogue == NULL && (builtin = catalogue_builtin(&e)) == NULL) {
		log_error("%s", e.msg);
		goto out;
	}
	enrich_options_from_config(c, builtin, &o, &dns);
	if (a.servers != NULL)
		dns.servers = a.servers;
	if (a.no_dns)
		o.dns = NULL;
	if (a.asn_db != NULL)
		o.asn_db = a.asn_db;
	if (a.country_db != NULL)
		o.country_db = a.country_db;
	o.refresh = a.refresh;
	o.progress = on_progress;
	o.progress_ctx = &pg;
	if (cli_store_open(cli_db_path(a.db != NULL ? a.db : c->db_path), STORE_READWRITE, &st,
	        &e) == -1 ||
	    enricher_run(st, &o, &n, &e) == -1) {
		progress_done(&pg);
		log_error("%s", e.msg);
		goto out;
	}
	progress_done(&pg);
	printf("%llu records read, %llu new sources, %llu named: %llu host names confirmed,"
	       " %llu known services\n",
	    (unsigned long long)n.records, (unsigned long long)n.discovered,
	    (unsigned long long)n.named, (unsigned long long)n.confirmed,
	    (unsigned long long)n.matched);
	status = 0;
out:
	store_close(st);
	catalogue_free(builtin);
	config_free(c);
	return status;
}
