/*
 * store: maintaining the rollups (schema/001_init.sql). The sink adds each
 * record to the report's sums in memory; a stored report's sums move to its
 * input's, and a released input's are written, sorted, with one upsert per
 * key. Writing them outside every savepoint matters: a random-key upsert
 * inside a savepoint first copies the page it changes to the statement
 * journal, which costs more than the upsert itself. Sums that outgrow their
 * bound are written early, inside their own savepoint, which stays correct.
 *
 * A report's days go to rollup_day when it ends (one upsert per day, with
 * the sketches of its distinct sources), and its reporter is counted.
 */
#include "store_int.h"

#include <string.h>

#include "num.h"

#define ROLLUP_REPORT_MAX 16384 /* keys a report sums before it writes them */
#define ROLLUP_INPUT_MAX 16384  /* keys an input sums before it writes them */

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* ---- writing sums ---- */

static int
bind_sums(sqlite3_stmt *s, int first, const uint64_t *sums)
{
	int rc = SQLITE_OK, i;

	for (i = 0; i < SUMS_COLS; i++)
		rc |= store_bind_count(s, first + i, sums[i]);
	return rc;
}

static int
put_rollup(struct store *st, const struct sums_entry *x, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_ROLLUP_UPSERT];
	const struct sums_names *nm = &st->w->names;

	if ((store_bind_text(s, 1, nm->s[x->dom]) |
	        sqlite3_bind_blob(s, 2, x->ip, x->iplen, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 3, x->day) | store_bind_text(s, 4, nm->s[x->org]) |
	        store_bind_text(s, 5, x->hf != SUMS_NO_NAME ? nm->s[x->hf] : "") |
	        bind_sums(s, 6, x->sums) | sqlite3_bind_int64(s, 16, x->seen[0]) |
	        sqlite3_bind_int64(s, 17, x->seen[1])) != SQLITE_OK)
		return store_fail(st, "updating the rollup", e);
	return store_run(st, s, "updating the rollup", e);
}

/*
 * A network not in source enters when its rollup rows (this input's were
 * written just before) add up to ROLLUP_HEAVY messages: their all-time sums.
 */
static int
enter_source(struct store *st, const struct sums_entry *x, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SOURCE_ROWS];
	uint8_t lo[16] = { 0 }, hi[16] = { 0 };
	uint64_t messages = 0, pass = 0, m;
	int64_t first = INT64_MAX, last = INT64_MIN, day;
	int rc;

	if (x->iplen == 16)
		store_ip_net(x->ip, lo, hi);
	if ((store_bind_text(s, 1, st->w->names.s[x->dom]) |
	        sqlite3_bind_blob(s, 2, lo, x->iplen, SQLITE_STATIC) |
	        sqlite3_bind_blob(s, 3, hi, x->iplen, SQLITE_STATIC)) != SQLITE_OK)
		return store_fail(st, "updating the sources", e);
	while ((rc = store_step(st, s, "updating the sources", e)) == SQLITE_ROW) {
		m = (uint64_t)sqlite3_column_int64(s, 0);
		messages = num_add_sat(messages, m);
		pass = num_add_sat(pass, (uint64_t)sqlite3_column_int64(s, 1));
		day = sqlite3_column_int64(s, 2);
		first = day < first ? day : first;
		last = day > last ? day : last;
	}
	sqlite3_reset(s);
	if (rc == -1)
		return -1;
	if (messages < ROLLUP_HEAVY)
		return 0;
	s = st->w->stmt[SQ_SOURCE_INSERT];
	if ((store_bind_text(s, 1, st->w->names.s[x->dom]) |
	        sqlite3_bind_blob(s, 2, lo, x->iplen, SQLITE_STATIC) |
	        store_bind_count(s, 3, messages) |
	        store_bind_count(s, 4, messages - (pass < messages ? pass : messages)) |
	        sqlite3_bind_int64(s, 5, first) | sqlite3_bind_int64(s, 6, last)) != SQLITE_OK)
		return store_fail(st, "updating the sources", e);
	return store_run(st, s, "updating the sources", e);
}

