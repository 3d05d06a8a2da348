/*
 * dmarcd classify: confirming what a sending source is (a network, a DKIM
 * or SPF domain), for the advisor; --forget and --list. Labels and domains
 * are escaped before they reach the terminal. A network in a shared cloud
 * or a very broad one is stored as told, with a warning (source_warn.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "advise.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "source_warn.h"
#include "store_advise.h"

static void
classify_usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd classify DOMAIN cidr|dkim|spf VALUE "
	    "authorized|unauthorized|forwarder [--label TEXT] [--db FILE]\n"
	    "                       [--config FILE] [--asn-db FILE]\n"
	    "       dmarcd classify --forget DOMAIN cidr|dkim|spf VALUE [--db FILE]\n"
	    "       dmarcd classify --list [DOMAIN] [--db FILE]\n"
	    "  tells the advisor what a sending source is: a network (cidr 192.0.2.0/24),\n"
	    "  a DKIM signing domain (dkim mailer.example.net) or an SPF domain. A network\n"
	    "  in a shared cloud or a very broad one is stored with a warning; the network's\n"
	    "  owner comes from the enriched senders and the ASN database (--asn-db, or\n"
	    "  [enrich] asn_db of --config).\n");
}

static int
print_known(void *ctx, const char *domain, const struct known_source *k, const char *origin)
{
	(void)ctx;
	cli_put(domain, " ");
	printf("%s ", known_kind_name(k->kind));
	cli_put(k->value, " ");
	printf("%s", known_status_name(k->status));
	if (k->label != NULL) {
		printf(" \"");
		cli_put(k->label, "\"");
	}
	printf("  (%s)\n", origin);
	return 0;
}

int
cmd_classify(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "asn-db", required_argument, NULL, 'a' },
		{ "forget", no_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *label = NULL, *config = NULL, *asn_db = NULL;
	bool forget = false, list = false, found;
	struct known_source k = { 0 };
	struct store *st = NULL;
	struct config *c = NULL;
	struct source_check *sc = NULL;
	struct errbuf e;
	char domain[256], value[256], where[600], hint[600];
	int opt, status = EXIT_OPERATIONAL, need;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:l:c:a:fLh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'a':
			asn_db = optarg;
			break;
		case 'f':
			forget = true;
			break;
		case 'L':
			list = true;
			break;
		case 'h':
			classify_usage();
			return 0;
		default:
			classify_usage();
			return EXIT_USAGE;
		}
	}
	need = list ? -1 : forget ? 3 : 4;
	if ((list && argc - optind > 1) || (!list && argc - optind != need) || (forget && list)) {
		classify_usage();
		return EXIT_USAGE;
	}
	if (argc > optind && cli_domain_arg(argv[optind], domain, sizeof domain) == -1) {
		fprintf(stderr, "dmarcd classify: '%s' is not a domain name\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!list) {
		if (known_kind_parse(argv[optind + 1], &k.kind) == -1 ||
		    (!forget && known_status_parse(argv[optind + 3], &k.status) == -1)) {
			classify_usage();
			return EXIT_USAGE;
		}
		if (known_value_canonical(k.kind, argv[optind + 2], value, sizeof value, &e) ==
		    -1) {
			fprintf(stderr, "dmarcd classify: %s\n", e.msg);
			return EXIT_USAGE;
		}
		k.value = value;
		k.label = label;
	}
	/* the config gives the database, the ASN database and the catalogue, as to dmarcd enrich */
	if (config != NULL) {
		if (config_load(config, &c, &e) == -1) {
			log_error("%s", e.msg);
			return EXIT_USAGE;
		}
		if (db == NULL)
			db = c->db_path;
		if (asn_db == NULL)
			asn_db = c->enrich.asn_db;
	}
	if (cli_store_open(cli_db_path(db), STORE_READWRITE, &st, &e) == -1)
		goto fail;
	if (list) {
		if (store_known_each(st, argc > optind ? domain : NULL, print_known, NULL, &e) ==
		    -1)
			goto fail;
	} else if (forget) {
		if (store_known_forget(st, domain, k.kind, value, &found, &e) == -1)
			goto fail;
		printf("%s\n", found ? "forgotten" : "no such entry");
	} else {
		if (store_known_put(st, domain, &k, KNOWN_FROM_CLI, &e) == -1)
			goto fail;
		print_known(NULL, domain, &k, "cli");
		if (k.kind == KNOWN_CIDR && k.status != KNOWN_UNAUTHORIZED) {
			if ((sc = source_check_new(st, c != NULL ? c->catalogue : NULL, asn_db,
			         &e)) == NULL)
				goto fail;
			snprintf(where, sizeof where, "%s cidr %s", domain, value);
			snprintf(hint, sizeof hint,
			    "dkim or spf entries (dmarcd classify %s dkim SIGNING-DOMAIN %s)",
			    domain, known_status_name(k.status));
			(void)source_warn(sc, &k, where, hint);
		}
	}
	status = 0;
	goto out;
fail:
	log_error("%s", e.msg);
out:
	source_check_free(sc);
	store_close(st);
	config_free(c);
	return status;
}
