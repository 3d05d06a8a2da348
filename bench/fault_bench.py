#!/usr/bin/env python3
"""Fault injection: kill -9 at random moments during an ingest, restart, until done.

Two parts, each over the same 1,000 report mails (979 aggregate reports, 11 of
them delivered twice, 10 malformed mails; ../shared/bench/gen_corpus.py
--maildir --wrap eml, cached in bench/out/):

  maildir  `dmarcd ingest --db DB MAILDIR` on a fresh copy of the Maildir;
  imap     `dmarcd poll --config F --once` against a real Dovecot
           (tests/imap/dovecot.sh; root), one fresh mailbox per trial.

A trial starts the command, sends it SIGKILL after a random delay (uniform
over the time a clean run takes), starts it again, and so on until a run
ends by itself (after 12 kills it is left to finish). A trial whose first
run ends before its kill is redone, so that every trial has a kill, and
that run's time becomes the clean run's (the machine got faster). Its database must then equal a clean single run of the same
mails: `dmarcd export reports|records|sources` byte for byte, the input rows
by status (with their reports and records), no input left pending, no IMAP
action left pending, and `PRAGMA integrity_check` ok. The mail must have
been acknowledged exactly once: Maildir, every mail in cur/ with S and none
in new/; IMAP, the INBOX empty and the archive folders holding exactly the
mails delivered (compared by content).

Prints per part: trials, kills, the mean kill point (ms after the start and
share of the mails committed when the kill landed), the mails read again
after a kill (committed, not yet acknowledged: recognised by their hash),
and whether every trial equalled the clean run.

Usage: bench/fault_bench.py [--dmarcd build-bench/dmarcd] [--trials 20]
       [--seed 1] [--only maildir|imap] [--verbose]
"""
import argparse
import hashlib
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import OUT, ROOT, build, generate

DOVECOT = os.path.join(ROOT, "tests", "imap", "dovecot.sh")
CORPUS = os.path.join(OUT, "fault-maildir-1000")
GEN_ARGS = ["--reports", "979", "--records-per-report", "~50", "--schema", "mixed",
            "--compress", "mixed", "--wrap", "eml", "--maildir", "--duplicates", "0.01",
            "--malformed", "10", "--seed", "7"]
EXPORTS = ("reports", "records", "sources")
MAX_KILLS = 12          # then the run is left to finish




def corpus():
    generate(CORPUS, GEN_ARGS, "fault_bench")
    mails = sorted(os.listdir(os.path.join(CORPUS, "new")))
    return [os.path.join(CORPUS, "new", m) for m in mails]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def db_state(dmarcd, db):
    """What must not change with kills: the exports, the inputs, the pending actions."""
    state = {}
    for kind in EXPORTS:
        r = subprocess.run([dmarcd, "export", kind, "--db", db], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=True)
        state[kind] = r.stdout
    con = sqlite3.connect(db)
    try:
        state["inputs"] = con.execute(
            "SELECT status, count(*), sum(reports_stored), sum(reports_duplicate), "
            "sum(records) FROM input GROUP BY status ORDER BY status").fetchall()
        state["tables"] = con.execute(
            "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM record), "
            "(SELECT count(*) FROM imap_pending)").fetchall()
        state["integrity"] = con.execute("PRAGMA integrity_check").fetchall()
        seen = con.execute("SELECT sum(times_seen) FROM input").fetchone()[0] or 0
    finally:
        con.close()
    return state, seen


def differences(got, want):
    return [k for k in want if got.get(k) != want[k]]


def committed(db, sql):
    """A progress figure read right after a kill (0 when there is no database yet)."""
    if not os.path.exists(db):
        return 0
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql).fetchone()[0] or 0
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def run_killed(argv, env, est, rng, db, progress_sql, log):
    """
    Runs argv, killing it at random until a run ends: returns (kills, exit
    status, seconds of the first run when it ended unkilled: a whole run).
    """
    kills = []
    while True:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
        delay = rng.uniform(0, est) if len(kills) < MAX_KILLS else None
        try:
            rc = p.wait(timeout=delay)
            return kills, rc, None if kills else time.monotonic() - t0
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            kills.append(((time.monotonic() - t0) * 1000, committed(db, progress_sql)))


