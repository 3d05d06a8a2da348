/*
 * Semantic mutations (issue 12: no stranger's mail may stop or skew
 * ingestion). Valid reports of every dialect (draft, RFC 7489, RFC 9990)
 * and ARF failure reports, with one field at a time replaced by each
 * hostile value of mutation_docs.h, each between two good reports (good
 * k, mutation k, good k + 1: neighbours are shared, which keeps the runs
 * short). All of them go through the real binary in one run: as files
 * (`dmarcd ingest`), and as mails with gzip and zip attachments in a
 * Maildir (`dmarcd poll --once`). Checked per input from
 * the ingest log and the exports: every good report stored exactly (its
 * records and messages as written), every mutated one refused with a code
 * and a reason or stored with its flags, no run an operational error, no
 * mail left unacknowledged, no domain total past the plausibility bounds,
 * no control character in a log line.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bounds.h"
#include "mutation_docs.h"
#include "num.h"
#include "testutil.h"

#define HUGE_LEN (10u * 1024 * 1024) /* "10 MB of text" */
#define SWAP_DATES (-1)              /* the mutation "end before begin" */

/* The records and messages of every mutated aggregate report. */
#define MUTATED_RECORDS 2
#define MUTATED_COUNT_BASE 5 /* records of 5 and 6 messages */

enum kind { K_AGG, K_ARF };

struct mutation {
	enum kind kind;
	enum mut_dialect dialect;
	int field; /* enum mut_agg_field or mut_arf_field */
	int value; /* a hostile value, or SWAP_DATES */
};

/* What the ingest log and the exports say of one input. */
struct seen {
	bool logged; /* has a row in the input table */
	char status[16];
	char code[32];
	uint64_t reason_len;
	bool exported; /* its report (or failure) is in the export */
	long long records, messages, incidents;
	char flags[512], dialect[16], source_ip[64], domain[64];
};

struct run {
	struct mutation *muts;
	size_t n;
	struct seen
	    *good; /* good k, k = 0 .. n, of the kind and dialect of mutation k (or n - 1) */
	struct seen *mutated;
	struct mut_bytes huge;
	int64_t now, begin, end;
	char *dir;
	bool mailed;
	long long good_messages; /* of the good aggregate reports, all for example.com */
};

/* Every aggregate mutation, then (with_arf) every ARF one. */
static size_t
collect_mutations(bool with_arf, struct mutation **out)
{
	size_t n = 0, cap = 4096, v, nv = mut_hostile_count();
	struct mutation *m = malloc(cap * sizeof *m);
	int d, f;

	cr_assert_not_null(m);
	for (d = 0; d < MUT_N_DIALECTS; d++) {
		for (f = 0; f < MUT_N_AGG_FIELDS; f++) {
			if (!mut_agg_field_in((enum mut_agg_field)f, (enum mut_dialect)d))
				continue;
			for (v = 0; v < nv; v++)
				m[n++] = (struct mutation){ K_AGG, (enum mut_dialect)d, f, (int)v };
		}
		m[n++] = (struct mutation){ K_AGG, (enum mut_dialect)d, MF_BEGIN, SWAP_DATES };
	}
	for (f = 0; f < MUT_N_ARF_FIELDS && with_arf; f++)
		for (v = 0; v < nv; v++)
			m[n++] = (struct mutation){ K_ARF, MUT_RFC7489, f, (int)v };
	cr_assert_lt(n, cap);
	*out = m;
	return n;
}

static void
describe(const struct mutation *m, char *buf, size_t size)
{
	const char *value =
	    m->value == SWAP_DATES ? "end before begin" : mut_hostile_label((size_t)m->value);

	if (m->kind == K_AGG)
		snprintf(buf, size, "%s %s = %s", mut_dialect_name(m->dialect),
		    mut_agg_field_name((enum mut_agg_field)m->field), value);
	else
		snprintf(buf, size, "ARF %s = %s", mut_arf_field_name((enum mut_arf_field)m->field),
		    value);
}

/* The id of good input k ("g00012") or of mutated input k ("m00012"). */
static void
input_id(size_t k, bool mutated, char *buf, size_t size)
{
	snprintf(buf, size, "%c%05zu", mutated ? 'm' : 'g', k);
}

