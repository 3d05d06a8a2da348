#!/usr/bin/env bash
# Installs what dmarcd needs to build, run and test on Debian 12 (as root,
# or through sudo). Used by the README's commands and by .ci/run.
set -euo pipefail

packages=(
	build-essential cmake pkg-config python3
	zlib1g-dev libssl-dev libxml2-dev libarchive-dev libsqlite3-dev libgmime-3.0-dev
	libpsl-dev # organisational domains by the Public Suffix List (advise/, enrich/)
	libc-ares-dev libmaxminddb-dev # reverse DNS, network owner and country (enrich/)
	libopendkim-dev # the report mails' DKIM signatures (ingest/carrier_dkim.c)
	libmaxmind-db-writer-perl # writes the .mmdb files of test_geo and scripts/install-geo.sh
	nsd # the reverse-DNS tests' authoritative server
	sqlite3 # the tests read the ingest log with the sqlite3 shell
	libmicrohttpd-dev libcurl4-openssl-dev libcriterion-dev
	libcrypt-dev chromium nodejs $(command -v npm >/dev/null || echo npm) # npm: unless nodejs ships it
	dovecot-imapd openssl # the IMAP tests' server (tests/imap/dovecot.sh)
	clang libclang-rt-dev # the fuzz targets and their libFuzzer runtime (tests/fuzz/run.sh)
	clang-format # the format check (scripts/format.sh)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
