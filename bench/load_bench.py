#!/usr/bin/env python3
"""Load and slowloris: the dashboard under wrk while an ingest writes, then slow clients.

Load: for each of two API views (overview, sources), a fresh database, then
`dmarcd serve` (Release, 4 threads) under `wrk -t2 -c200 -d60s --latency`
while 100,000 records (2,000 reports from ../shared/bench/gen_corpus.py,
cached in bench/out/) are ingested into the same database: in --pace
`dmarcd ingest` runs spread over the wrk run (default 30, one every 2 s:
every commit makes the server's cached answers stale), or all at once with
--pace 1. A Lua script counts wrk's answers by status. Meanwhile a Python
client asks the views with a parameter the API ignores (so that each answer
is computed from the database while it is written) and checks that every
answer is a 200 that parses as JSON and is consistent: per row, DMARC
pass, DKIM and SPF alignment at most the messages, the three dispositions
summing to the messages; and the total of the overview never goes down
between two reads (each read is one snapshot). At the end the overview's
total equals `dmarcd export domains`.

Slowloris: `dmarcd serve` on the loaded database; 500 connections from
127.0.0.1 that send a request head one byte every 2 s and never finish it;
a normal client on 127.0.0.2 asks the overview every 0.5 s meanwhile, and
one on 127.0.0.1 once the slow ones are gone.

Usage: bench/load_bench.py [--dmarcd build-bench/dmarcd] [--seconds 60]
       [--connections 200] [--pace 30] [--slow 500] [--slow-seconds 30]
"""
import argparse
import http.client
import json
import os
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import OUT, build, generate

CORPUS = os.path.join(OUT, "load-100k")
GEN_ARGS = ["--reports", "2000", "--records-per-report", "50", "--compress", "gz",
            "--wrap", "none", "--days", "365", "--start-date", "2025-01-01", "--seed", "11"]
WINDOW = "from=2024-12-01&to=2026-01-31"
VIEWS = {"overview": "/api/v1/overview?" + WINDOW,
         "sources": "/api/v1/sources?" + WINDOW + "&limit=100"}

WRK_LUA = r"""
counts = {}                     -- a global: thread:get() reads globals
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("counts")) do total[s] = (total[s] or 0) + n end
  end
  for s, n in pairs(total) do io.write(string.format("status %d %d\n", s, n)) end
  io.write(string.format("latency_us %d %d %d\n", latency:percentile(50),
    latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("errors %d %d %d %d %d\n", e.connect, e.read, e.write, e.status,
    e.timeout))
  io.write(string.format("requests %d %d\n", summary.requests, summary.duration))
end
"""




def corpus():
    generate(CORPUS, GEN_ARGS, "load_bench")
    files = []
    for d, _, names in os.walk(CORPUS):
        files += [os.path.join(d, n) for n in names]
    return sorted(files)


