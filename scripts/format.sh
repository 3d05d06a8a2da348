#!/usr/bin/env bash
# Formats every C file of the project with clang-format and .clang-format.
# With --check, changes nothing and fails, naming the files, when one is not
# formatted (scripts/test.sh runs this).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.c' '*.h')
if [[ ${1:-} == --check ]]; then
	bad=()
	for f in "${files[@]}"; do
		clang-format --dry-run --Werror "$f" 2>/dev/null || bad+=("$f")
	done
	if ((${#bad[@]} > 0)); then
		echo "format: not formatted (run scripts/format.sh): ${bad[*]}" >&2
		exit 1
	fi
	exit 0
fi
clang-format -i "${files[@]}"
