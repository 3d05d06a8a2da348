/*
 * dmarcd advise: the policy readiness advisor on the command line. Report
 * content (domains, labels) is escaped before it reaches the terminal.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "advice_json.h"
#include "num.h"
#include "advise_setup.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "query.h"
#include "store_advise.h"
#include "days.h"

/* YYYY-MM-DD, or "-" for no day. */
static const char *
day_text(int64_t day, char buf[11])
{
	if (day < 0)
		snprintf(buf, 11, "-");
	else
		days_text(day, buf);
	return buf;
}

static const char *
rate(int64_t n, int64_t d, char *buf, size_t size)
{
	if (d <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f %%", 100.0 * (double)n / (double)d);
	return buf;
}

static void
print_senders(const struct advice *a)
{
	size_t i, shown = 0;
	char r[16];

	printf("  sources (last %u days), most mail first:\n", a->window_days);
	for (i = 0; i < a->n_senders && shown < 15; i++) {
		const struct advise_sender *s = &a->senders[i];
		const struct advise_counts *c = &s->c[PERIOD_WINDOW];

		if (c->messages == 0)
			continue;
		shown++;
		printf("    %10" PRId64 " msgs  %7s pass  %-12s %-10s%s  ", c->messages,
		    rate(c->pass, c->messages, r, sizeof r), source_class_name(s->cls),
		    s->confirmed ? "confirmed" : "suggested", s->needs_review ? "  REVIEW" : "");
		cli_put(s->label, "\n");
	}
	if (a->n_senders_total > shown)
		printf("    ... and %zu more sources (see --json or the dashboard)\n",
		    a->n_senders_total - shown);
}

static void
print_advice(const struct advice *a)
{
	const struct advise_impact *im = &a->impact;
	char d1[11], d2[11];
	size_t i;

	cli_put(a->domain, ": ");
	printf("%s  (%s)\n", advise_verdict_name(a->verdict), a->step);
	if (!a->has_data) {
		for (i = 0; i < a->n_fixes; i++)
			cli_put(a->fixes[i], "\n");
		printf("  record to publish: _dmarc.");
		cli_put(a->domain, " TXT \"");
		cli_put(a->next_record, "\"\n");
		return;
	}
	printf("  published p=%s%s since %s; data up to %s; window %u days\n",
	    policy_name(a->p) != NULL ? policy_name(a->p) : "none",
	    a->partial ? " (partial: pct<100 or t=y)" : "", day_text(a->policy_since_day, d1),
	    day_text(a->as_of_day, d2), a->window_days);
	printf("  conditions:\n");
	for (i = 0; i < a->n_cond; i++) {
		const struct advise_condition *c = &a->cond[i];

		printf("    [%s] %-3s %s: ",
		    c->ok       ? " ok " :
		        c->data ? "data" :
		                  "FAIL",
		    c->id, c->title);
		cli_put(c->measured, "");
		printf("  (needs %s)\n", c->threshold);
	}
	if (a->n_fixes > 0) {
		printf("  what to do first:\n");
		for (i = 0; i < a->n_fixes; i++) {
			printf("    %zu. ", i + 1);
			cli_put(a->fixes[i], "\n");
		}
	}
	print_senders(a);
	printf("  impact of p=%s at pct=%u on the last %u days: %" PRId64 " of %" PRId64
	       " failing messages hit;\n    legitimate mail at risk %" PRId64 ", forwarded %" PRId64
	       ", spoofing stopped %" PRId64 " (receivers already enforced %" PRId64 ")\n",
	    policy_name(im->policy) != NULL ? policy_name(im->policy) : "none", im->pct,
	    a->window_days, im->affected, im->failing, im->legit_at_risk, im->indirect_at_risk,
	    im->spoofing_stopped, im->already_enforced);
	printf("  next record%s: _dmarc.", a->verdict == VERDICT_READY ? "" : " (once READY)");
	cli_put(a->domain, " TXT \"");
	cli_put(a->next_record, "\"\n");
	if (!a->record_complete)
		printf("    (replace YOUR-RUA-ADDRESS: give your current record with --record)\n");
	for (i = 0; i < a->n_notes; i++) {
		printf("  note: ");
		cli_put(a->notes[i], "\n");
	}
}

struct advise_run {
	const struct advise_config *cfg;
	int64_t as_of;
	enum policy simulate;
	int pct;
	bool json;
	unsigned done;
	struct store *st;
	struct errbuf *e;
};

static int
advise_one(void *ctx, const char *domain)
{
	struct advise_run *r = ctx;
	struct advice a;

	if (advice_compute(r->st, domain, r->cfg, r->as_of, r->simulate, r->pct, &a, r->e) == -1)
		return -1;
	if (r->json) {
		fputs(r->done > 0 ? ",\n" : "", stdout);
		advice_json_write(stdout, &a);
	} else {
		if (r->done > 0)
			putchar('\n');
		print_advice(&a);
	}
	r->done++;
	advice_free(&a);
	return 0;
}

static void
advise_usage(void)
{
	fprintf(stderr,
	    "usage: dmarcd advise [DOMAIN...] [--db FILE] [--window DAYS] [--json]\n"
	    "         [--as-of DATE] [--simulate quarantine|reject] [--pct N]\n"
	    "         [--record 'v=DMARC1; ...'] [--no-mailing-lists yes|no] [--rua mailto:...]\n"
	    "         [--config FILE]\n"
	    "  is each domain (default: every domain with reports) ready for the next step of\n"
	    "  its DMARC policy? --record and --no-mailing-lists store what you say about one\n"
	    "  DOMAIN; confirm sources with 'dmarcd classify'. --config FILE takes the\n"
	    "  thresholds of its [advisor] section and loads its [source] and [domain] ones.\n");
}

int
cmd_advise(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, 'w' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "simulate", required_argument, NULL, 's' },
		{ "pct", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "record", required_argument, NULL, 'r' },
		{ "no-mailing-lists", required_argument, NULL, 'n' },
		{ "rua", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct advise_config cfg;
	struct advise_run run = { .cfg = &cfg, .as_of = -1, .simulate = POLICY_UNSET, .pct = -1 };
	const char *db = NULL, *record = NULL, *config = NULL, *rua = NULL;
	int no_lists = -1, opt, status = EXIT_OPERATIONAL, i;
	struct config *c = NULL;
	struct store *st = NULL;
	struct errbuf e;
	unsigned window = 0;
	int64_t ts;
	uint64_t n;
	char domain[256];

	advise_config_default(&cfg);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:w:a:s:p:jr:n:u:c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'w':
			if (num_parse(optarg, ADVISE_WINDOW_MAX, &n) == -1 || n == 0) {
				fprintf(stderr, "dmarcd advise: --window takes 1 to %d days\n",
				    ADVISE_WINDOW_MAX);
				return EXIT_USAGE;
			}
			window = (unsigned)n;
			break;
		case 'a':
			if (cli_parse_date(optarg, 0, &ts) == -1) {
				fprintf(stderr, "dmarcd advise: --as-of takes YYYY-MM-DD\n");
				return EXIT_USAGE;
			}
			run.as_of = ts / 86400;
			break;
		case 's':
			if (strcmp(optarg, "quarantine") == 0)
				run.simulate = POLICY_QUARANTINE;
			else if (strcmp(optarg, "reject") == 0)
				run.simulate = POLICY_REJECT;
			else {
				fprintf(stderr,
				    "dmarcd advise: --simulate takes quarantine or reject\n");
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (num_parse(optarg, 100, &n) == -1) {
				fprintf(stderr, "dmarcd advise: --pct takes 0 to 100\n");
				return EXIT_USAGE;
			}
			run.pct = (int)n;
			break;
		case 'j':
			run.json = true;
			break;
		case 'r':
			record = optarg;
			break;
		case 'n':
			if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0) {
				fprintf(stderr,
				    "dmarcd advise: --no-mailing-lists takes yes or no\n");
				return EXIT_USAGE;
			}
			no_lists = strcmp(optarg, "yes") == 0;
			break;
		case 'u':
			rua = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			advise_usage();
			return 0;
		default:
			advise_usage();
			return EXIT_USAGE;
		}
	}
	if ((record != NULL || no_lists >= 0) && argc - optind != 1) {
		fprintf(stderr, "dmarcd advise: --record and --no-mailing-lists need one DOMAIN\n");
		return EXIT_USAGE;
	}
	if (record != NULL && strncmp(record, "v=DMARC1", 8) != 0) {
		fprintf(stderr, "dmarcd advise: --record must start with v=DMARC1\n");
		return EXIT_USAGE;
	}
	if (config != NULL) {
		if (config_load(config, &c, &e) == -1) {
			log_error("%s", e.msg);
			return EXIT_USAGE;
		}
		advise_setup_config(c, &cfg);
		if (db == NULL)
			db = c->db_path;
	}
	if (window > 0)
		cfg.window_days = window;
	if (rua != NULL)
		cfg.rua = rua;
	if (cli_store_open(cli_db_path(db), STORE_READWRITE, &st, &e) == -1 ||
	    (c != NULL && advise_setup_store(c, st, &e) == -1))
		goto fail;
	run.st = st;
	run.e = &e;
	if (run.json)
		fputs("[", stdout);
	if (optind == argc) {
		if (store_advise_domains(st, advise_one, &run, &e) == -1)
			goto fail;
	}
	for (i = optind; i < argc; i++) {
		if (cli_domain_arg(argv[i], domain, sizeof domain) == -1) {
			fprintf(stderr, "dmarcd advise: '%s' is not a domain name\n", argv[i]);
			status = EXIT_USAGE;
			goto out;
		}
		if ((record != NULL || no_lists >= 0) &&
		    store_advise_domain_set(st, domain, record, no_lists, &e) == -1)
			goto fail;
		if (advise_one(&run, domain) == -1)
			goto fail;
	}
	if (run.json)
		fputs("]\n", stdout);
	else if (run.done == 0)
		printf("no aggregate reports yet: point rua= at a mailbox dmarcd reads\n");
	status = 0;
	goto out;
fail:
	log_error("%s", e.msg);
out:
	store_close(st);
	config_free(c);
	return status;
}
