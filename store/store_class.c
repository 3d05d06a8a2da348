/* store: the rollup by class (store_class.h). */
#include "store_class.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statements are laid out by hand, a clause per line. */
/* clang-format off */
#define CLASS_SUMS \
	"messages, dmarc_pass, dkim_aligned, spf_aligned, disposition_none," \
	" disposition_quarantine, disposition_reject, fail_none, fail_quarantine, fail_reject"
#define SUM_OF(sign) \
	sign "sum(u.messages), " sign "sum(u.dmarc_pass), " sign "sum(u.dkim_aligned), " \
	sign "sum(u.spf_aligned), " sign "sum(u.disposition_none), " \
	sign "sum(u.disposition_quarantine), " sign "sum(u.disposition_reject), " \
	sign "sum(u.fail_none), " sign "sum(u.fail_quarantine), " sign "sum(u.fail_reject)"
#define ADD(col) col " = " col " + excluded." col
#define UPSERT \
	" ON CONFLICT (day, policy_domain, org_key, class) DO UPDATE SET " \
	ADD("messages") ", " ADD("dmarc_pass") ", " ADD("dkim_aligned") ", " \
	ADD("spf_aligned") ", " ADD("disposition_none") ", " ADD("disposition_quarantine") ", " \
	ADD("disposition_reject") ", " ADD("fail_none") ", " ADD("fail_quarantine") ", " \
	ADD("fail_reject")

enum class_stmt {
	CS_ADD, CS_UNCLASSED, CS_FOLD, CS_FOLDED, CS_ID, CS_MOVE_OUT, CS_MOVE_IN, CS_EMPTY,
	CS_COUNT
};

static const char *const class_sql[CS_COUNT] = {
	[CS_ADD] =
	    "INSERT INTO rollup_class (day, policy_domain, org_key, class, " CLASS_SUMS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)" UPSERT,
	[CS_UNCLASSED] =
	    "SELECT policy_domain, ip FROM source WHERE classed = 0 LIMIT 256",
	/* a network's named addresses, their rollup rows for the domain, by class */
	[CS_FOLD] =
	    "INSERT INTO rollup_class (day, policy_domain, org_key, class, " CLASS_SUMS ")"
	    " SELECT u.day, u.policy_domain, u.org_key, s.class, " SUM_OF("")
	    " FROM sender s JOIN rollup u ON u.policy_domain = ?1 AND u.ip = s.ip"
	    " WHERE s.net = ?2 AND s.class <> 0"
	    " GROUP BY u.day, u.policy_domain, u.org_key, s.class" UPSERT,
	[CS_FOLDED] =
	    "UPDATE source SET classed = 1 WHERE policy_domain = ?1 AND ip = ?2",
	[CS_ID] =
	    "INSERT INTO sender_class (service, asn, country, as_org) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (service, asn, country) DO UPDATE SET as_org = excluded.as_org"
	    " RETURNING id",
	/* an address's rollup rows in the domains where its network is folded */
	[CS_MOVE_OUT] =
	    "INSERT INTO rollup_class (day, policy_domain, org_key, class, " CLASS_SUMS ")"
	    " SELECT u.day, u.policy_domain, u.org_key, ?3, " SUM_OF("-")
	    " FROM source so JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = ?1"
	    " WHERE so.ip = ?2 AND so.classed = 1"
	    " GROUP BY u.day, u.policy_domain, u.org_key" UPSERT,
	[CS_MOVE_IN] =
	    "INSERT INTO rollup_class (day, policy_domain, org_key, class, " CLASS_SUMS ")"
	    " SELECT u.day, u.policy_domain, u.org_key, ?3, " SUM_OF("")
	    " FROM source so JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = ?1"
	    " WHERE so.ip = ?2 AND so.classed = 1"
	    " GROUP BY u.day, u.policy_domain, u.org_key" UPSERT,
	/* the rows a move out emptied: the days of the address's rollup rows */
	[CS_EMPTY] =
	    "DELETE FROM rollup_class WHERE class = ?3 AND messages = 0"
	    " AND (day, policy_domain, org_key) IN (SELECT u.day, u.policy_domain, u.org_key"
	    "  FROM source so JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = ?1"
	    "  WHERE so.ip = ?2 AND so.classed = 1)",
};
/* clang-format on */

struct class_ctx {
	struct store *st;
	sqlite3_stmt *s[CS_COUNT];
};

int
class_open(struct store *st, struct class_ctx **out, struct errbuf *e)
{
	struct class_ctx *c = calloc(1, sizeof *c);
	int i;

	*out = NULL;
	if (c == NULL) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	c->st = st;
	for (i = 0; i < CS_COUNT; i++)
		if (store_prepare(st, class_sql[i], &c->s[i], e) == -1) {
			class_close(c);
			return -1;
		}
	*out = c;
	return 0;
}

void
class_close(struct class_ctx *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < CS_COUNT; i++)
		sqlite3_finalize(c->s[i]);
	free(c);
}

