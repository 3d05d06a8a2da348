/*
 * cli: the dmarcd subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit status:
 * 0 success, 1 operational error, 2 usage error, 3 some inputs refused.
 */
#ifndef DMARCD_CLI_H
#define DMARCD_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define EXIT_OPERATIONAL 1
#define EXIT_USAGE 2
#define EXIT_REFUSED 3

int cmd_ingest(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_reprocess(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_poll(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_hash_password(int argc, char **argv);
int cmd_advise(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_suspects(int argc, char **argv);
int cmd_enrich(int argc, char **argv);

/* The database path: the --db option, else $DMARCD_DB, else ./dmarcd.db. */
const char *cli_db_path(const char *option);

/*
 * store_open for a command: logs store_warning (a database other users can
 * read) once, at open. Returns 0 and *out, or -1 (e), as store_open.
 */
int cli_store_open(const char *path, enum store_mode mode, struct store **out, struct errbuf *e);

/*
 * Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC) into epoch seconds.
 * A bare date means its first second, or its last when end_of_day.
 * Returns 0, or -1 when s is not such a date.
 */
int cli_parse_date(const char *s, int end_of_day, int64_t *out);

/* Parses a size such as "50M", "2G", "4096" into bytes. 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

/* A domain name argument lower-cased into out; -1 when it is too long or not a name. */
int cli_domain_arg(const char *domain, char *out, size_t size);

/* Writes s to stdout escaped for a terminal (log_escape, at most 2 KiB of it), then suffix. */
void cli_put(const char *s, const char *suffix);

#endif
