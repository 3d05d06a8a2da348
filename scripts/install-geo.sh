#!/usr/bin/env bash
# Installs the free network-owner and country databases from the npm
# registry into DIR (default /var/lib/dmarcd/geo) and prints the two paths
# for dmarcd.conf's [enrich] asn_db and country_db:
#   DIR/country.mmdb  @ip-location-db/geo-whois-asn-country-mmdb, as shipped
#   DIR/asn.mmdb      @ip-location-db/asn, CSV turned into .mmdb here
#                     (scripts/geo_asn_mmdb.pl): no ASN .mmdb is on npm
# Both are CC BY 4.0 data: README "Where the names come from" says what to
# credit. Without a database dmarcd only leaves its columns empty, so when
# npm, perl's writer or the registry is missing this says so and exits 0.
set -euo pipefail

dir=${1:-/var/lib/dmarcd/geo}
here=$(cd "$(dirname "$0")" && pwd)
country_pkg=@ip-location-db/geo-whois-asn-country-mmdb
asn_pkg=@ip-location-db/asn

soft_fail() {
	echo "install-geo: $*; no database installed (dmarcd leaves owner and country empty)" >&2
	exit 0
}

command -v npm >/dev/null || soft_fail "npm is not installed"
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null ||
	soft_fail "perl's MaxMind::DB::Writer is not installed (apt-get install libmaxmind-db-writer-perl)"
mkdir -p "$dir/npm"

# --ignore-scripts: the packages are data; nothing of theirs runs here.
if ! timeout 900 npm install --prefix "$dir/npm" --no-save --no-audit --no-fund --ignore-scripts \
	--fetch-retries=1 --fetch-timeout=60000 --loglevel=error "$country_pkg" "$asn_pkg" >&2; then
	soft_fail "npm could not fetch $country_pkg and $asn_pkg (is the registry reachable?)"
fi

mods=$dir/npm/node_modules
version() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$mods/$1/package.json"; }
country_ver=$(version "$country_pkg")
asn_ver=$(version "$asn_pkg")

# Copied, then renamed over the old file: a running dmarcd keeps reading the
# file it mapped until it reopens.
cp "$mods/$country_pkg/geo-whois-asn-country.mmdb" "$dir/country.mmdb.tmp"
mv -f "$dir/country.mmdb.tmp" "$dir/country.mmdb"

# The version's last part is the data's hour (2.3.2026061719: 2026-06-17
# 19:00 UTC); it becomes the build time, so that the same data converted twice
# is the same database to geo_built().
stamp=${asn_ver##*.}
epoch=0
if [[ $stamp =~ ^[0-9]{10}$ ]]; then
	epoch=$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:8:2}:00" +%s)
fi
if [[ ! -s $dir/asn.mmdb || $(cat "$dir/asn.version" 2>/dev/null) != "$asn_ver" ]]; then
	perl "$here/geo_asn_mmdb.pl" "$dir/asn.mmdb" "$epoch" \
		"$mods/$asn_pkg/asn-ipv4.csv" "$mods/$asn_pkg/asn-ipv6.csv"
	echo "$asn_ver" >"$dir/asn.version"
fi

cat >&2 <<EOF
install-geo: $country_pkg $country_ver and $asn_pkg $asn_ver in $dir
install-geo: credit the data where it is shown (CC BY 4.0): RouteViews (routeviews.org),
install-geo: the NRO (nro.net) and DB-IP (https://db-ip.com, "IP Geolocation by DB-IP");
install-geo: licences in $mods/@ip-location-db/*/
EOF
echo "$dir/asn.mmdb"
echo "$dir/country.mmdb"
