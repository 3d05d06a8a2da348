/*
 * store_dash: the read queries behind the dashboard and its JSON/CSV API.
 * Every query answers through the same row callback as store_export, so
 * web/ renders any of them as JSON or CSV with one function each; column
 * names are stable (the API documents them).
 *
 * Speed: the aggregate queries read rollup tables maintained at ingest,
 * never the record table, so that a page answers in well under 100 ms on a
 * year of a large sender's reports. Listing queries are paged.
 * A struct store is not thread-safe: web/ uses one read-only handle per
 * thread (or serialises access).
 */
#ifndef DMARCD_STORE_DASH_H
#define DMARCD_STORE_DASH_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

typedef int (
    *store_row_fn)(void *ctx, size_t ncols, const char *const *names, const struct cell *cells);

enum dash_result { DASH_RESULT_ALL, DASH_RESULT_PASS, DASH_RESULT_FAIL };

/* A page holds at most this many rows (dash_page.limit; 0 means 50). */
#define DASH_LIMIT_MAX 500

/*
 * total_rows counts exactly up to DASH_TOTAL_MAX; a larger result shows as
 * DASH_TOTAL_MAX + 1 ("more than 1,000"), so that counting stays fast.
 */
#define DASH_TOTAL_MAX 1000

/* The filters every page keeps in its URL. NULL / 0 fields do not filter. */
struct dash_filter {
	const char *domain;       /* policy domain */
	int64_t day_from, day_to; /* UTC days (epoch / 86400), inclusive */
	const char *reporter;     /* org_key: lower-cased reporter name */
	enum dash_result result;  /* DMARC pass, fail, or all */
	const char *source; /* an IP ("192.0.2.7") or a CIDR ("192.0.2.0/24", "2001:db8::/32") */
	/*
	 * The names of a source (schema/006_sender.sql): only the addresses
	 * whose sender row has this service key, AS number (0: no filter) or
	 * country code. An address without a sender row matches none.
	 */
	const char *service;
	uint32_t asn;
	const char *country;
};

/*
 * Parses a source filter into the inclusive range of 16-byte addresses it
 * covers (IPv4 as ::ffff:a.b.c.d). Returns 0, or -1 when it is neither an
 * address nor a CIDR (the web layer answers 400).
 */
int dash_source_range(const char *source, uint8_t lo[16], uint8_t hi[16]);

/*
 * Overview, one row per policy domain in the window: policy_domain,
 * messages, dmarc_pass, pass_rate, dkim_aligned, dkim_rate, spf_aligned,
 * spf_rate, disposition_none, disposition_quarantine, disposition_reject,
 * sources, p, sp, pct, testing (latest published policy), and for the
 * previous window of the same length: prev_messages, prev_pass_rate.
 */
int store_dash_domains(struct store *st, const struct dash_filter *f, store_row_fn row, void *ctx,
    struct errbuf *e);

/*
 * Daily series for the chart: one row per day of the window that has data:
 * day (YYYY-MM-DD), messages, dmarc_pass, dmarc_fail, pass_rate.
 */
int store_dash_daily(struct store *st, const struct dash_filter *f, store_row_fn row, void *ctx,
    struct errbuf *e);

/*
 * What a sources row stands for: an address, a network (/24 for IPv4, /48
 * for IPv6), or all the addresses of a service, a network owner (AS) or a
 * country (the sender table), with "" for the addresses without one.
 */
enum dash_group {
	DASH_GROUP_IP,
	DASH_GROUP_PREFIX,
	DASH_GROUP_SERVICE,
	DASH_GROUP_ASN,
	DASH_GROUP_COUNTRY
};

/* A page of a sorted list. sort names a column of the result; unknown -> default. */
struct dash_page {
	const char *sort;
	bool descending;
	unsigned limit; /* at most 500 */
	unsigned offset;
};

/*
 * A sort of the sources other than the default orders at most DASH_SORT_TOP
 * rows, those with the most messages: of DASH_SORT_HEAVY messages or more
 * when fewer than DASH_SORT_TOP have that many (store_dash_sources).
 */
#define DASH_SORT_TOP 1000
#define DASH_SORT_HEAVY 10
/* Pages of the default order that end within this rank come from the walk of the networks. */
#define DASH_WALK_MAX 20000

/* The rows a sources sort ordered: all (partial false), or the rows with the most messages. */
struct dash_sort_scope {
	bool partial;
	unsigned rows; /* when partial: how many */
};