int
class_add(struct class_ctx *c, int64_t day, const char *domain, const char *org, int64_t cls,
    const uint64_t *sums, struct errbuf *e)
{
	sqlite3_stmt *s = c->s[CS_ADD];
	int i, rc;

	rc = sqlite3_bind_int64(s, 1, day) | store_bind_text(s, 2, domain) |
	    store_bind_text(s, 3, org) | sqlite3_bind_int64(s, 4, cls);
	for (i = 0; i < SUMS_COLS; i++)
		rc |= store_bind_count(s, 5 + i, sums[i]);
	if (rc != SQLITE_OK)
		return store_fail(c->st, "adding to the rollup by class", e);
	return store_run(c->st, s, "adding to the rollup by class", e);
}

/* Runs s (bound to ?1 ?2 as the pair given) once. */
static int
run_pair(struct class_ctx *c, enum class_stmt k, const void *domain, int dlen, const void *net,
    int nlen, const char *what, struct errbuf *e)
{
	sqlite3_stmt *s = c->s[k];

	if ((sqlite3_bind_text(s, 1, domain, dlen, SQLITE_TRANSIENT) |
	        sqlite3_bind_blob(s, 2, net, nlen, SQLITE_TRANSIENT)) != SQLITE_OK)
		return store_fail(c->st, what, e);
	return store_run(c->st, s, what, e);
}

/* A network to fold: read first, changed after, never while its statement reads on. */
struct pair {
	char domain[256];
	uint8_t net[16];
	int nlen;
};

int
class_fold(struct class_ctx *c, struct errbuf *e)
{
	sqlite3_stmt *s = c->s[CS_UNCLASSED];
	struct pair *p = calloc(256, sizeof *p);
	size_t n, i;
	int rc;

	if (p == NULL) {
		errbuf_set(e, "store: out of memory");
		return -1;
	}
	do {
		for (n = 0; (rc = store_step(c->st, s, "folding heavy networks", e)) == SQLITE_ROW;
		     n++) {
			const char *dom = (const char *)sqlite3_column_text(s, 0);

			snprintf(p[n].domain, sizeof p[n].domain, "%s", dom != NULL ? dom : "");
			p[n].nlen = sqlite3_column_bytes(s, 1) == 16 ? 16 : 0;
			if (p[n].nlen == 16)
				memcpy(p[n].net, sqlite3_column_blob(s, 1), 16);
		}
		sqlite3_reset(s);
		for (i = 0; rc != -1 && i < n; i++) {
			int dlen = (int)strlen(p[i].domain);

			if ((p[i].nlen == 16 &&
			        run_pair(c, CS_FOLD, p[i].domain, dlen, p[i].net, 16,
			            "folding a network", e) == -1) ||
			    run_pair(c, CS_FOLDED, p[i].domain, dlen, p[i].net, p[i].nlen,
			        "folding a network", e) == -1)
				rc = -1;
		}
	} while (rc != -1 && n > 0);
	free(p);
	return rc == -1 ? -1 : 0;
}

int
class_id(struct class_ctx *c, const char *service, uint32_t asn, const char *country,
    const char *as_org, int64_t *id, struct errbuf *e)
{
	sqlite3_stmt *s = c->s[CS_ID];
	int rc;

	*id = 0;
	if ((service == NULL || service[0] == '\0') && asn == 0 &&
	    (country == NULL || country[0] == '\0'))
		return 0;
	if ((store_bind_text(s, 1, service != NULL ? service : "") | sqlite3_bind_int64(s, 2, asn) |
	        store_bind_text(s, 3, country != NULL ? country : "") |
	        store_bind_text(s, 4, as_org != NULL && as_org[0] != '\0' ? as_org : NULL)) !=
	    SQLITE_OK)
		return store_fail(c->st, "finding a class of names", e);
	if ((rc = store_step(c->st, s, "finding a class of names", e)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		errbuf_set(e, "store: finding a class of names: no id returned");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Runs one of the move statements for (ip, net, class). */
static int
run_move(struct class_ctx *c, enum class_stmt k, const uint8_t ip[16], const uint8_t net[16],
    int64_t cls, struct errbuf *e)
{
	sqlite3_stmt *s = c->s[k];

	if ((sqlite3_bind_blob(s, 1, ip, 16, SQLITE_TRANSIENT) |
	        sqlite3_bind_blob(s, 2, net, 16, SQLITE_TRANSIENT) |
	        sqlite3_bind_int64(s, 3, cls)) != SQLITE_OK)
		return store_fail(c->st, "moving an address's class", e);
	return store_run(c->st, s, "moving an address's class", e);
}

int
class_move(struct class_ctx *c, const uint8_t ip[16], const uint8_t net[16], int64_t from,
    int64_t to, struct errbuf *e)
{
	if (from == to)
		return 0;
	if (from != 0 &&
	    (run_move(c, CS_MOVE_OUT, ip, net, from, e) == -1 ||
	        run_move(c, CS_EMPTY, ip, net, from, e) == -1))
		return -1;
	if (to != 0 && run_move(c, CS_MOVE_IN, ip, net, to, e) == -1)
		return -1;
	return 0;
}
