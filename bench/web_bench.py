#!/usr/bin/env python3
"""Dashboard benchmark: response times of the pages and API calls on a year of data.

Builds (once, cached under bench/out/) a corpus of a large sender's year of
aggregate reports with ../shared/bench/gen_corpus.py, >= 5 million records,
ingests it into bench/out/web-year.db with a Release build, starts
`dmarcd serve` on it, and prints:

  * p50 / p95 response times (ms) of the page shell, the assets and every
    main API call, for a 30-day and a 365-day window (sequential requests
    over one keep-alive connection: the time a user waits);
  * requests/s of the overview API under concurrent load, measured with wrk
    (installed with apt-get if missing: the benchmark only, never CI).

Usage: bench/web_bench.py [--dmarcd build-bench/dmarcd] [--db FILE] [--requests 50]
       [--threads 4] [--wrk-seconds 10] [--wrk-connections 64]
--db reuses a database that already holds such a year (bench/README.md).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from benchlib import OUT, build, generate

CORPUS = os.path.join(OUT, "web-year")
DB = os.path.join(OUT, "web-year.db")
START, END = "2025-01-01", "2025-12-31"  # the year gen_corpus spreads the reports over
# 20,000 reports of ~260 records over 365 days and 8 policy domains: ~5.2 M records.
GEN_ARGS = ["--reports", "20000", "--records-per-report", "~260", "--days", "365",
            "--start-date", START, "--domains", "8", "--compress", "gz", "--wrap", "none",
            "--failure", "500", "--seed", "21"]




def db_usable(dmarcd, db):
    """True when db exists and this dmarcd can read it without a migration."""
    if not os.path.exists(db):
        return False
    r = subprocess.run([dmarcd, "export", "domains", "--db", db, "--since", END],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def make_db(dmarcd):
    if not os.path.isdir(CORPUS):
        print("generating the corpus into %s ..." % CORPUS, flush=True)
        t = time.monotonic()
        generate(CORPUS, GEN_ARGS, "web_bench")
        print("  %.0f s" % (time.monotonic() - t), flush=True)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(DB + suffix):
            os.remove(DB + suffix)
    print("ingesting into %s ..." % DB, flush=True)
    t = time.monotonic()
    r = subprocess.run([dmarcd, "ingest", "--json", "--db", DB, CORPUS],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if r.returncode not in (0, 3):
        sys.exit("dmarcd ingest failed (%d)" % r.returncode)
    print("  %.0f s: %s" % (time.monotonic() - t, r.stdout.strip()), flush=True)


def serve(dmarcd, db, threads):
    p = subprocess.Popen([dmarcd, "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads",
                          str(threads)], stderr=subprocess.PIPE, text=True)
    seen = []
    for _ in range(20):                     # warnings (running as root, ...) may come first
        line = p.stderr.readline()
        seen.append(line)
        m = re.search(r"\(port (\d+);", line)
        if m or not line:
            break
    if not m:
        p.kill()
        sys.exit("dmarcd serve did not start: " + "".join(seen))
    return p, int(m.group(1))


def get(conn, path):
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("GET %s: %d %s" % (path, r.status, body[:200]))
    return body


BUST = [0]


def busted(path):
    """path with a parameter the API ignores, so that the server's answer cache misses."""
    BUST[0] += 1
    return path + ("&" if "?" in path else "?") + "_=%d" % BUST[0]


def timings(port, path, n):
    """p50 and p95 in ms of n requests for path, each computed afresh (no answer cache)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(3):
        get(conn, busted(path))               # warm SQLite's page cache
    ms = []
    for i in range(n):
        if i == 5 and ms[0] > 1000:
            break                              # a slow call: 5 samples tell enough
        p = busted(path)
        t = time.perf_counter()
        get(conn, p)
        ms.append((time.perf_counter() - t) * 1000)
    conn.close()
    ms.sort()
    return statistics.median(ms), ms[max(0, int(round(0.95 * len(ms))) - 1)]


def last_day(port):
    """The day of the newest report: the windows end there."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    rows = json.loads(get(conn, "/api/v1/reports?limit=1&sort=begin&dir=desc"))["rows"]
    conn.close()
    return rows[0]["begin"][:10] if rows else END


def sample_ids(port, end):
    """A busy source IP and domain, and a report id, to click through to."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    src = json.loads(get(conn, "/api/v1/sources?to=%s&days=30&limit=1" % end))["rows"][0]
    rep = json.loads(get(conn, "/api/v1/reports?to=%s&days=30&limit=1" % end))["rows"][0]
    conn.close()
    return src["source"], src["policy_domain"], rep["id"]


def sort_scope(port, end):
    """The sort_scope of the pass-rate sort for 30 and 365 days (None: every source)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    scopes = [json.loads(get(conn, "/api/v1/sources?to=%s&days=%d&limit=1&sort=pass_rate"
                             % (end, days))).get("sort_scope") for days in (30, 365)]
    conn.close()
    return "%s (30 days), %s (365 days)" % tuple(scopes)


