-- 001_init: the ingest log, aggregate reports with their records, and the
-- daily rollup that the dashboard and the exports read.
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
-- xml_sha256 is NULL only while the report is being stored.
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
	stored_at        INTEGER NOT NULL,
	UNIQUE (org_key, report_id, policy_domain, begin_ts)
) STRICT;

-- The exports list reports by (begin_ts, org_name) within a domain or over
-- all: these indexes give that order, so that no export sorts its records.
CREATE INDEX report_xml_sha256 ON report(xml_sha256);
CREATE INDEX report_domain_begin ON report(policy_domain, begin_ts, org_name);
CREATE INDEX report_begin ON report(begin_ts, org_name);
CREATE INDEX report_input ON report(input_id);

-- A report that arrived with the key of a stored one but other content
-- (spec 6.5 U-2): the first is kept, the newcomer is noted here.
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
-- reporter sent an invalid address (source_ip_raw keeps it).
CREATE TABLE record (
	id              INTEGER PRIMARY KEY,
	report_id       INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
	ordinal         INTEGER NOT NULL,
	source_ip       TEXT    NOT NULL,
	source_ip_raw   TEXT,
	ip_family       INTEGER NOT NULL
	    CHECK (ip_family = 0 OR ip_family = 4 OR ip_family = 6),
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
	flags           INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE UNIQUE INDEX record_report ON record(report_id, ordinal);

-- A record's raw auth_results and override reasons, in document order.
-- result is the lower-case name, 'unknown' when result_raw was not one.
CREATE TABLE record_dkim (
	record_id    INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
	ordinal      INTEGER NOT NULL,
	domain       TEXT,
	selector     TEXT,
	result       TEXT    NOT NULL,
	result_raw   TEXT,
	human_result TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

CREATE TABLE record_spf (
	record_id    INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
	ordinal      INTEGER NOT NULL,
	domain       TEXT,
	scope        TEXT    CHECK (scope IN ('mfrom', 'helo')),
	result       TEXT    NOT NULL,
	result_raw   TEXT,
	human_result TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

CREATE TABLE record_reason (
	record_id INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
	ordinal   INTEGER NOT NULL,
	type      TEXT    NOT NULL,
	type_raw  TEXT,
	comment   TEXT,
	PRIMARY KEY (record_id, ordinal)
) STRICT, WITHOUT ROWID;

-- A record's count split over the days its report overlaps (spec 5.6), only
-- for reports spanning more than 36 hours; the parts sum to the count.
CREATE TABLE record_day (
	record_id INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
	day       INTEGER NOT NULL,
	count     INTEGER NOT NULL CHECK (count >= 0),
	PRIMARY KEY (record_id, day)
) STRICT, WITHOUT ROWID;

-- Volume per policy domain, attributed day and source address ('' for
-- invalid ones), maintained as each report is stored; sums saturate at
-- 2^63-1. disposition_none includes RFC 9990 'pass'. first_seen/last_seen
-- bound the contributing report periods, clamped to the day.
CREATE TABLE rollup (
	policy_domain          TEXT    NOT NULL,
	day                    INTEGER NOT NULL,
	source_ip              TEXT    NOT NULL,
	messages               INTEGER NOT NULL,
	dmarc_pass             INTEGER NOT NULL,
	dkim_aligned           INTEGER NOT NULL,
	spf_aligned            INTEGER NOT NULL,
	disposition_none       INTEGER NOT NULL,
	disposition_quarantine INTEGER NOT NULL,
	disposition_reject     INTEGER NOT NULL,
	first_seen             INTEGER NOT NULL,
	last_seen              INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, day, source_ip)
) STRICT, WITHOUT ROWID;

CREATE INDEX rollup_day ON rollup(day);
