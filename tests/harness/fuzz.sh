#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time from its seed corpus.
set -u
secs=$1
shift
pass=0 fail=0
. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"
for bin in "$@"; do
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=$(dirname "$bin")/corpus_$name
	mkdir -p "$work"
	log="$bin.log"
	args=(-max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1)
	dirs=("$work")
	[ -d "$seeds" ] && dirs+=("$seeds")
	if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		emit PASS "fuzz/$name (${runs:-?} inputs in ${secs}s)"
		pass=$((pass + 1))
	else
		emit FAIL "fuzz/$name (log: $log)"
		grep -E 'ERROR|SUMMARY' "$log" | head -5 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
