-- 007_origin: who vouches for a report (FORMATS.md "Reports that may be
-- forged").
--
-- report.origin: what authenticates the mail that carried it, as
-- ingest/carrier.c decides: 'verified' (a DKIM signature of the reporter's
-- registrable domain verifies, checked here or by a trusted receiving
-- server), 'failed' (one of the reporter's fails and none passes),
-- 'unverified' (a bare file, an unsigned mail, signatures of others only, a
-- key that could not be fetched); NULL when nobody looked (a mail ingested
-- without DKIM verification, and every report stored before this).
-- report.origin_detail says why in words.
ALTER TABLE report ADD COLUMN origin TEXT
    CHECK (origin IN ('verified', 'unverified', 'failed'));
ALTER TABLE report ADD COLUMN origin_detail TEXT;

-- "This reporter signs its reports for the domain": one probe per report.
CREATE INDEX report_verified ON report(policy_domain, org_key) WHERE origin = 'verified';