/* The mutation good input k is modelled on. */
static const struct mutation *
good_model(const struct run *r, size_t k)
{
	return &r->muts[k < r->n ? k : r->n - 1];
}

/* Good aggregate report k: 1 to 3 records, 1 to 52 messages each. */
static void
good_agg(const struct run *r, size_t k, struct mut_agg *a, char *id)
{
	memset(a, 0, sizeof *a);
	a->dialect = good_model(r, k)->dialect;
	a->report_id = id;
	a->begin = r->begin;
	a->end = r->end;
	a->n_records = 1 + (uint32_t)(k % 3);
	a->count_base = 1 + (int64_t)(k * 7 % 50);
}

static void
good_arf(const struct run *r, size_t k, struct mut_arf *f, char *id)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	f->arrival = r->now - 3 * 86400 - (int64_t)k;
	f->ip_last = 1 + (unsigned)(k % 250);
	f->incidents = 1 + (int64_t)(k % 9);
}

/* Renders good (or mutated) input k, as a file's bytes or as a mail; returns its file suffix. */
static const char *
render(const struct run *r, size_t k, bool mutated, struct mbuf *out)
{
	const struct mutation *m = mutated ? &r->muts[k] : good_model(r, k);
	struct mbuf xml = { 0 }, packed = { 0 };
	struct mut_agg a;
	struct mut_arf f;
	char id[32], name[256];

	input_id(k, mutated, id, sizeof id);
	if (m->kind == K_ARF) {
		good_arf(r, k, &f, id);
		if (mutated)
			f.value[m->field] = mut_hostile((size_t)m->value, true, r->huge);
		mut_render_arf(&f, out);
		return ".eml";
	}
	good_agg(r, k, &a, id);
	if (mutated) {
		a.n_records = MUTATED_RECORDS;
		a.count_base = MUTATED_COUNT_BASE;
		a.record = 0;
		if (m->value == SWAP_DATES)
			a.swap_dates = true;
		else
			a.value[m->field] = mut_hostile((size_t)m->value, false, r->huge);
	}
	if (!r->mailed) {
		mut_render_agg(&a, out);
		return ".xml";
	}
	mut_render_agg(&a, &xml);
	/* the conventional name: receiver!policy-domain!begin!end!id */
	snprintf(name, sizeof name, "reporter.example!example.com!%lld!%lld!%s.xml%s",
	    (long long)r->begin, (long long)r->end, id, k % 2 == 0 ? ".gz" : "");
	if (k % 2 == 0) {
		mut_gzip(xml.p, xml.len, &packed);
		mut_mail(id, name, "application/gzip", packed.p, packed.len, out);
	} else {
		mut_zip(name, xml.p, xml.len, &packed);
		snprintf(name + strlen(name) - 4, 5, ".zip");
		mut_mail(id, name, "application/zip", packed.p, packed.len, out);
	}
	mbuf_free(&xml);
	mbuf_free(&packed);
	return "";
}

static void
run_init(struct run *r, bool mailed)
{
	char *huge;

	memset(r, 0, sizeof *r);
	/* a failure report is a mail either way: only the files have them */
	r->n = collect_mutations(!mailed, &r->muts);
	r->good = calloc(r->n + 1, sizeof *r->good);
	r->mutated = calloc(r->n, sizeof *r->mutated);
	cr_assert(r->good != NULL && r->mutated != NULL);
	huge = malloc(HUGE_LEN);
	cr_assert_not_null(huge);
	memset(huge, 'x', HUGE_LEN);
	r->huge = (struct mut_bytes){ huge, HUGE_LEN, true };
	r->now = (int64_t)time(NULL);
	/* a day three days ago: plausible */
	r->begin = (r->now / 86400 - 3) * 86400;
	r->end = r->begin + 86399;
	r->dir = tu_scratch_dir();
	r->mailed = mailed;
}

static void
run_free(struct run *r)
{
	free((void *)r->huge.p);
	/* the inputs and the database: about 1.5 GB with the huge values */
	cr_expect_eq(tu_run(NULL, "rm -rf %s", r->dir), 0);
	free(r->good);
	free(r->mutated);
	free(r->muts);
	free(r->dir);
}

