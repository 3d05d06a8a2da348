#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and
# runs each for SECONDS (default 30), one after the other. A target with a
# directory in tests/fuzz/seeds/ is seeded from it; the others from the
# project's fixtures and, when present, ../shared's corpus and examples.
# Fuzzes a scratch copy of the seeds; a crash leaves its input in
# build-fuzz/artifacts/ and fails the script.
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
	targets=(fuzz_extract fuzz_report_xml fuzz_unpack fuzz_arf fuzz_config fuzz_web_query fuzz_mutate
		fuzz_rdns_answer fuzz_auth_results)
fi

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDMARCD_FUZZ=ON \
	-DDMARCD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The seeds of the report parsers: every fixture, and ../shared when it is there.
mkdir "$tmp/reports"
find tests/fixtures -type f -exec cp {} "$tmp/reports"/ \;
i=0
for d in ../shared/corpus ../shared/spec/examples; do
	[[ -d $d ]] || continue
	while IFS= read -r -d '' f; do
		cp "$f" "$tmp/reports/shared-$((i++))"
	done < <(find "$d" -type f ! -name '*.md' ! -name '*.tsv' -print0)
done

mkdir -p build-fuzz/artifacts
for t in "${targets[@]}"; do
	work=$tmp/$t
	mkdir "$work"
	if [[ -d tests/fuzz/seeds/$t ]]; then
		cp tests/fuzz/seeds/"$t"/* "$work"/
	else
		cp "$tmp/reports"/* "$work"/
	fi
	max_len=262144
	case $t in
	fuzz_config)
		cp dmarcd.conf.example "$work"/
		max_len=65536
		;;
	fuzz_web_query | fuzz_mutate)
		max_len=4096
		;;
	fuzz_rdns_answer)
		max_len=4096 # the usual size of an EDNS answer over UDP
		;;
	fuzz_auth_results)
		max_len=16384 # the target's own bound on one header value
		;;
	esac
	dict=()
	[[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
	echo "fuzz: $t for ${seconds}s"
	if ! build-fuzz/"$t" "$work" "${dict[@]}" -max_total_time="$seconds" -max_len="$max_len" \
		-rss_limit_mb=2048 -timeout=20 -artifact_prefix=build-fuzz/artifacts/"$t"- \
		-print_final_stats=1 2>build-fuzz/"$t".log; then
		tail -40 build-fuzz/"$t".log
		echo "fuzz: $t FAILED (see build-fuzz/$t.log and build-fuzz/artifacts/)"
		exit 1
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' build-fuzz/"$t".log | sed "s/^/fuzz: $t: /"
	rm -rf "$work"
done
