/* Tests for store/store_failure.c: dedup, keep_body, retention, the failures export. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arf.h"
#include "failure.h"
#include "mime.h"
#include "store.h"
#include "testutil.h"

static void
setup(void)
{
	mime_init();
}

TestSuite(store_failure, .init = setup);

struct db {
	char *dir;
	char path[512];
	struct store *st;
};

static void
db_open(struct db *d)
{
	struct errbuf e;

	d->dir = tu_scratch_dir();
	snprintf(d->path, sizeof d->path, "%s/dmarcd.db", d->dir);
	cr_assert_eq(store_open(d->path, STORE_READWRITE, &d->st, &e), 0, "%s", e.msg);
}

static void
db_close(struct db *d)
{
	store_close(d->st);
	d->st = NULL;
	free(d->dir);
}

static struct failure_report *
parse(const char *path)
{
	struct failure_report *f = NULL;
	enum refusal why;
	struct errbuf e;
	unsigned char *raw;
	size_t len;

	cr_assert_not_null(path);
	raw = tu_read_file(path, &len);
	cr_assert_eq(arf_parse(raw, len, &f, &why, &e), 0, "%s", e.msg);
	free(raw);
	cr_assert_not_null(f, "%s: %s", path, e.msg);
	return f;
}

static enum store_failure_outcome
put(struct store *st, const char *path, bool keep_body)
{
	struct failure_report *f = parse(path);
	enum store_failure_outcome o;
	struct errbuf e;

	cr_assert_eq(store_put_failure(st, 0, f, keep_body, &o, &e), 0, "%s", e.msg);
	failure_free(f);
	return o;
}

/* One SQL value of the database at path as text ("NULL" for NULL), via a second connection. */
static char *
query(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *out;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	out = strdup(sqlite3_column_type(s, 0) == SQLITE_NULL ?
	        "NULL" :
	        (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static void
expect_query(const char *path, const char *sql, const char *want)
{
	char *got = query(path, sql);

	cr_expect_str_eq(got, want, "%s", sql);
	free(got);
}

Test(store_failure, duplicate_is_stored_once)
{
	struct db d;

	db_open(&d);
	cr_expect_eq(put(d.st, tu_fixture("failure/minimal-auth-failure.eml"), false),
	    STORE_FAILURE_STORED);
	cr_expect_eq(put(d.st, tu_fixture("failure/minimal-auth-failure.eml"), false),
	    STORE_FAILURE_DUPLICATE);
	expect_query(d.path, "SELECT count(*) FROM failure", "1");
	expect_query(d.path, "SELECT count(*) FROM failure_field", "12");
	expect_query(d.path,
	    "SELECT name || '=' || value FROM failure_field"
	    " WHERE ordinal = 11",
	    "X-Vendor-Note=repeated");
	db_close(&d);
}

/*
 * Every column of the insert holds its own field: each text field carries
 * its column's name, so a value bound to the wrong parameter shows.
 */
Test(store_failure, every_column_holds_its_own_field)
{
	static const char *const text_columns[] = {
		"reporter",
		"feedback_type",
		"user_agent",
		"version",
		"auth_failure",
		"identity_alignment",
		"delivery_result_raw",
		"arrival_raw",
		"source_ip_raw",
		"reported_domain",
		"original_mail_from",
		"original_rcpt_to",
		"original_envelope_id",
		"reporting_mta",
		"auth_results",
		"dkim_domain",
		"dkim_identity",
		"dkim_selector",
		"spf_dns",
		"spf_result",
		"dkim_result",
		"dmarc_result",
		"spf_alignment",
		"dkim_alignment",
		"sample_from",
		"header_from",
		"sample_to",
		"sample_subject",
		"sample_date",
		"sample_message_id",
		"sample_dkim_domain",
		"sample_dkim_selector",
		"sample_headers",
	};
	struct failure_report *f = failure_new();
	char **fields[sizeof text_columns / sizeof text_columns[0]];
	enum store_failure_outcome o;
	struct errbuf e;
	char sql[128];
	struct db d;
	size_t i;

	cr_assert_not_null(f);
	fields[0] = &f->reporter;
	fields[1] = &f->feedback_type;
	fields[2] = &f->user_agent;
	fields[3] = &f->version;
	fields[4] = &f->auth_failure;
	fields[5] = &f->identity_alignment;
	fields[6] = &f->delivery_result_raw;
	fields[7] = &f->arrival_raw;
	fields[8] = &f->source_ip_raw;
	fields[9] = &f->reported_domain;
	fields[10] = &f->original_mail_from;
	fields[11] = &f->original_rcpt_to;
	fields[12] = &f->original_envelope_id;
	fields[13] = &f->reporting_mta;
	fields[14] = &f->auth_results;
	fields[15] = &f->dkim_domain;
	fields[16] = &f->dkim_identity;
	fields[17] = &f->dkim_selector;
	fields[18] = &f->spf_dns;
	fields[19] = &f->spf_result;
	fields[20] = &f->dkim_result;
	fields[21] = &f->dmarc_result;
	fields[22] = &f->spf_alignment;
	fields[23] = &f->dkim_alignment;
	fields[24] = &f->sample_from;
	fields[25] = &f->header_from;
	fields[26] = &f->sample_to;
	fields[27] = &f->sample_subject;
	fields[28] = &f->sample_date;
	fields[29] = &f->sample_message_id;
	fields[30] = &f->sample_dkim_domain;
	fields[31] = &f->sample_dkim_selector;
	fields[32] = &f->sample_headers;
	for (i = 0; i < sizeof text_columns / sizeof text_columns[0]; i++)
		cr_assert_not_null(*fields[i] = strdup(text_columns[i]));
	f->kind = FAILURE_DMARC;
	f->format = FAILURE_FORMAT_ARF_NONSTANDARD;
	cr_assert_not_null(f->delivery_result = strdup("spam"));
	f->arrival_ts = 1700000000;
	snprintf(f->source_ip, sizeof f->source_ip, "192.0.2.7");
	f->source_port = 2525;
	f->incidents = 3;
	f->sample_kind = FAILURE_SAMPLE_HEADERS;
	cr_assert_not_null(f->sample_body = (unsigned char *)strdup("body"));
	f->sample_body_len = 4;
	memset(f->content_sha256, 0xab, sizeof f->content_sha256);
	f->flags = 5;

	db_open(&d);
	cr_assert_eq(store_put_failure(d.st, 0, f, true, &o, &e), 0, "%s", e.msg);
	cr_assert_eq(o, STORE_FAILURE_STORED);
	for (i = 0; i < sizeof text_columns / sizeof text_columns[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT %s FROM failure", text_columns[i]);
		expect_query(d.path, sql, text_columns[i]);
	}
	expect_query(d.path, "SELECT input_id FROM failure", "NULL");
	expect_query(d.path, "SELECT kind FROM failure", "dmarc");
	expect_query(d.path, "SELECT format FROM failure", "arf-nonstandard");
	expect_query(d.path, "SELECT delivery_result FROM failure", "spam");
	expect_query(d.path, "SELECT arrival_ts FROM failure", "1700000000");
	expect_query(d.path, "SELECT source_ip FROM failure", "192.0.2.7");
	expect_query(d.path, "SELECT source_port FROM failure", "2525");
	expect_query(d.path, "SELECT incidents FROM failure", "3");
	expect_query(d.path, "SELECT sample_kind FROM failure", "headers");
	expect_query(d.path, "SELECT CAST(sample_body AS TEXT) FROM failure", "body");
	expect_query(d.path, "SELECT hex(content_sha256) FROM failure",
	    "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB");
	expect_query(d.path, "SELECT flags FROM failure", "5");
	expect_query(d.path, "SELECT abs(stored_at - unixepoch()) < 60 FROM failure", "1");
	expect_query(d.path, "SELECT hex(ip) FROM failure", "00000000000000000000FFFFC0000207");
	expect_query(d.path, "SELECT sample_cleared_at FROM failure", "NULL");
	db_close(&d);
	failure_free(f);
}

Test(store_failure, lf_and_crlf_deliveries_are_one_report)
{
	struct db d;

	TU_REQUIRE_SHARED();
	db_open(&d);
	cr_expect_eq(put(d.st,
	                 tu_shared("corpus/domainaware+parsedmarc/"
	                           "dmarc_ruf_report_linkedin.eml"),
	                 true),
	    STORE_FAILURE_STORED);
	cr_expect_eq(put(d.st,
	                 tu_shared("corpus/domainaware+parsedmarc/"
	                           "dmarc_ruf_report_linkedin.crlf.eml"),
	                 true),
	    STORE_FAILURE_DUPLICATE);
	expect_query(d.path, "SELECT count(*) FROM failure", "1");
	db_close(&d);
}

Test(store_failure, every_shared_failure_mail_stores)
{
	static const char *const paths[] = {
		"spec/examples/failure-arf.eml",
		"spec/examples/failure-arf-base64-mixed.eml",
		"spec/examples/failure-nonarf-plaintext.eml",
		"corpus/domainaware+parsedmarc/DMARC Failure Report for domain.de "
		"(mail-from=sharepoint@domain.de, ip=10.10.10.10).eml",
		"corpus/domainaware+parsedmarc/[Netease DMARC Failure Report] Rent Reminder.eml",
		"corpus/domainaware+parsedmarc/dmarc_ruf_report_linkedin.eml",
		"corpus/domainaware+parsedmarc/exim_plain_text_only_no_arf_part.eml",
	};
	struct db d;
	size_t i;

	TU_REQUIRE_SHARED();
	db_open(&d);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		cr_expect_eq(put(d.st, tu_shared(paths[i]), true), STORE_FAILURE_STORED, "%s",
		    paths[i]);
	/* the same domain.de report again, with blank-only separator lines */
	cr_expect_eq(put(d.st, tu_shared("corpus/domainaware+parsedmarc/subject.eml"), true),
	    STORE_FAILURE_DUPLICATE);
	expect_query(d.path,
	    "SELECT group_concat(format || ':' || source_ip || ':' ||"
	    " reported_domain, ' ') FROM (SELECT * FROM failure ORDER BY id)",
	    "arf:203.0.113.77:example.com arf-nonstandard:198.51.100.200:example.com "
	    "plaintext:203.0.113.68:example.com arf:10.10.10.10:domain.de "
	    "arf-nonstandard:167.89.69.24:cardinal.com arf:10.10.10.10:example.com "
	    "plaintext:203.0.113.68:example.com");
	db_close(&d);
}

Test(store_failure, body_only_when_configured)
{
	struct db d;

	db_open(&d);
	cr_expect_eq(put(d.st, tu_fixture("failure/abuse-not-dmarc.eml"), false),
	    STORE_FAILURE_STORED);
	expect_query(d.path,
	    "SELECT sample_body IS NULL AND sample_headers LIKE"
	    " 'From: News <newsletter@example.org>%' FROM failure",
	    "1");
	expect_query(d.path, "SELECT sample_kind FROM failure", "message");
	db_close(&d);

	db_open(&d);
	cr_expect_eq(put(d.st, tu_fixture("failure/abuse-not-dmarc.eml"), true),
	    STORE_FAILURE_STORED);
	expect_query(d.path, "SELECT CAST(sample_body AS TEXT) FROM failure", "Buy now.\n");
	db_close(&d);
}

Test(store_failure, non_dmarc_arf_is_kept_apart)
{
	struct db d;

	db_open(&d);
	put(d.st, tu_fixture("failure/abuse-not-dmarc.eml"), true);
	expect_query(d.path, "SELECT kind || ' ' || feedback_type FROM failure", "other abuse");
	db_close(&d);
}

Test(store_failure, prune_clears_old_samples_only)
{
	struct db d;
	struct errbuf e;
	uint64_t cleared;

	db_open(&d);
	/* arrivals: 2025-03-04 08:29:55 and 2025-03-06 17:00:00 UTC */
	put(d.st, tu_fixture("failure/minimal-auth-failure.eml"), true);
	put(d.st, tu_fixture("failure/source-ip-hostname.eml"), true);
	/* 2025-03-05 00:00:00 UTC */
	cr_assert_eq(store_prune(d.st, 1741132800, &cleared, &e), 0, "%s", e.msg);
	cr_expect_eq(cleared, 1);
	expect_query(d.path,
	    "SELECT group_concat(reported_domain || ':' ||"
	    " coalesce(sample_headers IS NOT NULL, 'x') || ':' ||"
	    " (sample_cleared_at IS NOT NULL), ' ') FROM (SELECT * FROM failure ORDER BY id)",
	    "example.org:0:1 example.net:1:0");
	/* what the reports say stays: only the sample goes */
	expect_query(d.path,
	    "SELECT source_ip || ' ' || sample_subject FROM failure"
	    " WHERE reported_domain = 'example.org'",
	    "2001:db8::17 Salary update");
	cr_assert_eq(store_prune(d.st, 1741132800, &cleared, &e), 0, "%s", e.msg);
	cr_expect_eq(cleared, 0, "a cleared sample is not counted again");
	cr_assert_eq(store_prune(d.st, INT64_MAX, &cleared, &e), 0, "%s", e.msg);
	cr_expect_eq(cleared, 1);
	db_close(&d);
}

Test(store_failure, prune_uses_storing_time_without_arrival)
{
	struct db d;
	struct errbuf e;
	uint64_t cleared;

	db_open(&d);
	/* no readable Arrival-Date and no sample: nothing to clear */
	put(d.st, tu_fixture("failure/garbled-missing-fields.eml"), true);
	cr_assert_eq(store_prune(d.st, INT64_MAX, &cleared, &e), 0, "%s", e.msg);
	cr_expect_eq(cleared, 0);
	expect_query(d.path,
	    "SELECT arrival_ts IS NULL AND arrival_raw ="
	    " 'the day before yesterday' FROM failure",
	    "1");
	db_close(&d);
}

/* Collects export rows as "name=value|..." lines. */
struct rows {
	char text[8192];
	size_t len;
	size_t n;
	size_t ncols;
};

static int
collect(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	struct rows *r = ctx;
	char v[512];
	size_t i;
	int n;

	r->n++;
	r->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		switch (cells[i].type) {
		case CELL_NULL:
			snprintf(v, sizeof v, "NULL");
			break;
		case CELL_INT:
			snprintf(v, sizeof v, "%lld", (long long)cells[i].i);
			break;
		case CELL_REAL:
			snprintf(v, sizeof v, "%g", cells[i].r);
			break;
		case CELL_TEXT:
			snprintf(v, sizeof v, "%s", cells[i].s);
			break;
		}
		n = snprintf(r->text + r->len, sizeof r->text - r->len, "%s=%s%s", names[i], v,
		    i + 1 < ncols ? "|" : "\n");
		cr_assert(n > 0 && (size_t)n < sizeof r->text - r->len);
		r->len += (size_t)n;
	}
	return 0;
}

static void export(struct store *st, const char *domain, int64_t since, int64_t until,
    struct rows *r)
{
	struct export_filter f = { domain, since, until };
	struct errbuf e;

	memset(r, 0, sizeof *r);
	cr_assert_eq(store_export(st, EXPORT_FAILURES, &f, collect, r, &e), 0, "%s", e.msg);
}

Test(store_failure, export_columns)
{
	static const char *const want[] = {
		"arrival_date",
		"reporter",
		"source_ip",
		"reported_domain",
		"header_from",
		"envelope_from",
		"auth_failure",
		"dkim_domain",
		"dkim_selector",
		"spf_result",
		"dkim_result",
		"delivery_result",
		"subject",
	};
	const char *const *names;
	size_t n, i;

	store_export_columns(EXPORT_FAILURES, &n, &names);
	cr_assert_geq(n, sizeof want / sizeof want[0]);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect_str_eq(names[i], want[i]);
	cr_expect_str_eq(names[n - 1], "flags");
}

Test(store_failure, export_rows_and_filters)
{
	struct rows r;
	struct db d;

	db_open(&d);
	put(d.st, tu_fixture("failure/source-ip-hostname.eml"), false);
	put(d.st, tu_fixture("failure/minimal-auth-failure.eml"), false);
	put(d.st, tu_fixture("failure/abuse-not-dmarc.eml"), false);

	export(d.st, NULL, INT64_MIN, INT64_MAX, &r);
	cr_expect_eq(r.n, 2, "the abuse report is not a DMARC failure");
	cr_expect_str_eq(r.text,
	    "arrival_date=2025-03-04T08:29:55Z|reporter=reports.example.net|"
	    "source_ip=2001:db8::17|reported_domain=example.org|header_from=example.org|"
	    "envelope_from=NULL|auth_failure=dmarc|dkim_domain=example.org|"
	    "dkim_selector=sel1|spf_result=fail|dkim_result=neutral|delivery_result=reject|"
	    "subject=Salary update|dmarc_result=fail|identity_alignment=NULL|"
	    "feedback_type=auth-failure|format=arf|incidents=3|sample_kind=headers|"
	    "aggregate_messages=0|flags=\n"
	    "arrival_date=2025-03-06T17:00:00Z|reporter=receiver.example|"
	    "source_ip=192.0.2.1|reported_domain=example.net|header_from=example.net|"
	    "envelope_from=NULL|auth_failure=spf|dkim_domain=NULL|dkim_selector=NULL|"
	    "spf_result=fail|dkim_result=NULL|delivery_result=NULL|subject=Invoice|"
	    "dmarc_result=NULL|identity_alignment=NULL|feedback_type=auth-failure|"
	    "format=arf|incidents=1|sample_kind=headers|aggregate_messages=0|flags=\n");

	export(d.st, "example.net", INT64_MIN, INT64_MAX, &r);
	cr_expect_eq(r.n, 1);
	cr_expect(strstr(r.text, "source_ip=192.0.2.1|") != NULL);
	export(d.st, "example.org", INT64_MIN, INT64_MAX, &r);
	cr_expect_eq(r.n, 1);
	export(d.st, NULL, 1741132800, INT64_MAX, &r);
	cr_expect_eq(r.n, 1);
	cr_expect(strstr(r.text, "reported_domain=example.net|") != NULL);
	export(d.st, NULL, INT64_MIN, 1741076994, &r);
	cr_expect_eq(r.n, 0);
	export(d.st, NULL, INT64_MIN, 1741076995, &r);
	cr_expect_eq(r.n, 1, "until is inclusive");
	db_close(&d);
}

Test(store_failure, export_links_aggregate_volume)
{
	struct rows r;
	struct db d;
	sqlite3 *db;

	db_open(&d);
	put(d.st, tu_fixture("failure/source-ip-hostname.eml"), false);
	cr_assert_eq(sqlite3_open(d.path, &db), SQLITE_OK);
	cr_assert_eq(
	    sqlite3_exec(db,
	        "INSERT INTO rollup (policy_domain, ip, day, org_key, header_from, messages,"
	        " dmarc_pass, dkim_aligned, spf_aligned, disposition_none,"
	        " disposition_quarantine, disposition_reject, fail_none, fail_quarantine,"
	        " fail_reject, first_seen, last_seen) VALUES"
	        " ('example.net', X'00000000000000000000ffffc0000201', 20153, 'x', '',"
	        " 40, 0, 0, 0, 40, 0, 0, 40, 0, 0, 0, 0),"
	        " ('example.net', X'00000000000000000000ffffc0000201', 20154, 'x', '',"
	        " 2, 0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 0),"
	        " ('example.net', X'00000000000000000000ffffc0000202', 20154, 'x', '',"
	        " 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0)",
	        NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	export(d.st, NULL, INT64_MIN, INT64_MAX, &r);
	cr_expect(strstr(r.text, "|aggregate_messages=42|") != NULL, "%s", r.text);
	expect_query(d.path,
	    "SELECT count(*) FROM failure f JOIN rollup r ON"
	    " r.policy_domain = f.reported_domain AND r.ip = f.ip",
	    "2");
	db_close(&d);
}

Test(store_failure, flags_are_named_in_the_export)
{
	struct rows r;
	struct db d;

	db_open(&d);
	put(d.st, tu_fixture("failure/garbled-missing-fields.eml"), false);
	export(d.st, NULL, INT64_MIN, INT64_MAX, &r);
	cr_expect_eq(r.n, 1, "a report without arrival date is filtered on its storing time");
	cr_expect(strstr(r.text,
	              "|flags=W_NUMBER_FORMAT,W_FEEDBACK_TYPE_MISSING,"
	              "W_ARF_FIELD_MISSING\n") != NULL,
	    "%s", r.text);
	cr_expect(strstr(r.text, "arrival_date=NULL|") != NULL);
	db_close(&d);
}

Test(store_failure, input_link_and_sink)
{
	struct store_failure_ctx ctx;
	struct failure_sink sink;
	struct failure_report *f;
	struct input_outcome out;
	struct input_meta meta;
	uint8_t sha[32];
	int64_t input_id;
	struct errbuf e;
	struct db d;

	db_open(&d);
	memset(sha, 7, sizeof sha);
	memset(&meta, 0, sizeof meta);
	meta.raw_sha256 = sha;
	meta.raw_size = 10;
	meta.source = "file";
	meta.location = "ruf.eml";
	cr_assert_eq(store_batch_begin(d.st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_input_begin(d.st, &meta, &input_id, &e), 0, "%s", e.msg);
	memset(&ctx, 0, sizeof ctx);
	ctx.st = d.st;
	ctx.input_id = input_id;
	store_failure_sink(&ctx, &sink);
	f = parse(tu_fixture("failure/minimal-auth-failure.eml"));
	cr_expect_eq(sink.put(sink.ctx, f, &e), 0, "%s", e.msg);
	cr_expect_eq(sink.put(sink.ctx, f, &e), 0, "%s", e.msg);
	failure_free(f);
	cr_expect_eq(ctx.stored, 1);
	cr_expect_eq(ctx.duplicate, 1);
	store_input_abort(d.st);
	store_batch_rollback(d.st);
	expect_query(d.path, "SELECT count(*) FROM failure", "0");

	/* the savepoint of the input undid it; now the input is kept */
	cr_assert_eq(store_batch_begin(d.st, &e), 0, "%s", e.msg);
	cr_assert_eq(store_input_begin(d.st, &meta, &input_id, &e), 0, "%s", e.msg);
	ctx.input_id = input_id;
	f = parse(tu_fixture("failure/minimal-auth-failure.eml"));
	cr_expect_eq(sink.put(sink.ctx, f, &e), 0, "%s", e.msg);
	failure_free(f);
	memset(&out, 0, sizeof out);
	out.status = STORE_INPUT_STORED;
	out.kind = "failure";
	out.refusal_code = "";
	out.reason = "";
	out.reports_stored = ctx.stored;
	cr_assert_eq(store_input_end(d.st, input_id, &out, "x", 1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_batch_commit(d.st, &e), 0, "%s", e.msg);
	expect_query(d.path,
	    "SELECT f.reported_domain || ' ' || i.location FROM failure f"
	    " JOIN input i ON i.id = f.input_id",
	    "example.org ruf.eml");
	db_close(&d);
}

Test(store_failure, readonly_store_refuses_writes)
{
	struct failure_report *f;
	enum store_failure_outcome o;
	struct store *ro;
	struct errbuf e;
	struct rows r;
	struct db d;
	uint64_t cleared;

	db_open(&d);
	put(d.st, tu_fixture("failure/minimal-auth-failure.eml"), false);
	cr_assert_eq(store_open(d.path, STORE_READONLY, &ro, &e), 0, "%s", e.msg);
	f = parse(tu_fixture("failure/source-ip-hostname.eml"));
	cr_expect_eq(store_put_failure(ro, 0, f, false, &o, &e), -1);
	cr_expect(strstr(e.msg, "read-only") != NULL, "%s", e.msg);
	cr_expect_eq(store_prune(ro, INT64_MAX, &cleared, &e), -1);
	failure_free(f);
	export(ro, NULL, INT64_MIN, INT64_MAX, &r);
	cr_expect_eq(r.n, 1);
	store_close(ro);
	db_close(&d);
}
