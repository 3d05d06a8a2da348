/*
 * store: the cross-check of a report against the other reporters
 * (FORMATS.md "Reports that may be forged"). It needs no mail
 * authentication, so it works for files and standard input too.
 *
 * When a report is stored, each source network it reports (the /24 of an
 * IPv4 address, the /48 of an IPv6 one) with a volume that matters
 * (CROSS_MATTERS messages, or CROSS_SHARE_DIVISOR-th of the report and at
 * least CROSS_SHARE_MIN) is compared with what the other reporters (other
 * org_key) saw of that network for the same domain on the report's days.
 * Reporters that saw fewer than CROSS_OTHER_MIN messages there say nothing.
 * The others' verdict counts only when a strict majority of them, two at
 * least, agree (their DMARC pass shares lie within CROSS_AGREE_POINTS of
 * each other): so one forged report stored earlier cannot make a genuine
 * one that arrives after it look forged, nor shield a second forgery. The
 * report is suspect when its pass share for the network differs from that
 * majority's by CROSS_DIFFER_POINTS or more.
 *
 * Cost: the report's networks come from its sums in memory; for each network
 * that matters (at most CROSS_NETS, the heaviest), a primary-key lookup in
 * source (a network that never reached ROLLUP_HEAVY messages has no other
 * witness) and, when it is heavy enough, one range of cross_net
 * (schema/008_cross_net.sql), which cross_put fills with what each report
 * that is not suspect saw of its networks of CROSS_PUT_MIN messages or
 * more. Walking the network's addresses in rollup instead cost more than
 * the rest of ingest on reports of 5,000 records (bench/README.md).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "days.h"
#include "store_int.h"

#define CROSS_MATTERS 100      /* messages of a network that always matter */
#define CROSS_SHARE_DIVISOR 10 /* or this fraction of the report... */
#define CROSS_SHARE_MIN 20     /* ...when it is at least this many */
#define CROSS_OTHER_MIN 50     /* messages another reporter must have seen */
#define CROSS_AGREE_POINTS 20  /* pass shares this close agree */
#define CROSS_DIFFER_POINTS 50 /* a difference this large contradicts */
#define CROSS_NETS 64          /* networks checked per report, the heaviest */
#define CROSS_OTHERS 16        /* other reporters read per network, the heaviest */
#define CROSS_ORG_MAX 64       /* bytes of a reporter's name kept for the reason */
#define CROSS_PUT_MIN 10       /* a report's networks kept as witnesses: this many messages */

/* What one reporter saw of a network. */
struct witness {
	char org[CROSS_ORG_MAX];
	double messages, pass;
	double share; /* pass / messages, in points */
};

/* The messages that make a network of a report of total messages matter. */
static double
matters(uint64_t total)
{
	uint64_t tenth = total / CROSS_SHARE_DIVISOR + (total % CROSS_SHARE_DIVISOR != 0);

	if (tenth < CROSS_SHARE_MIN)
		tenth = CROSS_SHARE_MIN;
	return (double)(tenth < CROSS_MATTERS ? tenth : CROSS_MATTERS);
}

static int
by_share(const void *a, const void *b)
{
	const struct witness *x = a, *y = b;

	return x->share < y->share ? -1 : x->share > y->share;
}

/*
 * The largest group of witnesses w[0..n) (sorted by share) whose shares lie
 * within CROSS_AGREE_POINTS: its first index and size (*size 0 when n is 0).
 */
static void
largest_agreeing(const struct witness *w, size_t n, size_t *first, size_t *size)
{
	size_t i, j = 0;

	*first = 0;
	*size = 0;
	for (i = 0; i < n; i++) {
		while (w[i].share - w[j].share > CROSS_AGREE_POINTS)
			j++;
		if (i - j + 1 > *size) {
			*first = j;
			*size = i - j + 1;
		}
	}
}

