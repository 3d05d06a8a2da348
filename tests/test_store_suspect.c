/*
 * store_suspect: reports that may be forged, as the store marks them when
 * they are stored (store/store_suspect*.c): the cross-check against the
 * other reporters of a network, in every arrival order.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

/* One reporter's report for example.com: n networks' worth of records, on day d. */
struct claim {
	const char *org;
	const char *ip;
	int64_t messages;
	bool pass;
	int64_t day; /* days after DAY0 */
};

static unsigned seed;

/* Stores c as one report in its own input and batch. */
static void
put(struct store *st, const struct claim *c)
{
	struct agg_report r;
	struct agg_record rec;
	char id[32];
	int64_t begin = DAY0 + c->day * DAY;

	seed++;
	snprintf(id, sizeof id, "%s-%u", c->org, seed);
	ts_make_report(&r, c->org, id, "example.com", begin, begin + DAY - 1, seed);
	ts_make_record(&rec, c->ip, c->messages, c->pass ? DMARC_PASS : DMARC_FAIL, DMARC_FAIL,
	    DISP_NONE);
	ts_compute_totals(&r, &rec, 1);
	ts_ingest(st, seed, &r, &rec, 1);
}

/* The suspect column of org's report (the last one stored), "" when NULL. */
static char *
suspect_of(const char *db, const char *org)
{
	static char out[1024];
	char sql[256];
	sqlite3 *h;
	sqlite3_stmt *s;
	const unsigned char *t;

	snprintf(sql, sizeof sql,
	    "SELECT suspect FROM report WHERE org_key = '%s' ORDER BY id DESC LIMIT 1", org);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "no report of %s", org);
	t = sqlite3_column_text(s, 0);
	snprintf(out, sizeof out, "%s", t != NULL ? (const char *)t : "");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return out;
}

/*
 * Two reporters saw 192.0.2.0/24 fail; a third claims 60,000 messages from
 * it that pass: suspect, with the network, the day and the others' figures.
 * The same from the /48 of an IPv6 address.
 */
