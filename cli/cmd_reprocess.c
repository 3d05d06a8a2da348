#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "store.h"

int
cmd_reprocess(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	struct pipeline_options popt = { 0 };
	struct bounds b;
	struct store *st = NULL;
	struct pipeline *p = NULL;
	const struct pipeline_totals *t;
	struct errbuf e;
	int opt, status = EXIT_OPERATIONAL;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'v':
			popt.verbose = true;
			break;
		case 'h':
			fprintf(stderr, "usage: dmarcd reprocess [--db FILE] [--verbose]\n");
			return 0;
		default:
			fprintf(stderr, "usage: dmarcd reprocess [--db FILE] [--verbose]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: dmarcd reprocess [--db FILE] [--verbose]\n");
		return EXIT_USAGE;
	}
	bounds_default(&b);
	if (cli_store_open(cli_db_path(db), STORE_READWRITE, &st, &e) == -1 ||
	    pipeline_new(st, &b, &popt, &p, &e) == -1 || pipeline_reprocess(p, &e) == -1) {
		log_error("%s", e.msg);
		goto out;
	}
	t = pipeline_totals(p);
	printf("%llu refused inputs retried: %llu reports stored, %llu still refused, "
	       "%llu partial, %llu records\n",
	    (unsigned long long)t->inputs, (unsigned long long)t->reports_stored,
	    (unsigned long long)t->inputs_refused, (unsigned long long)t->inputs_partial,
	    (unsigned long long)t->records);
	status = t->inputs_refused > 0 || t->inputs_partial > 0 ? EXIT_REFUSED : 0;
out:
	pipeline_free(p);
	store_close(st);
	return status;
}
