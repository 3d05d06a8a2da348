/*
 * No stranger's input stops or skews a run: for every refusal code, a
 * hostile input between two good ones, through the real binary, as files
 * (`dmarcd ingest`) and as mails in a Maildir (`dmarcd poll --once`). Each
 * good report is stored with exactly its messages, each hostile input is
 * refused with its code and acknowledged, and the run goes on.
 * The inputs come from refusal_inputs.py, which lists what to expect.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"

#define MAX_INPUTS 64

struct expect {
	char name[128];   /* file name: NNN-good-K.xml or NNN-bad-... */
	char code[64];    /* expected refusal code, "" for a good report */
	char domain[128]; /* a good report's policy domain */
	long total;       /* and its messages */
};

/* Writes the inputs into a new scratch directory; returns it and fills x. */
static char *
make_inputs(struct expect *x, size_t *n)
{
	char *dir = tu_scratch_dir(), path[600], line[512];
	FILE *f;

	cr_assert_eq(tu_run(NULL, "python3 %s/refusal_inputs.py %s %lld", TESTS_DIR, dir,
	                 (long long)time(NULL)),
	    0);
	snprintf(path, sizeof path, "%s/expected.tsv", dir);
	cr_assert_not_null(f = fopen(path, "r"));
	*n = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		struct expect *e = &x[*n];
		char *fields[4], *p = line;
		size_t k;

		cr_assert_lt(*n, MAX_INPUTS);
		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < 4; k++) {
			fields[k] = p;
			cr_assert(k == 3 || (p = strchr(p, '\t')) != NULL, "%s", line);
			if (k < 3)
				*p++ = '\0';
		}
		snprintf(e->name, sizeof e->name, "%s", fields[0]);
		snprintf(e->code, sizeof e->code, "%s", fields[1]);
		snprintf(e->domain, sizeof e->domain, "%s", fields[2]);
		e->total = strtol(fields[3], NULL, 10);
		(*n)++;
	}
	fclose(f);
	cr_assert_eq(*n, 41, "20 hostile inputs between 21 good ones");
	return dir;
}

/*
 * The log has one "refused: ...CODE: reason" line for each hostile input
 * (located by the prefix pfx plus its position) and none for a good one;
 * the domains export has each good report with exactly its messages, and
 * no domain of a hostile report.
 */
static void
check_outcome(const char *dir, const char *db, const char *log, const struct expect *x, size_t n,
    int (*locate)(char *buf, size_t size, const char *dir, size_t i, const struct expect *e))
{
	char *out, where[600];
	size_t i;

	for (i = 0; i < n; i++) {
		locate(where, sizeof where, dir, i, &x[i]);
		if (x[i].code[0] != '\0') {
			cr_expect_eq(tu_run(NULL, "grep -F '%s: refused: ' %s | grep -q -F '%s: '",
			                 where, log, x[i].code),
			    0, "%s: not refused with %s", x[i].name, x[i].code);
			continue;
		}
		cr_expect_neq(tu_run(NULL, "grep -q -F '%s: refused' %s", where, log), 0, "%s",
		    x[i].name);
		cr_expect_eq(tu_run(NULL, "%s export domains --db %s | grep -q '^%s,%ld,'",
		                 DMARCD_BIN, db, x[i].domain, x[i].total),
		    0, "%s: %s not stored with %ld messages", x[i].name, x[i].domain, x[i].total);
	}
	cr_expect_eq(tu_run(&out, "%s export domains --db %s | grep -c example", DMARCD_BIN, db),
	    0);
	cr_expect_str_eq(out, "21\n",
	    "only the good domains have totals: nothing of victim.example");
	free(out);
}

static int
locate_file(char *buf, size_t size, const char *dir, size_t i, const struct expect *e)
{
	(void)i;
	return snprintf(buf, size, "%s/files/%s", dir, e->name);
}

static int
locate_mail(char *buf, size_t size, const char *dir, size_t i, const struct expect *e)
{
	(void)e;
	return snprintf(buf, size, "%s/Maildir/new/%03zu.M%zu.test", dir, i + 1, i + 1);
}

Test(refusals, each_between_two_good_files)
{
	struct expect x[MAX_INPUTS];
	char *dir, *out, db[600], log[600];
	size_t n;
	int rc;

	dir = make_inputs(x, &n);
	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(log, sizeof log, "%s/log", dir);
	rc = tu_run(&out, "%s ingest --json --db %s %s/files/* 2>%s", DMARCD_BIN, db, dir, log);
	cr_expect_eq(rc, 3, "some inputs refused, none an operational error: %s", out);
	cr_expect_not_null(strstr(out,
	                       "{\"inputs\":41,\"reports_stored\":21,\"duplicate_reports\":0,"
	                       "\"duplicate_inputs\":0,\"conflicts\":0,\"refused\":20,"),
	    "%s", out);
	free(out);
	check_outcome(dir, db, log, x, n, locate_file);
	free(dir);
}

Test(refusals, each_between_two_good_mails_in_a_polled_maildir)
{
	struct expect x[MAX_INPUTS];
	char *dir, *out, db[600], log[600], path[700];
	struct stat sb;
	size_t n, i;
	int rc;

	dir = make_inputs(x, &n);
	snprintf(db, sizeof db, "%s/p.db", dir);
	snprintf(log, sizeof log, "%s/log", dir);
	snprintf(path, sizeof path, "%s/p.conf", dir);
	cr_assert_eq(
	    tu_run(NULL,
	        "printf '[database]\\npath = %s\\n[maildir m]\\npath = %s/Maildir\\n' > %s", db,
	        dir, path),
	    0);
	rc = tu_run(NULL, "%s poll --once --config %s 2>%s", DMARCD_BIN, path, log);
	cr_expect(rc == 0 || rc == 3, "poll exits %d", rc);
	check_outcome(dir, db, log, x, n, locate_mail);
	/* every mail is acknowledged: in cur/ and seen, none left in new/ */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/Maildir/cur/%03zu.M%zu.test:2,S", dir, i + 1,
		    i + 1);
		cr_expect_eq(stat(path, &sb), 0, "%s (%s) not acknowledged", path, x[i].name);
	}
	cr_expect_eq(tu_run(&out, "ls %s/Maildir/new | wc -l", dir), 0);
	cr_expect_str_eq(out, "0\n");
	free(out);
	/* the next poll finds the mailbox read: nothing is retried forever */
	snprintf(path, sizeof path, "%s/p.conf", dir);
	rc = tu_run(&out, "%s poll --once --config %s 2>&1 | grep -c 'refused\\|stored'",
	    DMARCD_BIN, path);
	cr_expect_str_eq(out, "0\n", "a second poll handles no mail again");
	free(out);
	free(dir);
}
