#include "api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "advice_json.h"
#include "csv.h"
#include "json.h"
#include "store_dash.h"
#include "days.h"

#define API_COLS_MAX 64
#define API_ROUTE_MAX 64
#define API_REPORT_ROWS 1000 /* records shown in a report's JSON detail; the CSV has all */
#define API_JSON "application/json; charset=utf-8"
#define API_CSV "text/csv; charset=utf-8"

/* A result set being written as a JSON array or as CSV rows. */
struct rows {
	FILE *out;
	bool csv;
	unsigned count;
	int64_t total; /* from the total_rows column, else the count */
	bool has_total;
	int64_t seen;                 /* a report detail's records, shown or not */
	struct dash_sort_scope scope; /* the rows a sources sort ordered */
};

typedef int (*view_fn)(struct store *st, const struct query *q, store_row_fn row, void *ctx,
    struct errbuf *e);

struct view {
	const char *name;
	view_fn run; /* NULL: answered by its own function */
	bool paged;
	const char *const *columns; /* the CSV header of an empty result */
};

static const char *const domains_cols[] = { "policy_domain", "messages", "dmarc_pass", "pass_rate",
	"dkim_aligned", "dkim_rate", "spf_aligned", "spf_rate", "disposition_none",
	"disposition_quarantine", "disposition_reject", "sources", "p", "sp", "pct", "testing",
	"prev_messages", "prev_pass_rate", NULL };
static const char *const daily_cols[] = { "day", "messages", "dmarc_pass", "dmarc_fail",
	"pass_rate", NULL };
static const char *const sources_cols[] = { "source", "policy_domain", "messages", "dmarc_pass",
	"pass_rate", "dkim_aligned", "spf_aligned", "disposition_none", "disposition_quarantine",
	"disposition_reject", "header_from", "reporters", "first_seen", "last_seen", "host",
	"dns_status", "service", "service_name", "category", "evidence", "asn", "as_org", "country",
	"ptr", NULL };
static const char *const records_cols[] = { "report", "org_name", "report_id", "policy_domain",
	"begin", "end", "source_ip", "count", "disposition", "dkim_aligned", "spf_aligned",
	"dmarc_pass", "header_from", "envelope_from", "reasons", "dkim_results", "spf_results",
	"host", "service_name", "asn", "as_org", "country", NULL };
static const char *const reports_cols[] = { "id", "org_name", "report_id", "policy_domain", "begin",
	"end", "records", "messages", "dmarc_pass", "pass_rate", "p", "dialect", "flags", NULL };
static const char *const failures_cols[] = { "id", "arrival_date", "reporter", "source_ip",
	"reported_domain", "header_from", "auth_failure", "delivery_result", "subject",
	"aggregate_messages", NULL };
static const char *const inputs_cols[] = { "id", "received", "source", "location", "kind", "status",
	"refusal_code", "reason", "reports_stored", "reports_duplicate", "records", "times_seen",
	"subject", NULL };
static const char *const reporters_cols[] = { "org_key", "org_name", "reports", NULL };

static int
run_daily(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	return store_dash_daily(st, &q->filter, row, ctx, e);
}

/* ctx is the struct rows of answer_list, as for every view. */
static int
run_sources(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	struct rows *r = ctx;

	return store_dash_sources(st, &q->filter, q->group, &q->page, &r->scope, row, ctx, e);
}

static int
run_records(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	return store_dash_records(st, &q->filter, &q->page, row, ctx, e);
}

static int
run_reports(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	return store_dash_reports(st, &q->filter, &q->page, row, ctx, e);
}

static int
run_failures(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	return store_dash_failures(st, &q->filter, &q->page, row, ctx, e);
}

static int
run_inputs(struct store *st, const struct query *q, store_row_fn row, void *ctx, struct errbuf *e)
{
	return store_dash_inputs(st, q->status, &q->page, row, ctx, e);
}

static int
run_reporters(struct store *st, const struct query *q, store_row_fn row, void *ctx,
    struct errbuf *e)
{
	(void)q;
	return store_dash_reporters(st, row, ctx, e);
}

