/*
 * dmarcd: DMARC report ingestion service. This file only dispatches to the
 * subcommands in cli/; README.md gives the reading order of the code.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "ingest", cmd_ingest, "store the reports in files, directories, Maildirs or stdin" },
	{ "export", cmd_export,
	    "write reports, records, sources, domains or failures as CSV/JSON" },
	{ "reprocess", cmd_reprocess, "retry every refused input with the current parsers" },
	{ "prune", cmd_prune, "clear failure-report samples past their retention" },
	{ "poll", cmd_poll, "poll the IMAP folders and Maildirs of a config file" },
	{ "run", cmd_run, "the service: poll at the interval, and serve the dashboard" },
	{ "serve", cmd_serve, "the dashboard and its JSON/CSV API over HTTP" },
	{ "hash-password", cmd_hash_password,
	    "hash a password (stdin) for serve --auth-hash-file" },
	{ "advise", cmd_advise, "is a domain ready for p=quarantine, then p=reject? and why" },
	{ "classify", cmd_classify, "confirm what a sending source is, for the advisor" },
	{ "suspects", cmd_suspects, "reports that may be forged, which the advisor leaves out" },
	{ "enrich", cmd_enrich, "name the sources: host, network owner, country, known service" },
};

static int
usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: dmarcd COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'dmarcd COMMAND --help' describes a command's options.\n");
	return out == stdout ? 0 : EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	size_t i;

	log_init(LOG_LEVEL_INFO, false);
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0) {
		printf("dmarcd %s\n", DMARCD_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dmarcd: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