/* Writes good 0, mutated 0, good 1, ... good n into dir, their names sorting in that order. */
static void
write_inputs(struct run *r, const char *dir)
{
	struct mbuf doc = { 0 };
	struct mut_agg a;
	char path[512], id[32];
	const char *suffix;
	size_t k;
	int mutated;

	for (k = 0; k <= r->n; k++) {
		for (mutated = 0; mutated <= (k < r->n); mutated++) {
			doc.len = 0;
			suffix = render(r, k, mutated, &doc);
			snprintf(path, sizeof path, "%s/%05zu-%c%s", dir, k, mutated ? 'm' : 'g',
			    suffix);
			tu_write_file(path, doc.p, doc.len);
		}
		if (good_model(r, k)->kind == K_AGG) {
			input_id(k, false, id, sizeof id);
			good_agg(r, k, &a, id);
			r->good_messages += mut_agg_messages(&a);
		}
	}
	mbuf_free(&doc);
}

/* ---- reading the results ---- */

/* The text of JSON string member key of one export line ("" when absent or null). */
static void
json_str(const char *line, const char *key, char *out, size_t size)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	out[0] = '\0';
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	if ((p = strstr(line, pat)) == NULL)
		return;
	for (p += strlen(pat); *p != '\0' && *p != '"' && n + 1 < size; p++) {
		if (*p == '\\' && p[1] != '\0')
			out[n++] = *p++;
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* The JSON number member key of one export line; fails the test when absent. */
static long long
json_int(const char *line, const char *key)
{
	char pat[64], *end;
	const char *p;
	long long v;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(line, pat);
	cr_assert_not_null(p, "no %s in %.300s", key, line);
	v = strtoll(p + strlen(pat), &end, 10);
	cr_assert(end != p + strlen(pat), "%s is not a number in %.300s", key, line);
	return v;
}

/* The input an id names ("g00012", "m00012"); NULL when it is none of ours. */
static struct seen *
find_input(struct run *r, const char *id)
{
	unsigned long k;
	char c, rest;

	if (sscanf(id, "%c%5lu%c", &c, &k, &rest) != 2)
		return NULL;
	if (c == 'g' && k <= r->n)
		return &r->good[k];
	if (c == 'm' && k < r->n)
		return &r->mutated[k];
	return NULL;
}

/* The kind of report input id is, when it is one of ours. */
static bool
input_kind_is(const struct run *r, const char *id, enum kind kind)
{
	unsigned long k;

	if (sscanf(id + 1, "%5lu", &k) != 1)
		return false;
	return id[0] == 'm' ? r->muts[k].kind == kind : good_model(r, k)->kind == kind;
}

/* The ingest log: one row per input, named by its file name "00012-b...". */
static void
read_input_log(struct run *r, const char *db)
{
	char *out, *line, *save = NULL, *name, *fields[5], id[16];
	struct seen *sn;
	unsigned long n;
	char c;
	int k;

	cr_assert_eq(tu_run(&out,
	                 "sqlite3 -separator '|' %s \"SELECT location, status, "
	                 "coalesce(refusal_code, ''), length(coalesce(reason, '')), "
	                 "reports_stored + reports_duplicate FROM input\"",
	                 db),
	    0);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		for (k = 0; k < 5; k++)
			fields[k] = strsep(&line, "|");
		cr_assert_not_null(fields[4], "odd ingest log row");
		name = strrchr(fields[0], '/');
		name = name != NULL ? name + 1 : fields[0];
		cr_assert(sscanf(name, "%5lu-%c", &n, &c) == 2 && (c == 'g' || c == 'm'),
		    "unknown input %s", fields[0]);
		snprintf(id, sizeof id, "%c%05lu", c, n);
		sn = find_input(r, id);
		cr_assert_not_null(sn, "unknown input %s", fields[0]);
		cr_assert(!sn->logged, "input %s logged twice", name);
		sn->logged = true;
		snprintf(sn->status, sizeof sn->status, "%s", fields[1]);
		snprintf(sn->code, sizeof sn->code, "%s", fields[2]);
		cr_assert_eq(num_parse(fields[3], UINT64_MAX, &sn->reason_len), 0,
		    "reason length of %s: %s", name, fields[3]);
	}
	free(out);
}

static char *export(const char *db, const char *what)
{
	char *out;

	cr_assert_eq(tu_run(&out, "%s export %s --db %s --format json", DMARCD_BIN, what, db), 0,
	    "export %s failed", what);
	return out;
}

