#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time and reports it in the test
# runner's format.  Usage: run-target.sh BINARY SECONDS CORPUS ARTIFACT_PREFIX SEEDS...
set -uo pipefail
bin=$1 secs=$2 corpus=$3 prefix=$4
shift 4
seeds=()
for d in "$@"; do [ -d "$d" ] && seeds+=("$d"); done
name=$(basename "$bin")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$prefix" "$corpus" "${seeds[@]}" >"$log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$log" | sed 's/^/  /'
if [ $rc -eq 0 ]; then
	echo "PASS $name: no crash in ${secs}s"
	echo "1 passed, 0 failed, 0 skipped"
else
	tail -n 40 "$log" | sed 's/^/  /'
	echo "FAIL $name: libFuzzer exited $rc; the input is under ${prefix}*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
