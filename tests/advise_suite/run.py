#!/usr/bin/env python3
"""The advisor's scenario suite: every tests/scenarios/*.ini, end to end.

Usage: run.py --dmarcd BIN [--scenarios DIR] [--only NAME[,NAME]] [--keep] [--strict]

Contract, per scenario: gen.py writes its corpus into a fresh temporary
directory; the dmarcd binary ingests it into a fresh database (the forged
report, if any, after the others); the owner's commands run in order
(`dmarcd classify ...`, `dmarcd advise DOMAIN --no-mailing-lists yes` ...,
each with --db, and with --config when the scenario has a config); then
`dmarcd advise DOMAIN --json --as-of DATE` is checked against every
expectation of the scenario's [expect] section, each failed one printed with
what was expected, what came, and the scenario's "why". The same database is
then served (`dmarcd serve` on an ephemeral loopback port, or `dmarcd run`
with the scenario's config, whose [advisor] the dashboard uses) and the
Advisor page's data, /api/v1/advice?domain=DOMAIN&as_of=DATE, must equal the
CLI's object exactly.

A scenario with `pending = REASON` in [expect] is known to disagree with
today's advisor: its failures are printed (XFAIL) but do not fail the run;
once it passes, the run fails (XPASS) until the pending line is removed.
--strict treats pending scenarios as any other. The web check is never
pending. Exit status: 0 when every result is as expected, 1 otherwise, 2 on
a usage error.
"""

import argparse
import glob
import json
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

SERVER_START_SECONDS = 60  # under ASan on a busy machine; polled, never slept through


class Failure(Exception):
    pass


