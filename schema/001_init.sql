-- 001_init: the ingest log, aggregate reports with their records, and the
-- rollups that the dashboard and the exports read.
--
-- Conventions: times are UTC epoch seconds; a day is floor(epoch / 86400);
-- enumerations are stored as their lower-case names (report.h), NULL when
-- the report did not say; *_raw keeps what was sent when it was not a known
-- value; flags are the W_* bits of common/flags.h.

-- One row per input (a mail or a file), keyed by the hash of its raw bytes.
-- raw is kept only while the input is refused or partial, for reprocessing.
CREATE TABLE input (
	id                INTEGER PRIMARY KEY,
	raw_sha256        BLOB    NOT NULL UNIQUE CHECK (length(raw_sha256) = 32),
	raw_size          INTEGER NOT NULL CHECK (raw_size >= 0),
	source            TEXT    NOT NULL,
	location          TEXT,
	subject           TEXT,
	mail_from         TEXT,
	message_id        TEXT,
	kind              TEXT,
	status            TEXT    NOT NULL
	    CHECK (status = 'pending' OR status = 'stored' OR status = 'duplicate'
	        OR status = 'partial' OR status = 'refused'),
	refusal_code      TEXT,
	reason            TEXT,
	reports_stored    INTEGER NOT NULL DEFAULT 0,
	reports_duplicate INTEGER NOT NULL DEFAULT 0,
	records           INTEGER NOT NULL DEFAULT 0,
	first_seen_at     INTEGER NOT NULL,
	last_seen_at      INTEGER NOT NULL,
	times_seen        INTEGER NOT NULL DEFAULT 1,
	raw               BLOB
) STRICT;

-- The reprocessing walk visits only these.
CREATE INDEX input_retry ON input(id) WHERE status IN ('refused', 'partial');

-- One aggregate report. The totals are the producer's volume-weighted sums,
-- saturated at 2^63-1. day_first..day_last are the UTC days the report is
-- attributed to: both the midpoint's day when it spans at most 36 hours,
-- otherwise every day it overlaps (its counts are then split in record_day).
-- xml_sha256 is NULL only while the report is being stored. Its records
-- are the record rows with id record_first..record_last (NULL when it has
-- none): the sink inserts them one after another, so their ids follow.
CREATE TABLE report (
	id               INTEGER PRIMARY KEY,
	input_id         INTEGER NOT NULL REFERENCES input(id),
	dialect          TEXT    NOT NULL
	    CHECK (dialect = 'draft' OR dialect = 'rfc7489' OR dialect = 'rfc9990'),
	xml_namespace    TEXT,
	xml_version      TEXT,
	org_name         TEXT    NOT NULL,
	org_key          TEXT    NOT NULL,
	org_email        TEXT,
	extra_contact    TEXT,
	generator        TEXT,
	report_id        TEXT    NOT NULL,
	begin_ts         INTEGER NOT NULL,
	end_ts           INTEGER NOT NULL,
	day_first        INTEGER NOT NULL,
	day_last         INTEGER NOT NULL CHECK (day_last >= day_first),
	errors           TEXT,
	policy_domain    TEXT    NOT NULL,
	p                TEXT    CHECK (p = 'none' OR p = 'quarantine' OR p = 'reject'),
	sp               TEXT    CHECK (sp = 'none' OR sp = 'quarantine' OR sp = 'reject'),
	np               TEXT    CHECK (np = 'none' OR np = 'quarantine' OR np = 'reject'),
	adkim            TEXT    CHECK (adkim IN ('r', 's')),
	aspf             TEXT    CHECK (aspf IN ('r', 's')),
	testing          TEXT    CHECK (testing IN ('n', 'y')),
	pct              INTEGER CHECK (pct BETWEEN 0 AND 100),
	fo               TEXT,
	discovery_method TEXT,
	xml_sha256       BLOB    CHECK (length(xml_sha256) = 32),
	flags            INTEGER NOT NULL DEFAULT 0,
	records          INTEGER NOT NULL DEFAULT 0,
	messages         INTEGER NOT NULL DEFAULT 0,
	dmarc_pass       INTEGER NOT NULL DEFAULT 0,
	dkim_aligned     INTEGER NOT NULL DEFAULT 0,
	spf_aligned      INTEGER NOT NULL DEFAULT 0,
	records_dropped  INTEGER NOT NULL DEFAULT 0,
	record_first     INTEGER,
	record_last      INTEGER,
	stored_at        INTEGER NOT NULL,
	UNIQUE (org_key, report_id, policy_domain, begin_ts)
) STRICT;

