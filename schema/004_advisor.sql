-- 004_advisor: what the domain owner told the policy advisor (FORMATS.md
-- "Source classes").
--
-- known_source: a sending source the owner confirmed, per policy domain: a
-- CIDR ('192.0.2.0/24', canonical, host bits clear), a DKIM signing domain
-- or an SPF (envelope) domain, lower case. origin says who wrote it: the
-- command line ('cli', kept until removed) or the config file ('config',
-- replaced each time the service loads its config).
CREATE TABLE known_source (
	id            INTEGER PRIMARY KEY,
	policy_domain TEXT    NOT NULL,
	kind          TEXT    NOT NULL CHECK (kind IN ('cidr', 'dkim_domain', 'spf_domain')),
	value         TEXT    NOT NULL,
	status        TEXT    NOT NULL CHECK (status IN ('authorized', 'unauthorized', 'forwarder')),
	label         TEXT,
	origin        TEXT    NOT NULL CHECK (origin IN ('cli', 'config')),
	created_at    INTEGER NOT NULL,
	UNIQUE (policy_domain, kind, value)
) STRICT;

-- Per policy domain: the DMARC record as the owner publishes it (its tags
-- are kept in the advised next record), and whether the owner says nobody
-- posts to mailing lists from it (gate B6).
CREATE TABLE advise_domain (
	policy_domain    TEXT    PRIMARY KEY,
	record           TEXT,
	no_mailing_lists INTEGER NOT NULL DEFAULT 0 CHECK (no_mailing_lists IN (0, 1))
) STRICT;

-- The advisor reads a domain's reports by the days they are attributed to.
CREATE INDEX report_domain_day ON report(policy_domain, day_last);
