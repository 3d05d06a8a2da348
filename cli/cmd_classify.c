/*
 * dmarcd classify: confirming what a sending source is (a network, a DKIM
 * or SPF domain), for the advisor; --forget and --list. Labels and domains
 * are escaped before they reach the terminal.
 */
#include <getopt.h>
#include <stdio.h>

#include "advise.h"
#include "cli.h"
#include "log.h"
#include "store_advise.h"

static void
classify_usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd classify DOMAIN cidr|dkim|spf VALUE "
	    "authorized|unauthorized|forwarder [--label TEXT] [--db FILE]\n"
	    "       dmarcd classify --forget DOMAIN cidr|dkim|spf VALUE [--db FILE]\n"
	    "       dmarcd classify --list [DOMAIN] [--db FILE]\n"
	    "  tells the advisor what a sending source is: a network (cidr 192.0.2.0/24),\n"
	    "  a DKIM signing domain (dkim mailer.example.net) or an SPF domain.\n");
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
		{ "forget", no_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *label = NULL;
	bool forget = false, list = false, found;
	struct known_source k = { 0 };
	struct store *st = NULL;
	struct errbuf e;
	char domain[256], value[256];
	int opt, status = EXIT_OPERATIONAL, need;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:l:fLh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'l':
			label = optarg;
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
	}
	status = 0;
	goto out;
fail:
	log_error("%s", e.msg);
out:
	store_close(st);
	return status;
}
