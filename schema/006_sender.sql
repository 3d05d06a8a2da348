-- 006_sender: what is known of each source address, so that a source is
-- shown as a sender (a host name, a network owner, a country, a known
-- service) and not only as an address (FORMATS.md "Naming a source").
--
-- sender: one row per address of the heavy networks (table source: the
-- /24 or /48 networks with 10 messages or more), the addresses worth a
-- DNS query; the spoofed addresses with a message or two stay unnamed.
-- ip is the 16-byte form, net its network as in source.ip.
--   ptr, dns_status: the reverse DNS answer ('confirmed' when the PTR
--   name's A/AAAA records contain the address, 'mismatch', 'none',
--   'bad_name' (ptr holds the name escaped), 'servfail', 'timeout');
--   NULL until asked. dns_expires: when to ask again (the answer's TTL,
--   clamped).
--   asn, as_org, country: from the configured .mmdb databases, NULL when
--   unknown; geo_built is the databases' build time they came from.
--   service: the catalogue key the address matched, NULL when none;
--   evidence ('dkim', 'ptr', 'spf', 'asn') and evidence_value say what
--   matched; match_hash is the catalogue's hash at the time.
-- The CHECKs compare with OR, not IN (...): SQLite evaluates an IN list of
-- more than two values through a temporary table, opened and freed on every
-- row the enricher updates.
CREATE TABLE sender (
	ip             BLOB    PRIMARY KEY CHECK (length(ip) = 16),
	net            BLOB    NOT NULL,
	ptr            TEXT,
	dns_status     TEXT    CHECK (dns_status = 'confirmed' OR dns_status = 'mismatch'
	    OR dns_status = 'none' OR dns_status = 'bad_name' OR dns_status = 'servfail'
	    OR dns_status = 'timeout'),
	dns_checked    INTEGER,
	dns_expires    INTEGER,
	asn            INTEGER,
	as_org         TEXT,
	country        TEXT,
	geo_built      INTEGER,
	service        TEXT,
	evidence       TEXT    CHECK (evidence = 'dkim' OR evidence = 'ptr' OR evidence = 'spf'
	    OR evidence = 'asn'),
	evidence_value TEXT,
	match_hash     INTEGER,
	class          INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- A network's addresses, its named ones in service order (the dashboard's
-- networks list their services).
CREATE INDEX sender_net ON sender(net, service);
CREATE INDEX sender_service ON sender(service) WHERE service IS NOT NULL;
CREATE INDEX sender_asn ON sender(asn) WHERE asn IS NOT NULL;
CREATE INDEX sender_country ON sender(country) WHERE country IS NOT NULL;

-- The domains an address signed or sent for with a passing result: d= of
-- a DKIM signature that passed, the envelope (mfrom) domain of an SPF
-- check that passed. The catalogue recognises services by them. At most
-- SENDER_DOMAINS_MAX (store_sender.h) per address and kind.
CREATE TABLE sender_domain (
	ip     BLOB NOT NULL,
	kind   TEXT NOT NULL CHECK (kind = 'dkim' OR kind = 'spf'),
	domain TEXT NOT NULL,
	PRIMARY KEY (ip, kind, domain)
) STRICT, WITHOUT ROWID;

-- The services of the catalogue as the enricher last loaded it (the
-- built-in data/services.conf and the config file's [service] sections):
-- what the dashboard, the exports and the advisor show for sender.service.
CREATE TABLE service (
	key      TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	category TEXT NOT NULL,
	fix      TEXT NOT NULL,
	doc      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The names the dashboard groups by, as classes: one per (service, AS,
-- country) met, '' and 0 for none; as_org is the latest name of the AS.
-- sender.class is its address's class, 0 while it has none of the three.
CREATE TABLE sender_class (
	id      INTEGER PRIMARY KEY,
	service TEXT    NOT NULL,
	asn     INTEGER NOT NULL,
	country TEXT    NOT NULL,
	as_org  TEXT,
	UNIQUE (service, asn, country)
) STRICT;

-- The rollup by class: per attributed day, policy domain, reporter and
-- class, the sums of the rollup rows of the addresses of that class whose
-- network is heavy for the domain and folded (source.classed). The enricher
-- alone keeps it, in the transactions that name the addresses, so that it
-- always equals those rollup rows' sums (store_sender.c): it adds each
-- record it reads of a named address, moves an address's rollup rows when
-- its class changes, and folds a network in when it becomes heavy.
CREATE TABLE rollup_class (
	day                    INTEGER NOT NULL,
	policy_domain          TEXT    NOT NULL,
	org_key                TEXT    NOT NULL,
	class                  INTEGER NOT NULL,
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
	PRIMARY KEY (day, policy_domain, org_key, class)
) STRICT, WITHOUT ROWID;

-- source.classed: 1 once the network's named addresses are in rollup_class
-- for its domain; ingest inserts new heavy networks with 0.
ALTER TABLE source ADD COLUMN classed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX source_net ON source(ip);
CREATE INDEX source_unclassed ON source(policy_domain, ip) WHERE classed = 0;

-- The enricher's progress: the last record whose domains it has read.
CREATE TABLE enrich_state (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	record_after INTEGER NOT NULL
) STRICT;
INSERT INTO enrich_state (id, record_after) VALUES (1, 0);