static const struct view views[] = {
	{ "overview", NULL, false, domains_cols },
	{ "daily", run_daily, false, daily_cols },
	{ "sources", run_sources, true, sources_cols },
	{ "records", run_records, true, records_cols },
	{ "reports", run_reports, true, reports_cols },
	{ "report", NULL, false, records_cols },
	{ "failures", run_failures, true, failures_cols },
	{ "failure", NULL, false, NULL },
	{ "inputs", run_inputs, true, inputs_cols },
	{ "reporters", run_reporters, false, reporters_cols },
	{ "advice", NULL, false, NULL },
};

/* Writes one row of a result set, leaving out total_rows (kept in r->total). */
static int
rows_write(void *ctx, size_t n, const char *const *names, const struct cell *cells)
{
	struct rows *r = ctx;
	const char *on[API_COLS_MAX];
	struct cell oc[API_COLS_MAX];
	size_t i, m = 0;

	if (n > API_COLS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "total_rows") == 0) {
			if (cells[i].type == CELL_INT) {
				r->total = cells[i].i;
				r->has_total = true;
			}
			continue;
		}
		on[m] = names[i];
		oc[m++] = cells[i];
	}
	if (r->csv) {
		if (r->count++ == 0 && csv_write_header(r->out, m, on) == -1)
			return -1;
		return csv_write_row(r->out, m, oc);
	}
	if (r->count++ > 0 && fputc(',', r->out) == EOF)
		return -1;
	return json_write_object(r->out, m, on, oc);
}

/* The CSV header of an empty result. */
static int
rows_finish_csv(struct rows *r, const char *const *columns)
{
	size_t n = 0;

	if (r->count > 0 || columns == NULL)
		return 0;
	while (columns[n] != NULL)
		n++;
	return csv_write_header(r->out, n, columns);
}

static int
write_day(FILE *out, const char *name, int64_t day)
{
	char buf[11];

	if (fprintf(out, "\"%s\":", name) < 0)
		return -1;
	if (day == 0)
		return fputs("null", out) == EOF ? -1 : 0;
	days_text(day, buf);
	return fprintf(out, "\"%s\"", buf) < 0 ? -1 : 0;
}

/* "from":...,"to":..., the window the answer covers (null when open). */
static int
write_window(FILE *out, const struct query *q)
{
	if (write_day(out, "from", q->filter.day_from) == -1 || fputc(',', out) == EOF ||
	    write_day(out, "to", q->filter.day_to) == -1 || fputc(',', out) == EOF)
		return -1;
	return 0;
}

/*
 * ,"sort_scope":N when a sources page is sorted within the N sources with
 * the most messages, fewer than all of them; ,"sort_scope":null otherwise.
 */
static int
write_sort_scope(FILE *out, const struct dash_sort_scope *scope)
{
	if (scope->partial)
		return fprintf(out, ",\"sort_scope\":%u", scope->rows) < 0 ? -1 : 0;
	return fputs(",\"sort_scope\":null", out) == EOF ? -1 : 0;
}

/*
 * A list view: {"from","to","rows":[...],"total","limit","offset"} (sources:
 * and "sort_scope") or CSV rows.
 */
static int
answer_list(struct store *st, const struct view *v, const struct query *q, FILE *out,
    struct errbuf *e)
{
	struct rows r = { .out = out, .csv = q->csv };

	if (q->csv)
		return v->run(st, q, rows_write, &r, e) == -1 ? -1 :
		                                                rows_finish_csv(&r, v->columns);
	if (fputc('{', out) == EOF || write_window(out, q) == -1 || fputs("\"rows\":[", out) == EOF)
		return -1;
	if (v->run(st, q, rows_write, &r, e) == -1)
		return -1;
	if (fprintf(out, "],\"total\":%" PRId64, r.has_total ? r.total : (int64_t)r.count) < 0)
		return -1;
	if (v->paged &&
	    fprintf(out, ",\"limit\":%u,\"offset\":%u", q->page.limit, q->page.offset) < 0)
		return -1;
	if (v->run == run_sources && write_sort_scope(out, &r.scope) == -1)
		return -1;
	return fputs("}\n", out) == EOF ? -1 : 0;
}

