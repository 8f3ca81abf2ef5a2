#!/usr/bin/env bash
# Runs every case of a matrix file (EMU CPUS SUITE [EXPECT...]) through
# check.sh, JOBS at a time, appending result lines to $RESULTS. EXPECT is the
# rest of the line, so fault regexes may contain spaces.
# usage: matrix.sh MATRIX_FILE [FILTER_REGEX]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
file=$1 filter=${2:-.}
jobs=${JOBS:-$(nproc)}
running=0
while read -r emu cpus suite expect; do
	case "$emu" in '' | '#'*) continue ;; esac
	echo "$emu $cpus $suite $expect" | grep -qE -- "$filter" || continue
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	bash "$here/tests/harness/check.sh" "$emu" "$cpus" "$suite" "${expect:-pass}" &
	running=$((running + 1))
done <"$file"
wait
exit 0