static void
read_reports(struct run *r, const char *db)
{
	char *out = export(db, "reports"), *line, *save = NULL, id[64];
	struct seen *sn;

	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_str(line, "report_id", id, sizeof id);
		if ((sn = find_input(r, id)) == NULL || !input_kind_is(r, id, K_AGG))
			continue;
		cr_assert(!sn->exported, "report %s exported twice", id);
		sn->exported = true;
		sn->records = json_int(line, "records");
		sn->messages = json_int(line, "messages");
		json_str(line, "flags", sn->flags, sizeof sn->flags);
		json_str(line, "dialect", sn->dialect, sizeof sn->dialect);
		json_str(line, "policy_domain", sn->domain, sizeof sn->domain);
	}
	free(out);
}

static void
read_failures(struct run *r, const char *db)
{
	char *out = export(db, "failures"), *line, *save = NULL, subject[64];
	struct seen *sn;

	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_str(line, "subject", subject, sizeof subject);
		if (strncmp(subject, "Sample ", 7) != 0 ||
		    (sn = find_input(r, subject + 7)) == NULL ||
		    !input_kind_is(r, subject + 7, K_ARF))
			continue;
		cr_assert(!sn->exported, "failure %s exported twice", subject);
		sn->exported = true;
		sn->incidents = json_int(line, "incidents");
		json_str(line, "source_ip", sn->source_ip, sizeof sn->source_ip);
		json_str(line, "reported_domain", sn->domain, sizeof sn->domain);
	}
	free(out);
}

/* ---- the checks ---- */

