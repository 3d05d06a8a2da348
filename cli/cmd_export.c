#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "log.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd export {reports|records|sources|domains|failures} [--db FILE]\n"
	    "       [--format csv|json] [--domain D] [--since DATE] [--until DATE]\n"
	    "  DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)\n");
}

int
cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "domain", required_argument, NULL, 'D' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_filter filter = { NULL, INT64_MIN, INT64_MAX };
	bool json = false;
	enum export_kind kind;
	const char *db = NULL;
	struct store *st = NULL;
	struct errbuf e;
	int opt, status = EXIT_OPERATIONAL;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:f:D:s:u:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "csv") != 0) {
				fprintf(stderr, "dmarcd export: --format is csv or json\n");
				return EXIT_USAGE;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'D':
			filter.domain = optarg;
			break;
		case 's':
		case 'u':
			if (cli_parse_date(optarg, opt == 'u',
			        opt == 's' ? &filter.since : &filter.until) == -1) {
				fprintf(stderr,
				    "dmarcd export: bad date '%s' "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || export_kind_parse(argv[optind], &kind) == -1) {
		usage();
		return EXIT_USAGE;
	}
	if (cli_store_open(cli_db_path(db), STORE_READONLY, &st, &e) == -1 ||
	    export_write(stdout, st, kind, json, &filter, &e) == -1) {
		log_error("%s", e.msg);
		goto out;
	}
	if (fflush(stdout) == EOF) {
		log_error("export: write failed");
		goto out;
	}
	status = 0;
out:
	store_close(st);
	return status;
}
