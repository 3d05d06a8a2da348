#!/usr/bin/env bash
# Ingests the same inputs with two dmarcd binaries and compares every export
# byte for byte: the check that a change meant to keep behaviour (a
# refactoring) keeps it. The inputs: the project's fixtures, a generated
# demo Maildir (90 days, fixed seed and end date), and ../shared's corpus and
# examples when present.
# Usage: scripts/compare_exports.sh OLD_DMARCD NEW_DMARCD
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/demo_maildir.py "$tmp/Maildir" --days 90 --seed 7 --end-date 2026-06-30 >/dev/null
inputs=(tests/fixtures)
for d in ../shared/corpus ../shared/spec/examples; do
	[[ -d $d ]] && inputs+=("$d")
done

status=0
for side in old new; do
	bin=${!side}
	mkdir "$tmp/$side"
	cp -r "$tmp/Maildir" "$tmp/$side/Maildir"
	set +e
	"$bin" ingest --json --db "$tmp/$side/d.db" "${inputs[@]}" "$tmp/$side/Maildir" \
		>"$tmp/$side/summary" 2>/dev/null
	echo "rc=$?" >>"$tmp/$side/summary"
	set -e
	for kind in reports records sources domains failures; do
		"$bin" export "$kind" --db "$tmp/$side/d.db" >"$tmp/$side/$kind.csv"
		"$bin" export "$kind" --format json --db "$tmp/$side/d.db" >"$tmp/$side/$kind.json"
	done
done
for f in summary reports.csv records.csv sources.csv domains.csv failures.csv reports.json \
	records.json sources.json domains.json failures.json; do
	if cmp -s "$tmp/old/$f" "$tmp/new/$f"; then
		echo "same: $f ($(wc -l <"$tmp/new/$f") lines)"
	else
		echo "DIFFERENT: $f"
		diff "$tmp/old/$f" "$tmp/new/$f" | head -20
		status=1
	fi
done
echo "summary: $(head -1 "$tmp/new/summary")"
exit $status
