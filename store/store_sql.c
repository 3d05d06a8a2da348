/* The writer's statements: constant SQL, every value a bound parameter. */
#include "store_int.h"

/* The statements are laid out by hand, a clause per line. */
/* clang-format off */
/*
 * The rollups add a report's in-memory sums with one upsert per key. Sums
 * use min(a + b, 2^63-1): SQLite turns an integer addition that overflows
 * into a REAL >= 2^63, which min() caps, so totals saturate.
 */
#define SUMS \
	"messages, dmarc_pass, dkim_aligned, spf_aligned, disposition_none," \
	" disposition_quarantine, disposition_reject, fail_none, fail_quarantine," \
	" fail_reject, first_seen, last_seen"
#define ADD(col) col " = min(" col " + excluded." col ", 9223372036854775807), "
#define ADD_SUMS \
	ADD("messages") ADD("dmarc_pass") ADD("dkim_aligned") ADD("spf_aligned") \
	ADD("disposition_none") ADD("disposition_quarantine") ADD("disposition_reject") \
	ADD("fail_none") ADD("fail_quarantine") ADD("fail_reject") \
	"first_seen = min(first_seen, excluded.first_seen)," \
	" last_seen = max(last_seen, excluded.last_seen)"

const char *const store_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_INPUT_SAVEPOINT] = "SAVEPOINT input",
	[SQ_INPUT_RELEASE] = "RELEASE input",
	[SQ_INPUT_ROLLBACK] = "ROLLBACK TO input",
	[SQ_REPORT_SAVEPOINT] = "SAVEPOINT report",
	[SQ_REPORT_RELEASE] = "RELEASE report",
	[SQ_REPORT_ROLLBACK] = "ROLLBACK TO report",

	[SQ_INPUT_SEEN] =
	    "UPDATE input SET times_seen = times_seen + 1, last_seen_at = ?2"
	    " WHERE raw_sha256 = ?1",
	[SQ_INPUT_INSERT] =
	    "INSERT INTO input (raw_sha256, raw_size, source, location, status,"
	    " first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
	[SQ_INPUT_END] =
	    "UPDATE input SET status = ?2, kind = ?3, subject = ?4, mail_from = ?5,"
	    " message_id = ?6, refusal_code = nullif(?7, ''), reason = nullif(?8, ''),"
	    " reports_stored = ?9, reports_duplicate = ?10, records = ?11, raw = ?12,"
	    " carrier_dmarc = ?13"
	    " WHERE id = ?1",
	[SQ_INPUT_EXISTS] = "SELECT 1 FROM input WHERE id = ?1",
	[SQ_REFUSED_IDS] =
	    "SELECT id FROM input WHERE status IN ('refused', 'partial')"
	    " AND raw IS NOT NULL ORDER BY id",
	[SQ_REFUSED_RAW] = "SELECT location, raw FROM input WHERE id = ?1",

	[SQ_REPORT_BY_KEY] =
	    "SELECT id, xml_sha256 FROM report WHERE org_key = ?1 AND report_id = ?2"
	    " AND policy_domain = ?3 AND begin_ts = ?4",
	[SQ_REPORT_BY_HASH] = "SELECT 1 FROM report WHERE xml_sha256 = ?1 LIMIT 1",
	[SQ_REPORT_INSERT] =
	    "INSERT INTO report (input_id, dialect, xml_namespace, xml_version,"
	    " org_name, org_key, org_email, extra_contact, generator, report_id,"
	    " begin_ts, end_ts, day_first, day_last, errors, policy_domain, p, sp, np,"
	    " adkim, aspf, testing, pct, fo, discovery_method, flags, stored_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	    " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
	[SQ_REPORT_FINISH] =
	    "UPDATE report SET xml_sha256 = ?2, flags = ?3, records = ?4, messages = ?5,"
	    " dmarc_pass = ?6, dkim_aligned = ?7, spf_aligned = ?8, records_dropped = ?9,"
	    " record_first = ?10, record_last = ?11 WHERE id = ?1",
	[SQ_CONFLICT_INSERT] =
	    "INSERT INTO report_conflict (report_id, input_id, xml_sha256, org_name,"
	    " end_ts, records, messages, flags, noted_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (report_id, xml_sha256) DO NOTHING",

	[SQ_RECORD_INSERT] =
	    "INSERT INTO record (report_id, ordinal, source_ip, source_ip_raw,"
	    " ip_family, ip, count, disposition, disposition_raw, pe_dkim, pe_spf,"
	    " dmarc_pass, header_from, envelope_from, envelope_to, flags,"
	    " n_dkim, dkim_domain, dkim_selector, dkim_result, dkim_result_raw, dkim_human,"
	    " n_spf, spf_domain, spf_scope, spf_result, spf_result_raw, spf_human, n_reasons)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
	[SQ_DKIM_INSERT] =
	    "INSERT INTO record_dkim_more (record_id, ordinal, domain, selector, result,"
	    " result_raw, human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_SPF_INSERT] =
	    "INSERT INTO record_spf_more (record_id, ordinal, domain, scope, result,"
	    " result_raw, human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_REASON_INSERT] =
	    "INSERT INTO record_reason (record_id, ordinal, type, type_raw, comment)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_DAY_INSERT] =
	    "INSERT INTO record_day (record_id, day, count) VALUES (?1, ?2, ?3)",

	/* ?1 domain, ?2 ip, ?3 day, ?4 org_key, ?5 header_from, ?6..?15 sums, ?16, ?17 seen */
	[SQ_ROLLUP_UPSERT] =
	    "INSERT INTO rollup (policy_domain, ip, day, org_key, header_from, " SUMS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
	    " ON CONFLICT (policy_domain, ip, day, org_key, header_from) DO UPDATE SET "
	    ADD_SUMS,
	/* ?1 domain, ?2 day, ?3 org_key, ?4..?13 sums, ?14, ?15 seen, ?16, ?17 sketches */
	[SQ_ROLLUP_DAY_UPSERT] =
	    "INSERT INTO rollup_day (policy_domain, day, org_key, " SUMS ","
	    " sources_pass, sources_fail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
	    " ON CONFLICT (policy_domain, day, org_key) DO UPDATE SET " ADD_SUMS ","
	    " sources_pass = dmarcd_sketch_merge(sources_pass, excluded.sources_pass),"
	    " sources_fail = dmarcd_sketch_merge(sources_fail, excluded.sources_fail)",
	/* ?1 domain, ?2 network, ?3 messages, ?4 fail, ?5 first day, ?6 last day */
	[SQ_SOURCE_ADD] =
	    "UPDATE source SET messages = min(messages + ?3, 9223372036854775807),"
	    " fail = min(fail + ?4, 9223372036854775807),"
	    " first_day = min(first_day, ?5), last_day = max(last_day, ?6)"
	    " WHERE policy_domain = ?1 AND ip = ?2",
	/* ?1 domain, ?2 network, ?3 its last address */
	[SQ_SOURCE_ROWS] =
	    "SELECT messages, dmarc_pass, day FROM rollup"
	    " WHERE policy_domain = ?1 AND ip BETWEEN ?2 AND ?3",
	/* ?1 domain, ?2 network, ?3 messages, ?4 fail, ?5 first day, ?6 last day */
	[SQ_SOURCE_INSERT] =
	    "INSERT INTO source (policy_domain, ip, messages, fail, first_day, last_day)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_REPORTER_UPSERT] =
	    "INSERT INTO reporter (org_key, org_name, reports) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (org_key) DO UPDATE SET org_name = excluded.org_name,"
	    " reports = reports + 1",

	/* ?1 input, ?2 why: its reports, when its mail failed DMARC */
	[SQ_SUSPECT_CARRIER] =
	    "UPDATE report SET suspect = ?2 WHERE input_id = ?1 AND suspect IS NULL",
	/* ?1 domain, ?2 org_key, ?3 the report's row */
	[SQ_SUSPECT_REPORTER_SEEN] =
	    "SELECT 1 FROM report WHERE policy_domain = ?1 AND org_key = ?2 AND id <> ?3"
	    " AND xml_sha256 IS NOT NULL LIMIT 1",
	/* ?1 domain, ?2 first day, ?3 last day: days with data and their messages */
	[SQ_SUSPECT_HISTORY] =
	    "SELECT count(DISTINCT day), total(messages) FROM rollup_day"
	    " WHERE policy_domain = ?1 AND day BETWEEN ?2 AND ?3",
	/* ?1 report row, ?2 why */
	[SQ_SUSPECT_SET] = "UPDATE report SET suspect = ?2 WHERE id = ?1",
	/* ?1 domain, ?2 network: its all-time messages, when heavy */
	[SQ_CROSS_SOURCE] = "SELECT messages FROM source WHERE policy_domain = ?1 AND ip = ?2",
	/*
	 * ?1 domain, ?2 network, ?3, ?4 days, ?5 the report's org_key, ?6 the
	 * messages a reporter must have seen, ?7 at most this many reporters:
	 * the other reporters' reports of the network overlapping the days (a
	 * report spans a month at most), one range of cross_net's key.
	 */
	[SQ_CROSS_OTHERS] =
	    "SELECT org_key, total(messages), total(dmarc_pass) FROM cross_net"
	    " WHERE policy_domain = ?1 AND net = ?2 AND day BETWEEN ?3 - 31 AND ?4"
	    " AND day_last >= ?3 AND org_key <> ?5"
	    " GROUP BY org_key HAVING total(messages) >= ?6"
	    " ORDER BY 2 DESC, 1 LIMIT ?7",
	/* ?1 domain, ?2 network, ?3 day, ?4 reporter, ?5 last day, ?6 messages, ?7 passes */
	[SQ_CROSS_PUT] =
	    "INSERT INTO cross_net (policy_domain, net, day, org_key, day_last, messages,"
	    " dmarc_pass) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT DO UPDATE SET messages = messages + excluded.messages,"
	    " dmarc_pass = dmarc_pass + excluded.dmarc_pass,"
	    " day_last = max(day_last, excluded.day_last)",

	/* ?1 input: the reports it stored */
	[SQ_INPUT_REPORTS] =
	    "SELECT id, org_email, org_name FROM report WHERE input_id = ?1 ORDER BY id",
	/* ?1 report, ?2 origin, ?3 detail */
	[SQ_ORIGIN_SET] = "UPDATE report SET origin = ?2, origin_detail = ?3 WHERE id = ?1",
	/* ?1 report: how many verified reports its reporter has for its domain (index report_verified) */
	[SQ_ORIGIN_SIGNS] =
	    "SELECT count(*) FROM report v, report r WHERE r.id = ?1"
	    " AND v.policy_domain = r.policy_domain AND v.org_key = r.org_key"
	    " AND v.origin = 'verified' AND v.id <> r.id",
	/* ?1 report, ?2 why: unless it is suspect already */
	[SQ_SUSPECT_IF_NOT] = "UPDATE report SET suspect = ?2 WHERE id = ?1 AND suspect IS NULL",
};
/* clang-format on */