def serve(dmarcd, db, log):
    """Starts `dmarcd serve` on a free port; returns (process, port)."""
    p = subprocess.Popen([dmarcd, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                         stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(log.name) as f:
            m = re.search(r"\(port (\d+);", f.read())
        if m:
            return p, int(m.group(1))
        time.sleep(0.05)
    p.kill()
    sys.exit("dmarcd serve did not start: see %s" % log.name)


def stop(p):
    p.send_signal(signal.SIGTERM)
    return p.wait(timeout=30)


def get(port, path, source="127.0.0.1", timeout=10):
    """One request on a new connection: (status, body, seconds)."""
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(source, 0))
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read(), time.monotonic() - t0
    finally:
        c.close()


def row_problems(row):
    m = row["messages"]
    bad = []
    for k in ("dmarc_pass", "dkim_aligned", "spf_aligned"):
        if not 0 <= row[k] <= m:
            bad.append("%s %s of %s messages" % (k, row[k], m))
    if row["disposition_none"] + row["disposition_quarantine"] + row["disposition_reject"] != m:
        bad.append("dispositions do not sum to %s" % m)
    return bad


class Sampler(threading.Thread):
    """Reads the views over and over, each answer computed afresh; checks each one."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stopping = port, threading.Event()
        self.reads, self.problems, self.last_total, self.n = 0, [], 0, 0

    def check(self, name, status, body):
        if status != 200:
            return ["%s: status %d" % (name, status)]
        try:
            doc = json.loads(body)
        except ValueError as e:
            return ["%s: not JSON: %s" % (name, e)]
        rows = doc["domains"] if name == "overview" else doc["rows"]
        bad = [p for row in rows for p in row_problems(row)]
        if name == "overview":
            total = sum(r["messages"] for r in rows)
            if total < self.last_total:
                bad.append("overview total went down: %d after %d" % (total, self.last_total))
            self.last_total = total
        return ["%s: %s" % (name, b) for b in bad]

    def run(self):
        while not self.stopping.is_set():
            for name, path in VIEWS.items():
                self.n += 1
                try:
                    status, body, _ = get(self.port, "%s&_=%d" % (path, self.n))
                except OSError as e:
                    self.problems.append("%s: %s" % (name, e))
                    continue
                self.reads += 1
                self.problems += self.check(name, status, body)


def feed(dmarcd, db, files, pace, seconds, log, result):
    """Ingests files in pace runs spread over seconds; result gets (records, busy seconds)."""
    chunks = [files[i::pace] for i in range(pace)]
    t0, busy, records = time.monotonic(), 0.0, 0
    for i, chunk in enumerate(chunks):
        delay = t0 + i * seconds / pace - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.monotonic()
        r = subprocess.run([dmarcd, "ingest", "--json", "--db", db] + chunk,
                           stdout=subprocess.PIPE, stderr=log, text=True)
        busy += time.monotonic() - t
        if r.returncode != 0:
            result["error"] = "ingest exit %d" % r.returncode
            return
        records += json.loads(r.stdout)["records"]
    result["records"], result["busy"] = records, busy


def wrk(port, path, seconds, connections, lua):
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", "-s", lua,
           "http://127.0.0.1:%d%s" % (port, path)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    res = {"status": {}}
    for line in out.splitlines():
        f = line.split()
        if f[:1] == ["status"]:
            res["status"][int(f[1])] = int(f[2])
        elif f[:1] == ["latency_us"]:
            res["p50"], res["p99"], res["max"] = (int(x) / 1000 for x in f[1:4])
        elif f[:1] == ["errors"]:
            res["errors"] = dict(zip(("connect", "read", "write", "status", "timeout"),
                                     map(int, f[1:6])))
        elif f[:1] == ["requests"]:
            res["requests"], res["rps"] = int(f[1]), int(f[1]) / (int(f[2]) / 1e6)
    return res


def export_total(dmarcd, db):
    out = subprocess.run([dmarcd, "export", "domains", "--db", db, "--format", "json"],
                         stdout=subprocess.PIPE, check=True).stdout
    return sum(r["messages"] for r in json.loads(out))


def load(dmarcd, files, view, a, scratch):
    db = os.path.join(scratch, "%s.db" % view)
    lua = os.path.join(scratch, "status.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    with open(os.path.join(scratch, "%s.log" % view), "w") as log:
        server, port = serve(dmarcd, db, log)
        sampler = Sampler(port)
        fed = {}
        feeder = threading.Thread(target=feed, args=(dmarcd, db, files, a.pace,
                                                     a.seconds * 0.95, log, fed))
        sampler.start()
        feeder.start()
        try:
            res = wrk(port, VIEWS[view], a.seconds, a.connections, lua)
        finally:
            feeder.join()
            sampler.stopping.set()
            sampler.join()
        status, body, _ = get(port, VIEWS["overview"] + "&_=final")
        final = sum(r["messages"] for r in json.loads(body)["domains"]) if status == 200 else -1
        res["final_equal"] = final == export_total(dmarcd, db)
        res["exit"] = stop(server)
    res["fed"], res["reads"], res["problems"] = fed, sampler.reads, sampler.problems
    return res


def slowloris(dmarcd, db, a, scratch):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < a.slow + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, a.slow + 1000), hard))
    with open(os.path.join(scratch, "slow.log"), "w") as log:
        server, port = serve(dmarcd, db, log)
        slow, opened, closed = [], {}, {}
        t0 = time.monotonic()
        for _ in range(a.slow):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /api/v1/overview HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            s.setblocking(False)
            slow.append(s)
            opened[s] = time.monotonic()
        normal, next_byte = [], time.monotonic() + 2
        while time.monotonic() - t0 < a.slow_seconds and len(closed) < len(slow):
            live = [s for s in slow if s not in closed]
            ready, _, _ = select.select(live, [], [], 0.5)
            for s in ready:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    closed[s] = time.monotonic() - opened[s]
            if time.monotonic() >= next_byte:
                for s in live:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
                next_byte += 2
            try:
                st, _, sec = get(port, VIEWS["overview"], source="127.0.0.2", timeout=5)
            except OSError as e:
                st, sec = repr(e), 5.0
            normal.append((st, sec, time.monotonic() - t0))
        try:
            after = get(port, VIEWS["overview"], timeout=5)[::2]
        except OSError as e:
            after = (repr(e), 5.0)
        for s in slow:
            s.close()
        rc = stop(server)
    # Refused ones close within a second or two (the time in the accept queue);
    # held ones at the 10 s head deadline.
    times = sorted(closed.values())
    return {"n": len(slow), "refused": sum(1 for t in times if t < 5.0),
            "dropped": [t for t in times if t >= 5.0], "open": len(slow) - len(times),
            "normal": normal, "after": after, "exit": rc}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dmarcd", help="a Release dmarcd (default: build build-bench/)")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--pace", type=int, default=30, help="ingest runs over the wrk run")
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--slow-seconds", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir and its logs")
    a = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    dmarcd = build(a.dmarcd)
    files = corpus()
    scratch = tempfile.mkdtemp(prefix="dmarcd-load-", dir="/tmp")
    ok = True
    try:
        for view in VIEWS:
            r = load(dmarcd, files, view, a, scratch)
            errors = sum(r["errors"].values())
            non2xx = sum(n for s, n in r["status"].items() if not 200 <= s < 300)
            good = (errors == 0 and non2xx == 0 and not r["problems"] and r["final_equal"]
                    and r["exit"] == 0 and "records" in r["fed"])
            ok &= good
            print("%-8s %s requests, %.0f/s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                  "non-2xx %d, socket errors %d (%s); ingest %s records in %d runs (%.1f s "
                  "busy); checked reads %d, problems %d, final total equal: %s, server exit %d"
                  % (view, r["requests"], r["rps"], r["p50"], r["p99"], r["max"], non2xx,
                     errors, ", ".join("%s %d" % kv for kv in r["errors"].items()),
                     r["fed"].get("records", r["fed"].get("error")), a.pace,
                     r["fed"].get("busy", 0), r["reads"], len(r["problems"]),
                     "yes" if r["final_equal"] else "NO", r["exit"]), flush=True)
            for p in r["problems"][:10]:
                print("  ", p)
        s = slowloris(dmarcd, os.path.join(scratch, "overview.db"), a, scratch)
        lat = [n[1] * 1000 for n in s["normal"] if n[0] == 200]
        fails = [n for n in s["normal"] if n[0] != 200]
        d = s["dropped"]
        print("slowloris %d slow connections: %d refused at once (per-address limit), %d "
              "held, then dropped after %.1f / %.1f / %.1f s (min / median / max), %d still "
              "open; "
              "normal client on 127.0.0.2: %d requests, %d failed, p50 %.1f ms, max %.1f ms; "
              "127.0.0.1 afterwards: %s in %.1f ms; server exit %d" % (
                  s["n"], s["refused"], len(d), min(d) if d else 0,
                  statistics.median(d) if d else 0, max(d) if d else 0, s["open"],
                  len(s["normal"]), len(fails), statistics.median(lat) if lat else 0,
                  max(lat) if lat else 0, s["after"][0], s["after"][1] * 1000, s["exit"]))
        ok &= s["open"] == 0 and not fails and s["after"][0] == 200 and s["exit"] == 0
    finally:
        if a.keep:
            print("scratch kept in", scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