/* The overview: the per-domain rows and the daily series in one answer. */
static int
answer_overview(struct store *st, const struct query *q, FILE *out, struct errbuf *e)
{
	struct rows r = { .out = out, .csv = q->csv };

	if (q->csv)
		return store_dash_domains(st, &q->filter, rows_write, &r, e) == -1 ?
		    -1 :
		    rows_finish_csv(&r, domains_cols);
	if (fputc('{', out) == EOF || write_window(out, q) == -1 ||
	    fputs("\"domains\":[", out) == EOF ||
	    store_dash_domains(st, &q->filter, rows_write, &r, e) == -1 ||
	    fputs("],\"daily\":[", out) == EOF)
		return -1;
	r.count = 0;
	if (store_dash_daily(st, &q->filter, rows_write, &r, e) == -1)
		return -1;
	return fputs("]}\n", out) == EOF ? -1 : 0;
}

/* The meta row of a report detail: opens {"report":{...},"records":[ */
static int
report_meta(void *ctx, size_t n, const char *const *names, const struct cell *cells)
{
	struct rows *r = ctx;

	if (r->csv)
		return 0;
	if (fputs("{\"report\":", r->out) == EOF ||
	    json_write_object(r->out, n, names, cells) == -1)
		return -1;
	return fputs(",\"records\":[", r->out) == EOF ? -1 : 0;
}

/* A record of a report detail: the first API_REPORT_ROWS in JSON, only counted past them. */
static int
report_record(void *ctx, size_t n, const char *const *names, const struct cell *cells)
{
	struct rows *r = ctx;

	r->seen++;
	if (!r->csv && r->count >= API_REPORT_ROWS)
		return 0;
	return rows_write(ctx, n, names, cells);
}

static int
answer_report(struct store *st, const struct query *q, int64_t id, bool *found, FILE *out,
    struct errbuf *e)
{
	struct rows r = { .out = out, .csv = q->csv };

	if (store_dash_report(st, id, found, report_meta, report_record, &r, e) == -1)
		return -1;
	if (!*found)
		return 0;
	if (q->csv)
		return rows_finish_csv(&r, records_cols);
	return fprintf(out, "],\"records_total\":%" PRId64 "}\n", r.seen) < 0 ? -1 : 0;
}

static int
failure_row(void *ctx, size_t n, const char *const *names, const struct cell *cells)
{
	struct rows *r = ctx;

	if (r->csv) {
		if (csv_write_header(r->out, n, names) == -1)
			return -1;
		return csv_write_row(r->out, n, cells);
	}
	if (fputs("{\"failure\":", r->out) == EOF ||
	    json_write_object(r->out, n, names, cells) == -1)
		return -1;
	return fputs("}\n", r->out) == EOF ? -1 : 0;
}

static int
answer_failure(struct store *st, const struct query *q, int64_t id, bool *found, FILE *out,
    struct errbuf *e)
{
	struct rows r = { .out = out, .csv = q->csv };

	return store_dash_failure(st, id, found, failure_row, &r, e);
}

/*
 * Splits "name[/id][.csv|.json]" into the view, its id and the format asked.
 * Returns 0, or -1 when the route names no view.
 */
static int
parse_route(const char *route, const struct view **v, int64_t *id, bool *csv)
{
	char buf[API_ROUTE_MAX], *slash, *dot;
	size_t i, len = strlen(route);

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, route, len + 1);
	*csv = false;
	if ((dot = strrchr(buf, '.')) != NULL) {
		if (strcmp(dot, ".csv") == 0)
			*csv = true;
		else if (strcmp(dot, ".json") != 0)
			return -1;
		*dot = '\0';
	}
	*id = 0;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		for (i = 0; slash[i] != '\0'; i++) {
			if (slash[i] < '0' || slash[i] > '9' || i >= 18)
				return -1;
			*id = *id * 10 + (slash[i] - '0');
		}
		if (i == 0)
			return -1;
	}
	for (i = 0; i < sizeof views / sizeof views[0]; i++) {
		bool wants_id =
		    strcmp(views[i].name, "report") == 0 || strcmp(views[i].name, "failure") == 0;

		if (strcmp(buf, views[i].name) == 0 && wants_id == (slash != NULL)) {
			*v = &views[i];
			return 0;
		}
	}
	return -1;
}

