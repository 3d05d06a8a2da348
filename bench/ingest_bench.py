#!/usr/bin/env python3
"""Ingest benchmark: records/s, reports/s and peak RSS of `dmarcd ingest`.

Generates three corpora with ../shared/bench/gen_corpus.py (cached under
bench/out/), ingests each into a fresh SQLite file with a Release build of
dmarcd, and prints one line per corpus:

  maildir-1000x50   1,000 reports of ~50 records, a Maildir of .eml mails
  reports-40x5000   40 reports of 5,000 records, .eml mails
  report-1x300000   one report of 300,000 records, a gzip .eml mail

Usage: bench/ingest_bench.py [--dmarcd build-bench/dmarcd] [--runs 3]
The figure kept is the best of --runs runs (fresh database each time).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import GEN, OUT, build, generate


CORPORA = [
    ("maildir-1000x50", ["--reports", "1000", "--records-per-report", "~50", "--maildir",
                         "--seed", "11"]),
    ("reports-40x5000", ["--reports", "40", "--records-per-report", "5000", "--seed", "12"]),
    ("report-1x300000", ["--reports", "1", "--records-per-report", "300000",
                         "--compress", "gz", "--seed", "13"]),
]




def corpus(name, args):
    path = os.path.join(OUT, name)
    generate(path, ["--wrap", "eml"] + args, "ingest_bench")
    return path


def ingest_once(dmarcd, path):
    """Ingests path into a fresh database: (seconds, summary, peak RSS in KiB)."""
    db = os.path.join(OUT, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    work = os.path.join(OUT, "work")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(path, work)  # a Maildir ingest moves its mail to cur/
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen([dmarcd, "ingest", "--json", "--db", db, work],
                                stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit("dmarcd ingest failed (%d): %s" % (proc.returncode, err.read()))
        return elapsed, json.loads(out.read()), usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dmarcd")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(GEN):
        sys.exit("bench needs ../shared/bench/gen_corpus.py next to the project")
    os.makedirs(OUT, exist_ok=True)
    dmarcd = build(a.dmarcd)
    print("%-18s %8s %9s %12s %10s %11s" % ("corpus", "reports", "records", "records/s",
                                            "reports/s", "peak RSS"))
    for name, args in CORPORA:
        path = corpus(name, args)
        runs = [ingest_once(dmarcd, path) for _ in range(a.runs)]
        elapsed, summary, _ = min(runs, key=lambda r: r[0])
        rss = max(r[2] for r in runs)
        print("%-18s %8d %9d %12s %10s %7.1f MiB" % (
            name, summary["reports_stored"], summary["records"],
            "{:,.0f}".format(summary["records"] / elapsed),
            "{:,.1f}".format(summary["reports_stored"] / elapsed), rss / 1024))


if __name__ == "__main__":
    main()
