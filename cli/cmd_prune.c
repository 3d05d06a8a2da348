#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "num.h"
#include "log.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd prune [--db FILE] [--retention-days N]\n"
	    "  clears the samples (headers, body) of failure reports older than N days"
	    " (default %d)\n",
	    STORE_FAILURE_RETENTION_DAYS);
}

int
cmd_prune(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "retention-days", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	uint64_t days = STORE_FAILURE_RETENTION_DAYS;
	struct store *st = NULL;
	struct errbuf e;
	uint64_t cleared = 0;
	int opt, status = EXIT_OPERATIONAL;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:r:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			if (num_parse(optarg, 36500, &days) == -1) {
				fprintf(stderr,
				    "dmarcd prune: --retention-days takes 0 to 36500\n");
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
	if (optind != argc) {
		usage();
		return EXIT_USAGE;
	}
	if (cli_store_open(cli_db_path(db), STORE_READWRITE, &st, &e) == -1 ||
	    store_prune(st, (int64_t)time(NULL) - (int64_t)days * 86400, &cleared, &e) == -1) {
		log_error("%s", e.msg);
		goto out;
	}
	printf("%llu failure report samples cleared (older than %llu days)\n",
	    (unsigned long long)cleared, (unsigned long long)days);
	status = 0;
out:
	store_close(st);
	return status;
}