/* 1 when the network may have other witnesses (heavy in source), 0 when not, -1. */
static int
heavy(struct store *st, const struct agg_report *r, const uint8_t net[16], struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_CROSS_SOURCE];
	int rc, out = 0;

	if ((store_bind_text(s, 1, r->policy_domain) |
	        sqlite3_bind_blob(s, 2, net, 16, SQLITE_STATIC)) != SQLITE_OK)
		return store_fail(st, "cross-checking a report", e);
	if ((rc = store_step(st, s, "cross-checking a report", e)) == -1)
		return -1;
	if (rc == SQLITE_ROW)
		out = sqlite3_column_int64(s, 0) >= 2 * CROSS_OTHER_MIN;
	sqlite3_reset(s);
	return out;
}

/* The other reporters that saw enough of the network on the days, into w; their count or -1. */
static int
witnesses(struct store *st, const struct agg_report *r, const uint8_t net[16], int64_t day_first,
    int64_t day_last, struct witness *w, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_CROSS_OTHERS];
	const unsigned char *org;
	int rc, n = 0;

	if ((store_bind_text(s, 1, r->policy_domain) |
	        sqlite3_bind_blob(s, 2, net, 16, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 3, day_first) | sqlite3_bind_int64(s, 4, day_last) |
	        store_bind_text(s, 5, r->org_key) | sqlite3_bind_int(s, 6, CROSS_OTHER_MIN) |
	        sqlite3_bind_int(s, 7, CROSS_OTHERS)) != SQLITE_OK)
		return store_fail(st, "cross-checking a report", e);
	while ((rc = store_step(st, s, "cross-checking a report", e)) == SQLITE_ROW &&
	    n < CROSS_OTHERS) {
		org = sqlite3_column_text(s, 0);
		snprintf(w[n].org, sizeof w[n].org, "%s", org != NULL ? (const char *)org : "");
		w[n].messages = sqlite3_column_double(s, 1);
		w[n].pass = sqlite3_column_double(s, 2);
		w[n].share = w[n].messages > 0 ? 100.0 * w[n].pass / w[n].messages : 0;
		n++;
	}
	sqlite3_reset(s);
	return rc == -1 ? -1 : n;
}

/* Appends text to why (bounded: a long list is cut, never overflows). */
static void
append(char *why, size_t size, const char *text)
{
	size_t n = strlen(why);

	if (n + 1 < size)
		snprintf(why + n, size - n, "%s", text);
}

/* Marks the report suspect, naming the network, its days and the others' figures. */
static int
mark(struct store *st, int64_t row, const uint8_t net[16], int64_t day_first, int64_t day_last,
    double messages, double share, const struct witness *w, size_t n, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SUSPECT_SET];
	char why[512], part[160], text[INET6_ADDRSTRLEN + 4];
	char d0[DAYS_TEXT_SIZE], d1[DAYS_TEXT_SIZE];
	size_t i;

	store_ip_text(net, 16, true, text, sizeof text);
	days_text(day_first, d0);
	days_text(day_last, d1);
	snprintf(why, sizeof why,
	    "it contradicts %zu other reporters about %s on %s%s%s: it says %.0f messages, "
	    "%.0f%% passing DMARC;",
	    n, text, d0, day_last != day_first ? ".." : "", day_last != day_first ? d1 : "",
	    messages, share);
	for (i = 0; i < n; i++) {
		snprintf(part, sizeof part, "%s %s saw %.0f, %.0f%% passing", i > 0 ? "," : "",
		    w[i].org, w[i].messages, w[i].share);
		append(why, sizeof why, part);
	}
	if ((sqlite3_bind_int64(s, 1, row) | store_bind_text(s, 2, why)) != SQLITE_OK)
		return store_fail(st, "marking a suspect report", e);
	return store_run(st, s, "marking a suspect report", e) == -1 ? -1 : 1;
}

/*
 * Compares one network of the report (messages, pass) with the others'.
 * 1 when it marked the report, 0 when not, -1.
 */
