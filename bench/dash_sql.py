#!/usr/bin/env python3
"""The SQL behind API calls, with SQLite's query plan of each statement.

Starts `dmarcd serve --threads 1` on DB, attaches gdb with a breakpoint on
sqlite3_prepare_v2/v3 (the store builds the dashboard's SQL at run time:
store/store_dash*.c), asks each PATH once, and prints every statement
prepared for it with `EXPLAIN QUERY PLAN` (run here through Python's
sqlite3, the same system library, with stand-ins for dmarcd's SQL
functions: a plan does not depend on what they compute). Needs gdb and the
right to ptrace the server (root). For the diagnosis of slow calls in
bench/README.md.

Usage: bench/dash_sql.py [--dmarcd build-bench/dmarcd] --db DB PATH ...
  e.g. PATH = '/api/v1/sources?to=2025-12-31&days=365&offset=950'
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from benchlib import build
from web_bench import serve

GDB = """set pagination off
set confirm off
break sqlite3_prepare_v2
commands
silent
printf "SQL>>%s<<SQL\\n", (char *)$rsi
continue
end
break sqlite3_prepare_v3
commands
silent
printf "SQL>>%s<<SQL\\n", (char *)$rsi
continue
end
continue
"""


class Agg:
    def step(self, *a):
        pass

    def finalize(self):
        return 0


def plan(db, sql):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    for name in ("dmarcd_ip_text", "dmarcd_ip", "dmarcd_net", "dmarcd_net_end",
                 "dmarcd_sketch_merge"):
        c.create_function(name, -1, lambda *a: None, deterministic=True)
    for name in ("dmarcd_sum", "dmarcd_list", "dmarcd_sketch_count"):
        c.create_aggregate(name, -1, Agg)
    try:
        # positional parameters as named ones: a plan does not depend on the values
        sql = re.sub(r"\?(\d+)", r":p\1", sql)
        sql = re.sub(r"\?(?![\w])", lambda m, n=iter(range(1000)): ":q%d" % next(n), sql)
        params = {k: None for k in re.findall(r"[:@$]([A-Za-z_]\w*)", sql)}
        rows = c.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    except sqlite3.Error as err:
        return ["(no plan: %s)" % err]
    finally:
        c.close()
    depth = {0: 0}
    out = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        out.append("  " * depth[node] + detail)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dmarcd")
    ap.add_argument("--db", required=True)
    ap.add_argument("paths", nargs="+", metavar="PATH")
    a = ap.parse_args()
    if shutil.which("gdb") is None:
        sys.exit("dash_sql needs gdb")
    dmarcd = build(a.dmarcd)
    proc, port = serve(dmarcd, a.db, 1)
    with tempfile.NamedTemporaryFile("w", suffix=".gdb") as cmds, \
            tempfile.TemporaryFile("w+") as log:
        cmds.write(GDB)
        cmds.flush()
        gdb = subprocess.Popen(["gdb", "-q", "-batch", "-p", str(proc.pid), "-x", cmds.name],
                               stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):               # until the breakpoints are set
                time.sleep(0.2)
                log.seek(0)
                if "Continuing." in log.read():
                    break
            for path in a.paths:
                log.seek(0, os.SEEK_END)
                mark = log.tell()
                t = time.perf_counter()
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                                timeout=600) as r:
                        status, n = r.status, len(r.read())
                except urllib.error.HTTPError as err:  # 503: past the 10 s budget
                    status, n = err.code, len(err.read())
                ms = (time.perf_counter() - t) * 1000
                time.sleep(0.3)
                log.seek(mark)
                stmts = re.findall(r"SQL>>(.*?)<<SQL", log.read(), re.S)
                print("== %s\n   %d, %d bytes, %.0f ms (under gdb), %d statements" % (
                    path, status, n, ms, len(stmts)))
                for sql in dict.fromkeys(stmts):
                    print("\n" + sql.strip())
                    print("\n".join(plan(a.db, sql)))
                print(flush=True)
        finally:
            gdb.terminate()
            gdb.wait()
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
