#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "carrier_check.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "pipeline.h"
#include "progress.h"
#include "source.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd ingest [--db FILE] [--config FILE] [--json] [--verbose] "
	    "[--max-input SIZE]\n"
	    "       [--keep-failure-bodies] PATH...\n"
	    "  PATH: a report (.xml .xml.gz .gz .zip), a mail (.eml or any name),\n"
	    "        a directory, a Maildir, or - for standard input\n"
	    "  --config reads [ingest] and [dns]: the report mails' DKIM signatures are\n"
	    "  verified (DNS) only then\n");
}

static void
print_summary(const struct pipeline_totals *t, bool json)
{
	if (json) {
		printf("{\"inputs\":%llu,\"reports_stored\":%llu,\"duplicate_reports\":%llu,"
		       "\"duplicate_inputs\":%llu,\"conflicts\":%llu,\"refused\":%llu,"
		       "\"partial\":%llu,\"records\":%llu,\"failures_stored\":%llu,"
		       "\"duplicate_failures\":%llu}\n",
		    (unsigned long long)t->inputs, (unsigned long long)t->reports_stored,
		    (unsigned long long)t->reports_duplicate,
		    (unsigned long long)t->inputs_duplicate,
		    (unsigned long long)t->reports_conflict, (unsigned long long)t->inputs_refused,
		    (unsigned long long)t->inputs_partial, (unsigned long long)t->records,
		    (unsigned long long)t->failures_stored,
		    (unsigned long long)t->failures_duplicate);
		return;
	}
	printf("%llu inputs: %llu reports stored, %llu duplicate reports, "
	       "%llu duplicate inputs, %llu refused, %llu partial, %llu records, "
	       "%llu failure reports stored\n",
	    (unsigned long long)t->inputs, (unsigned long long)t->reports_stored,
	    (unsigned long long)t->reports_duplicate, (unsigned long long)t->inputs_duplicate,
	    (unsigned long long)t->inputs_refused, (unsigned long long)t->inputs_partial,
	    (unsigned long long)t->records, (unsigned long long)t->failures_stored);
}

/* A walk met something that is not an input: said, not an error. */
static void
log_skip(void *arg, const char *path, const char *why)
{
	(void)arg;
	log_warn("%s: skipped: %s", path, why);
}

/* Feeds every input of src into p; returns the exit status. */
static int
ingest_all(struct source *src, struct pipeline *p)
{
	struct pipeline_input in = { 0 };
	struct source_item it;
	struct progress pg;
	struct errbuf e;
	uint64_t done = 0;
	int rc, status = 0;

	progress_init(&pg, source_count(src), "inputs", "records");
	while ((rc = source_next(src, &it, &e)) != 0) {
		done++;
		if (rc == -1) {
			log_error("%s", e.msg);
			status = EXIT_OPERATIONAL;
			continue;
		}
		in.source = it.kind;
		in.location = it.location;
		in.data = it.data;
		in.len = it.len;
		in.ack = it.is_maildir ? source_maildir_ack : NULL;
		in.ack_arg = it.location;
		if (pipeline_ingest(p, &in, &e) == -1) {
			progress_done(&pg);
			log_error("%s", e.msg);
			return EXIT_OPERATIONAL;
		}
		progress_update(&pg, done, pipeline_totals(p)->records);
	}
	progress_done(&pg);
	if (pipeline_flush(p, &e) == -1) {
		log_error("%s", e.msg);
		return EXIT_OPERATIONAL;
	}
	return status;
}

int
cmd_ingest(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "max-input", required_argument, NULL, 'm' },
		{ "keep-failure-bodies", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *config = NULL, *max_input = NULL;
	bool json = false;
	struct config *c = NULL;
	struct carrier_check *check = NULL;
	struct pipeline_options popt = { .parse_ahead = true };
	struct bounds b;
	struct store *st = NULL;
	struct source *src = NULL;
	struct pipeline *p = NULL;
	struct errbuf e;
	int opt, status = EXIT_OPERATIONAL;
	const struct pipeline_totals *t;

	bounds_default(&b);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:c:jvm:kh", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			popt.verbose = true;
			break;
		case 'm':
			max_input = optarg;
			break;
		case 'k':
			popt.keep_failure_bodies = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage();
		return EXIT_USAGE;
	}
	/* The config's [ingest] and [dns]: its bounds, and the DKIM verifier it asks for. */
	if (config != NULL) {
		if (config_load(config, &c, &e) == -1 || carrier_check_open(c, &check, &e) == -1) {
			log_error("%s", e.msg);
			goto out;
		}
		b = c->bounds;
		popt.dkim = carrier_check_dkim(check);
		popt.require_verified = c->require_verified;
		popt.authserv_id = c->authserv_id;
	}
	if (max_input != NULL && cli_parse_size(max_input, &b.max_input) == -1) {
		fprintf(stderr, "dmarcd ingest: bad --max-input '%s'\n", max_input);
		status = EXIT_USAGE;
		goto out;
	}
	if (source_open((const char *const *)argv + optind, (size_t)(argc - optind),
	        (size_t)b.max_input, log_skip, NULL, &src, &e) == -1) {
		log_error("%s", e.msg);
		goto out;
	}
	if (cli_store_open(cli_db_path(db), STORE_READWRITE, &st, &e) == -1 ||
	    pipeline_new(st, &b, &popt, &p, &e) == -1) {
		log_error("%s", e.msg);
		goto out;
	}
	/* after an operational error the counts include a batch never committed: no summary */
	if ((status = ingest_all(src, p)) != 0)
		goto out;
	t = pipeline_totals(p);
	print_summary(t, json);
	if (t->inputs_refused > 0 || t->inputs_partial > 0)
		status = EXIT_REFUSED;
out:
	pipeline_free(p);
	store_close(st);
	source_free(src);
	carrier_check_close(check);
	config_free(c);
	return status;
}