static bool
is_code(const char *s)
{
	size_t i;

	if (strncmp(s, "E_", 2) != 0 || s[2] == '\0')
		return false;
	for (i = 2; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
			return false;
	return true;
}

static bool
has_flag(const struct seen *sn, const char *flag)
{
	size_t n = strlen(flag);
	const char *p;

	for (p = strstr(sn->flags, flag); p != NULL; p = strstr(p + 1, flag))
		if ((p == sn->flags || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static bool
value_is(const struct mutation *m, const char *label)
{
	return m->value != SWAP_DATES && strcmp(mut_hostile_label((size_t)m->value), label) == 0;
}

/* Good input k, next to mutation `what`: stored, and its report as written. */
static void
check_good(const struct run *r, size_t k, const char *what)
{
	const struct seen *sn = &r->good[k];
	struct mut_agg a;
	char id[32], ip[32];

	input_id(k, false, id, sizeof id);
	cr_expect(sn->logged && strcmp(sn->status, "stored") == 0,
	    "next to %s: good input %s is '%s' %s", what, id, sn->status, sn->code);
	cr_expect(sn->exported, "next to %s: good report %s not exported", what, id);
	if (!sn->exported)
		return;
	if (good_model(r, k)->kind == K_ARF) {
		snprintf(ip, sizeof ip, "192.0.2.%u", 1 + (unsigned)(k % 250));
		cr_expect_eq(sn->incidents, 1 + (long long)(k % 9), "%s", id);
		cr_expect_str_eq(sn->source_ip, ip, "%s", id);
		cr_expect_str_eq(sn->domain, "example.com", "%s", id);
		return;
	}
	good_agg(r, k, &a, id);
	cr_expect_eq(sn->records, (long long)a.n_records, "%s records", id);
	cr_expect_eq(sn->messages, (long long)mut_agg_messages(&a), "%s messages", id);
	cr_expect_str_eq(sn->flags, "", "%s flags", id);
	cr_expect_str_eq(sn->dialect, mut_dialect_name(a.dialect), "%s", id);
	cr_expect_str_eq(sn->domain, "example.com", "%s", id);
}

/*
 * The outcome some mutations must have: the refusal code, or "" for stored
 * (with flag, when not NULL); NULL code when either is right.
 */
static const char *
expected_code(const struct run *r, const struct mutation *m, const char **flag)
{
	*flag = NULL;
	if (m->kind == K_ARF)
		return NULL;
	if (m->value == SWAP_DATES) {
		*flag = "W_DATE_REVERSED";
		return "";
	}
	/* not well-formed XML, wherever it is */
	if (value_is(m, "controls") || value_is(m, "ansi-escape") || value_is(m, "]]>"))
		return "E_XML_MALFORMED";
	if (value_is(m, "invalid-utf8") && m->field != MF_BEGIN && m->field != MF_END &&
	    m->field != MF_COUNT) {
		*flag = "W_ENCODING_REPAIRED";
		return "";
	}
	if (m->field == MF_COUNT &&
	    (value_is(m, "2^31") || value_is(m, "2^63-1") || value_is(m, "9999")))
		return "E_IMPLAUSIBLE_COUNT";
	/* a date that parses but is implausible: the file name is no excuse */
	if ((m->field == MF_BEGIN || m->field == MF_END) &&
	    (value_is(m, "0") || value_is(m, "2^31") || value_is(m, "9999")))
		return "E_IMPLAUSIBLE_PERIOD";
	if (!r->mailed && (m->field == MF_BEGIN || m->field == MF_END))
		return "E_BAD_TIMESTAMP"; /* and no file name gives the period */
	if (!r->mailed && m->field == MF_DOMAIN &&
	    (value_is(m, "empty") || value_is(m, "whitespace")))
		return "E_MISSING_POLICY_DOMAIN";
	return NULL;
}

/* Mutated input k: refused with a code and a reason, or stored with its flags. */
static void
check_mutated(const struct run *r, size_t k, const char *what, size_t *n_stored)
{
	const struct mutation *m = &r->muts[k];
	const struct seen *sn = &r->mutated[k];
	const char *want, *flag;
	bool refused = strcmp(sn->status, "refused") == 0;

	cr_expect(sn->logged, "%s: not in the ingest log", what);
	cr_expect(refused || strcmp(sn->status, "stored") == 0, "%s: status '%s'", what,
	    sn->status);
	if (refused)
		cr_expect(is_code(sn->code) && sn->reason_len > 0,
		    "%s: refused without a code and a reason ('%s', %" PRIu64 ")", what, sn->code,
		    sn->reason_len);
	else
		cr_expect_str_eq(sn->code, "", "%s: stored with a code", what);
	want = expected_code(r, m, &flag);
	if (want != NULL && want[0] != '\0')
		cr_expect_str_eq(sn->code, want, "%s: want %s, got '%s' %s", what, want, sn->code,
		    sn->status);
	if (want != NULL && want[0] == '\0')
		cr_expect(!refused, "%s: want stored, got %s", what, sn->code);
	if (refused)
		return;
	(*n_stored)++;
	if (m->kind == K_ARF || m->field == MF_REPORT_ID)
		return; /* its id may be another: found below by the totals */
	cr_expect(sn->exported, "%s: stored but not exported", what);
	if (!sn->exported)
		return;
	if (flag != NULL)
		cr_expect(has_flag(sn, flag), "%s: flags '%s' lack %s", what, sn->flags, flag);
	if ((m->field == MF_BEGIN || m->field == MF_END) && m->value != SWAP_DATES)
		cr_expect(has_flag(sn, "W_DATE_FROM_FILENAME"), "%s: flags '%s'", what, sn->flags);
	cr_expect_leq(sn->messages, PLAUSIBLE_REPORT_MESSAGES, "%s", what);
	if (m->field == MF_COUNT) {
		/* the other record stands; the mutated one is dropped or counted as a number */
		cr_expect_geq(sn->messages, MUTATED_COUNT_BASE + 1, "%s", what);
		cr_expect_leq(sn->messages, MUTATED_COUNT_BASE + 1 + PLAUSIBLE_RECORD_COUNT, "%s",
		    what);
	} else {
		cr_expect_eq(sn->records, MUTATED_RECORDS, "%s: records", what);
		cr_expect_eq(sn->messages, 2 * MUTATED_COUNT_BASE + 1, "%s: messages", what);
	}
}

/* No domain total negative, saturated, or past what the stored reports may claim. */
static void
check_domains(const struct run *r, const char *db, size_t n_stored)
{
	char *out = export(db, "domains"), *line, *save = NULL, domain[256];
	long long bound = (long long)n_stored * PLAUSIBLE_REPORT_MESSAGES, messages;
	bool seen_example = false;

	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\"policy_domain\":") == NULL)
			continue;
		json_str(line, "policy_domain", domain, sizeof domain);
		cr_expect_null(strstr(line, ":9223372036854775807"), "saturated: %.300s", line);
		cr_expect_null(strstr(line, ":18446744073709551615"), "saturated: %.300s", line);
		cr_expect_null(strstr(line, ":-"), "negative: %.300s", line);
		messages = json_int(line, "messages");
		if (strcmp(domain, "example.com") == 0) {
			seen_example = true;
			cr_expect_geq(messages, r->good_messages, "%.300s", line);
			cr_expect_leq(messages, r->good_messages + bound, "%.300s", line);
		} else {
			cr_expect_geq(messages, 0, "%.300s", line);
			cr_expect_leq(messages, bound, "%.300s", line);
		}
	}
	cr_expect(seen_example, "example.com not in the domains export: %.500s", out);
	free(out);
}

/* No raw control character (but LF and TAB) reaches a log line. */
static void
check_log(const char *path)
{
	size_t len, i;
	unsigned char *log = tu_read_file(path, &len);

	for (i = 0; i < len; i++) {
		if ((log[i] < 0x20 && log[i] != '\n' && log[i] != '\t') || log[i] == 0x7f) {
			size_t from = i > 120 ? i - 120 : 0;

			cr_expect_fail("control byte 0x%02x in the log at %zu: %.*s", log[i], i,
			    (int)(i - from), log + from);
			break;
		}
	}
	free(log);
}

static void
check_all(struct run *r, const char *db, const char *log)
{
	char what[256];
	size_t k, n_stored = 0;

	read_input_log(r, db);
	read_reports(r, db);
	read_failures(r, db);
	for (k = 0; k < r->n; k++) {
		describe(&r->muts[k], what, sizeof what);
		check_good(r, k, what);
		check_mutated(r, k, what, &n_stored);
		check_good(r, k + 1, what);
	}
	check_domains(r, db, n_stored);
	check_log(log);
}

Test(mutation, every_field_of_every_dialect_as_files, .timeout = 280)
{
	struct run r;
	char in[512], db[512], log[512], *out;
	int rc;

	run_init(&r, false);
	snprintf(in, sizeof in, "%s/in", r.dir);
	snprintf(db, sizeof db, "%s/t.db", r.dir);
	snprintf(log, sizeof log, "%s/ingest.log", r.dir);
	cr_assert_eq(mkdir(in, 0700), 0);
	write_inputs(&r, in);

	rc = tu_run(&out, "%s ingest --json --db %s %s 2>%s", DMARCD_BIN, db, in, log);
	cr_assert_eq(rc, 3, "refusals, and never an operational error: exit %d\n%s", rc, out);
	cr_expect_not_null(strstr(out, "\"partial\":0,"), "%s", out);
	free(out);
	check_all(&r, db, log);
	run_free(&r);
}

Test(mutation, every_field_mailed_to_a_polled_maildir, .timeout = 280)
{
	struct run r;
	char md[512], db[512], conf[512], log[512], text[2048], *out;
	int rc, n;

	run_init(&r, true);
	snprintf(md, sizeof md, "%s/Maildir", r.dir);
	snprintf(db, sizeof db, "%s/t.db", r.dir);
	snprintf(conf, sizeof conf, "%s/dmarcd.conf", r.dir);
	snprintf(log, sizeof log, "%s/poll.log", r.dir);
	cr_assert_eq(tu_run(NULL, "mkdir -p %s/new %s/cur %s/tmp", md, md, md), 0);
	snprintf(text, sizeof text, "%s/new", md);
	write_inputs(&r, text);
	n = snprintf(text, sizeof text, "[database]\npath = %s\n[maildir mutations]\npath = %s\n",
	    db, md);
	tu_write_file(conf, text, (size_t)n);

	rc = tu_run(NULL, "%s poll --once --config %s 2>%s", DMARCD_BIN, conf, log);
	cr_assert_eq(rc, 0, "poll: exit %d", rc);
	/* every mail acknowledged: in cur/ with the S flag, none left in new/ */
	cr_assert_eq(tu_run(&out, "ls %s/new | wc -l; ls %s/cur | grep -c ':2,S$'", md, md), 0);
	snprintf(text, sizeof text, "0\n%zu\n", 2 * r.n + 1);
	cr_expect_str_eq(out, text);
	free(out);
	check_all(&r, db, log);
	run_free(&r);
}
