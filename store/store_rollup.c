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

#include <stdlib.h>
#include <string.h>

#include "num.h"

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* ---- writing sums ---- */

static int
bind_sums(sqlite3_stmt *s, int first, const uint64_t *sums)
{
	int rc = SQLITE_OK, i;

	for (i = 0; i < RS_COUNT; i++)
		rc |= store_bind_count(s, first + i, sums[i]);
	return rc;
}

static int
put_rollup(struct store *st, const struct roll_entry *x, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_ROLLUP_UPSERT];
	const struct roll_names *nm = &st->w->names;

	if ((store_bind_text(s, 1, nm->s[x->dom]) |
	        sqlite3_bind_blob(s, 2, x->ip, x->iplen, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 3, x->day) | store_bind_text(s, 4, nm->s[x->org]) |
	        store_bind_text(s, 5, x->hf != ROLL_NO_NAME ? nm->s[x->hf] : "") |
	        bind_sums(s, 6, x->sums) | sqlite3_bind_int64(s, 16, x->seen[0]) |
	        sqlite3_bind_int64(s, 17, x->seen[1])) != SQLITE_OK)
		return store_fail(st, "updating the rollup", e);
	return store_run(st, s, "updating the rollup", e);
}

/*
 * A network not in source enters when its rollup rows (this input's were
 * written just before) add up to ROLL_HEAVY messages: their all-time sums.
 */
static int
enter_source(struct store *st, const struct roll_entry *x, struct errbuf *e)
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
	if (messages < ROLL_HEAVY)
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
put_source(struct store *st, const struct roll_entry *x, struct errbuf *e)
{
	sqlite3_stmt *s = st->w->stmt[SQ_SOURCE_ADD];

	if ((store_bind_text(s, 1, st->w->names.s[x->dom]) |
	        sqlite3_bind_blob(s, 2, x->ip, x->iplen, SQLITE_STATIC) |
	        store_bind_count(s, 3, x->sums[RS_MESSAGES]) |
	        store_bind_count(s, 4, x->sums[RS_MESSAGES] - x->sums[RS_DMARC_PASS]) |
	        sqlite3_bind_int64(s, 5, x->seen[0]) | sqlite3_bind_int64(s, 6, x->seen[1])) !=
	    SQLITE_OK)
		return store_fail(st, "updating the sources", e);
	if (store_run(st, s, "updating the sources", e) == -1)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 0 : enter_source(st, x, e);
}

/* Writes every sum of ro to rollup and source, in key order, and empties ro. */
static int
write_sums(struct store *st, struct roll *ro, struct errbuf *e)
{
	size_t i;

	roll_sort(ro);
	for (i = 0; i < ro->used; i++) {
		const struct roll_entry *x = &ro->slots[ro->order[i]];

		if (!x->prefix && put_rollup(st, x, e) == -1)
			return -1;
	}
	for (i = 0; i < ro->used; i++) {
		const struct roll_entry *x = &ro->slots[ro->order[i]];

		if (x->prefix && put_source(st, x, e) == -1)
			return -1;
	}
	roll_clear(ro);
	return 0;
}

/*
 * Adds every sum of src to dst and empties src; when dst is full, writes
 * dst first (the caller is where writing it is correct).
 */
static int
move_sums(struct store *st, struct roll *dst, struct roll *src, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < src->used; i++) {
		const struct roll_entry *x = &src->slots[src->order[i]];

		if (roll_merge_one(dst, x) != NULL)
			continue;
		if (write_sums(st, dst, e) == -1)
			return -1;
		if (roll_merge_one(dst, x) == NULL) {
			errbuf_set(e, "store: out of memory");
			return -1;
		}
	}
	roll_clear(src);
	return 0;
}

/* ---- the sink's side ---- */

int
roll_report_begin(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	int64_t dom, org;

	st->w->roll_report.max = ROLL_REPORT_MAX;
	st->w->roll_input.max = ROLL_INPUT_MAX;
	roll_clear(&st->w->roll_report);
	if ((dom = roll_name(&st->w->names, r->policy_domain)) == -1 ||
	    (org = roll_name(&st->w->names, r->org_key)) == -1) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	k->dom = (uint32_t)dom;
	k->org = (uint32_t)org;
	k->sketch[0].n = k->sketch[1].n = 0;
	memset(k->sketch[0].regs, 0, sizeof k->sketch[0].regs);
	memset(k->sketch[1].regs, 0, sizeof k->sketch[1].regs);
	memset(k->day_used, 0, k->ndays * sizeof k->day_used[0]);
	memset(k->day_sums, 0, k->ndays * sizeof k->day_sums[0]);
	return 0;
}

