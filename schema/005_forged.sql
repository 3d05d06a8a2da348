-- 005_forged: reports that may be forged (FORMATS.md "Reports that may be
-- forged").
--
-- input.carrier_dmarc: the dmarc= result of the mail's topmost
-- Authentication-Results header (the one the receiving server added last),
-- lower case ('pass', 'fail', ...); NULL when the mail had none or the input
-- was a bare file.
--
-- report.suspect: why the report looks forged, NULL when it does not: its
-- mail failed DMARC, or it is the first report of its reporter for the
-- domain and claims far more mail than the domain's recent days
-- (store_suspect.c). The advisor leaves suspect reports out until the owner
-- accepts them (`dmarcd suspects --accept`), which sets it back to NULL;
-- every other view counts them as received.
ALTER TABLE input ADD COLUMN carrier_dmarc TEXT;
ALTER TABLE report ADD COLUMN suspect TEXT;
