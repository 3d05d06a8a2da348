#!/usr/bin/env python3
"""Dashboard benchmark matrix: every page's API calls on each year shape.

For each shape of bench/year_shapes.py (built first when missing), starts
`dmarcd serve` (Release, 4 threads) on its database and prints:

  * p50 / p95 / max (ms) of every API call the dashboard's pages make
    (web/assets/app.js), for a 30-day and a 365-day window ending on the
    last day with data: the overview with each filter; the sources in every
    grouping (IP, /24-/48, service, AS, country) with every sort, with each
    filter and on deep pages; the records of a source and with each filter;
    the reports with every sort and each filter; the largest report of the
    window; failures, the ingest log, the reporters, the advisor; the CSV
    of a view and the exports (downloads: timed, not held to the targets).
    Each request carries a parameter the API ignores, so that the server's
    answer cache misses (web_bench.py). Sequential requests on one
    keep-alive connection; a call that takes over 1 s is timed 3 times,
    over 0.2 s 5 times, else --requests times (after one warm-up);
  * the overview's requests/s under wrk, every request computed afresh
    (30 and 365 days; wrk -t2 -c64), and from the answer cache (30 days);
  * the peak RSS of the server over the whole run;
  * storage: bytes per record of the database file, and what each table
    and index costs (SQLite's dbstat).

Usage: bench/dash_matrix.py [--dmarcd build-bench/dmarcd] [--data DIR]
       [--quick] [--requests 20] [--only REGEX] [--db FILE | SHAPE ...]
Shapes default to large, small, spoofed (year_shapes.py). --quick: 7
requests per figure, 5 s of wrk. --only times the calls whose name
matches REGEX. Results also go to DATA/matrix-SHAPE.json.
Targets (issue 16): p95 < 100 ms on each 5 M shape, < 250 ms on 20 M;
uncached overview >= 2,000 req/s for 30 days; <= 150 bytes per record.
"""
import argparse
import http.client
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse

from benchlib import GEN, build
from web_bench import serve, wrk
import year_shapes

SORTS = ["messages", "source", "policy_domain", "dmarc_pass", "pass_rate", "dkim_aligned",
         "spf_aligned", "disposition_none", "disposition_quarantine", "disposition_reject",
         "first_seen", "last_seen"]
GROUPS = ["ip", "prefix", "service", "asn", "country"]
REPORT_SORTS = ["begin", "org_name", "policy_domain", "records", "messages", "pass_rate"]


class Conn:
    """One keep-alive connection to the server, reopened after an error."""

    def __init__(self, port):
        self.port = port
        self.c = None
        self.bust = 0

    def get(self, path, bust=True):
        """(status, body, seconds) of GET path (with a cache-busting parameter)."""
        if bust:
            self.bust += 1
            path += ("&" if "?" in path else "?") + "_=%d" % self.bust
        if self.c is None:
            self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        t = time.perf_counter()
        try:
            self.c.request("GET", path, headers={"Accept-Encoding": "identity"})
            r = self.c.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            self.c.close()
            self.c = None
            raise
        return r.status, body, time.perf_counter() - t

    def json(self, path):
        status, body, _ = self.get(path, bust=False)
        if status != 200:
            sys.exit("GET %s: %d %s" % (path, status, body[:200]))
        return json.loads(body)


def timed(conn, path, n):
    """Times path: dict of p50, p95, max (ms), n, status (the worst), bytes, rows."""
    status, body, s = conn.get(path)  # warm-up: SQLite's page cache
    if s > 1.0:
        n = 3
    elif s > 0.2:
        n = min(n, 5)
    ms, worst = [], status
    for _ in range(n):
        st, body, s = conn.get(path)
        ms.append(s * 1000)
        if st != 200:
            worst = st
    ms.sort()
    out = dict(p50=statistics.median(ms), p95=ms[max(0, int(round(0.95 * len(ms))) - 1)],
               max=ms[-1], n=len(ms), status=worst, bytes=len(body))
    if body[:1] == b"{":
        try:
            d = json.loads(body)
            out["rows"] = len(d.get("rows", d.get("domains", d.get("records", []))))
            if "total" in d:
                out["total"] = d["total"]
            if d.get("sort_scope") is not None:
                out["scope"] = d["sort_scope"]
        except ValueError:
            pass
    return out