/*
 * Sources: one row per source IP (or prefix) and policy domain: source
 * (IP or prefix text, "" for invalid addresses), policy_domain, messages,
 * dmarc_pass, pass_rate, dkim_aligned, spf_aligned, disposition_none,
 * disposition_quarantine, disposition_reject, header_from (distinct, comma
 * separated, at most 5), reporters (same), first_seen, last_seen, the
 * names of the source: host (the PTR name, only when dns_status is
 * 'confirmed'), dns_status, service (catalogue key), service_name,
 * category, evidence ("dkim:sendgrid.net"), asn, as_org, country, ptr
 * (the PTR name as answered, whatever dns_status says) (NULL when unknown; a network shows its
 * addresses' distinct services, at most 3, and the AS and country of its first address that has
 * them), and total_rows (the count of rows without paging, repeated on every row). The names are
 * looked up for the rows of the page only.
 *
 * Grouped by service, asn or country, source is the group's value (the
 * key, the AS number, the country code) and "" for the messages of the
 * addresses without one: every message of the window is in one row. These
 * are summed from the sender rows of the heavy networks (source), the
 * rest being the window's total less theirs; that rest's first_seen and
 * last_seen are the domain's in the window, its header_from empty. An
 * address of a network that is heavy for another domain only counts as
 * unnamed for this one. Every sort orders every group.
 * Default sort: messages descending, paging through every row. Any other
 * sort, when there are more than DASH_SORT_TOP rows, orders only those
 * with the most messages (ties: domain, then address): the DASH_SORT_TOP
 * heaviest, or those of DASH_SORT_HEAVY messages or more when fewer have
 * that many. *scope (when scope is not NULL) says which; pages past the
 * rows ordered are empty, and total_rows still counts every row.
 */
int store_dash_sources(struct store *st, const struct dash_filter *f, enum dash_group g,
    const struct dash_page *page, struct dash_sort_scope *scope, store_row_fn row, void *ctx,
    struct errbuf *e);

/*
 * The records behind a view (used for the click-through from a source):
 * report (its id), org_name, report_id, policy_domain, begin, end, source_ip,
 * count, disposition, dkim_aligned, spf_aligned, dmarc_pass, header_from,
 * envelope_from, reasons, dkim_results, spf_results, host, service_name,
 * asn, as_org, country (the source's names, as store_dash_sources),
 * total_rows. Sorted by begin descending. The source filter is what makes
 * this fast; a names filter (service, asn, country) too.
 */
int store_dash_records(struct store *st, const struct dash_filter *f, const struct dash_page *page,
    store_row_fn row, void *ctx, struct errbuf *e);

/*
 * Reports list: id, org_name, report_id, policy_domain, begin, end, records,
 * messages, dmarc_pass, pass_rate, p, dialect, flags, total_rows.
 * Default sort: begin descending.
 */
int store_dash_reports(struct store *st, const struct dash_filter *f, const struct dash_page *page,
    store_row_fn row, void *ctx, struct errbuf *e);

/*
 * One report: its metadata as one row (every column of the report table that
 * a user can read: org_name, org_email, extra_contact, report_id,
 * policy_domain, begin, end, dialect, generator, errors, p, sp, np, pct,
 * adkim, aspf, fo, testing, discovery_method, records, messages, dmarc_pass,
 * flags, input_location), then through records_row every record with its
 * auth results (as store_dash_records). *found is false for an unknown id.
 */
int store_dash_report(struct store *st, int64_t id, bool *found, store_row_fn meta_row,
    store_row_fn records_row, void *ctx, struct errbuf *e);

/*
 * Failure reports list: id, arrival_date, reporter, source_ip,
 * reported_domain, header_from, auth_failure, delivery_result, subject,
 * aggregate_messages, total_rows (filters: domain, days, source).
 */
int store_dash_failures(struct store *st, const struct dash_filter *f, const struct dash_page *page,
    store_row_fn row, void *ctx, struct errbuf *e);

/* One failure report: every stored field as one row. *found false when unknown. */
int store_dash_failure(struct store *st, int64_t id, bool *found, store_row_fn row, void *ctx,
    struct errbuf *e);

/*
 * Ingest log, newest first: id, received (ISO time), source, location,
 * kind, status, refusal_code, reason, reports_stored, reports_duplicate,
 * records, times_seen, subject, total_rows. status filters when not NULL
 * ("refused", "partial", "stored", ...).
 */
int store_dash_inputs(struct store *st, const char *status, const struct dash_page *page,
    store_row_fn row, void *ctx, struct errbuf *e);

/* Reporters seen (org_key, org_name, reports), for the filter's pick list. */
int store_dash_reporters(struct store *st, store_row_fn row, void *ctx, struct errbuf *e);

#endif
