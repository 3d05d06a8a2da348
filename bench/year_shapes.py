#!/usr/bin/env python3
"""Year shapes: reproducible databases of a year of aggregate reports, for
the dashboard benchmark matrix (bench/dash_matrix.py, bench/README.md).

Each shape is a gen_corpus.py corpus (../shared/bench/gen_corpus.py, fixed
seed, 365 days from 2025-01-01, gzip files, 500 failure reports) ingested
by a Release `dmarcd ingest` into DATA/SHAPE.db, then given synthetic
names with bench/fill_names.py (as the enricher would name the addresses
of the heavy networks), so that the service, AS and country groupings
have something to group. Corpus and database are kept in DATA and made
again only when missing (or, for the database, when this dmarcd cannot
read it). gen_corpus.py makes about 85-97 % of a report's records
spoofed: a random address sending 1 to 6 messages, so most sources are
seen once in every shape; what differs is how they spread.

  large     few large reports: 1,000 reports of 5,000 records, 12 domains
  small     many small reports over few domains: 100,000 reports of ~50
            records (40-60), 3 domains
  spoofed   one heavily spoofed domain: 500 reports of 10,000 records, all
            for one domain (97 % of its records are one-off sources)
  domains   a large sender's many domains: 20,000 reports of ~250 records
            over 300 domains
  20m       20 M records: 80,000 reports of ~250 records, 40 domains

Usage: bench/year_shapes.py [--dmarcd build-bench/dmarcd] [--data DIR] [SHAPE ...]
DATA defaults to $DMARCD_BENCH_DATA, else bench/out/shapes (both outside git).
Prints one line per shape: records, reports, ingest time and peak RSS.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from benchlib import GEN, OUT, ROOT, build, generate

START, END = "2025-01-01", "2025-12-31"
COMMON = ["--days", "365", "--start-date", START, "--compress", "gz", "--wrap", "none",
          "--failure", "500"]
# name: (records, what, gen_corpus.py arguments)
SHAPES = {
    "large": ("5 M", "few large reports: 1,000 reports of 5,000 records, 12 domains",
              ["--reports", "1000", "--records-per-report", "5000", "--domains", "12",
               "--seed", "161"]),
    "small": ("5 M", "many small reports: 100,000 reports of 40-60 records, 3 domains",
              ["--reports", "100000", "--records-per-report", "40-60", "--domains", "3",
               "--seed", "162"]),
    "spoofed": ("5 M", "one spoofed domain: 500 reports of 10,000 records, 1 domain",
                ["--reports", "500", "--records-per-report", "10000", "--domains", "1",
                 "--seed", "163"]),
    "domains": ("5 M", "many domains: 20,000 reports of ~250 records, 300 domains",
                ["--reports", "20000", "--records-per-report", "~250", "--domains", "300",
                 "--seed", "164"]),
    "20m": ("20 M", "20 M records: 80,000 reports of ~250 records, 40 domains",
            ["--reports", "80000", "--records-per-report", "~250", "--domains", "40",
             "--seed", "165"]),
}


def data_dir(arg):
    return os.path.abspath(arg or os.environ.get("DMARCD_BENCH_DATA") or
                           os.path.join(OUT, "shapes"))


def db_path(data, shape):
    return os.path.join(data, shape + ".db")


def db_usable(dmarcd, db):
    """True when db was made in full (its .json stamp) and this dmarcd reads it unmigrated."""
    if not os.path.exists(db) or not os.path.exists(db + ".json"):
        return False
    r = subprocess.run([dmarcd, "export", "domains", "--db", db, "--since", END],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def stamp(db):
    """What year_shapes recorded when it made db (records, ingest time, ...)."""
    with open(db + ".json") as f:
        return json.load(f)


def remove_db(db):
    for suffix in ("", "-wal", "-shm", ".json"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)


def make(dmarcd, data, shape):
    """Generates the corpus (if missing) and ingests it into a fresh database."""
    records, what, args = SHAPES[shape]
    corpus = os.path.join(data, shape + "-corpus")
    if not os.path.isdir(corpus):
        print("%s: generating %s ..." % (shape, what), flush=True)
        t = time.monotonic()
        os.makedirs(data, exist_ok=True)
        generate(corpus, COMMON + args, "year_shapes")
        print("%s:   corpus in %.0f s" % (shape, time.monotonic() - t), flush=True)
    db = db_path(data, shape)
    remove_db(db)
    print("%s: ingesting into %s ..." % (shape, db), flush=True)
    t = time.monotonic()
    with open(os.path.join(data, shape + ".ingest.log"), "w") as err:
        proc = subprocess.Popen([dmarcd, "ingest", "--json", "--db", db,
                                 corpus], stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - t
    rc = os.waitstatus_to_exitcode(status)
    if rc not in (0, 3):  # 3: some inputs refused (none expected here)
        sys.exit("%s: dmarcd ingest failed (%d), see %s.ingest.log" % (shape, rc, shape))
    summary = json.loads(out)
    t = time.monotonic()
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "fill_names.py"), db], check=True,
                   stdout=subprocess.DEVNULL)
    names = time.monotonic() - t
    facts = dict(shape=shape, what=what, gen_corpus=COMMON + args, summary=summary,
                 ingest_seconds=round(seconds, 1), ingest_peak_rss_kib=usage.ru_maxrss,
                 fill_names_seconds=round(names, 1), made=time.strftime("%Y-%m-%d %H:%M"),
                 load_average=os.getloadavg())
    with open(db + ".json", "w") as f:
        json.dump(facts, f, indent=1)
    return facts


def ensure(dmarcd, data, shape):
    """The database of shape in data, made first when missing. Returns its path."""
    db = db_path(data, shape)
    if not db_usable(dmarcd, db):
        facts = make(dmarcd, data, shape)
        s = facts["summary"]
        print("%s: %s records in %s reports, ingested in %.0f s (peak RSS %.0f MiB), names %.0f s"
              % (shape, "{:,}".format(s["records"]), "{:,}".format(s["reports_stored"]),
                 facts["ingest_seconds"], facts["ingest_peak_rss_kib"] / 1024,
                 facts["fill_names_seconds"]), flush=True)
    return db


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dmarcd")
    ap.add_argument("--data")
    ap.add_argument("shapes", nargs="*", metavar="SHAPE",
                    help="of %s (default: the three 5 M shapes large, small, spoofed)"
                    % ", ".join(SHAPES))
    a = ap.parse_args()
    os.nice(10)  # a shared machine: generating and ingesting yield to the others
    shapes = a.shapes or ["large", "small", "spoofed"]
    for s in shapes:
        if s not in SHAPES:
            sys.exit("unknown shape %s (of %s)" % (s, ", ".join(SHAPES)))
    if not os.path.exists(GEN):
        sys.exit("year_shapes needs ../shared/bench/gen_corpus.py next to the project")
    dmarcd = build(a.dmarcd)
    data = data_dir(a.data)
    for s in shapes:
        db = ensure(dmarcd, data, s)
        f = stamp(db)
        print("%-8s %s: %s records, %s reports, %s" % (
            s, db, "{:,}".format(f["summary"]["records"]),
            "{:,}".format(f["summary"]["reports_stored"]), f["what"]), flush=True)


if __name__ == "__main__":
    main()
