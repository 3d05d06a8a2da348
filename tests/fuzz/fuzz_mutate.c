/*
 * libFuzzer target: structured mutations of valid aggregate reports. The
 * input is a compact description (below) that mutation_docs.c renders into
 * a report of any dialect, optionally gzipped or mailed with a gzip or zip
 * attachment; a custom mutator edits the description, so that every
 * iteration is a plausible report with a few fields made hostile (a value
 * of the hostile table, or the fuzzer's bytes), not noise that the XML
 * parser refuses at its first byte.
 *
 * The report goes through extract_input into a sink that checks what a
 * store relies on, then hands it to the real store (a SQLite file under
 * /dev/shm, committed every iteration, recreated every RESET_EVERY):
 * begin <= end, the period plausible (bounds.h), every record's count and
 * the report's total within the plausibility bounds, the total equal to
 * the sum of the records handed over, every string valid UTF-8, the source
 * address canonical or empty, and the store never failing (-1) on content.
 * A broken invariant aborts.
 *
 * Description: byte 0: bits 0-1 dialect (3: RFC 9990), bits 2-3 wrapper
 * (XML, gzip, mail with gzip, mail with zip), bit 4 dates swapped, bit 5
 * record fields in every record (else in the first); byte 1: records - 1
 * (low 4 bits); byte 2: the first record's count; byte 3: days before now
 * the period ends (and bit 7: a 3-day period). Then entries, each a field
 * byte and a value byte: a value below 0xc0 picks a hostile value, others
 * are followed by a length byte and that many bytes of the fuzzer's own.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "extract.h"
#include "fuzz_sinks.h"
#include "mutation_docs.h"
#include "store.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define MAX_ENTRIES 16
#define HUGE_LEN (96 * 1024) /* past BOUND_XML_TEXT, small enough to stay fast */
#define RESET_EVERY 2000
#define OWN_VALUE 0xc0

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

struct entry {
	uint8_t field, value;
	uint8_t len; /* of own, when value >= OWN_VALUE */
	uint8_t own[255];
};

struct desc {
	uint8_t head[4];
	struct entry e[MAX_ENTRIES];
	size_t n;
};

static char huge[HUGE_LEN];
static char db_path[64];
static struct store *st;
static unsigned long iterations;

/* ---- the description ---- */

static void
parse(const uint8_t *p, size_t n, struct desc *d)
{
	size_t i = 0, k;

	memset(d, 0, sizeof *d);
	for (k = 0; k < 4 && i < n; k++)
		d->head[k] = p[i++];
	while (i + 1 < n && d->n < MAX_ENTRIES) {
		struct entry *e = &d->e[d->n++];

		e->field = p[i++];
		e->value = p[i++];
		if (e->value < OWN_VALUE)
			continue;
		e->len = i < n ? p[i++] : 0;
		if (e->len > n - i)
			e->len = (uint8_t)(n - i);
		memcpy(e->own, p + i, e->len);
		i += e->len;
	}
}

static size_t
serialize(const struct desc *d, uint8_t *p, size_t max)
{
	size_t i = 0, k, need;

	if (max < 4)
		return 0;
	memcpy(p, d->head, 4);
	i = 4;
	for (k = 0; k < d->n; k++) {
		const struct entry *e = &d->e[k];

		need = 2 + (e->value >= OWN_VALUE ? 1u + e->len : 0u);
		if (need > max - i)
			break;
		p[i++] = e->field;
		p[i++] = e->value;
		if (e->value >= OWN_VALUE) {
			p[i++] = e->len;
			memcpy(p + i, e->own, e->len);
			i += e->len;
		}
	}
	return i;
}

/* ---- rendering ---- */

