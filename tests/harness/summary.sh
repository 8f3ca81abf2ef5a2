#!/usr/bin/env bash
# Prints the final line of a test run from a results file and fails if any
# line failed: "N passed, N failed, N skipped".
set -u
results=$1
pass=$(grep -c '^PASS ' "$results")
fail=$(grep -c '^FAIL ' "$results")
skip=$(grep -c '^SKIP ' "$results")
if [ "$fail" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$results" | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
# ALLOW_ALL_SKIPPED=1: a run skipped for a stated reason (make test-kvm on a
# host without nested VT-x) is not a failure.
[ "$fail" -eq 0 ] && { [ "$pass" -gt 0 ] || [ "${ALLOW_ALL_SKIPPED:-0}" = 1 ]; }