def timed(argv, env, log):
    t0 = time.monotonic()
    rc = subprocess.run(argv, env=env, stdout=log, stderr=log).returncode
    return rc, time.monotonic() - t0


# ---- Maildir ----

def maildir_copy(scratch, name):
    dst = os.path.join(scratch, name)
    shutil.copytree(CORPUS, dst)
    return dst


def maildir_acked(md, total):
    """Every mail in cur/ with the S flag, none in new/: the acknowledgement happened once."""
    new = os.listdir(os.path.join(md, "new"))
    cur = os.listdir(os.path.join(md, "cur"))
    flagged = [f for f in cur if ":2," in f and "S" in f.split(":2,", 1)[1]]
    return not new and len(cur) == total and len(flagged) == total


def part_maildir(dmarcd, mails, trials, rng, scratch, verbose):
    total = len(mails)
    with open(os.path.join(scratch, "maildir.log"), "w") as log:
        md = maildir_copy(scratch, "ref")
        ref_db = os.path.join(scratch, "ref.db")
        rc, clean_s = timed([dmarcd, "ingest", "--db", ref_db, md], None, log)
        if rc not in (0, 3) or not maildir_acked(md, total):
            sys.exit("maildir: the clean run failed (exit %d): see %s" % (rc, log.name))
        want, want_seen = db_state(dmarcd, ref_db)
        shutil.rmtree(md)
        results, t, est = [], 0, clean_s
        while len(results) < trials and t < 3 * trials:
            t += 1
            md = maildir_copy(scratch, "t%d" % t)
            db = os.path.join(scratch, "t%d.db" % t)
            kills, rc, whole = run_killed([dmarcd, "ingest", "--db", db, md], None, est, rng,
                                          db, "SELECT count(*) FROM input", log)
            est = min(est, whole or est)
            got, seen = db_state(dmarcd, db)
            bad = differences(got, want)
            if rc not in (0, 3):
                bad.append("exit %d" % rc)
            if not maildir_acked(md, total):
                bad.append("maildir acknowledgements")
            if kills or bad:
                results.append((kills, bad, seen - want_seen))
            if verbose:
                print("  maildir trial %2d: %d kill(s) at %s ms, %s" % (
                    len(results), len(kills), ", ".join("%.0f" % k[0] for k in kills),
                    ("equal" if kills else "ended before its first kill: redone") if not bad
                    else "DIFFERS: " + ", ".join(bad)), flush=True)
            shutil.rmtree(md)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
    return clean_s, results


# ---- IMAP ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def imap_config(scratch, name, port, db):
    path = os.path.join(scratch, name + ".conf")
    with open(path, "w") as f:
        f.write("[database]\npath = %s\n[imap box]\nurl = imap://127.0.0.1:%d/INBOX\n"
                "starttls = no\nuser = %s\n" % (db, port, name))
    return path


def imap_acked(ddir, user, want_digests):
    """INBOX empty; the archive folders hold exactly the delivered mails, by content."""
    box = os.path.join(ddir, "mail", user, "Maildir")
    inbox = os.listdir(os.path.join(box, "new")) + os.listdir(os.path.join(box, "cur"))
    got = []
    for folder in (".Archive.DMARC", ".Archive.Invalid"):
        for sub in ("new", "cur"):
            d = os.path.join(box, folder, sub)
            if os.path.isdir(d):
                got += [digest(os.path.join(d, f)) for f in os.listdir(d)]
    return not inbox and sorted(got) == want_digests


