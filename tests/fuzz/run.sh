#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 30), seeded from the project's fixtures and, when present,
# ../shared's corpus and examples. Fuzzes a scratch copy of the seeds; a
# crash leaves its input in build-fuzz/artifacts/ and fails the script.
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
	targets=(fuzz_extract fuzz_report_xml fuzz_unpack fuzz_arf)
fi

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDMARCD_FUZZ=ON \
	-DDMARCD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
find tests/fixtures -type f -exec cp {} "$seeds"/ \; 2>/dev/null || true
if [[ -d ../shared/corpus ]]; then
	i=0
	while IFS= read -r -d '' f; do
		cp "$f" "$seeds/shared-$((i++))"
	done < <(find ../shared/corpus ../shared/spec/examples -type f ! -name '*.md' ! -name '*.tsv' -print0)
fi
mkdir -p build-fuzz/artifacts
for t in "${targets[@]}"; do
	work=$(mktemp -d)
	cp "$seeds"/* "$work"/
	dict=()
	[[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
	echo "fuzz: $t for ${seconds}s"
	if ! build-fuzz/"$t" "$work" "${dict[@]}" -max_total_time="$seconds" -max_len=262144 \
		-rss_limit_mb=2048 -timeout=20 -artifact_prefix=build-fuzz/artifacts/"$t"- \
		-print_final_stats=1 2>build-fuzz/"$t".log; then
		tail -40 build-fuzz/"$t".log
		echo "fuzz: $t FAILED (see build-fuzz/$t.log and build-fuzz/artifacts/)"
		exit 1
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' build-fuzz/"$t".log | sed "s/^/fuzz: $t: /"
	rm -rf "$work"
done