-- The exports list reports by (begin_ts, org_name) within a domain or over
-- all: these indexes give that order, so that no export sorts its records.
CREATE INDEX report_xml_sha256 ON report(xml_sha256);
CREATE INDEX report_domain_begin ON report(policy_domain, begin_ts, org_name);
CREATE INDEX report_begin ON report(begin_ts, org_name);
CREATE INDEX report_input ON report(input_id);
-- The dashboard finds the reports behind a rollup row (domain, reporter, day).
CREATE INDEX report_domain_org ON report(policy_domain, org_key, day_first);

-- A report that arrived with the key of a stored one but other content
-- (FORMATS.md "Duplicates and conflicts"): the first is kept, the newcomer
-- is noted here.
CREATE TABLE report_conflict (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
	input_id    INTEGER NOT NULL REFERENCES input(id),
	xml_sha256  BLOB    NOT NULL,
	org_name    TEXT    NOT NULL,
	end_ts      INTEGER NOT NULL,
	records     INTEGER NOT NULL,
	messages    INTEGER NOT NULL,
	flags       INTEGER NOT NULL,
	noted_at    INTEGER NOT NULL,
	UNIQUE (report_id, xml_sha256)
) STRICT;

CREATE INDEX report_conflict_input ON report_conflict(input_id);