def prefix_of(ip):
    """The /16 of an IPv4 address, the /32 of an IPv6 one: a broad CIDR filter."""
    if ":" in ip:
        import ipaddress
        return str(ipaddress.ip_network(ip + "/32", strict=False))
    a = ip.split(".")
    return "%s.%s.0.0/16" % (a[0], a[1])


def samples(conn, end):
    """The filter values and ids the calls use, found in the data."""
    w30, w365 = "to=%s&days=30" % end, "to=%s&days=365" % end
    doms = conn.json("/api/v1/overview?" + w365)["domains"]
    domain = max(doms, key=lambda d: d["messages"])["policy_domain"]
    reporters = conn.json("/api/v1/reporters")["rows"]
    reporter = max(reporters, key=lambda r: r["reports"])["org_key"]
    top = conn.json("/api/v1/sources?%s&limit=1" % w30)["rows"][0]
    names = {}
    for g in ("service", "asn", "country"):
        # the unnamed rest of each domain comes first: spoofed mail is most of it
        rows = conn.json("/api/v1/sources?%s&limit=100&group=%s" % (w365, g))["rows"]
        names[g] = next((str(r["source"]) for r in rows if r["source"] != ""), None)
    report = conn.json("/api/v1/reports?%s&limit=1&sort=records&dir=desc" % w30)["rows"][0]
    failures = conn.json("/api/v1/failures?%s&limit=1" % w365)["rows"]
    return dict(domain=domain, reporter=reporter, ip=top["source"],
                ip_domain=top["policy_domain"], cidr=prefix_of(top["source"]),
                service=names["service"], asn=names["asn"], country=names["country"],
                report=report["id"], report_records=report["records"],
                failure=failures[0]["id"] if failures else None)


