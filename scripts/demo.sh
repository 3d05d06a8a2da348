#!/usr/bin/env bash
# Installs the dependencies, builds dmarcd, writes a demo Maildir of
# generated reports, ingests it into ./dmarcd.db (the embedded SQLite
# default), and serves the dashboard on http://127.0.0.1:8080 (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDMARCD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

rm -rf demo
python3 scripts/demo_maildir.py demo/Maildir
build/dmarcd ingest --db dmarcd.db demo/Maildir || [[ $? -eq 3 ]]
build/dmarcd export domains --db dmarcd.db
exec build/dmarcd serve --db dmarcd.db