/* The sums one record adds: c messages of rec. */
static void
record_sums(const struct agg_record *rec, uint64_t c, uint64_t sums[RS_COUNT])
{
	bool pass = agg_record_dmarc_pass(rec);

	memset(sums, 0, RS_COUNT * sizeof sums[0]);
	sums[RS_MESSAGES] = c;
	sums[RS_DMARC_PASS] = pass ? c : 0;
	sums[RS_DKIM_ALIGNED] = rec->pe_dkim == DMARC_PASS ? c : 0;
	sums[RS_SPF_ALIGNED] = rec->pe_spf == DMARC_PASS ? c : 0;
	switch (rec->disposition) {
	case DISP_NONE:
	case DISP_PASS:
		sums[RS_NONE] = c;
		sums[RS_FAIL_NONE] = pass ? 0 : c;
		break;
	case DISP_QUARANTINE:
		sums[RS_QUARANTINE] = c;
		sums[RS_FAIL_QUARANTINE] = pass ? 0 : c;
		break;
	case DISP_REJECT:
		sums[RS_REJECT] = c;
		sums[RS_FAIL_REJECT] = pass ? 0 : c;
		break;
	case DISP_UNKNOWN:
		break;
	}
}

/* Adds sums under key in the report's sums, writing them first when full. */
static struct roll_entry *
add_entry(struct store *st, const struct roll_entry *key, const uint64_t *sums, size_t nsums,
    struct errbuf *e)
{
	struct roll_entry *x;
	size_t i;

	if ((x = roll_entry(&st->w->roll_report, key)) == NULL) {
		if (write_sums(st, &st->w->roll_report, e) == -1)
			return NULL;
		if ((x = roll_entry(&st->w->roll_report, key)) == NULL) {
			errbuf_set(e, "store: out of memory");
			return NULL;
		}
	}
	for (i = 0; i < nsums; i++)
		x->sums[i] = num_add_sat(x->sums[i], sums[i]);
	if (key->seen[0] < x->seen[0])
		x->seen[0] = key->seen[0];
	if (key->seen[1] > x->seen[1])
		x->seen[1] = key->seen[1];
	return x;
}

int
roll_add(struct store *st, const struct agg_report *r, const struct agg_record *rec,
    const uint8_t ip[16], size_t iplen, int64_t day, int64_t count, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	struct roll_entry key;
	uint64_t sums[RS_COUNT];
	size_t d = (size_t)(day - k->day_first), i;
	bool pass = agg_record_dmarc_pass(rec), v4 = memcmp(ip, v4_mapped, sizeof v4_mapped) == 0;
	int64_t hf = ROLL_NO_NAME;
	struct roll_entry *x;

	(void)r;
	if (rec->header_from != NULL && rec->header_from[0] != '\0' &&
	    (hf = roll_name(&st->w->names, rec->header_from)) == -1) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	record_sums(rec, count > 0 ? (uint64_t)count : 0, sums);
	k->day_used[d] = true;
	for (i = 0; i < RS_COUNT; i++)
		k->day_sums[d][i] = num_add_sat(k->day_sums[d][i], sums[i]);
	memset(&key, 0, sizeof key);
	memcpy(key.ip, ip, iplen);
	key.iplen = (uint8_t)iplen;
	key.dom = k->dom;
	key.org = k->org;
	key.hf = (uint32_t)hf;
	key.day = day;
	key.seen[0] = k->begin_ts > day * 86400 ? k->begin_ts : day * 86400;
	key.seen[1] = k->end_ts < day * 86400 + 86399 ? k->end_ts : day * 86400 + 86399;
	if ((x = add_entry(st, &key, sums, RS_COUNT, e)) == NULL)
		return -1;
	if (pass ? !x->seen_pass : !x->seen_fail) {
		store_hll_add(&k->sketch[pass], store_hll_hash(ip, iplen));
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
	return add_entry(st, &key, sums, RS_DMARC_PASS + 1, e) != NULL ? 0 : -1;
}

int
roll_report_end(struct store *st, const struct agg_report *r, struct errbuf *e)
{
	struct sink_state *k = &st->w->sink;
	sqlite3_stmt *s = st->w->stmt[SQ_ROLLUP_DAY_UPSERT];
	uint8_t pass[HLL_REGISTERS], fail[HLL_REGISTERS];
	size_t npass, nfail, d;
	int64_t day;

	nfail = store_hll_blob(&k->sketch[0], fail);
	npass = store_hll_blob(&k->sketch[1], pass);
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
roll_report_kept(struct store *st, struct errbuf *e)
{
	struct roll t;

	/* The input's first report (most inputs have one): its sums become the input's. */
	if (st->w->roll_input.used == 0) {
		t = st->w->roll_input;
		st->w->roll_input = st->w->roll_report;
		st->w->roll_report = t;
		st->w->roll_input.max = ROLL_INPUT_MAX;
		st->w->roll_report.max = ROLL_REPORT_MAX;
		return 0;
	}
	/* Inside the input's savepoint only: writing the input's sums here is correct. */
	return move_sums(st, &st->w->roll_input, &st->w->roll_report, e);
}

int
roll_input_end(struct store *st, struct errbuf *e)
{
	/* The input's savepoint is released: no rollback can undo these writes. */
	if (write_sums(st, &st->w->roll_input, e) == -1)
		return -1;
	roll_names_clear(&st->w->names);
	return 0;
}

void
roll_input_abort(struct store *st)
{
	roll_clear(&st->w->roll_report);
	roll_clear(&st->w->roll_input);
	roll_names_clear(&st->w->names);
}

void
roll_free(struct store *st)
{
	roll_input_abort(st);
	roll_release(&st->w->roll_report);
	roll_release(&st->w->roll_input);
	free(st->w->names.s);
	free(st->w->names.slots);
}