/* Adds a network's sums to source when it is there, else sees whether it enters. */
static int
put_source(struct store *st, const struct sums_entry *x, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SOURCE_ADD];

	if ((store_bind_text(s, 1, st->w->names.s[x->dom]) |
	        sqlite3_bind_blob(s, 2, x->ip, x->iplen, SQLITE_STATIC) |
	        store_bind_count(s, 3, x->sums[SUMS_MESSAGES]) |
	        store_bind_count(s, 4, x->sums[SUMS_MESSAGES] - x->sums[SUMS_DMARC_PASS]) |
	        sqlite3_bind_int64(s, 5, x->seen[0]) | sqlite3_bind_int64(s, 6, x->seen[1])) !=
	    SQLITE_OK)
		return store_fail(st, "updating the sources", e);
	if (store_run(st, s, "updating the sources", e) == -1)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 0 : enter_source(st, x, e);
}

/* Writes every sum of so to rollup and source, in key order, and empties so. */
static int
write_sums(struct store *st, struct sums *so, struct errbuf *e)
{
	size_t i;

	sums_sort(so);
	for (i = 0; i < so->used; i++) {
		const struct sums_entry *x = &so->slots[so->order[i]];

		if (!x->prefix && put_rollup(st, x, e) == -1)
			return -1;
	}
	for (i = 0; i < so->used; i++) {
		const struct sums_entry *x = &so->slots[so->order[i]];

		if (x->prefix && put_source(st, x, e) == -1)
			return -1;
	}
	sums_clear(so);
	return 0;
}

/*
 * Adds x's sums to dst under x's key; when dst is full, writes dst first
 * (the caller is where writing it is correct). The entry, or NULL (e).
 */
static struct sums_entry *
add_entry(struct store *st, struct sums *dst, const struct sums_entry *x, struct errbuf *e)
{
	struct sums_entry *y;

	if ((y = sums_merge_one(dst, x)) != NULL)
		return y;
	if (write_sums(st, dst, e) == -1)
		return NULL;
	if ((y = sums_merge_one(dst, x)) == NULL)
		errbuf_set(e, "store: out of memory");
	return y;
}

/* Adds every sum of src to dst (add_entry) and empties src. */
static int
move_sums(struct store *st, struct sums *dst, struct sums *src, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < src->used; i++)
		if (add_entry(st, dst, &src->slots[src->order[i]], e) == NULL)
			return -1;
	sums_clear(src);
	return 0;
}

/* ---- the sink's side ---- */

int
rollup_report_begin(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	int64_t dom, org;

	st->w->report_sums.max = ROLLUP_REPORT_MAX;
	st->w->input_sums.max = ROLLUP_INPUT_MAX;
	sums_clear(&st->w->report_sums);
	if ((dom = sums_name(&st->w->names, r->policy_domain)) == -1 ||
	    (org = sums_name(&st->w->names, r->org_key)) == -1) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	k->dom = (uint32_t)dom;
	k->org = (uint32_t)org;
	sketch_reset(&k->sketch[0]);
	sketch_reset(&k->sketch[1]);
	memset(k->day_used, 0, k->ndays * sizeof k->day_used[0]);
	memset(k->day_sums, 0, k->ndays * sizeof k->day_sums[0]);
	return 0;
}

/* The sums one record adds: c messages of rec. */
static void
record_sums(const struct agg_record *rec, uint64_t c, uint64_t sums[SUMS_COLS])
{
	sums_of_record(c, agg_record_dmarc_pass(rec), rec->pe_dkim == DMARC_PASS,
	    rec->pe_spf == DMARC_PASS, rec->disposition, sums);
}