def part_imap(dmarcd, mails, trials, rng, scratch, verbose):
    if os.geteuid() != 0:
        sys.exit("imap: the test Dovecot runs as root (mail_uid nobody): run as root, "
                 "or pass --only maildir")
    ddir = tempfile.mkdtemp(prefix="dmarcd-fault-dovecot-", dir="/tmp")
    os.chmod(ddir, 0o755)
    port = free_port()
    subprocess.run(["bash", DOVECOT, "start", ddir, str(port), str(free_port())], check=True)
    env = dict(os.environ, DMARCD_IMAP_PASSWORD_BOX="secret")
    want_digests = sorted(digest(m) for m in mails)
    progress = "SELECT max(last_uid) FROM imap_folder"
    try:
        with open(os.path.join(scratch, "imap.log"), "w") as log:
            subprocess.run(["bash", DOVECOT, "seed", ddir, "ref"] + mails, check=True)
            ref_db = os.path.join(scratch, "imap-ref.db")
            conf = imap_config(scratch, "ref", port, ref_db)
            rc, clean_s = timed([dmarcd, "poll", "--config", conf, "--once"], env, log)
            if rc != 0 or not imap_acked(ddir, "ref", want_digests):
                sys.exit("imap: the clean poll failed (exit %d): see %s" % (rc, log.name))
            want, want_seen = db_state(dmarcd, ref_db)
            results, t, est = [], 0, clean_s
            while len(results) < trials and t < 3 * trials:
                t += 1
                user = "t%d" % t
                subprocess.run(["bash", DOVECOT, "seed", ddir, user] + mails, check=True)
                db = os.path.join(scratch, "imap-%s.db" % user)
                conf = imap_config(scratch, user, port, db)
                kills, rc, whole = run_killed([dmarcd, "poll", "--config", conf, "--once"],
                                              env, est, rng, db, progress, log)
                est = min(est, whole or est)
                got, seen = db_state(dmarcd, db)
                bad = differences(got, want)
                if rc != 0:
                    bad.append("exit %d" % rc)
                if not imap_acked(ddir, user, want_digests):
                    bad.append("mailbox state")
                if kills or bad:
                    results.append((kills, bad, seen - want_seen))
                if verbose:
                    print("  imap trial %2d: %d kill(s) at %s ms, %s" % (
                        len(results), len(kills), ", ".join("%.0f" % k[0] for k in kills),
                        ("equal" if kills else "ended before its first kill: redone")
                        if not bad else "DIFFERS: " + ", ".join(bad)), flush=True)
                shutil.rmtree(os.path.join(ddir, "mail", user))
            shutil.rmtree(os.path.join(ddir, "mail", "ref"))
    finally:
        subprocess.run(["bash", DOVECOT, "stop", ddir])
        shutil.rmtree(ddir, ignore_errors=True)
    return clean_s, results


def summary(name, total, clean_s, results, unit):
    kills = [k for r in results for k in r[0]]
    equal = all(not r[1] for r in results)
    print("%-8s trials %d, clean run %.2f s, kills %d (%.1f per trial, %d to %d), "
          "mean kill point %.0f ms / %.0f %% of the %d mails %s, read again after a "
          "kill %d, all equal: %s" % (
              name, len(results), clean_s, len(kills), len(kills) / max(len(results), 1),
              min(len(r[0]) for r in results), max(len(r[0]) for r in results),
              statistics.mean(k[0] for k in kills) if kills else 0,
              100 * statistics.mean(k[1] for k in kills) / total if kills else 0, total, unit,
              sum(r[2] for r in results), "yes" if equal else "NO"), flush=True)
    for i, r in enumerate(results):
        if r[1]:
            print("  trial %d differs: %s" % (i + 1, ", ".join(r[1])))
    return equal


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dmarcd", help="a Release dmarcd (default: build build-bench/)")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="of the kill delays")
    ap.add_argument("--only", choices=("maildir", "imap"))
    ap.add_argument("--verbose", action="store_true", help="one line per trial")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir and its logs")
    a = ap.parse_args()
    dmarcd = build(a.dmarcd)
    mails = corpus()
    rng = random.Random(a.seed)
    scratch = tempfile.mkdtemp(prefix="dmarcd-fault-", dir="/tmp")
    ok = True
    try:
        if a.only in (None, "maildir"):
            clean_s, res = part_maildir(dmarcd, mails, a.trials, rng, scratch, a.verbose)
            ok &= summary("maildir", len(mails), clean_s, res, "committed")
        if a.only in (None, "imap"):
            clean_s, res = part_imap(dmarcd, mails, a.trials, rng, scratch, a.verbose)
            ok &= summary("imap", len(mails), clean_s, res, "committed (last UID)")
    finally:
        if a.keep:
            print("scratch kept in", scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