-- One <record>, in document order (ordinal from 0). dmarc_pass is derived:
-- pe_dkim = 'pass' OR pe_spf = 'pass'. source_ip is canonical, '' when the
-- reporter sent an invalid address (source_ip_raw keeps it); ip is its
-- 16-byte form (IPv4 as ::ffff:a.b.c.d), NULL when invalid.
-- The first DKIM and the first SPF auth result are inline (dkim_*, spf_*;
-- dkim_result NULL when the record has none); further ones are in
-- record_dkim_more and record_spf_more. n_dkim, n_spf, n_reasons count them.
--
-- The record tables have no FOREIGN KEY clauses and record no index: the
-- report sink is their only writer and inserts a report's records inside
-- the report's savepoint, in order, so per-row checks and an index on
-- report_id would only cost time (report.record_first..record_last find
-- them). Deleting a report still deletes its records and their rows (the
-- triggers below).
CREATE TABLE record (
	id              INTEGER PRIMARY KEY,
	report_id       INTEGER NOT NULL,
	ordinal         INTEGER NOT NULL,
	source_ip       TEXT    NOT NULL,
	source_ip_raw   TEXT,
	ip_family       INTEGER NOT NULL
	    CHECK (ip_family = 0 OR ip_family = 4 OR ip_family = 6),
	ip              BLOB    CHECK (length(ip) = 16),
	count           INTEGER NOT NULL CHECK (count >= 0),
	disposition     TEXT    CHECK (disposition = 'none' OR disposition = 'pass'
	    OR disposition = 'quarantine' OR disposition = 'reject'),
	disposition_raw TEXT,
	pe_dkim         TEXT    CHECK (pe_dkim IN ('pass', 'fail')),
	pe_spf          TEXT    CHECK (pe_spf IN ('pass', 'fail')),
	dmarc_pass      INTEGER NOT NULL CHECK (dmarc_pass IN (0, 1)),
	header_from     TEXT,
	envelope_from   TEXT,
	envelope_to     TEXT,
	flags           INTEGER NOT NULL DEFAULT 0,
	n_dkim          INTEGER NOT NULL DEFAULT 0,
	dkim_domain     TEXT,
	dkim_selector   TEXT,
	dkim_result     TEXT,
	dkim_result_raw TEXT,
	dkim_human      TEXT,
	n_spf           INTEGER NOT NULL DEFAULT 0,
	spf_domain      TEXT,
	spf_scope       TEXT    CHECK (spf_scope IN ('mfrom', 'helo')),
	spf_result      TEXT,
	spf_result_raw  TEXT,
	spf_human       TEXT,
	n_reasons       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A record's further auth_results (ordinal from 1) and its override
-- reasons, in document order. result is the lower-case name, 'unknown'
-- when result_raw was not one.
CREATE TABLE record_dkim_more (
	record_id    INTEGER NOT NULL,
	ordinal      INTEGER NOT NULL CHECK (ordinal >= 1),
	domain       TEXT,
	selector     TEXT,
	result       TEXT    NOT NULL,
	result_raw   TEXT,
	human_result TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

CREATE TABLE record_spf_more (
	record_id    INTEGER NOT NULL,
	ordinal      INTEGER NOT NULL CHECK (ordinal >= 1),
	domain       TEXT,
	scope        TEXT    CHECK (scope IN ('mfrom', 'helo')),
	result       TEXT    NOT NULL,
	result_raw   TEXT,
	human_result TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

-- Every DKIM (SPF) result of a record, the inline first one included.
CREATE VIEW record_dkim (record_id, ordinal, domain, selector, result, result_raw,
    human_result) AS
	SELECT id, 0, dkim_domain, dkim_selector, dkim_result, dkim_result_raw, dkim_human
	FROM record WHERE dkim_result IS NOT NULL
	UNION ALL
	SELECT record_id, ordinal, domain, selector, result, result_raw, human_result
	FROM record_dkim_more;

CREATE VIEW record_spf (record_id, ordinal, domain, scope, result, result_raw,
    human_result) AS
	SELECT id, 0, spf_domain, spf_scope, spf_result, spf_result_raw, spf_human
	FROM record WHERE spf_result IS NOT NULL
	UNION ALL
	SELECT record_id, ordinal, domain, scope, result, result_raw, human_result
	FROM record_spf_more;

CREATE TABLE record_reason (
	record_id INTEGER NOT NULL,
	ordinal   INTEGER NOT NULL,
	type      TEXT    NOT NULL,
	type_raw  TEXT,
	comment   TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

-- A record's count split over the days its report overlaps (FORMATS.md
-- "Time attribution"), only for reports spanning more than 36 hours; the
-- parts sum to the count.
CREATE TABLE record_day (
	record_id INTEGER NOT NULL,
	day       INTEGER NOT NULL,
	count     INTEGER NOT NULL CHECK (count >= 0),
	PRIMARY KEY (record_id, day)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER report_delete AFTER DELETE ON report BEGIN
	DELETE FROM record WHERE id BETWEEN old.record_first AND old.record_last;
END;

CREATE TRIGGER record_delete AFTER DELETE ON record BEGIN
	DELETE FROM record_dkim_more WHERE record_id = old.id;
	DELETE FROM record_spf_more WHERE record_id = old.id;
	DELETE FROM record_reason WHERE record_id = old.id;
	DELETE FROM record_day WHERE record_id = old.id;
END;

-- The rollups, maintained as each report is stored (the sink sums a report
-- in memory and adds it with one upsert per distinct key). Sums saturate at
-- 2^63-1. In all of them:
--   disposition_none includes RFC 9990 'pass';
--   fail_none, fail_quarantine, fail_reject are the part of the disposition
--   sums whose records failed DMARC, so that a pass/fail filter can split
--   them (dkim_aligned and spf_aligned messages always pass);
--   first_seen/last_seen bound the contributing report periods, clamped to
--   the day.
-- A long report's counts are split over its days as in record_day.

-- Volume per policy domain, source address, attributed day, reporter and
-- header_from ('' when absent). ip is the 16-byte address (IPv4 as
-- ::ffff:a.b.c.d), X'' for invalid ones: a CIDR is a range of ip within a
-- domain.
CREATE TABLE rollup (
	policy_domain          TEXT    NOT NULL,
	ip                     BLOB    NOT NULL,
	day                    INTEGER NOT NULL,
	org_key                TEXT    NOT NULL,
	header_from            TEXT    NOT NULL,
	messages               INTEGER NOT NULL,
	dmarc_pass             INTEGER NOT NULL,
	dkim_aligned           INTEGER NOT NULL,
	spf_aligned            INTEGER NOT NULL,
	disposition_none       INTEGER NOT NULL,
	disposition_quarantine INTEGER NOT NULL,
	disposition_reject     INTEGER NOT NULL,
	fail_none              INTEGER NOT NULL,
	fail_quarantine        INTEGER NOT NULL,
	fail_reject            INTEGER NOT NULL,
	first_seen             INTEGER NOT NULL,
	last_seen              INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, ip, day, org_key, header_from)
) STRICT, WITHOUT ROWID;

-- The same per policy domain, day and reporter: the overview and the daily
-- chart read only this. sources_pass and sources_fail sketch the distinct
-- source addresses with passing (failing) records: a sorted list of 32-bit
-- address hashes while short, a HyperLogLog of 1024 registers once longer
-- (store_sketch.c).
CREATE TABLE rollup_day (
	policy_domain          TEXT    NOT NULL,
	day                    INTEGER NOT NULL,
	org_key                TEXT    NOT NULL,
	messages               INTEGER NOT NULL,
	dmarc_pass             INTEGER NOT NULL,
	dkim_aligned           INTEGER NOT NULL,
	spf_aligned            INTEGER NOT NULL,
	disposition_none       INTEGER NOT NULL,
	disposition_quarantine INTEGER NOT NULL,
	disposition_reject     INTEGER NOT NULL,
	fail_none              INTEGER NOT NULL,
	fail_quarantine        INTEGER NOT NULL,
	fail_reject            INTEGER NOT NULL,
	first_seen             INTEGER NOT NULL,
	last_seen              INTEGER NOT NULL,
	sources_pass           BLOB    NOT NULL,
	sources_fail           BLOB    NOT NULL,
	PRIMARY KEY (policy_domain, day, org_key)
) STRICT, WITHOUT ROWID;

-- All-time volume of the heavy source networks of each policy domain: the
-- /24 of an IPv4 address, the /48 of an IPv6 one (ip masked; X'' for
-- invalid addresses) whose rollup rows add up to 10 messages or more, with
-- the messages that failed DMARC and the first and last attributed day.
-- A network enters when its rollup rows reach 10 messages and is kept up to
-- date from then on, so every network missing here has fewer than 10: the
-- spoofed sources, millions of 1 to 6, never cost a row. A network's volume
-- bounds each of its addresses', so the dashboard lists the heaviest
-- sources of any window by walking these networks from the heaviest down
-- (by fail when only failing messages count) until no lighter one can
-- enter the page.
CREATE TABLE source (
	policy_domain TEXT    NOT NULL,
	ip            BLOB    NOT NULL,
	messages      INTEGER NOT NULL,
	fail          INTEGER NOT NULL,
	first_day     INTEGER NOT NULL,
	last_day      INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, ip)
) STRICT, WITHOUT ROWID;

CREATE INDEX source_messages ON source(messages);
CREATE INDEX source_domain_messages ON source(policy_domain, messages);
CREATE INDEX source_fail ON source(fail);
CREATE INDEX source_domain_fail ON source(policy_domain, fail);

-- Reporters seen, for the dashboard's pick list: the latest org_name
-- spelling and the count of stored reports.
CREATE TABLE reporter (
	org_key  TEXT    PRIMARY KEY,
	org_name TEXT    NOT NULL,
	reports  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
