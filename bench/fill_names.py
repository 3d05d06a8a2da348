#!/usr/bin/env python3
"""Fills the sender and service tables of a dashboard benchmark database
with synthetic names (bench/README.md, "Dashboard queries: names"), as the
enricher would for every address of the heavy networks (table source):

  service: by /16 (IPv4) or /32 (IPv6), one of 40 services "svc-N", and
           none for a quarter of them;
  asn, as_org: by a hash of the /24 (/48), one of 300;
  country: by a hash of the /24 (/48), one of 30 codes;
  ptr: "host-<hex>.example.net", confirmed for 3 addresses in 4.

usage: fill_names.py DB
"""
import sqlite3
import sys
import zlib

COUNTRIES = ["US", "DE", "FR", "GB", "NL", "IE", "SE", "JP", "BR", "IN", "CA", "AU", "ES", "IT",
             "PL", "CZ", "AT", "CH", "BE", "DK", "FI", "NO", "SG", "KR", "MX", "AR", "ZA", "RU",
             "CN", "TR"]


def main():
    db = sqlite3.connect(sys.argv[1])
    db.execute("DELETE FROM sender")
    db.execute("DELETE FROM service")
    db.executemany("INSERT INTO service VALUES (?, ?, ?, 'f', 'd')",
                   [("svc-%d" % i, "Service %d" % i, ("esp", "mailbox", "crm")[i % 3])
                    for i in range(40)])
    nets = db.execute("SELECT policy_domain, ip FROM source WHERE length(ip) = 16").fetchall()
    rows = []
    for (domain, net) in nets:
        v4 = net[:12] == b"\0" * 10 + b"\xff\xff"
        end = net[:15] + b"\xff" if v4 else net[:6] + b"\xff" * 10
        wide = net[12:14] if v4 else net[:4]
        h = zlib.crc32(net)
        svc = zlib.crc32(wide) % 53
        for (ip,) in db.execute("SELECT DISTINCT ip FROM rollup WHERE policy_domain = ?"
                                " AND ip BETWEEN ? AND ?", (domain, net, end)):
            k = zlib.crc32(ip)
            rows.append((ip, net, "host-%s.example.net" % ip.hex(),
                         "confirmed" if k % 4 else "mismatch", 64512 + h % 300,
                         "Owner %d" % (h % 300), COUNTRIES[(h >> 9) % 30],
                         "svc-%d" % svc if svc < 40 else None, "dkim" if svc < 40 else None,
                         "svc%d.example" % svc if svc < 40 else None))
    db.executemany("INSERT OR IGNORE INTO sender (ip, net, ptr, dns_status, asn, as_org, country,"
                   " service, evidence, evidence_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # their classes and the rollup by class, as the enricher keeps them (store/store_class.h)
    db.executescript("""
        DELETE FROM rollup_class; DELETE FROM sender_class;
        INSERT INTO sender_class (service, asn, country, as_org)
         SELECT DISTINCT coalesce(service, ''), asn, country, as_org FROM sender;
        UPDATE sender SET class = (SELECT c.id FROM sender_class c
         WHERE c.service = coalesce(sender.service, '') AND c.asn = sender.asn
         AND c.country = sender.country);
        UPDATE source SET classed = 1;
        INSERT INTO rollup_class SELECT u.day, u.policy_domain, u.org_key, s.class,
         sum(u.messages), sum(u.dmarc_pass), sum(u.dkim_aligned), sum(u.spf_aligned),
         sum(u.disposition_none), sum(u.disposition_quarantine), sum(u.disposition_reject),
         sum(u.fail_none), sum(u.fail_quarantine), sum(u.fail_reject)
         FROM source so JOIN sender s ON s.net = so.ip
         JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = s.ip
         WHERE s.class <> 0 GROUP BY 1, 2, 3, 4;
    """)
    db.commit()
    print("%d networks, %d addresses named" % (len(nets), db.execute(
        "SELECT count(*) FROM sender").fetchone()[0]))


main()