def calls(s):
    """(name, path with %s for the window or None) of every call timed."""
    q = urllib.parse.quote
    filters = [("domain", "domain=" + q(s["domain"])), ("reporter", "reporter=" + q(s["reporter"])),
               ("result=fail", "result=fail"), ("cidr " + s["cidr"], "source=" + q(s["cidr"]))]
    for k in ("service", "asn", "country"):
        if s[k] is not None:
            filters.append(("%s=%s" % (k, s[k]), "%s=%s" % (k, q(s[k]))))
    out = [("overview", "/api/v1/overview?%s")]
    out += [("overview [%s]" % fn, "/api/v1/overview?%s&" + fq) for fn, fq in filters]
    src = "/api/v1/sources?%s&limit=50"
    for g in GROUPS:
        gq = "" if g == "ip" else "&group=" + g
        out.append(("sources %s" % g, src + gq))
        out.append(("sources %s, messages asc" % g, src + gq + "&sort=messages&dir=asc"))
        for so in SORTS[1:]:
            out.append(("sources %s, %s desc" % (g, so), src + gq + "&sort=%s&dir=desc" % so))
        out.append(("sources %s, pass_rate asc" % g, src + gq + "&sort=pass_rate&dir=asc"))
        for fn, fq in filters:
            out.append(("sources %s [%s]" % (g, fn), src + gq + "&" + fq))
    for g, off in (("ip", 950), ("ip", 4950), ("prefix", 950)):
        gq = "" if g == "ip" else "&group=" + g
        out.append(("sources %s, page %d" % (g, off // 50 + 1), src + gq + "&offset=%d" % off))
    for fn, fq in filters:
        out.append(("sources ip, pass_rate asc [%s]" % fn, src + "&sort=pass_rate&dir=asc&" + fq))
    rec = "/api/v1/records?%s&limit=50"
    out.append(("records of a source (click-through)",
                rec + "&source=%s&domain=%s" % (q(s["ip"]), q(s["ip_domain"]))))
    out.append(("records", rec))
    out += [("records [%s]" % fn, rec + "&" + fq) for fn, fq in filters]
    out.append(("records, page 20", rec + "&offset=950"))
    rep = "/api/v1/reports?%s&limit=50"
    out.append(("reports", rep))
    for so in REPORT_SORTS:
        out.append(("reports, %s %s" % (so, "asc" if so == "begin" else "desc"),
                    rep + "&sort=%s&dir=%s" % (so, "asc" if so == "begin" else "desc")))
    out += [("reports [%s]" % fn, rep + "&" + fq) for fn, fq in filters[:4]]
    out.append(("reports, page 20", rep + "&offset=950"))
    out.append(("failures", "/api/v1/failures?%s&limit=50"))
    out.append(("failures [domain]", "/api/v1/failures?%s&limit=50&domain=" + q(s["domain"])))
    out.append(("sources CSV (this view, 500 rows)", "/api/v1/sources.csv?%s&limit=500"))
    return out


FIXED = [
    ("page shell /", "/"),
    ("assets/app.js", "/assets/app.js"),
    ("ingest log", "/api/v1/inputs?limit=50"),
    ("ingest log [stored]", "/api/v1/inputs?limit=50&status=stored"),
    ("ingest log [refused]", "/api/v1/inputs?limit=50&status=refused"),
    ("ingest log, page 20", "/api/v1/inputs?limit=50&offset=950"),
    ("reporters (filter list)", "/api/v1/reporters"),
]


def fixed_calls(s):
    out = list(FIXED)
    out.append(("report detail (%d records)" % s["report_records"],
                "/api/v1/report/%d" % s["report"]))
    if s["failure"] is not None:
        out.append(("failure detail", "/api/v1/failure/%d" % s["failure"]))
    for w in (30, 365):
        out.append(("advice %s, window %d" % (s["domain"], w),
                    "/api/v1/advice?domain=%s&window=%d" % (urllib.parse.quote(s["domain"]), w)))
    return out


EXPORTS = ["domains", "reports", "sources", "failures"]


def storage(db):
    """(file bytes, free bytes, [(name, kind, table, bytes, rows or None)]) from dbstat."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    page = c.execute("PRAGMA page_size").fetchone()[0]
    size = c.execute("PRAGMA page_count").fetchone()[0] * page
    free = c.execute("PRAGMA freelist_count").fetchone()[0] * page
    kinds = {n: (t, tb) for t, n, tb in c.execute("SELECT type, name, tbl_name FROM sqlite_schema")}
    out = []
    for name, size_b in c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
                                  " ORDER BY 2 DESC"):
        kind, table = kinds.get(name, ("index" if name.startswith("sqlite_autoindex") else
                                       "table", name))
        if name.startswith("sqlite_autoindex"):
            table = re.sub(r"^sqlite_autoindex_(.*)_\d+$", r"\1", name)
        rows = None
        if kind == "table" and name != "sqlite_schema":
            rows = c.execute('SELECT count(*) FROM "%s"' % name.replace('"', '""')).fetchone()[0]
        out.append((name, kind, table, size_b, rows))
    c.close()
    return size, free, out


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
    return int(m.group(1)) if m else 0


def fmt_row(name, r30, r365=None):
    def cell(r):
        if r is None:
            return "%9s %9s %9s" % ("", "", "")
        flag = "" if r["status"] == 200 else " [%d]" % r["status"]
        return "%9.1f %9.1f %9.1f%s" % (r["p50"], r["p95"], r["max"], flag)
    return "%-58s %s   %s" % (name[:58], cell(r30), cell(r365))


def db_facts(db):
    """A database's facts when year_shapes did not make it (--db)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    n, r = c.execute("SELECT (SELECT count(*) FROM record),"
                     " (SELECT count(*) FROM report)").fetchone()
    c.close()
    return dict(what="the database " + db, summary=dict(records=n, reports_stored=r))


def run_shape(dmarcd, data, shape, a, db=None):
    if db is None:
        db = year_shapes.ensure(dmarcd, data, shape)
        facts = year_shapes.stamp(db)
    else:
        facts = db_facts(db)
    records = facts["summary"]["records"]
    target = 250 if records > 10_000_000 else 100
    proc, port = serve(dmarcd, db, a.threads)
    res = dict(shape=shape, what=facts["what"], records=records,
               reports=facts["summary"]["reports_stored"], db=db, target_ms=target,
               started=time.strftime("%Y-%m-%d %H:%M"), load_before=os.getloadavg(), calls=[])
    try:
        conn = Conn(port)
        rows = conn.json("/api/v1/reports?limit=1&sort=begin&dir=desc")["rows"]
        end = rows[0]["begin"][:10]
        s = samples(conn, end)
        res["end"], res["samples"] = end, s
        print("\n== %s: %s; %s records, %s reports; windows ending %s; serve --threads %d"
              % (shape, facts["what"], "{:,}".format(records), "{:,}".format(res["reports"]),
                 end, a.threads))
        print("   filters: " + ", ".join("%s=%s" % kv for kv in s.items()))
        print("%-58s %9s %9s %9s   %9s %9s %9s" % ("call (ms)", "30d p50", "p95", "max",
                                                   "365d p50", "p95", "max"), flush=True)
        only = re.compile(a.only) if a.only else None
        for name, path in calls(s):
            if only and not only.search(name):
                continue
            r = [timed(conn, path % ("to=%s&days=%d" % (end, d)), a.requests) for d in (30, 365)]
            res["calls"].append(dict(name=name, path=path, d30=r[0], d365=r[1]))
            print(fmt_row(name, r[0], r[1]), flush=True)
        for name, path in fixed_calls(s):
            if only and not only.search(name):
                continue
            r = timed(conn, path, a.requests)
            res["calls"].append(dict(name=name, path=path, d30=r, d365=None))
            print(fmt_row(name, r), flush=True)
        for ex in EXPORTS if not only else []:
            path = "/api/v1/export/%s.csv?%%s" % ex
            r = [timed(conn, path % ("to=%s&days=%d" % (end, d)), 1) for d in (30, 365)]
            res.setdefault("exports", []).append(dict(name=ex, d30=r[0], d365=r[1]))
            print(fmt_row("export %s.csv (%s / %s MB)" % (
                ex, "%.1f" % (r[0]["bytes"] / 1e6), "%.1f" % (r[1]["bytes"] / 1e6)), r[0], r[1]),
                flush=True)
        conn.get("/", bust=False)
        worst = sorted(((c[w]["p95"], c["name"], w) for c in res["calls"] for w in ("d30", "d365")
                        if c[w] is not None), reverse=True)
        misses = [x for x in worst if x[0] >= target]
        res["misses"] = len(misses)
        print("calls timed: %d; p95 at or over %d ms: %d; worst p95 %.1f ms (%s, %s)" % (
            len(worst), target, len(misses), worst[0][0], worst[0][1], worst[0][2][1:] + " d"))
        if not a.only:
            res["wrk"] = {}
            for days, unique in ((30, True), (365, True), (30, False)):
                rps, p99, errors = wrk(port, a.wrk_seconds, a.wrk_connections,
                                       "/api/v1/overview?to=%s&days=%d" % (end, days), unique)
                key = "%dd %s" % (days, "computed" if unique else "cached")
                res["wrk"][key] = dict(rps=rps, p99=p99, errors=errors)
                print("overview %s under load: %s requests/s, p99 %s, %d non-2xx" % (
                    key, "{:,.0f}".format(rps), p99, errors), flush=True)
        res["serve_peak_rss_kib"] = vm_hwm(proc.pid)
        print("serve peak RSS: %.0f MiB" % (res["serve_peak_rss_kib"] / 1024))
    finally:
        proc.terminate()
        proc.wait()
    size, free, tables = storage(db)
    res["storage"] = dict(file_bytes=size, free_bytes=free, bytes_per_record=size / records,
                          objects=[dict(name=n, kind=k, table=t, bytes=b, rows=r)
                                   for n, k, t, b, r in tables])
    print("storage: %.2f GB, %.0f bytes per record (%s records; %.1f MB free pages)" % (
        size / 1e9, size / records, "{:,}".format(records), free / 1e6))
    for n, k, t, b, r in tables:
        if b < size / 1000:
            continue
        print("  %-28s %-5s %9.1f MB %6.1f B/record%s" % (
            n, k, b / 1e6, b / records, "" if r is None else "  %s rows" % "{:,}".format(r)))
    res["finished"] = time.strftime("%Y-%m-%d %H:%M")
    res["load_after"] = os.getloadavg()
    print("load average: %s before, %s after" % (
        " ".join("%.1f" % x for x in res["load_before"]),
        " ".join("%.1f" % x for x in res["load_after"])), flush=True)
    path = os.path.join(data, "matrix-%s.json" % shape)
    if a.only and os.path.exists(path):
        # the calls timed again replace theirs in the saved results, the rest stays
        with open(path) as f:
            old = json.load(f)
        new = {c["name"]: c for c in res["calls"]}
        old["calls"] = [new.pop(c["name"], c) for c in old["calls"]] + list(new.values())
        old["rerun"] = old.get("rerun", []) + [dict(only=a.only, started=res["started"],
                                                    load_before=res["load_before"],
                                                    load_after=res["load_after"])]
        res = old
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    return res


def family(name):
    """The row of the condensed table a call belongs to: sorts and filters folded."""
    m = re.match(r"sources (\w+), (\w+) (asc|desc)$", name)
    if m and not (m.group(2) == "messages" and m.group(3) == "desc"):
        return "sources %s, the 13 other sorts" % m.group(1)
    m = re.match(r"sources (\w+) \[(service|asn|country)=", name)
    if m:
        return "sources %s, names filter (service, AS, country)" % m.group(1)
    m = re.match(r"(overview|records|sources ip, pass_rate asc) \[(service|asn|country)=", name)
    if m:
        return "%s, names filter (service, AS, country)" % m.group(1)
    m = re.match(r"reports, (\w+) (asc|desc)$", name)
    if m:
        return "reports, the 6 other sorts"
    m = re.match(r"(.*) \[cidr .*\]", name)
    if m:
        return m.group(1) + " [cidr /16]"
    m = re.match(r"(advice) \S+, (window \d+)", name)
    if m:
        return "advice (largest domain), " + m.group(2)
    m = re.match(r"(report detail) \(", name)
    if m:
        return "report detail (the window's largest report)"
    return name


def report(data, shapes):
    """Markdown tables of the matrix results saved in data (DATA/matrix-SHAPE.json)."""
    res = []
    for s in shapes:
        with open(os.path.join(data, "matrix-%s.json" % s)) as f:
            res.append(json.load(f))
    print("| shape | records | reports | runs (load average) | calls over target p95 "
          "| worst p95 ms | overview 30 d computed /s | 365 d computed /s | 30 d cached /s "
          "| serve peak RSS | DB | bytes/record |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in res:
        n = sum(1 for c in r["calls"] for w in ("d30", "d365") if c[w] is not None)
        worst = max(c[w]["p95"] for c in r["calls"] for w in ("d30", "d365") if c[w] is not None)
        r["misses"] = sum(1 for c in r["calls"] for w in ("d30", "d365")
                          if c[w] is not None and c[w]["p95"] >= r["target_ms"])
        wk = r.get("wrk", {})
        print("| %s | %s | %s | %s-%s (%.1f / %.1f) | %d of %d (%d ms) | %s | %s | %s | %s "
              "| %.0f MiB | %.2f GB | %.0f |" % (
                  r["shape"], "{:,}".format(r["records"]), "{:,}".format(r["reports"]),
                  r["started"], r["finished"][11:], r["load_before"][0], r["load_after"][0],
                  r["misses"], n, r["target_ms"], "{:,.0f}".format(worst),
                  *["{:,.0f}".format(wk[k]["rps"]) if k in wk else "-"
                    for k in ("30d computed", "365d computed", "30d cached")],
                  r["serve_peak_rss_kib"] / 1024, r["storage"]["file_bytes"] / 1e9,
                  r["storage"]["bytes_per_record"]))
    # condensed: per family, the worst p95 (and its p50) of each shape and window
    fams = {}
    for i, r in enumerate(res):
        for c in r["calls"]:
            f = fams.setdefault(family(c["name"]), {})
            for w in ("d30", "d365"):
                x = c[w]
                if x is None:
                    continue
                k = (i, w)
                if k not in f or x["p95"] > f[k]["p95"]:
                    f[k] = dict(x, name=c["name"])
    print("\n| call | " + " | ".join("%s 30 d | %s 365 d" % (r["shape"], r["shape"])
                                      for r in res) + " |")
    print("|---|" + "---:|" * (2 * len(res)))

    def cell(x, target):
        if x is None:
            return "-"
        t = "%s / %s" % ("%.0f" % x["p50"] if x["p50"] >= 10 else "%.1f" % x["p50"],
                         "%.0f" % x["p95"] if x["p95"] >= 10 else "%.1f" % x["p95"])
        if x["status"] != 200:
            t += " (%d)" % x["status"]
        return "**%s**" % t if x["p95"] >= target else t
    for name, f in fams.items():
        print("| %s | %s |" % (name, " | ".join(
            cell(f.get((i, w)), r["target_ms"]) for i, r in enumerate(res)
            for w in ("d30", "d365"))))
    print("\nFull matrix:\n")
    print("| call | " + " | ".join("%s 30 d | %s 365 d" % (r["shape"], r["shape"])
                                    for r in res) + " |")
    print("|---|" + "---:|" * (2 * len(res)))
    def shown(name):
        """The name without the values found in the data, the same for every shape."""
        name = re.sub(r"\[cidr [^\]]+\]", "[cidr /16]", name)
        name = re.sub(r"(service|asn|country)=[^\]]+", r"\1=…", name)
        name = re.sub(r"advice \S+", "advice", name)
        return re.sub(r"report detail \(\d+ records\)", "report detail", name)
    names = list(dict.fromkeys(shown(c["name"]) for r in res for c in r["calls"]))
    by = [{shown(c["name"]): c for c in r["calls"]} for r in res]
    for name in names:
        print("| %s | %s |" % (name, " | ".join(
            cell(by[i][name][w] if name in by[i] else None, r["target_ms"])
            for i, r in enumerate(res) for w in ("d30", "d365"))))
    print("\nExports (downloads, timed once: ms and MB, 30 d / 365 d):\n")
    print("| export | " + " | ".join(r["shape"] for r in res) + " |")
    print("|---|" + "---:|" * len(res))
    for ex in EXPORTS:
        cells = []
        for r in res:
            x = next((y for y in r.get("exports", []) if y["name"] == ex), None)
            cells.append("-" if x is None else "%s / %s ms, %.1f / %.1f MB" % (
                "{:,.0f}".format(x["d30"]["p50"]), "{:,.0f}".format(x["d365"]["p50"]),
                x["d30"]["bytes"] / 1e6, x["d365"]["bytes"] / 1e6))
        print("| %s.csv | %s |" % (ex, " | ".join(cells)))
    print("\nStorage (MB, and bytes per record):\n")
    objs = list(dict.fromkeys(o["name"] for r in res for o in r["storage"]["objects"]))
    print("| table or index | " + " | ".join(r["shape"] for r in res) + " |")
    print("|---|" + "---:|" * len(res))
    print("| **whole file** | " + " | ".join("%.0f MB (%.0f B)" % (
        r["storage"]["file_bytes"] / 1e6, r["storage"]["bytes_per_record"]) for r in res) + " |")
    for o in objs:
        cells, big = [], False
        for r in res:
            x = next((y for y in r["storage"]["objects"] if y["name"] == o), None)
            if x is None:
                cells.append("-")
                continue
            big = big or x["bytes"] >= r["storage"]["file_bytes"] / 200
            cells.append("%.1f MB (%.1f B)%s" % (x["bytes"] / 1e6, x["bytes"] / r["records"],
                         "" if x["rows"] is None else ", %s rows" % "{:,}".format(x["rows"])))
        if big:
            kind = next(y["kind"] for r in res for y in r["storage"]["objects"] if y["name"] == o)
            print("| %s (%s) | %s |" % (o, kind, " | ".join(cells)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dmarcd")
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--requests", type=int)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--wrk-seconds", type=int)
    ap.add_argument("--wrk-connections", type=int, default=64)
    ap.add_argument("--only")
    ap.add_argument("--db", help="time this database instead of the shapes")
    ap.add_argument("--report", action="store_true",
                    help="print the saved results of the shapes as Markdown tables")
    ap.add_argument("shapes", nargs="*", metavar="SHAPE")
    a = ap.parse_args()
    a.requests = a.requests or (7 if a.quick else 20)
    a.wrk_seconds = a.wrk_seconds or (5 if a.quick else 10)
    shapes = a.shapes or ["large", "small", "spoofed"]
    for s in shapes:
        if s not in year_shapes.SHAPES and not a.report:
            sys.exit("unknown shape %s (of %s)" % (s, ", ".join(year_shapes.SHAPES)))
    if not os.path.exists(GEN):
        sys.exit("dash_matrix needs ../shared/bench/gen_corpus.py next to the project")
    if a.report:
        report(year_shapes.data_dir(a.data), shapes)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("dash_matrix: terminated"))
    dmarcd = build(a.dmarcd)
    data = year_shapes.data_dir(a.data)
    if a.db:
        os.makedirs(data, exist_ok=True)
        run_shape(dmarcd, data, os.path.basename(a.db).split(".")[0], a, os.path.abspath(a.db))
        return
    for s in shapes:
        run_shape(dmarcd, data, s, a)


if __name__ == "__main__":
    main()