# Every request a new URL: the answer cache never hits.
UNIQUE_LUA = """
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&_=" .. n)
end
"""


def wrk(port, seconds, connections, path, unique=False):
    if shutil.which("wrk") is None:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        print("installing wrk (the benchmark only) ...", flush=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       stdout=subprocess.DEVNULL)
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency"]
    if unique:
        lua = os.path.join(OUT, "unique.lua")
        with open(lua, "w") as f:
            f.write(UNIQUE_LUA)
        cmd += ["-s", lua]
    r = subprocess.run(cmd + ["http://127.0.0.1:%d%s" % (port, path)], check=True,
                       stdout=subprocess.PIPE, text=True)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    p99 = re.search(r"99%\s+([\d.]+\w+)", r.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return float(rps.group(1)), p99.group(1) if p99 else "?", int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dmarcd")
    ap.add_argument("--db")
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--wrk-connections", type=int, default=64)
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    dmarcd = build(a.dmarcd)
    db = a.db or DB
    if not db_usable(dmarcd, db):
        if a.db:
            sys.exit("%s: not a database this dmarcd can read" % a.db)
        make_db(dmarcd)
    reports = subprocess.run([dmarcd, "export", "reports", "--db", db, "--format", "json"],
                             text=True, stdout=subprocess.PIPE, check=True).stdout
    records = "{:,}".format(sum(r["records"] for r in json.loads(reports)))
    proc, port = serve(dmarcd, db, a.threads)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("web_bench: terminated"))
    try:
        end = last_day(port)
        ip, domain, report = sample_ids(port, end)
        print("database %s: %s records, windows ending %s; serve --threads %d; "
              "%d requests per figure" % (db, records, end, a.threads, a.requests))
        print("sorts other than by messages order the heaviest sources only: sort_scope %s" %
              sort_scope(port, end))
        print("%-44s %10s %10s %10s %10s" % ("request", "30d p50", "30d p95", "365d p50",
                                              "365d p95"))
        calls = [
            ("page shell /", "/", False),
            ("assets/app.js", "/assets/app.js", False),
            ("overview (domains + daily series)", "/api/v1/overview?%s", True),
            ("overview, one domain", "/api/v1/overview?%s&domain=" + domain, True),
            ("sources by IP, page 1", "/api/v1/sources?%s&limit=50", True),
            ("sources by IP, sorted by pass rate", "/api/v1/sources?%s&limit=50&sort=pass_rate"
             "&dir=asc", True),
            ("sources by /24-/48, sorted by last seen", "/api/v1/sources?%s&limit=50"
             "&group=prefix&sort=last_seen&dir=desc", True),
            ("sources by IP, page 20", "/api/v1/sources?%s&limit=50&offset=950", True),
            ("sources by /24-/48", "/api/v1/sources?%s&limit=50&group=prefix", True),
            ("records of a source (click-through)", "/api/v1/records?%s&limit=50&source=" + ip
             + "&domain=" + domain, True),
            ("reports, page 1", "/api/v1/reports?%s&limit=50", True),
            ("report detail", "/api/v1/report/%d" % report, False),
            ("failures, page 1", "/api/v1/failures?%s&limit=50", True),
            ("ingest log, page 1", "/api/v1/inputs?limit=50", False),
            ("reporters (filter list)", "/api/v1/reporters", False),
        ]
        worst = 0.0
        for name, path, windowed in calls:
            row = []
            for days in (30, 365):
                p = path % ("to=%s&days=%d" % (end, days)) if windowed else path
                p50, p95 = timings(port, p, a.requests)
                worst = max(worst, p95)
                row += [p50, p95]
            print("%-44s %10.1f %10.1f %10.1f %10.1f" % tuple([name] + row), flush=True)
        print("worst p95: %.1f ms (goal: < 100 ms)" % worst)
        for days in (30, 365):
            path = "/api/v1/overview?to=%s&days=%d" % (end, days)
            for unique, what in ((False, "same view (answer cache)"),
                                 (True, "every request computed")):
                rps, p99, errors = wrk(port, a.wrk_seconds, a.wrk_connections, path, unique)
                print("overview %dd under load, %s: %s requests/s, p99 %s, %d errors" % (
                    days, what, "{:,.0f}".format(rps), p99, errors), flush=True)
        print("(wrk -t2 -c%d -d%ds; goal: >= 2,000/s)" % (a.wrk_connections, a.wrk_seconds))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