Test(store_suspect, a_report_that_contradicts_two_agreeing_reporters_is_suspect)
{
	static const struct {
		const char *ip_a, *ip_b, *ip_forged, *net;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.2", "192.0.2.77", "192.0.2.0/24" },
		{ "2001:db8:1::1", "2001:db8:1:5::9", "2001:db8:1:ffff::1", "2001:db8:1::/48" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *db = ts_db_path();
		struct store *st = ts_open(db, STORE_READWRITE);
		char *why;

		put(st, &(struct claim){ "a.example", cases[i].ip_a, 500, false, 3 });
		put(st, &(struct claim){ "b.example", cases[i].ip_b, 300, false, 3 });
		put(st, &(struct claim){ "forger.example", cases[i].ip_forged, 60000, true, 3 });
		store_close(st);
		cr_expect_str_eq(suspect_of(db, "a.example"), "", "case %zu", i);
		cr_expect_str_eq(suspect_of(db, "b.example"), "", "case %zu", i);
		why = suspect_of(db, "forger.example");
		cr_expect(strstr(why, "it contradicts 2 other reporters about ") != NULL, "%s",
		    why);
		cr_expect(strstr(why, cases[i].net) != NULL, "case %zu: %s", i, why);
		cr_expect(
		    strstr(why, " on 2024-01-04: it says 60000 messages, 100% passing DMARC;") !=
		        NULL,
		    "%s", why);
		cr_expect(strstr(why, "a.example saw 500, 0% passing") != NULL, "%s", why);
		cr_expect(strstr(why, "b.example saw 300, 0% passing") != NULL, "%s", why);
		ts_drop_db(db);
	}
}

/*
 * Order: a forgery stored first. The genuine reports after it are not
 * suspect (the one other witness, or two that disagree, say nothing), and
 * once the genuine ones agree, a second forgery is.
 */
Test(store_suspect, a_genuine_report_after_a_forged_one_is_not_suspect)
{
	char *db = ts_db_path();
	struct store *st = ts_open(db, STORE_READWRITE);

	put(st, &(struct claim){ "forger.example", "198.51.100.7", 60000, true, 0 });
	put(st, &(struct claim){ "a.example", "198.51.100.1", 400, false, 0 });
	put(st, &(struct claim){ "b.example", "198.51.100.2", 400, false, 0 });
	put(st, &(struct claim){ "c.example", "198.51.100.3", 400, false, 0 });
	put(st, &(struct claim){ "forger2.example", "198.51.100.8", 5000, true, 0 });
	store_close(st);
	cr_expect_str_eq(suspect_of(db, "forger.example"), "", "nobody to compare it with");
	cr_expect_str_eq(suspect_of(db, "a.example"), "", "one witness only");
	cr_expect_str_eq(suspect_of(db, "b.example"), "", "two witnesses that disagree");
	cr_expect_str_eq(suspect_of(db, "c.example"), "", "agrees with the majority");
	cr_expect(strstr(suspect_of(db, "forger2.example"),
	              "it contradicts 3 other reporters about 198.51.100.0/24") != NULL,
	    "%s", suspect_of(db, "forger2.example"));
	ts_drop_db(db);
}

/*
 * What does not contradict: other days, a difference under 50 points, a
 * network that is a small part of a large report, witnesses who saw too
 * little, the same reporter's own earlier reports. Where the witnesses
 * could speak, a control report (z.example, 60,000 passing on day 0) shows
 * that they do.
 */
Test(store_suspect, what_is_not_a_contradiction)
{
	static const struct {
		const char *what;
		struct claim witness[2];
		struct claim report;
		bool control;
	} cases[] = {
		{ "other days",
		    { { "a.example", "192.0.2.1", 500, false, 0 },
		        { "b.example", "192.0.2.2", 500, false, 0 } },
		    { "x.example", "192.0.2.3", 60000, true, 2 }, true },
		{ "the same figures",
		    { { "a.example", "192.0.2.1", 500, false, 0 },
		        { "b.example", "192.0.2.2", 500, false, 0 } },
		    { "x.example", "192.0.2.3", 60000, false, 0 }, true },
		{ "witnesses that saw too little",
		    { { "a.example", "192.0.2.1", 49, false, 0 },
		        { "b.example", "192.0.2.2", 49, false, 0 } },
		    { "x.example", "192.0.2.3", 60000, true, 0 }, false },
		{ "the reporter's own reports",
		    { { "x.example", "192.0.2.1", 500, false, 0 },
		        { "x.example", "192.0.2.2", 500, false, 0 } },
		    { "x.example", "192.0.2.3", 60000, true, 0 }, false },
		{ "too few messages to matter",
		    { { "a.example", "192.0.2.1", 500, false, 0 },
		        { "b.example", "192.0.2.2", 500, false, 0 } },
		    { "x.example", "192.0.2.3", 19, true, 0 }, true },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *db = ts_db_path();
		struct store *st = ts_open(db, STORE_READWRITE);

		put(st, &cases[i].witness[0]);
		put(st, &cases[i].witness[1]);
		put(st, &cases[i].report);
		if (cases[i].control)
			put(st, &(struct claim){ "z.example", "192.0.2.4", 60000, true, 0 });
		store_close(st);
		cr_expect_str_eq(suspect_of(db, "x.example"), "", "%s", cases[i].what);
		if (cases[i].control)
			cr_expect(strstr(suspect_of(db, "z.example"), "it contradicts") != NULL,
			    "%s: the control", cases[i].what);
		ts_drop_db(db);
	}
}

/* A network that is a tenth of its report matters below 100 messages; a smaller part does not. */
Test(store_suspect, a_network_matters_by_its_share_of_the_report)
{
	char *db = ts_db_path();
	struct store *st = ts_open(db, STORE_READWRITE);
	struct agg_report r;
	struct agg_record recs[2];

	put(st, &(struct claim){ "a.example", "192.0.2.1", 500, false, 0 });
	put(st, &(struct claim){ "b.example", "192.0.2.2", 500, false, 0 });
	/* 60 of 600 messages: a tenth */
	ts_make_report(&r, "x.example", "x-1", "example.com", DAY0, DAY0 + DAY - 1, 900);
	ts_make_record(&recs[0], "192.0.2.9", 60, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	ts_make_record(&recs[1], "203.0.113.1", 540, DMARC_PASS, DMARC_FAIL, DISP_NONE);
	ts_compute_totals(&r, recs, 2);
	ts_ingest(st, 900, &r, recs, 2);
	/* 60 of 6000: not */
	ts_make_report(&r, "y.example", "y-1", "example.com", DAY0, DAY0 + DAY - 1, 901);
	recs[1].count = 5940;
	ts_compute_totals(&r, recs, 2);
	ts_ingest(st, 901, &r, recs, 2);
	store_close(st);
	cr_expect(strstr(suspect_of(db, "x.example"), "it says 60 messages, 100% passing") != NULL,
	    "%s", suspect_of(db, "x.example"));
	cr_expect_str_eq(suspect_of(db, "y.example"), "");
	ts_drop_db(db);
}
