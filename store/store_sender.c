/* store: what is known of each source address (store_sender.h). */
#include "store_sender.h"

#include <stdio.h>
#include <string.h>

#include "store_class.h"
#include "store_int.h"
#include "store_sums.h"

/* The statements are laid out by hand, a clause per line. */
/* clang-format off */
#define SENDER_COLS \
	"ip, coalesce(ptr, ''), coalesce(dns_status, ''), coalesce(dns_checked, 0)," \
	" coalesce(dns_expires, 0), coalesce(asn, 0), coalesce(as_org, ''), coalesce(country, '')," \
	" coalesce(geo_built, 0), coalesce(service, ''), coalesce(evidence, '')," \
	" coalesce(evidence_value, ''), coalesce(match_hash, 0)"
#define DUE_WHERE \
	" WHERE (?2 OR (?7 AND (dns_expires IS NULL OR dns_expires <= ?3))" \
	" OR geo_built IS NOT ?4 OR match_hash IS NOT ?5)"

/*
 * A record's passing domains, then what the rollup by class needs: its
 * figures, its report's domain, reporter and days, and the class of its
 * address when that address is named and its network folded for the domain
 * (store_class.h), else NULL.
 */
static const char sql_scan[] =
	"SELECT a.id, a.ip,"
	" CASE WHEN a.dkim_result = 'pass' THEN a.dkim_domain END,"
	" CASE WHEN a.spf_result = 'pass' AND coalesce(a.spf_scope, 'mfrom') = 'mfrom'"
	"  THEN a.spf_domain END,"
	" a.n_dkim, a.n_spf,"
	" a.count, a.dmarc_pass, a.pe_dkim, a.pe_spf, a.disposition,"
	" r.policy_domain, r.org_key, r.day_first, r.day_last,"
	" (SELECT s.class FROM sender s WHERE s.ip = a.ip AND s.class <> 0"
	"  AND EXISTS (SELECT 1 FROM source so WHERE so.policy_domain = r.policy_domain"
	"   AND so.ip = s.net AND so.classed = 1))"
	" FROM record a JOIN report r ON r.id = a.report_id"
	" WHERE a.id > ?1 ORDER BY a.id LIMIT ?2";
static const char sql_scan_days[] = "SELECT day, count FROM record_day WHERE record_id = ?1";
static const char sql_scan_dkim[] =
	"SELECT domain FROM record_dkim_more WHERE record_id = ?1 AND result = 'pass'";
static const char sql_scan_spf[] =
	"SELECT domain FROM record_spf_more WHERE record_id = ?1 AND result = 'pass'"
	" AND coalesce(scope, 'mfrom') = 'mfrom'";
static const char sql_domain_put[] =
	"INSERT OR IGNORE INTO sender_domain (ip, kind, domain)"
	" SELECT ?1, ?2, lower(?3)"
	" WHERE (SELECT count(*) FROM sender_domain WHERE ip = ?1 AND kind = ?2) < ?4";
static const char sql_discover[] =
	"INSERT OR IGNORE INTO sender (ip, net)"
	" SELECT DISTINCT r.ip, n.ip FROM source n"
	" JOIN rollup r ON r.policy_domain = n.policy_domain"
	"  AND r.ip BETWEEN n.ip AND dmarcd_net_end(n.ip)"
	" WHERE length(n.ip) = 16"
	"  AND NOT EXISTS (SELECT 1 FROM sender s WHERE s.ip = r.ip)";
static const char sql_due[] =
	"SELECT " SENDER_COLS " FROM sender"
	DUE_WHERE
	" AND ip > ?1 ORDER BY ip LIMIT ?6";
static const char sql_due_count[] =
	"SELECT count(*) FROM sender"
	DUE_WHERE;
static const char sql_put[] =
	"UPDATE sender SET ptr = nullif(?2, ''), dns_status = nullif(?3, ''),"
	" dns_checked = nullif(?4, 0), dns_expires = nullif(?5, 0), asn = nullif(?6, 0),"
	" as_org = nullif(?7, ''), country = nullif(?8, ''), geo_built = ?9,"
	" service = nullif(?10, ''), evidence = nullif(?11, ''),"
	" evidence_value = nullif(?12, ''), match_hash = ?13, class = ?14"
	" WHERE ip = ?1";
/* Records read per step of the catch-up inside store_sender_put (usually a few). */
#define SCAN_CATCH_UP 20000
/* clang-format on */

/* ---- reading the new records ---- */

