-- 008_cross_net: what each reporter saw of each network, for the
-- cross-check of new reports (store/store_suspect_cross.c; FORMATS.md
-- "Reports that may be forged").
--
-- One row per policy domain, network (the /24 of an IPv4 address, the /48
-- of an IPv6 one, as the 16-byte first address), first day of the report
-- and reporter: the messages and DMARC passes of that reporter's reports
-- for the network, added when each report that is not suspect is stored,
-- and the latest last day of those reports (a report may span days). Only networks with
-- 10 messages or more in a report are kept: a witness needs 50, and the
-- dust of spoofing would double the writes of a spoofed domain. The
-- witnesses of a report are then one range of this table, not a walk of
-- every address of the network in rollup (which cost more than the rest
-- of ingest on reports of 5,000 records).
--
-- It starts empty: a report is compared with the reports stored since,
-- which for reports of the same days is all that matters.
CREATE TABLE cross_net (
	policy_domain TEXT    NOT NULL,
	net           BLOB    NOT NULL,
	day           INTEGER NOT NULL,
	org_key       TEXT    NOT NULL,
	day_last      INTEGER NOT NULL,
	messages      INTEGER NOT NULL,
	dmarc_pass    INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, net, day, org_key)
) STRICT, WITHOUT ROWID;