/* Renders d as a report named id; name gets the file or attachment name. */
static void
render(const struct desc *d, const char *id, int64_t now, struct mbuf *out, char *name,
    size_t name_size)
{
	struct mut_bytes big = { huge, sizeof huge, true };
	struct mbuf xml = { 0 }, packed = { 0 };
	struct mut_agg a;
	int64_t day = now / 86400 - (d->head[3] & 0x7f);
	unsigned wrapper = (d->head[0] >> 2) & 3;
	size_t k;

	memset(&a, 0, sizeof a);
	a.dialect = (d->head[0] & 3) == 0 ? MUT_DRAFT :
	    (d->head[0] & 3) == 1         ? MUT_RFC7489 :
	                                    MUT_RFC9990;
	a.report_id = id;
	a.end = day * 86400 + 86399;
	a.begin = (d->head[3] & 0x80) ? a.end - 3 * 86400 + 1 : day * 86400;
	a.swap_dates = (d->head[0] & 0x10) != 0;
	a.record = (d->head[0] & 0x20) ? MUT_ALL_RECORDS : 0;
	a.n_records = 1 + (d->head[1] & 15);
	a.count_base = d->head[2];
	for (k = 0; k < d->n; k++) {
		const struct entry *e = &d->e[k];
		enum mut_agg_field f = (enum mut_agg_field)(e->field % MUT_N_AGG_FIELDS);

		if (e->value < OWN_VALUE)
			a.value[f] = mut_hostile(e->value % mut_hostile_count(), false, big);
		else
			a.value[f] = (struct mut_bytes){ (const char *)e->own, e->len, true };
	}
	snprintf(name, name_size, "reporter.example!example.com!%lld!%lld!%s.xml",
	    (long long)a.begin, (long long)a.end, id);
	if (wrapper == 0) {
		mut_render_agg(&a, out);
		return;
	}
	mut_render_agg(&a, &xml);
	if (wrapper == 3) {
		mut_zip(name, xml.p, xml.len, &packed);
		snprintf(name + strlen(name) - 4, 5, ".zip");
		mut_mail(id, name, "application/zip", packed.p, packed.len, out);
	} else {
		mut_gzip(xml.p, xml.len, wrapper == 1 ? out : &packed);
		snprintf(name + strlen(name), 4, ".gz");
		if (wrapper == 2)
			mut_mail(id, name, "application/gzip", packed.p, packed.len, out);
	}
	mbuf_free(&xml);
	mbuf_free(&packed);
}

/* ---- the checking sink, in front of the store's ---- */

struct tee {
	const struct report_sink *next;
	struct fuzz_state state;
	struct report_sink check;
	int begun; /* 0: records come, 1: the store skips them */
	uint64_t records, messages;
	int64_t now;
};

static void
check_utf8(const char *s)
{
	if (s != NULL)
		CHECK(g_utf8_validate(s, -1, NULL));
}

/* source_ip is empty, or the canonical text of an address of ip_family. */
static void
check_ip(const struct agg_record *rec)
{
	unsigned char addr[16];
	char text[INET6_ADDRSTRLEN];
	int af = rec->ip_family == 4 ? AF_INET : AF_INET6;

	CHECK(memchr(rec->source_ip, '\0', sizeof rec->source_ip) != NULL);
	if (rec->source_ip[0] == '\0') {
		CHECK(rec->ip_family == 0);
		return;
	}
	CHECK(rec->ip_family == 4 || rec->ip_family == 6);
	CHECK(inet_pton(af, rec->source_ip, addr) == 1);
	CHECK(inet_ntop(af, addr, text, sizeof text) != NULL);
	CHECK(strcmp(text, rec->source_ip) == 0);
}

static void
check_header(const struct tee *t, const struct agg_report *r)
{
	CHECK(r->begin_ts <= r->end_ts);
	CHECK(r->begin_ts >= PLAUSIBLE_FIRST_TS);
	CHECK(r->end_ts <= t->now + PLAUSIBLE_FUTURE_SECONDS);
	CHECK(r->end_ts / 86400 - r->begin_ts / 86400 + 1 <= PLAUSIBLE_SPAN_DAYS);
	check_utf8(r->org_name);
	check_utf8(r->org_key);
	check_utf8(r->org_email);
	check_utf8(r->extra_contact);
	check_utf8(r->generator);
	check_utf8(r->report_id);
	check_utf8(r->errors);
	check_utf8(r->policy_domain);
	check_utf8(r->fo);
	check_utf8(r->discovery_method);
	check_utf8(r->xml_namespace);
	check_utf8(r->xml_version);
}

static int
tee_begin(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct tee *t = ctx;
	int rc;

	check_header(t, r);
	CHECK(t->check.begin(t->check.ctx, r, e) == 0);
	rc = t->next->begin(t->next->ctx, r, e);
	CHECK(rc == 0 || rc == 1); /* -1: the store failed on content */
	t->begun = rc;
	t->records = t->messages = 0;
	return rc;
}