struct scan {
	struct store *st;
	sqlite3_stmt *rows, *state; /* sql_scan; the enricher's place */
	sqlite3_stmt *more[2];      /* record_dkim_more, record_spf_more */
	sqlite3_stmt *put, *days;   /* sender_domain; record_day */
	struct class_ctx *cls;
};

static int
note_domain(struct scan *sc, const void *ip, const char *kind, const char *domain, struct errbuf *e)
{
	sqlite3_stmt *s = sc->put;

	if (domain == NULL || domain[0] == '\0' || strlen(domain) >= SENDER_DOMAIN_LEN)
		return 0;
	if ((sqlite3_bind_blob(s, 1, ip, 16, SQLITE_TRANSIENT) | store_bind_text(s, 2, kind) |
	        store_bind_text(s, 3, domain) | sqlite3_bind_int(s, 4, SENDER_DOMAINS_MAX)) !=
	    SQLITE_OK)
		return store_fail(sc->st, "noting a sender's domain", e);
	return store_run(sc->st, s, "noting a sender's domain", e);
}

/* The passing results past a record's first, of one kind (0 DKIM, 1 SPF). */
static int
note_more(struct scan *sc, int kind, int64_t record, const void *ip, struct errbuf *e)
{
	sqlite3_stmt *s = sc->more[kind];
	int rc;

	if (sqlite3_bind_int64(s, 1, record) != SQLITE_OK)
		return store_fail(sc->st, "reading a record's results", e);
	while ((rc = store_step(sc->st, s, "reading a record's results", e)) == SQLITE_ROW)
		if (note_domain(sc, ip, kind == 0 ? "dkim" : "spf",
		        (const char *)sqlite3_column_text(s, 0), e) == -1) {
			sqlite3_reset(s);
			return -1;
		}
	sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

static enum disposition
disposition_of(const char *d)
{
	if (d == NULL)
		return DISP_UNKNOWN;
	return strcmp(d, "none") == 0    ? DISP_NONE :
	    strcmp(d, "pass") == 0       ? DISP_PASS :
	    strcmp(d, "quarantine") == 0 ? DISP_QUARANTINE :
	    strcmp(d, "reject") == 0     ? DISP_REJECT :
	                                   DISP_UNKNOWN;
}

/*
 * Adds the current record of s (a named address's) to the rollup by class,
 * on the days the rollup has it: its report's day, or its record_day parts.
 */
static int
add_to_class(struct scan *sc, sqlite3_stmt *s, struct errbuf *e)
{
	const char *dom = (const char *)sqlite3_column_text(s, 11);
	const char *org = (const char *)sqlite3_column_text(s, 12);
	int64_t id = sqlite3_column_int64(s, 0), first = sqlite3_column_int64(s, 13);
	int64_t cls = sqlite3_column_int64(s, 15), count;
	bool pass = sqlite3_column_int(s, 7) != 0;
	bool dkim = sqlite3_column_text(s, 8) != NULL &&
	    strcmp((const char *)sqlite3_column_text(s, 8), "pass") == 0;
	bool spf = sqlite3_column_text(s, 9) != NULL &&
	    strcmp((const char *)sqlite3_column_text(s, 9), "pass") == 0;
	enum disposition disp = disposition_of((const char *)sqlite3_column_text(s, 10));
	uint64_t sums[SUMS_COLS];
	int rc;

	if (first == sqlite3_column_int64(s, 14)) {
		count = sqlite3_column_int64(s, 6);
		sums_of_record(count > 0 ? (uint64_t)count : 0, pass, dkim, spf, disp, sums);
		return class_add(sc->cls, first, dom, org, cls, sums, e);
	}
	if (sqlite3_bind_int64(sc->days, 1, id) != SQLITE_OK)
		return store_fail(sc->st, "reading a record's days", e);
	while ((rc = store_step(sc->st, sc->days, "reading a record's days", e)) == SQLITE_ROW) {
		count = sqlite3_column_int64(sc->days, 1);
		sums_of_record(count > 0 ? (uint64_t)count : 0, pass, dkim, spf, disp, sums);
		if (class_add(sc->cls, sqlite3_column_int64(sc->days, 0), dom, org, cls, sums, e) ==
		    -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_reset(sc->days);
	return rc == -1 ? -1 : 0;
}

static int
scan_rows(struct scan *sc, sqlite3_stmt *s, int64_t *last, size_t *read, struct errbuf *e)
{
	int rc;

	while ((rc = store_step(sc->st, s, "reading new records", e)) == SQLITE_ROW) {
		const void *ip = sqlite3_column_blob(s, 1);
		int64_t id = sqlite3_column_int64(s, 0);

		*last = id;
		(*read)++;
		if (ip == NULL || sqlite3_column_bytes(s, 1) != 16)
			continue;
		if (note_domain(sc, ip, "dkim", (const char *)sqlite3_column_text(s, 2), e) == -1 ||
		    note_domain(sc, ip, "spf", (const char *)sqlite3_column_text(s, 3), e) == -1 ||
		    (sqlite3_column_int64(s, 4) > 1 && note_more(sc, 0, id, ip, e) == -1) ||
		    (sqlite3_column_int64(s, 5) > 1 && note_more(sc, 1, id, ip, e) == -1) ||
		    (sqlite3_column_type(s, 15) != SQLITE_NULL && add_to_class(sc, s, e) == -1)) {
			sqlite3_reset(s);
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

static void
scan_close(struct scan *sc)
{
	sqlite3_finalize(sc->rows);
	sqlite3_finalize(sc->state);
	sqlite3_finalize(sc->more[0]);
	sqlite3_finalize(sc->more[1]);
	sqlite3_finalize(sc->put);
	sqlite3_finalize(sc->days);
	class_close(sc->cls);
}

static int
scan_open(struct store *st, struct scan *sc, struct errbuf *e)
{
	*sc = (struct scan){ .st = st };
	if (store_prepare(st, sql_scan, &sc->rows, e) == -1 ||
	    store_prepare(st, "SELECT record_after FROM enrich_state WHERE id = 1", &sc->state,
	        e) == -1 ||
	    store_prepare(st, sql_scan_dkim, &sc->more[0], e) == -1 ||
	    store_prepare(st, sql_scan_spf, &sc->more[1], e) == -1 ||
	    store_prepare(st, sql_domain_put, &sc->put, e) == -1 ||
	    store_prepare(st, sql_scan_days, &sc->days, e) == -1 ||
	    class_open(st, &sc->cls, e) == -1) {
		scan_close(sc);
		return -1;
	}
	return 0;
}

/* Reads at most max records after the enricher's place, inside the caller's transaction. */
static int
scan_chunk(struct scan *sc, size_t max, size_t *read, bool *more, struct errbuf *e)
{
	sqlite3_stmt *move = NULL;
	int64_t after, last;

	*read = 0;
	*more = false;
	if (store_step(sc->st, sc->state, "reading the enricher's place", e) != SQLITE_ROW) {
		sqlite3_reset(sc->state);
		return -1;
	}
	after = last = sqlite3_column_int64(sc->state, 0);
	sqlite3_reset(sc->state);
	if ((sqlite3_bind_int64(sc->rows, 1, after) |
	        sqlite3_bind_int64(sc->rows, 2, (int64_t)max)) != SQLITE_OK)
		return store_fail(sc->st, "reading new records", e);
	if (scan_rows(sc, sc->rows, &last, read, e) == -1)
		return -1;
	if (store_prepare(sc->st, "UPDATE enrich_state SET record_after = ?1 WHERE id = 1", &move,
	        e) == -1 ||
	    sqlite3_bind_int64(move, 1, last) != SQLITE_OK ||
	    store_run(sc->st, move, "moving the enricher's place", e) == -1) {
		sqlite3_finalize(move);
		return -1;
	}
	sqlite3_finalize(move);
	*more = *read == max;
	return 0;
}

int
store_sender_scan(struct store *st, size_t max, size_t *read, bool *more, struct errbuf *e)
{
	struct scan sc;
	int rc;

	*read = 0;
	*more = false;
	if (store_batch_begin(st, e) == -1)
		return -1;
	if (scan_open(st, &sc, e) == -1) {
		store_batch_rollback(st);
		return -1;
	}
	rc = scan_chunk(&sc, max, read, more, e);
	scan_close(&sc);
	if (rc == 0)
		return store_batch_commit(st, e);
	store_batch_rollback(st);
	return -1;
}

/* ---- the addresses to name ---- */

int
store_sender_discover(struct store *st, uint64_t *added, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;

	*added = 0;
	if (store_batch_begin(st, e) == -1)
		return -1;
	if (store_prepare(st, sql_discover, &s, e) == -1 ||
	    store_step(st, s, "finding new senders", e) == -1) {
		sqlite3_finalize(s);
		store_batch_rollback(st);
		return -1;
	}
	*added = (uint64_t)sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return store_batch_commit(st, e);
}

static int
bind_due(sqlite3_stmt *s, const struct sender_due *q)
{
	return sqlite3_bind_int(s, 2, q->all) | sqlite3_bind_int(s, 7, q->dns) |
	    sqlite3_bind_int64(s, 3, q->now) | sqlite3_bind_int64(s, 4, q->geo_built) |
	    sqlite3_bind_int64(s, 5, (int64_t)q->match_hash);
}

static void
column_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	snprintf(out, size, "%s", t != NULL ? t : "");
}

static void
read_row(sqlite3_stmt *s, struct store_sender *r)
{
	memset(r, 0, sizeof *r);
	if (sqlite3_column_bytes(s, 0) == 16)
		memcpy(r->ip, sqlite3_column_blob(s, 0), 16);
	column_text(s, 1, r->ptr, sizeof r->ptr);
	column_text(s, 2, r->dns_status, sizeof r->dns_status);
	r->dns_checked = sqlite3_column_int64(s, 3);
	r->dns_expires = sqlite3_column_int64(s, 4);
	r->asn = (uint32_t)sqlite3_column_int64(s, 5);
	column_text(s, 6, r->as_org, sizeof r->as_org);
	column_text(s, 7, r->country, sizeof r->country);
	r->geo_built = sqlite3_column_int64(s, 8);
	column_text(s, 9, r->service, sizeof r->service);
	column_text(s, 10, r->evidence, sizeof r->evidence);
	column_text(s, 11, r->evidence_value, sizeof r->evidence_value);
	r->match_hash = (uint64_t)sqlite3_column_int64(s, 12);
}

int
store_sender_due(struct store *st, const struct sender_due *q, const uint8_t after[16],
    struct store_sender *out, size_t max, size_t *n, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if (store_prepare(st, sql_due, &s, e) == -1)
		return -1;
	if ((sqlite3_bind_blob(s, 1, after, 16, SQLITE_TRANSIENT) | bind_due(s, q) |
	        sqlite3_bind_int64(s, 6, (int64_t)max)) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "reading the senders due", e);
	}
	while (*n < max && (rc = store_step(st, s, "reading the senders due", e)) == SQLITE_ROW)
		read_row(s, &out[(*n)++]);
	sqlite3_finalize(s);
	return *n < max && rc == -1 ? -1 : 0;
}

int
store_sender_due_count(struct store *st, const struct sender_due *q, uint64_t *count,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*count = 0;
	if (store_prepare(st, sql_due_count, &s, e) == -1)
		return -1;
	if (bind_due(s, q) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "counting the senders due", e);
	}
	if ((rc = store_step(st, s, "counting the senders due", e)) == SQLITE_ROW)
		*count = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_sender_domains(struct store *st, const uint8_t lo[16], const uint8_t hi[16],
    int (*fn)(void *ctx, const uint8_t ip[16], const char *kind, const char *domain), void *ctx,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st,
	        "SELECT ip, kind, domain FROM sender_domain WHERE ip BETWEEN ?1 AND ?2"
	        " ORDER BY ip, kind, domain",
	        &s, e) == -1)
		return -1;
	if ((sqlite3_bind_blob(s, 1, lo, 16, SQLITE_STATIC) |
	        sqlite3_bind_blob(s, 2, hi, 16, SQLITE_STATIC)) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "reading the senders' domains", e);
	}
	while ((rc = store_step(st, s, "reading the senders' domains", e)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != 16)
			continue;
		if (fn(ctx, sqlite3_column_blob(s, 0), (const char *)sqlite3_column_text(s, 1),
		        (const char *)sqlite3_column_text(s, 2)) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

int
store_sender_owners(struct store *st, const uint8_t lo[16], const uint8_t hi[16], size_t max,
    int (*fn)(void *ctx, uint32_t asn, const char *as_org, uint64_t addresses), void *ctx,
    struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	int rc;

	/* the primary key walks the range; max(as_org): the name of any row, all alike */
	if (store_prepare(st,
	        "SELECT asn, coalesce(max(as_org), ''), count(*) FROM sender"
	        " WHERE ip BETWEEN ?1 AND ?2 AND asn IS NOT NULL AND asn > 0"
	        " GROUP BY asn ORDER BY count(*) DESC, asn LIMIT ?3",
	        &s, e) == -1)
		return -1;
	if ((sqlite3_bind_blob(s, 1, lo, 16, SQLITE_STATIC) |
	        sqlite3_bind_blob(s, 2, hi, 16, SQLITE_STATIC) |
	        sqlite3_bind_int64(s, 3, max > INT64_MAX ? INT64_MAX : (int64_t)max)) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, "reading the senders' networks", e);
	}
	while ((rc = store_step(st, s, "reading the senders' networks", e)) == SQLITE_ROW) {
		int64_t asn = sqlite3_column_int64(s, 0);

		if (asn > UINT32_MAX)
			continue;
		if (fn(ctx, (uint32_t)asn, (const char *)sqlite3_column_text(s, 1),
		        (uint64_t)sqlite3_column_int64(s, 2)) == -1) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == -1 ? -1 : 0;
}

/* ---- the answers ---- */

static int
bind_row(sqlite3_stmt *s, const struct store_sender *r)
{
	return sqlite3_bind_blob(s, 1, r->ip, 16, SQLITE_STATIC) | store_bind_text(s, 2, r->ptr) |
	    store_bind_text(s, 3, r->dns_status) | sqlite3_bind_int64(s, 4, r->dns_checked) |
	    sqlite3_bind_int64(s, 5, r->dns_expires) | sqlite3_bind_int64(s, 6, r->asn) |
	    store_bind_text(s, 7, r->as_org) | store_bind_text(s, 8, r->country) |
	    sqlite3_bind_int64(s, 9, r->geo_built) | store_bind_text(s, 10, r->service) |
	    store_bind_text(s, 11, r->evidence) | store_bind_text(s, 12, r->evidence_value) |
	    sqlite3_bind_int64(s, 13, (int64_t)r->match_hash);
}

int
store_sender_put(struct store *st, const struct store_sender *rows, size_t n, struct errbuf *e)
{
	struct scan sc;
	sqlite3_stmt *s = NULL, *cur = NULL;
	size_t i, read;
	bool more = true, open = false;
	int64_t from, to;
	int rc;
	uint8_t net[16];

	if (store_batch_begin(st, e) == -1)
		return -1;
	if (scan_open(st, &sc, e) == -1)
		goto fail;
	open = true;
	/* store_class.h's rule: every record read and every heavy network folded, then the moves */
	while (more)
		if (scan_chunk(&sc, SCAN_CATCH_UP, &read, &more, e) == -1)
			goto fail;
	if (class_fold(sc.cls, e) == -1 || store_prepare(st, sql_put, &s, e) == -1 ||
	    store_prepare(st, "SELECT class, net FROM sender WHERE ip = ?1", &cur, e) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct store_sender *r = &rows[i];

		if (sqlite3_bind_blob(cur, 1, r->ip, 16, SQLITE_STATIC) != SQLITE_OK) {
			store_fail(st, "naming a sender", e);
			goto fail;
		}
		if ((rc = store_step(st, cur, "naming a sender", e)) == -1)
			goto fail;
		if (rc != SQLITE_ROW) {
			sqlite3_reset(cur);
			continue; /* not a sender (any more): nothing to name */
		}
		from = sqlite3_column_int64(cur, 0);
		memset(net, 0, sizeof net);
		if (sqlite3_column_bytes(cur, 1) == 16)
			memcpy(net, sqlite3_column_blob(cur, 1), 16);
		sqlite3_reset(cur);
		if (class_id(sc.cls, r->service, r->asn, r->country, r->as_org, &to, e) == -1 ||
		    class_move(sc.cls, r->ip, net, from, to, e) == -1)
			goto fail;
		if ((bind_row(s, r) | sqlite3_bind_int64(s, 14, to)) != SQLITE_OK) {
			store_fail(st, "naming a sender", e);
			goto fail;
		}
		if (store_run(st, s, "naming a sender", e) == -1)
			goto fail;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(cur);
	scan_close(&sc);
	return store_batch_commit(st, e);
fail:
	sqlite3_finalize(s);
	sqlite3_finalize(cur);
	if (open)
		scan_close(&sc);
	store_batch_rollback(st);
	return -1;
}

int
store_service_sync(struct store *st, const struct store_service *sv, size_t n, struct errbuf *e)
{
	sqlite3_stmt *s = NULL;
	size_t i;

	if (store_batch_begin(st, e) == -1)
		return -1;
	if (store_exec(st, "DELETE FROM service", "replacing the services", e) == -1 ||
	    store_prepare(st,
	        "INSERT INTO service (key, name, category, fix, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
	        &s, e) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((store_bind_text(s, 1, sv[i].key) | store_bind_text(s, 2, sv[i].name) |
		        store_bind_text(s, 3, sv[i].category) | store_bind_text(s, 4, sv[i].fix) |
		        store_bind_text(s, 5, sv[i].doc)) != SQLITE_OK) {
			store_fail(st, "replacing the services", e);
			goto fail;
		}
		if (store_run(st, s, "replacing the services", e) == -1)
			goto fail;
	}
	sqlite3_finalize(s);
	return store_batch_commit(st, e);
fail:
	sqlite3_finalize(s);
	store_batch_rollback(st);
	return -1;
}
