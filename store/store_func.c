/* store: SQL functions the queries use: the 16-byte address form and its text. */
#include "store_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

size_t
store_ip_parse(const char *s, uint8_t ip[16])
{
	if (s == NULL || s[0] == '\0')
		return 0;
	if (strchr(s, ':') != NULL)
		return inet_pton(AF_INET6, s, ip) == 1 ? 16 : 0;
	memcpy(ip, v4_mapped, sizeof v4_mapped);
	return inet_pton(AF_INET, s, ip + 12) == 1 ? 16 : 0;
}

void
store_ip_net(const uint8_t ip[16], uint8_t lo[16], uint8_t hi[16])
{
	size_t keep = memcmp(ip, v4_mapped, sizeof v4_mapped) == 0 ? 15 : 6;

	memcpy(lo, ip, 16);
	memcpy(hi, ip, 16);
	memset(lo + keep, 0, 16 - keep);
	memset(hi + keep, 0xff, 16 - keep);
}

/* dmarcd_net(ip) and dmarcd_net_end(ip): see store_ip_net; X'' stays X''. */
static void
fn_net(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t lo[16], hi[16];
	bool end = sqlite3_user_data(ctx) != NULL;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || sqlite3_value_bytes(argv[0]) != 16) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	store_ip_net(sqlite3_value_blob(argv[0]), lo, hi);
	sqlite3_result_blob(ctx, end ? hi : lo, 16, SQLITE_TRANSIENT);
}

void
store_ip_text(const uint8_t *ip, int len, bool prefix, char *out, size_t size)
{
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN];
	bool v4;

	out[0] = '\0';
	if (len != 16)
		return;
	memcpy(a, ip, 16);
	v4 = memcmp(a, v4_mapped, sizeof v4_mapped) == 0;
	if (prefix) {
		if (v4)
			a[15] = 0;
		else
			memset(a + 6, 0, 10);
	}
	if (v4 ? inet_ntop(AF_INET, a + 12, buf, sizeof buf) == NULL :
	         inet_ntop(AF_INET6, a, buf, sizeof buf) == NULL)
		return;
	snprintf(out, size, "%s%s", buf, !prefix ? "" : v4 ? "/24" : "/48");
}

/* dmarcd_ip_text(ip [, prefix]): see store_ip_text. */
static void
fn_ip_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char out[INET6_ADDRSTRLEN + 4];
	bool prefix = argc > 1 && sqlite3_value_int(argv[1]) != 0;

	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
		return;
	}
	store_ip_text(sqlite3_value_blob(argv[0]), sqlite3_value_bytes(argv[0]), prefix, out,
	    sizeof out);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* dmarcd_ip(text): the 16-byte form of an address, NULL when it is not one. */
static void
fn_ip(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);
	uint8_t ip[16];

	(void)argc;
	if (s != NULL && store_ip_parse((const char *)s, ip) == 16)
		sqlite3_result_blob(ctx, ip, 16, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

/* Items a dmarcd_list keeps, and their room. */
#define LIST_MAX 5
#define LIST_BYTES 1024

/* dmarcd_list(x): aggregate, the first LIST_MAX distinct non-empty x, joined by ", ". */
struct list_acc {
	char buf[LIST_BYTES];
	size_t len;
	size_t n;
	size_t start[LIST_MAX], size[LIST_MAX];
};

static void
list_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct list_acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
	const char *v;
	size_t n, i;

	(void)argc;
	if (a == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (a->n == LIST_MAX || (v = (const char *)sqlite3_value_text(argv[0])) == NULL)
		return;
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (n == 0)
		return;
	for (i = 0; i < a->n; i++)
		if (a->size[i] == n && memcmp(a->buf + a->start[i], v, n) == 0)
			return;
	if (a->len + 2 + n > sizeof a->buf)
		return;
	if (a->n > 0) {
		memcpy(a->buf + a->len, ", ", 2);
		a->len += 2;
	}
	a->start[a->n] = a->len;
	a->size[a->n++] = n;
	memcpy(a->buf + a->len, v, n);
	a->len += n;
}

static void
list_final(sqlite3_context *ctx)
{
	struct list_acc *a = sqlite3_aggregate_context(ctx, 0);

	if (a == NULL || a->n == 0)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, a->buf, (int)a->len, SQLITE_TRANSIENT);
}

int
store_functions(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	if (sqlite3_create_function(db, "dmarcd_ip_text", 1, flags, NULL, fn_ip_text, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_ip_text", 2, flags, NULL, fn_ip_text, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_ip", 1, flags, NULL, fn_ip, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_net", 1, flags, NULL, fn_net, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_net_end", 1, flags, (void *)"end", fn_net, NULL,
	        NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "dmarcd_list", 1, flags, NULL, NULL, list_step,
	        list_final) != SQLITE_OK)
		return -1;
	return sketch_functions(db);
}