static int
tee_record(void *ctx, const struct agg_report *r, const struct agg_record *rec, struct errbuf *e)
{
	struct tee *t = ctx;
	size_t i;

	CHECK(t->begun == 0);
	CHECK(t->check.record(t->check.ctx, r, rec, e) == 0);
	CHECK(rec->count >= 0 && rec->count <= PLAUSIBLE_RECORD_COUNT);
	check_ip(rec);
	check_utf8(rec->source_ip_raw);
	check_utf8(rec->disposition_raw);
	check_utf8(rec->header_from);
	check_utf8(rec->envelope_from);
	check_utf8(rec->envelope_to);
	for (i = 0; i < rec->n_dkim; i++) {
		check_utf8(rec->dkim[i].domain);
		check_utf8(rec->dkim[i].selector);
		check_utf8(rec->dkim[i].human_result);
		check_utf8(rec->dkim[i].result_raw);
	}
	for (i = 0; i < rec->n_spf; i++) {
		check_utf8(rec->spf[i].domain);
		check_utf8(rec->spf[i].human_result);
		check_utf8(rec->spf[i].result_raw);
	}
	for (i = 0; i < rec->n_reasons; i++) {
		check_utf8(rec->reasons[i].type_raw);
		check_utf8(rec->reasons[i].comment);
	}
	t->records++;
	t->messages += (uint64_t)rec->count;
	CHECK(t->messages <= (uint64_t)PLAUSIBLE_REPORT_MESSAGES);
	CHECK(t->next->record(t->next->ctx, r, rec, e) == 0);
	return 0;
}

static int
tee_end(void *ctx, const struct agg_report *r, struct errbuf *e)
{
	struct tee *t = ctx;

	check_header(t, r);
	CHECK(t->check.end(t->check.ctx, r, e) == 0);
	CHECK(r->totals.messages <= (uint64_t)PLAUSIBLE_REPORT_MESSAGES);
	CHECK(r->totals.dmarc_pass <= r->totals.messages);
	if (t->begun == 0) {
		CHECK(r->totals.records == t->records);
		CHECK(r->totals.messages == t->messages);
	}
	CHECK(t->next->end(t->next->ctx, r, e) == 0);
	return 0;
}

static void
tee_abort(void *ctx)
{
	struct tee *t = ctx;

	t->check.abort(t->check.ctx);
	t->next->abort(t->next->ctx);
}

/* ---- the store ---- */

/* Closes the store and removes its files. */
static void
store_remove(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[sizeof db_path + 8];
	size_t i;

	store_close(st);
	st = NULL;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
		unlink(path);
	}
}