static int
check_net(struct store *st, const struct agg_report *r, int64_t row, const uint8_t net[16],
    double messages, double pass, int64_t day_first, int64_t day_last, struct errbuf *e)
{
	struct witness w[CROSS_OTHERS];
	double share = 100.0 * pass / messages, m = 0, p = 0, consensus;
	size_t first, size, i;
	int n, rc;

	if ((rc = heavy(st, r, net, e)) != 1)
		return rc;
	if ((n = witnesses(st, r, net, day_first, day_last, w, e)) == -1)
		return -1;
	if (n < 2)
		return 0;
	qsort(w, (size_t)n, sizeof w[0], by_share);
	largest_agreeing(w, (size_t)n, &first, &size);
	if (size < 2 || 2 * size <= (size_t)n)
		return 0;
	for (i = first; i < first + size; i++) {
		m += w[i].messages;
		p += w[i].pass;
	}
	consensus = 100.0 * p / m;
	if (share - consensus < CROSS_DIFFER_POINTS && consensus - share < CROSS_DIFFER_POINTS)
		return 0;
	return mark(st, row, net, day_first, day_last, messages, share, w + first, size, e);
}

/* Keeps the n heaviest networks: adds one, dropping the lightest when full. */
static void
keep(uint8_t (*nets)[16], double *messages, double *pass, size_t *n, const uint8_t net[16],
    double m, double p)
{
	size_t i, light = 0;

	if (*n < CROSS_NETS) {
		i = (*n)++;
	} else {
		for (i = 1; i < *n; i++)
			if (messages[i] < messages[light])
				light = i;
		if (messages[light] >= m)
			return;
		i = light;
	}
	memcpy(nets[i], net, 16);
	messages[i] = m;
	pass[i] = p;
}

/*
 * The report's networks that matter, from its sums in memory (the network
 * entries of store_rollup.c). A report of more than ROLLUP_REPORT_MAX keys
 * had its sums written early: its networks are then judged on what was
 * summed since (reading its records back instead cost a third of the
 * ingest of a 300,000-record report).
 */
static void
report_nets(struct store *st, const struct agg_report *r, uint8_t (*nets)[16], double *messages,
    double *pass, size_t *n)
{
	const struct sums *so = &st->w->report_sums;
	double floor = matters(r->totals.messages);
	size_t i;

	*n = 0;
	for (i = 0; i < so->used; i++) {
		const struct sums_entry *x = &so->slots[so->order[i]];

		if (x->prefix && x->iplen == 16 && (double)x->sums[SUMS_MESSAGES] >= floor)
			keep(nets, messages, pass, n, x->ip, (double)x->sums[SUMS_MESSAGES],
			    (double)x->sums[SUMS_DMARC_PASS]);
	}
}

int
suspect_cross(struct store *st, const struct agg_report *r, int64_t row, int64_t day_first,
    int64_t day_last, struct errbuf *e)
{
	uint8_t nets[CROSS_NETS][16];
	double messages[CROSS_NETS], pass[CROSS_NETS];
	size_t n, i;
	int rc;

	report_nets(st, r, nets, messages, pass, &n);
	for (i = 0; i < n; i++)
		if ((rc = check_net(st, r, row, nets[i], messages[i], pass[i], day_first, day_last,
		         e)) != 0)
			return rc;
	return 0;
}

int
cross_put(struct store *st, const struct agg_report *r, int64_t day_first, int64_t day_last,
    struct errbuf *e)
{
	const struct sums *so = &st->w->report_sums;
	sqlite3_stmt *s = st->w->stmt[SQ_CROSS_PUT];
	size_t i;

	for (i = 0; i < so->used; i++) {
		const struct sums_entry *x = &so->slots[so->order[i]];

		if (!x->prefix || x->iplen != 16 || x->sums[SUMS_MESSAGES] < CROSS_PUT_MIN)
			continue;
		if ((store_bind_text(s, 1, r->policy_domain) |
		        sqlite3_bind_blob(s, 2, x->ip, 16, SQLITE_STATIC) |
		        sqlite3_bind_int64(s, 3, day_first) | store_bind_text(s, 4, r->org_key) |
		        sqlite3_bind_int64(s, 5, day_last) |
		        store_bind_count(s, 6, x->sums[SUMS_MESSAGES]) |
		        store_bind_count(s, 7, x->sums[SUMS_DMARC_PASS])) != SQLITE_OK)
			return store_fail(st, "keeping a report's networks", e);
		if (store_run(st, s, "keeping a report's networks", e) == -1)
			return -1;
	}
	return 0;
}