int
rollup_add(struct store *st, const struct agg_report *r, const struct agg_record *rec,
    const uint8_t ip[16], size_t iplen, int64_t day, int64_t count, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	struct sums_entry key;
	size_t d = (size_t)(day - k->day_first), i;
	bool pass = agg_record_dmarc_pass(rec), v4 = memcmp(ip, v4_mapped, sizeof v4_mapped) == 0;
	int64_t hf = SUMS_NO_NAME;
	struct sums_entry *x;

	(void)r;
	if (rec->header_from != NULL && rec->header_from[0] != '\0' &&
	    (hf = sums_name(&st->w->names, rec->header_from)) == -1) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	memset(&key, 0, sizeof key);
	record_sums(rec, count > 0 ? (uint64_t)count : 0, key.sums);
	k->day_used[d] = true;
	for (i = 0; i < SUMS_COLS; i++)
		k->day_sums[d][i] = num_add_sat(k->day_sums[d][i], key.sums[i]);
	memcpy(key.ip, ip, iplen);
	key.iplen = (uint8_t)iplen;
	key.dom = k->dom;
	key.org = k->org;
	key.hf = (uint32_t)hf;
	key.day = day;
	key.seen[0] = k->begin_ts > day * 86400 ? k->begin_ts : day * 86400;
	key.seen[1] = k->end_ts < day * 86400 + 86399 ? k->end_ts : day * 86400 + 86399;
	if ((x = add_entry(st, &st->w->report_sums, &key, e)) == NULL)
		return -1;
	if (pass ? !x->seen_pass : !x->seen_fail) {
		sketch_add(&k->sketch[pass], sketch_hash(ip, iplen));
		x->seen_pass |= pass;
		x->seen_fail |= !pass;
	}
	/* The network: the /24 of ::ffff:a.b.c.d, the /48 of an IPv6 address. */
	if (iplen == 16)
		memset(key.ip + (v4 ? 15 : 6), 0, v4 ? 1 : 10);
	key.prefix = true;
	key.org = key.hf = 0;
	key.day = 0;
	key.seen[0] = key.seen[1] = day;
	/* a network sums only its messages and dmarc_pass (store_sums.h) */
	memset(key.sums + SUMS_DMARC_PASS + 1, 0,
	    (SUMS_COLS - SUMS_DMARC_PASS - 1) * sizeof key.sums[0]);
	return add_entry(st, &st->w->report_sums, &key, e) != NULL ? 0 : -1;
}

int
rollup_report_end(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	sqlite3_stmt *s = st->w->stmt[SQ_ROLLUP_DAY_UPSERT];
	uint8_t pass[SKETCH_REGISTERS], fail[SKETCH_REGISTERS];
	size_t npass, nfail, d;
	int64_t day;

	nfail = sketch_blob(&k->sketch[0], fail);
	npass = sketch_blob(&k->sketch[1], pass);
	for (d = 0; d < k->ndays; d++) {
		if (!k->day_used[d])
			continue;
		day = k->day_first + (int64_t)d;
		if ((store_bind_text(s, 1, r->policy_domain) | sqlite3_bind_int64(s, 2, day) |
		        store_bind_text(s, 3, r->org_key) | bind_sums(s, 4, k->day_sums[d]) |
		        sqlite3_bind_int64(s, 14,
		            k->begin_ts > day * 86400 ? k->begin_ts : day * 86400) |
		        sqlite3_bind_int64(s, 15,
		            k->end_ts < day * 86400 + 86399 ? k->end_ts : day * 86400 + 86399) |
		        sqlite3_bind_blob(s, 16, pass, (int)npass, SQLITE_STATIC) |
		        sqlite3_bind_blob(s, 17, fail, (int)nfail, SQLITE_STATIC)) != SQLITE_OK)
			return store_fail(st, "updating the daily rollup", e);
		if (store_run(st, s, "updating the daily rollup", e) == -1)
			return -1;
	}
	s = st->w->stmt[SQ_REPORTER_UPSERT];
	if ((store_bind_text(s, 1, r->org_key) | store_bind_text(s, 2, r->org_name)) != SQLITE_OK)
		return store_fail(st, "counting a reporter", e);
	return store_run(st, s, "counting a reporter", e);
}

int
rollup_report_kept(struct store *st, struct errbuf *e)
{
	struct sums t;

	/* The input's first report (most inputs have one): its sums become the input's. */
	if (st->w->input_sums.used == 0) {
		t = st->w->input_sums;
		st->w->input_sums = st->w->report_sums;
		st->w->report_sums = t;
		st->w->input_sums.max = ROLLUP_INPUT_MAX;
		st->w->report_sums.max = ROLLUP_REPORT_MAX;
		return 0;
	}
	/* Inside the input's savepoint only: writing the input's sums here is correct. */
	return move_sums(st, &st->w->input_sums, &st->w->report_sums, e);
}

int
rollup_input_end(struct store *st, struct errbuf *e)
{
	/* The input's savepoint is released: no rollback can undo these writes. */
	if (write_sums(st, &st->w->input_sums, e) == -1)
		return -1;
	sums_names_clear(&st->w->names);
	return 0;
}

void
rollup_input_abort(struct store *st)
{
	sums_clear(&st->w->report_sums);
	sums_clear(&st->w->input_sums);
	sums_names_clear(&st->w->names);
}

void
rollup_free(struct store *st)
{
	rollup_input_abort(st);
	sums_release(&st->w->report_sums);
	sums_release(&st->w->input_sums);
	sums_names_release(&st->w->names);
}