static void
store_reset(void)
{
	struct errbuf e;

	store_remove();
	CHECK(store_open(db_path, STORE_READWRITE, &st, &e) == 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	extract_init();
	/*
	 * Before the store configures SQLite (its call then has no effect): a
	 * statement journal kept in memory up to 8 MiB costs an 8 MiB
	 * allocation per input, which under ASan is a quarter of a second's
	 * page faults every few iterations. Past 64 KiB it spills to a file:
	 * the same data, four times the executions.
	 */
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 64 * 1024);
	sqlite3_initialize();
	memset(huge, 'x', sizeof huge);
	/* tmpfs when there is one: a commit per iteration must not wait for a disk */
	snprintf(db_path, sizeof db_path, "%s/fuzz_mutate-%ld.db",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	store_reset();
	atexit(store_remove); /* libFuzzer exits through exit() when it is done */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf doc = { 0 };
	struct desc d;
	struct tee t = { 0 };
	struct report_sink store_sink, tee_sink = { &t, tee_begin, tee_record, tee_end, tee_abort };
	struct fuzz_state fs = { 0 };
	struct failure_sink failures = fuzz_failure_sink(&fs);
	struct store_counts counts = { 0 };
	struct input_outcome o = { 0 };
	struct input_meta meta = { 0 };
	struct extract_result res;
	struct errbuf e;
	struct bounds b;
	uint8_t key[32] = { 0 };
	int64_t input_id;
	char name[256], id[32];

	if (++iterations % RESET_EVERY == 0)
		store_reset();
	t.now = (int64_t)time(NULL);
	parse(data, size, &d);
	/* a report id of its own: the store's records path, not its duplicate path */
	snprintf(id, sizeof id, "fuzz-%lu", iterations);
	render(&d, id, t.now, &doc, name, sizeof name);
	bounds_default(&b);
	b.max_document = 64u << 20;
	b.max_message_out = 128u << 20;

	/* an input row keyed by the iteration: the same bytes again are stored again */
	memcpy(key, &iterations, sizeof iterations);
	meta.raw_sha256 = key;
	meta.raw_size = doc.len;
	meta.source = "file";
	meta.location = name;
	CHECK(store_batch_begin(st, &e) == 0);
	CHECK(store_input_begin(st, &meta, &input_id, &e) == 0);
	store_report_sink(st, input_id, &counts, &store_sink);
	t.next = &store_sink;
	t.check = fuzz_report_sink(&t.state);
	if (extract_input(doc.p, doc.len, name, &b, &tee_sink, &failures, &res, &e) == -1)
		abort(); /* a sink failed: the store, on content */
	fuzz_sinks_done(&t.state);
	o.status = res.documents == 0 ? STORE_INPUT_REFUSED :
	    res.refused > 0           ? STORE_INPUT_PARTIAL :
	                                STORE_INPUT_STORED;
	o.kind = extract_kind_name(res.kind);
	o.refusal_code = refusal_code(res.why);
	o.reason = res.reason.msg;
	o.reports_stored = counts.reports_stored;
	o.reports_duplicate = counts.reports_duplicate + counts.reports_conflict;
	o.records = counts.records;
	CHECK(res.documents <= 1);
	/* a refusal has a code */
	CHECK(res.refused == 0 || res.why != REFUSE_NONE);
	CHECK(store_input_end(st, input_id, &o, doc.p, doc.len, &e) == 0);
	CHECK(store_batch_commit(st, &e) == 0);
	mbuf_free(&doc);
	return 0;
}

/* ---- the custom mutator ---- */

static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct desc d;
	struct entry *e;
	uint32_t r = seed | 1;
	size_t k;

	parse(data, size, &d);
	switch (next_rand(&r) % 7) {
	case 0: /* the dialect, wrapper, records, counts or period */
		d.head[next_rand(&r) % 4] = (uint8_t)next_rand(&r);
		break;
	case 1: /* one more hostile field */
	case 2:
		if (d.n < MAX_ENTRIES) {
			e = &d.e[d.n++];
			memset(e, 0, sizeof *e);
			e->field = (uint8_t)(next_rand(&r) % MUT_N_AGG_FIELDS);
			e->value = (uint8_t)(next_rand(&r) % mut_hostile_count());
		}
		break;
	case 3: /* one field fewer */
		if (d.n > 0) {
			k = next_rand(&r) % d.n;
			memmove(&d.e[k], &d.e[k + 1], (d.n - k - 1) * sizeof d.e[0]);
			d.n--;
		}
		break;
	case 4: /* another field */
		if (d.n > 0)
			d.e[next_rand(&r) % d.n].field =
			    (uint8_t)(next_rand(&r) % MUT_N_AGG_FIELDS);
		break;
	case 5: /* another hostile value */
		if (d.n > 0)
			d.e[next_rand(&r) % d.n].value =
			    (uint8_t)(next_rand(&r) % mut_hostile_count());
		break;
	default: /* the fuzzer's own bytes for a field, mutated */
		if (d.n == 0)
			return LLVMFuzzerMutate(data, size, max_size);
		e = &d.e[next_rand(&r) % d.n];
		if (e->value < OWN_VALUE) {
			/* start from the hostile value's text, bytes of our own from now on */
			struct mut_bytes h = mut_hostile(e->value % mut_hostile_count(), false,
			    (struct mut_bytes){ "x", 1, true });

			e->value = OWN_VALUE;
			e->len = (uint8_t)(h.len < sizeof e->own ? h.len : sizeof e->own);
			memcpy(e->own, h.p, e->len);
		}
		e->len = (uint8_t)LLVMFuzzerMutate(e->own, e->len, sizeof e->own);
		break;
	}
	return serialize(&d, data, max_size);
}