int
api_error(struct api_reply *r, unsigned status, const char *msg)
{
	FILE *out;

	free(r->body);
	r->body = NULL;
	r->len = 0;
	r->status = status;
	r->content_type = API_JSON;
	r->filename[0] = '\0';
	if ((out = open_memstream(&r->body, &r->len)) == NULL)
		return -1;
	if (fputs("{\"error\":", out) == EOF || json_write_string(out, msg) == -1 ||
	    fputs("}\n", out) == EOF) {
		fclose(out);
		return -1;
	}
	return fclose(out) == 0 ? 0 : -1;
}

/* Runs the view into r's body. 0, or -1 with e set (a database error). */
static int
answer(struct store *st, const struct view *v, const struct query *q, int64_t id,
    struct api_reply *r, struct errbuf *e)
{
	FILE *out;
	bool found = true;
	int rc;

	if ((out = open_memstream(&r->body, &r->len)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if (strcmp(v->name, "overview") == 0)
		rc = answer_overview(st, q, out, e);
	else if (strcmp(v->name, "report") == 0)
		rc = answer_report(st, q, id, &found, out, e);
	else if (strcmp(v->name, "failure") == 0)
		rc = answer_failure(st, q, id, &found, out, e);
	else
		rc = answer_list(st, v, q, out, e);
	if (fclose(out) != 0 && rc == 0) {
		errbuf_set(e, "out of memory");
		rc = -1;
	}
	if (rc == 0 && !found)
		r->status = 404;
	return rc;
}

/* The parameters of an advice: domain (required), window, simulate, pct and as_of. */
struct advice_query {
	char domain[256];
	struct advise_config cfg;
	int64_t as_of;        /* the day the windows end, -1: the last day with reports */
	enum policy simulate; /* POLICY_UNSET: the next step's */
	int pct;              /* -1: the next step's */
};

/* A number of at most 4 digits from 0 to max, no sign, no spaces. */
static int
small_number(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 4)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
advice_parse(query_arg_fn arg, void *ctx, bool csv, const struct advise_config *advise,
    struct advice_query *aq, struct errbuf *e)
{
	const char *v;
	unsigned n;

	if (advise != NULL)
		aq->cfg = *advise;
	else
		advise_config_default(&aq->cfg);
	aq->simulate = POLICY_UNSET;
	aq->pct = -1;
	aq->as_of = -1;
	if (csv || ((v = arg(ctx, "format")) != NULL && v[0] != '\0' && strcmp(v, "json") != 0)) {
		errbuf_set(e, "format: the advice is JSON only");
		return -1;
	}
	if ((v = arg(ctx, "domain")) == NULL || v[0] == '\0') {
		errbuf_set(e, "domain: required, the policy domain to advise on");
		return -1;
	}
	if (known_value_canonical(KNOWN_DKIM_DOMAIN, v, aq->domain, sizeof aq->domain, e) == -1) {
		errbuf_set(e, "domain: not a domain name");
		return -1;
	}
	if ((v = arg(ctx, "window")) != NULL && v[0] != '\0') {
		if (small_number(v, ADVISE_WINDOW_MAX, &n) == -1 || n == 0) {
			errbuf_set(e, "window: a number of days from 1 to %d", ADVISE_WINDOW_MAX);
			return -1;
		}
		aq->cfg.window_days = n;
	}
	if ((v = arg(ctx, "simulate")) != NULL && v[0] != '\0') {
		if (strcmp(v, "quarantine") == 0)
			aq->simulate = POLICY_QUARANTINE;
		else if (strcmp(v, "reject") == 0)
			aq->simulate = POLICY_REJECT;
		else {
			errbuf_set(e, "simulate: quarantine or reject");
			return -1;
		}
	}
	if ((v = arg(ctx, "pct")) != NULL && v[0] != '\0') {
		if (small_number(v, 100, &n) == -1) {
			errbuf_set(e, "pct: a number from 0 to 100");
			return -1;
		}
		aq->pct = (int)n;
	}
	/* `dmarcd advise --as-of`: the Advisor page of a past day */
	if ((v = arg(ctx, "as_of")) != NULL && v[0] != '\0' &&
	    query_parse_day(v, &aq->as_of) == -1) {
		errbuf_set(e, "as_of: not a date YYYY-MM-DD (1971 or later)");
		return -1;
	}
	return 0;
}

/*
 * The policy readiness advice of one domain (`dmarcd advise --json DOMAIN`
 * without the array): its own parameters, JSON only. 0, or -1 out of memory.
 */
static int
answer_advice(struct store *st, query_arg_fn arg, void *ctx, bool csv,
    const struct advise_config *advise, struct api_reply *r)
{
	struct advice_query aq;
	struct advice a;
	struct errbuf e;
	FILE *out;
	int rc;

	errbuf_clear(&e);
	if (advice_parse(arg, ctx, csv, advise, &aq, &e) == -1)
		return api_error(r, 400, e.msg);
	if (advice_compute(st, aq.domain, &aq.cfg, aq.as_of, aq.simulate, aq.pct, &a, &e) == -1) {
		advice_free(&a);
		snprintf(r->error, sizeof r->error, "%s", e.msg);
		if (store_timed_out(st))
			return api_error(r, 503,
			    "the advice takes too long to compute on this much "
			    "data: ask for a shorter window");
		return api_error(r, 500, "could not compute the advice (see the server log)");
	}
	r->status = 200;
	r->content_type = API_JSON;
	if ((out = open_memstream(&r->body, &r->len)) == NULL) {
		advice_free(&a);
		return -1;
	}
	rc = advice_json_write(out, &a) == -1 || fputc('\n', out) == EOF ? -1 : 0;
	if (fclose(out) != 0)
		rc = -1;
	advice_free(&a);
	return rc;
}

int
api_handle(struct store *st, const char *route, query_arg_fn arg, void *ctx, int64_t today,
    const struct advise_config *advise, struct api_reply *r)
{
	const struct view *v;
	struct query q;
	struct errbuf e;
	bool csv;
	int64_t id;

	memset(r, 0, sizeof *r);
	if (parse_route(route, &v, &id, &csv) == -1)
		return api_error(r, 404, "no such API route (see README.md: API)");
	if (strcmp(v->name, "advice") == 0)
		return answer_advice(st, arg, ctx, csv, advise, r);
	errbuf_clear(&e);
	if (query_parse(arg, ctx, today, &q, &e) == -1)
		return api_error(r, 400, e.msg);
	q.csv = q.csv || csv;
	r->status = 200;
	r->content_type = q.csv ? API_CSV : API_JSON;
	if (q.csv) {
		if (id != 0)
			snprintf(r->filename, sizeof r->filename, "dmarcd-%s-%" PRId64 ".csv",
			    v->name, id);
		else
			snprintf(r->filename, sizeof r->filename, "dmarcd-%s.csv", v->name);
	}
	if (answer(st, v, &q, id, r, &e) == -1) {
		snprintf(r->error, sizeof r->error, "%s", e.msg);
		if (store_timed_out(st))
			return api_error(r, 503,
			    "this view takes too long to compute on this much "
			    "data: narrow the date range or the filters, or sort by messages");
		return api_error(r, 500, "database error (see the server log)");
	}
	if (r->status == 404)
		return api_error(r, 404, "no such id");
	return 0;
}

bool
api_export_route(const char *route, enum export_kind *kind, bool *json)
{
	char buf[API_ROUTE_MAX];
	const char *dot;
	size_t n;

	if (strncmp(route, "export/", 7) != 0)
		return false;
	route += 7;
	if ((dot = strrchr(route, '.')) == NULL || (size_t)(dot - route) >= sizeof buf)
		return false;
	if (strcmp(dot, ".csv") == 0)
		*json = false;
	else if (strcmp(dot, ".json") == 0)
		*json = true;
	else
		return false;
	n = (size_t)(dot - route);
	memcpy(buf, route, n);
	buf[n] = '\0';
	return export_kind_parse(buf, kind) == 0;
}