def sh(argv, what):
    """Runs argv; its stdout, or Failure with its stderr."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise Failure("%s exited %d: %s\n%s" % (what, p.returncode, " ".join(
            shlex.quote(a) for a in argv), p.stderr.strip()[-2000:]))
    return p.stdout


# ---- expectations ----

def lines(text):
    return [x.strip() for x in (text or "").strip().splitlines() if x.strip()]


def ids(text):
    return [x for x in re.split(r"[\s,]+", text or "") if x]


def conditions_of(advice, cid):
    """The conditions an expected id names: exactly it, or its lettered parts (B4: B4a, B4b)."""
    return [c for c in advice["conditions"]
            if c["id"] == cid or (c["id"].startswith(cid) and not c["id"][len(cid)].isdigit())]


def show_conditions(advice):
    return "\n".join("    %-4s %-4s %s (needs %s)" % (c["id"], "ok" if c["ok"] else "FAIL",
                                                     c["measured"], c["threshold"])
                     for c in advice["conditions"])


def show_list(items):
    return "\n".join("    - " + x for x in items) if items else "    (none)"


def text_checks(name, spec, items, failures):
    """Each line: substrings joined by && that one item must hold; !line: no item may."""
    low = [x.lower() for x in items]
    for line in lines(spec):
        negate = line.startswith("!")
        parts = [p.strip().lower() for p in line.lstrip("!").split("&&")]
        hit = any(all(p in x for p in parts) for x in low)
        if hit == negate:
            failures.append("%s: expected %s containing %s, got:\n%s" % (
                name, "none" if negate else "one",
                " and ".join('"%s"' % p for p in parts), show_list(items)))


def value_of(obj, path):
    for k in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(k)]
        else:
            obj = obj.get(k) if isinstance(obj, dict) else None
    return obj


OPS = ("!=", ">=", "<=", "=", "~", ">", "<")


def compare(got, op, want):
    if op in (">=", "<=", ">", "<"):
        try:
            g, w = float(got), float(want)
        except (TypeError, ValueError):
            return False
        return {">=": g >= w, "<=": g <= w, ">": g > w, "<": g < w}[op]
    text = json.dumps(got) if isinstance(got, bool) or got is None else str(got)
    if op == "~":
        return want.lower() in text.lower()
    return (text == want) == (op == "=")


def parse_test(t):
    for op in OPS:
        if op in t:
            k, v = t.split(op, 1)
            return k.strip(), op, v.strip()
    raise ValueError("not a test: %r (want FIELD OP VALUE, OP one of %s)" % (t, " ".join(OPS)))


def matches(obj, tests):
    return all(compare(value_of(obj, k), op, v) for k, op, v in tests)


def sender_checks(spec, advice, failures):
    """'SELECTOR: TEST, TEST' (the first sender matching must pass every test), or
    'none: SELECTOR' (no sender may match); a SELECTOR is tests joined by &."""
    senders = advice["senders"]
    brief = "\n".join("    - %s [class %s, %d networks, share %.4f%s]" % (
        s["label"], s["class"], s["network_count"], s["share"],
        ", REVIEW" if s["needs_review"] else "") for s in senders[:12])
    for line in lines(spec):
        sel_text, _, test_text = line.partition(":")
        if sel_text.strip() == "none":
            sel = [parse_test(t) for t in test_text.split("&")]
            bad = [s["label"] for s in senders if matches(s, sel)]
            if bad:
                failures.append("senders: expected none with %s, got: %s\n%s" % (
                    test_text.strip(), ", ".join(bad), brief))
            continue
        sel = [parse_test(t) for t in sel_text.split("&")]
        found = [s for s in senders if matches(s, sel)]
        if not found:
            failures.append("senders: expected one with %s, got:\n%s" % (sel_text.strip(), brief))
            continue
        for k, op, v in (parse_test(t) for t in test_text.split(",") if t.strip()):
            got = value_of(found[0], k)
            if not compare(got, op, v):
                failures.append("senders: %s: expected %s %s %s, got %s (%s)" % (
                    sel_text.strip(), k, op, v, json.dumps(got), found[0]["label"]))


def check(sc, advice):
    """The failed expectations of scenario sc against advice, as text."""
    e, f = sc.expect, []
    if "verdict" in e and advice["verdict"] != e["verdict"]:
        f.append('verdict: expected "%s", got "%s"' % (e["verdict"], advice["verdict"]))
    if "step" in e and e["step"].lower() not in (advice["step"] or "").lower():
        f.append('step: expected it to contain "%s", got "%s"' % (e["step"], advice["step"]))
    for cid in ids(e.get("fail")):
        got = conditions_of(advice, cid)
        if not got or all(c["ok"] for c in got):
            f.append("conditions: expected %s to fail, got %s\n%s" % (
                cid, "no such condition" if not got else "ok", show_conditions(advice)))
    for cid in ids(e.get("pass")):
        got = conditions_of(advice, cid)
        if not got or not all(c["ok"] for c in got):
            f.append("conditions: expected %s to pass, got %s\n%s" % (
                cid, "no such condition" if not got else "FAIL", show_conditions(advice)))
    for cid in ids(e.get("absent")):
        if conditions_of(advice, cid):
            f.append("conditions: expected no %s (another step's gate), got one\n%s" % (
                cid, show_conditions(advice)))
    text_checks("fixes", e.get("fixes"), advice["fixes"], f)
    text_checks("notes", e.get("notes"), advice["notes"], f)
    text_checks("next_record", e.get("next_record"), [advice["next_record"] or ""], f)
    text_checks("fixes or notes", e.get("text"), advice["fixes"] + advice["notes"], f)
    for line in lines(e.get("fields")):
        k, op, v = parse_test(line)
        got = value_of(advice, k)
        if not compare(got, op, v):
            f.append("fields: expected %s %s %s, got %s" % (k, op, v, json.dumps(got)))
    sender_checks(e.get("senders"), advice, f)
    return f


# ---- the dashboard ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=30):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return r.status, r.read().decode("utf-8")


class Server:
    """`dmarcd serve` (or `dmarcd run` with a config) on a loopback port, until stopped."""

    def __init__(self, argv, port=None):
        self.log = b""
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        deadline = time.monotonic() + SERVER_START_SECONDS
        self.port = port
        while self.port is None:  # serve logs the port it was given by the kernel
            self._read(deadline)
            m = re.search(rb"\(port (\d+);", self.log)
            if m:
                self.port = int(m.group(1))
        while True:  # ready when it answers
            try:
                if http_get(self.port, "/api/v1/reporters", timeout=5)[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            self._read(min(deadline, time.monotonic() + 0.05))

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if self.p.poll() is not None:
            self.log += self.p.stderr.read()
            raise Failure("the server exited %d before answering:\n%s" % (
                self.p.returncode, self.log.decode(errors="replace")[-2000:]))
        if left <= 0:
            self.stop()
            raise Failure("the server did not answer within %d s:\n%s" % (
                SERVER_START_SECONDS, self.log.decode(errors="replace")[-2000:]))
        r, _, _ = select.select([self.p.stderr], [], [], left)
        if r:
            self.log += os.read(self.p.stderr.fileno(), 65536)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        try:
            _, err = self.p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            _, err = self.p.communicate()
        self.log += err or b""
        if self.p.returncode not in (0, -15):
            raise Failure("the server exited %d on SIGTERM:\n%s" % (
                self.p.returncode, self.log.decode(errors="replace")[-3000:]))


def json_diff(a, b, path=""):
    """The first differences between two JSON values, as 'path: cli X, api Y' lines."""
    if type(a) is not type(b):
        return ["%s: cli %s, api %s" % (path or ".", json.dumps(a)[:200], json.dumps(b)[:200])]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s.%s: only in the %s" % (path, k, "cli" if k in a else "api"))
            else:
                out += json_diff(a[k], b[k], "%s.%s" % (path, k))
        return out
    if isinstance(a, list):
        out = [] if len(a) == len(b) else ["%s: %d items in the cli, %d in the api" % (
            path, len(a), len(b))]
        for i, (x, y) in enumerate(zip(a, b)):
            out += json_diff(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else ["%s: cli %s, api %s" % (path, json.dumps(a)[:200],
                                                      json.dumps(b)[:200])]


def web_advice(binary, sc, work, db, conf):
    """The Advisor page's data for the scenario, from a server on the same database."""
    if conf is None:
        srv = Server([binary, "serve", "--db", db, "--listen", "127.0.0.1:0"])
    else:
        # the dashboard of `dmarcd run`, whose [advisor] the Advisor page uses
        maildir = os.path.join(work, "Maildir")
        for d in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(maildir, d), exist_ok=True)
        web_conf = os.path.join(work, "run.conf")
        for attempt in range(3):  # `run` logs no port: a free one is chosen, and may be taken
            port = free_port()
            with open(web_conf, "w") as f:
                f.write(open(conf).read())
                f.write("\n[web]\nlisten = 127.0.0.1:%d\n[maildir suite]\npath = %s\n"
                        "[enrich]\nenabled = no\n[poll]\ninterval = 1h\n" % (port, maildir))
            try:
                srv = Server([binary, "run", "--config", web_conf], port)
                break
            except Failure:
                if attempt == 2:
                    raise
    try:
        status, body = http_get(srv.port, "/api/v1/advice?domain=%s&as_of=%s" % (
            sc.domain, gen.day_text(sc.as_of)))
    finally:
        srv.stop()
    if status != 200:
        raise Failure("/api/v1/advice answered %d: %s" % (status, body[:500]))
    return json.loads(body)


