#!/usr/bin/env bash
# Builds dmarcd's Debian package with CPack (Release, prefix /usr), installs
# it on this machine with apt-get (which pulls its dependencies), checks what
# it installed: `dmarcd --version`, the man pages, the example config, and the
# unit's ExecStartPre check run as the unit runs it (on a scratch config),
# then removes the package again. Needs root. CI runs it (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
	echo "test-deb: FAILED: $*" >&2
	exit 1
}

if dpkg -s dmarcd >/dev/null 2>&1; then
	fail "a dmarcd package is installed already; remove it first"
fi
version=$(sed -n 's/^project(dmarcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DDMARCD_TESTS=OFF >/dev/null
cmake --build build-deb -j"$(nproc)" --target dmarcd >/dev/null
rm -f build-deb/dmarcd_*.deb
(cd build-deb && cpack -G DEB >/dev/null)
deb=$(echo build-deb/dmarcd_"$version"_*.deb)
[[ -f $deb ]] || fail "no package built"
echo "test-deb: built $deb ($(stat -c %s "$deb") bytes)"
dpkg-deb --field "$deb" Depends | grep -q libgmime || fail "Depends lacks the libraries"
dpkg-deb --field "$deb" Depends | grep -q libopendkim || fail "Depends lacks libopendkim"

tmp=$(mktemp -d)
cleanup() {
	apt-get remove -y -q dmarcd >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb" >/dev/null

[[ $(command -v dmarcd) == /usr/bin/dmarcd ]] || fail "dmarcd is not /usr/bin/dmarcd"
[[ $(dmarcd --version) == "dmarcd $version" ]] || fail "dmarcd --version says $(dmarcd --version)"
for f in /usr/share/man/man1/dmarcd.1 /usr/share/man/man5/dmarcd.conf.5 \
	/usr/share/doc/dmarcd/README.md /usr/share/doc/dmarcd/examples/dmarcd.conf.example; do
	[[ -f $f ]] || fail "$f is not installed"
done
unit=$(dpkg -L dmarcd | grep '/systemd/system/dmarcd.service$') || fail "no unit installed"
doc=$(sed -n 's/^Documentation=.*file:\/\/\([^ ]*\).*/\1/p' "$unit")
[[ -f $doc ]] || fail "the unit's Documentation= $doc does not exist"

# The unit's check, as the unit runs it, on a scratch config in place of /etc/dmarcd/dmarcd.conf.
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
[[ $pre == "/usr/bin/dmarcd run --config /etc/dmarcd/dmarcd.conf --check" ]] ||
	fail "unexpected ExecStartPre: $pre"
mkdir -p "$tmp/Maildir/new" "$tmp/Maildir/cur" "$tmp/Maildir/tmp"
printf '[database]\npath = %s/dmarcd.db\n[maildir local]\npath = %s/Maildir\n' "$tmp" "$tmp" \
	>"$tmp/dmarcd.conf"
out=$(${pre//\/etc\/dmarcd\/dmarcd.conf/$tmp/dmarcd.conf}) || fail "the check failed: $out"
[[ $out == *"are usable"* ]] || fail "the check said: $out"
[[ -f $tmp/dmarcd.db ]] || fail "the check did not open the database"
# and it refuses a broken config with its reason, exit 2
printf '[database]\npaht = x\n' >"$tmp/bad.conf"
set +e
bad=$(dmarcd run --config "$tmp/bad.conf" --check 2>&1)
rc=$?
set -e
[[ $rc == 2 && $bad == *"bad.conf:2:"* ]] || fail "a broken config gave $rc: $bad"
echo "test-deb: installed, dmarcd $version, man pages, unit and its check: 1 passed, 0 failed"
