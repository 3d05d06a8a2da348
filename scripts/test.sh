#!/usr/bin/env bash
# Installs the dependencies, checks the format (scripts/format.sh), builds
# dmarcd with AddressSanitizer and UBSan, and runs the whole test suite. The
# suite uses ../shared (the real-provider corpus) when it is present next to
# the project and says so when it skips it. Then builds, installs, checks and
# removes the Debian package (scripts/test-deb.sh), and smoke-fuzzes: every
# libFuzzer target for DMARCD_FUZZ_SMOKE_SECONDS seconds (20 by default, 0
# skips), failing on any crash (tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/format.sh --check
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DDMARCD_SANITIZE=ON -DDMARCD_WERROR=ON >/dev/null
cmake --build build-test -j"$(nproc)"
# playwright-core for the browser test (tests/browser/, locked in package-lock.json)
npm ci --prefix tests/browser --no-audit --no-fund >/dev/null
# The free network-owner and country databases, for test_geo's real-database
# case (skipped, saying so, when the npm registry is out of reach).
scripts/install-geo.sh build-test/geo-data >/dev/null
export DMARCD_GEO_DIR=$PWD/build-test/geo-data
ctest --test-dir build-test --output-on-failure -j1
# The Debian package: built, installed, checked and removed again.
scripts/test-deb.sh
smoke=${DMARCD_FUZZ_SMOKE_SECONDS:-20}
if ((smoke > 0)); then
	tests/fuzz/run.sh "$smoke"
fi
