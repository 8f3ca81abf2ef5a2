#!/usr/bin/env bash
# Runs every case of a matrix file (EMU CPUS SUITE [EXPECT]) through
# check.sh, JOBS at a time, appending result lines to $RESULTS.
# usage: matrix.sh MATRIX_FILE [FILTER_REGEX]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
file=$1 filter=${2:-.}
jobs=${JOBS:-$(nproc)}
grep -vE '^\s*(#|$)' "$file" | grep -E -- "$filter" |
	xargs -P "$jobs" -L 1 bash "$here/tests/harness/check.sh"
exit 0
