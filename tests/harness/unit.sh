#!/usr/bin/env bash
# Runs host unit-test binaries (cmocka) and prints one line per binary plus a total.
set -u
pass=0 fail=0
. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"
for bin in "$@"; do
	log="$bin.log"
	if "$bin" >"$log" 2>&1; then
		n=$(grep -c '^\[       OK \]' "$log")
		emit PASS "unit/$(basename "$bin") ($n cases)"
		pass=$((pass + 1))
	else
		emit FAIL "unit/$(basename "$bin") (log: $log)"
		grep -E '^\[  (FAILED|ERROR) \]|ERROR|runtime error' "$log" | head -10 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