# ---- one scenario ----

def write_config(sc, work, db):
    """The owner's config file: [database] and the scenario's [config SECTION]s."""
    if not sc.config:
        return None
    path = os.path.join(work, "dmarcd.conf")
    with open(path, "w") as f:
        f.write("[database]\npath = %s\n" % db)
        for sec, keys in sc.config.items():
            f.write("\n[%s]\n" % sec.replace("{domain}", sc.domain))
            for k, v in keys.items():
                f.write("%s = %s\n" % (k, v.replace("{domain}", sc.domain)))
    return path


def run_scenario(binary, sc, keep):
    """(failures of the verdict, failures of the web check, seconds); raises Failure."""
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="dmarcd-suite-%s-" % sc.name)
    try:
        gen.generate(sc, work)
        db = os.path.join(work, "a.db")
        sh([binary, "ingest", "--db", db, os.path.join(work, "reports")], "ingest")
        if os.path.isdir(os.path.join(work, "forged")):
            sh([binary, "ingest", "--db", db, os.path.join(work, "forged")], "ingest (forged)")
        conf = write_config(sc, work, db)
        for line in lines(sc.owner.get("commands")):
            argv = shlex.split(line.replace("{domain}", sc.domain))
            argv += ["--db", db] + (["--config", conf] if conf and argv[0] == "advise" else [])
            sh([binary] + argv, "owner command '%s'" % line)
        argv = [binary, "advise", sc.domain, "--json", "--as-of", gen.day_text(sc.as_of),
                "--db", db] + (["--config", conf] if conf else [])
        out = json.loads(sh(argv, "advise"))
        if len(out) != 1:
            raise Failure("advise printed %d objects, not 1" % len(out))
        advice = out[0]
        failures = check(sc, advice)
        api = web_advice(binary, sc, work, db, conf)
        web = json_diff(advice, api)
        return failures, web, advice, time.monotonic() - t0
    finally:
        if keep:
            print("  (kept %s)" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def indent(text, n=6):
    return "\n".join(" " * n + x for x in text.splitlines())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dmarcd", required=True)
    ap.add_argument("--scenarios", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "scenarios"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--strict", action="store_true")
    a = ap.parse_args()
    paths = sorted(glob.glob(os.path.join(a.scenarios, "*.ini")))
    only = set(x for x in a.only.split(",") if x)
    if only:
        paths = [p for p in paths if os.path.splitext(os.path.basename(p))[0] in only]
    if not paths:
        print("no scenario found in %s" % a.scenarios)
        return 2
    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    t_all = time.monotonic()
    for path in paths:
        sc = gen.Scenario(path)
        pending = None if a.strict else sc.expect.get("pending")
        try:
            failures, web, advice, secs = run_scenario(a.dmarcd, sc, a.keep)
            got = "%s, %.1f s" % (advice["verdict"], secs)
        except (Failure, OSError, ValueError, KeyError) as exc:
            failures, web, got = ["could not run: %s" % exc], [], "error"
        if web:
            failures.append("the Advisor page (/api/v1/advice) and `dmarcd advise --json` "
                            "differ:\n" + "\n".join("    " + x for x in web[:20]))
        web_bad = bool(web)
        if not failures:
            status = "XPASS" if pending else "PASS"
        elif pending and not web_bad:
            status = "XFAIL"
        else:
            status = "FAIL"
        counts[status] += 1
        print("%-5s %s (%s)%s" % (status, sc.name, got,
                                  " pending: " + pending if pending and status == "XFAIL" else ""))
        if status == "XPASS":
            print("      passes now: remove `pending` from %s" % path)
        for x in failures:
            print(indent(x))
        if failures:
            print(indent("why: " + " ".join(sc.expect.get("why", "(no why given)").split())))
        sys.stdout.flush()
    print("\n%d scenarios in %.1f s: %d pass, %d fail, %d pending (failing as known), "
          "%d pending but passing" % (len(paths), time.monotonic() - t_all, counts["PASS"],
                                      counts["FAIL"], counts["XFAIL"], counts["XPASS"]))
    return 1 if counts["FAIL"] or counts["XPASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
