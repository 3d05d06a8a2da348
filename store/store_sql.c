/* The writer's statements: constant SQL, every value a bound parameter. */
#include "store_int.h"

/*
 * The rollup takes a report's records in one statement. It needs no GROUP
 * BY: rows of the same day and source meet in the upsert, which adds them.
 * Sums use min(a + b, 2^63-1): SQLite turns an integer addition that
 * overflows into a REAL >= 2^63, which min() caps, so totals saturate.
 */
#define ROLLUP_INSERT \
	"INSERT INTO rollup (policy_domain, day, source_ip, messages, dmarc_pass," \
	" dkim_aligned, spf_aligned, disposition_none, disposition_quarantine," \
	" disposition_reject, first_seen, last_seen) "
#define ROLLUP_VALUES(C) \
	C ", " \
	"CASE WHEN a.dmarc_pass = 1 THEN " C " ELSE 0 END, " \
	"CASE WHEN a.pe_dkim = 'pass' THEN " C " ELSE 0 END, " \
	"CASE WHEN a.pe_spf = 'pass' THEN " C " ELSE 0 END, " \
	"CASE WHEN a.disposition = 'none' OR a.disposition = 'pass' THEN " C " ELSE 0 END, " \
	"CASE WHEN a.disposition = 'quarantine' THEN " C " ELSE 0 END, " \
	"CASE WHEN a.disposition = 'reject' THEN " C " ELSE 0 END, "
#define ROLLUP_ADD(col) col " = min(" col " + excluded." col ", 9223372036854775807), "
#define ROLLUP_UPSERT \
	" ON CONFLICT (policy_domain, day, source_ip) DO UPDATE SET " \
	ROLLUP_ADD("messages") ROLLUP_ADD("dmarc_pass") ROLLUP_ADD("dkim_aligned") \
	ROLLUP_ADD("spf_aligned") ROLLUP_ADD("disposition_none") \
	ROLLUP_ADD("disposition_quarantine") ROLLUP_ADD("disposition_reject") \
	"first_seen = min(first_seen, excluded.first_seen), " \
	"last_seen = max(last_seen, excluded.last_seen)"

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
	    " reports_stored = ?9, reports_duplicate = ?10, records = ?11, raw = ?12"
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
	    " dmarc_pass = ?6, dkim_aligned = ?7, spf_aligned = ?8, records_dropped = ?9"
	    " WHERE id = ?1",
	[SQ_CONFLICT_INSERT] =
	    "INSERT INTO report_conflict (report_id, input_id, xml_sha256, org_name,"
	    " end_ts, records, messages, flags, noted_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (report_id, xml_sha256) DO NOTHING",

	[SQ_RECORD_INSERT] =
	    "INSERT INTO record (report_id, ordinal, source_ip, source_ip_raw,"
	    " ip_family, count, disposition, disposition_raw, pe_dkim, pe_spf,"
	    " dmarc_pass, header_from, envelope_from, envelope_to, flags)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[SQ_DKIM_INSERT] =
	    "INSERT INTO record_dkim (record_id, ordinal, domain, selector, result,"
	    " result_raw, human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_SPF_INSERT] =
	    "INSERT INTO record_spf (record_id, ordinal, domain, scope, result,"
	    " result_raw, human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_REASON_INSERT] =
	    "INSERT INTO record_reason (record_id, ordinal, type, type_raw, comment)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_DAY_INSERT] =
	    "INSERT INTO record_day (record_id, day, count) VALUES (?1, ?2, ?3)",

	/* ?1 report row, ?2 policy domain, ?3 day, ?4 first seen, ?5 last seen */
	[SQ_ROLLUP_DAY] =
	    ROLLUP_INSERT
	    "SELECT ?2, ?3, a.source_ip, " ROLLUP_VALUES("a.count") "?4, ?5"
	    " FROM record a WHERE a.report_id = ?1"
	    ROLLUP_UPSERT,
	/* ?1 report row, ?2 policy domain, ?3 begin, ?4 end */
	[SQ_ROLLUP_SPLIT] =
	    ROLLUP_INSERT
	    "SELECT ?2, d.day, a.source_ip, " ROLLUP_VALUES("d.count")
	    " max(?3, d.day * 86400), min(?4, d.day * 86400 + 86399)"
	    " FROM record a JOIN record_day d ON d.record_id = a.id"
	    " WHERE a.report_id = ?1"
	    ROLLUP_UPSERT,
};
