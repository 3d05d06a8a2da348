-- 002_failure: failure reports (ruf; FORMATS.md "Failure reports" and
-- "Retention").
--
-- One row per failure report, deduplicated on content_sha256 (FORMATS.md
-- "Duplicates and conflicts": the sorted feedback fields plus the sample's
-- unfolded header fields, so an LF and a CRLF delivery of one report are
-- one row). kind is 'dmarc'
-- for DMARC failure reports and 'other' for other ARF feedback (abuse,
-- fraud, ...), which is kept but never counted as a DMARC failure.
-- source_ip is canonical as in record.source_ip (NULL when absent or
-- invalid; source_ip_raw keeps it), ip its 16-byte form as record.ip, and
-- reported_domain lower-case as report.policy_domain, so failures join the
-- aggregate data on (reported_domain = policy_domain, ip).
-- The sample (personal data) is sample_headers and sample_body; the body
-- is stored only when configured. dmarcd prune clears both once the
-- retention period has passed (sample_cleared_at says when).
CREATE TABLE failure (
	id                   INTEGER PRIMARY KEY,
	input_id             INTEGER REFERENCES input(id),
	kind                 TEXT    NOT NULL CHECK (kind IN ('dmarc', 'other')),
	format               TEXT    NOT NULL
	    CHECK (format IN ('arf', 'arf-nonstandard', 'plaintext')),
	reporter             TEXT,
	feedback_type        TEXT,
	user_agent           TEXT,
	version              TEXT,
	auth_failure         TEXT,
	identity_alignment   TEXT,
	delivery_result      TEXT
	    CHECK (delivery_result IN ('delivered', 'spam', 'policy', 'reject', 'other')),
	delivery_result_raw  TEXT,
	arrival_ts           INTEGER,
	arrival_raw          TEXT,
	source_ip            TEXT,
	source_ip_raw        TEXT,
	source_port          INTEGER,
	incidents            INTEGER NOT NULL DEFAULT 1 CHECK (incidents >= 1),
	reported_domain      TEXT,
	original_mail_from   TEXT,
	original_rcpt_to     TEXT,
	original_envelope_id TEXT,
	reporting_mta        TEXT,
	auth_results         TEXT,
	dkim_domain          TEXT,
	dkim_identity        TEXT,
	dkim_selector        TEXT,
	spf_dns              TEXT,
	spf_result           TEXT,
	dkim_result          TEXT,
	dmarc_result         TEXT,
	spf_alignment        TEXT,
	dkim_alignment       TEXT,
	sample_kind          TEXT    NOT NULL CHECK (sample_kind IN ('message', 'headers', 'none')),
	sample_from          TEXT,
	header_from          TEXT,
	sample_to            TEXT,
	sample_subject       TEXT,
	sample_date          TEXT,
	sample_message_id    TEXT,
	sample_dkim_domain   TEXT,
	sample_dkim_selector TEXT,
	sample_headers       TEXT,
	sample_body          BLOB,
	sample_cleared_at    INTEGER,
	content_sha256       BLOB    NOT NULL UNIQUE CHECK (length(content_sha256) = 32),
	flags                INTEGER NOT NULL DEFAULT 0,
	stored_at            INTEGER NOT NULL,
	ip                   BLOB    CHECK (length(ip) = 16)
) STRICT;

CREATE INDEX failure_domain_arrival ON failure(reported_domain, arrival_ts);
CREATE INDEX failure_ip ON failure(ip);
CREATE INDEX failure_input ON failure(input_id);

-- Every field of the feedback part (or of a plaintext report), in order,
-- unknown ones and repeats included.
CREATE TABLE failure_field (
	failure_id INTEGER NOT NULL REFERENCES failure(id) ON DELETE CASCADE,
	ordinal    INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	value      TEXT    NOT NULL,
	PRIMARY KEY (failure_id, ordinal)
) STRICT, WITHOUT ROWID;
