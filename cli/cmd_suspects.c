/*
 * dmarcd suspects: the reports that may be forged (store_suspect.c), which
 * the advisor leaves out, and --accept to count one after all.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "num.h"
#include "log.h"
#include "store_advise.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd suspects [DOMAIN] [--db FILE]\n"
	    "       dmarcd suspects --accept ID [--db FILE]\n"
	    "  lists the reports that may be forged (their mail failed DMARC, or a new\n"
	    "  reporter claims far more mail than the domain's recent days); the advisor\n"
	    "  leaves them out. --accept ID counts report ID after all.\n");
}

static int
print_suspect(void *ctx, const struct store_suspect *s)
{
	char begin[32];
	time_t t = (time_t)s->begin_ts;
	struct tm tm;

	(void)ctx;
	if (gmtime_r(&t, &tm) == NULL || strftime(begin, sizeof begin, "%Y-%m-%d", &tm) == 0)
		snprintf(begin, sizeof begin, "?");
	printf("%" PRId64 "  ", s->id);
	cli_put(s->policy_domain, "  ");
	cli_put(s->org_name, "  ");
	cli_put(s->report_id, "  ");
	printf("%s  %" PRId64 " messages\n    ", begin, s->messages);
	cli_put(s->why, "\n");
	return 0;
}

static int
parse_id(const char *s, int64_t *out)
{
	uint64_t v;

	if (num_parse(s, INT64_MAX, &v) == -1 || v == 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
cmd_suspects(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "accept", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *accept = NULL;
	char domain[256];
	struct store *st = NULL;
	struct errbuf e;
	int64_t id = 0;
	bool found;
	int opt, status = EXIT_OPERATIONAL;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:a:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			accept = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (argc - optind > (accept != NULL ? 0 : 1) ||
	    (accept != NULL && parse_id(accept, &id) == -1)) {
		usage();
		return EXIT_USAGE;
	}
	if (argc > optind && cli_domain_arg(argv[optind], domain, sizeof domain) == -1) {
		fprintf(stderr, "dmarcd suspects: '%s' is not a domain name\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_store_open(cli_db_path(db), accept != NULL ? STORE_READWRITE : STORE_READONLY, &st,
	        &e) == -1)
		goto fail;
	if (accept != NULL) {
		if (store_suspect_accept(st, id, &found, &e) == -1)
			goto fail;
		printf("%s\n",
		    found ? "accepted: the advisor counts it" : "no suspect report has that id");
		status = found ? 0 : EXIT_USAGE;
		goto out;
	}
	if (store_suspects_each(st, argc > optind ? domain : NULL, INT64_MIN / 4, INT64_MAX / 4,
	        print_suspect, NULL, &e) == -1)
		goto fail;
	status = 0;
	goto out;
fail:
	log_error("%s", e.msg);
out:
	store_close(st);
	return status;
}
