#!/usr/bin/env bash
# Runs every case of tests/guests/cases.txt through guest.sh, JOBS at a time.
# Each line: CASE EMU CPUS [KERNEL OPTIONS] | VMS | MODULES | CHECKS
# [| REGEX=>TEXT], the last field typed on the serial console once the log
# matches REGEX; kernel options are added to Vireo's command line.
# usage: guest-cases.sh [CASES_FILE] [FILTER_REGEX]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
file=${1:-$here/tests/guests/cases.txt} filter=${2:-.}
jobs=${JOBS:-$(nproc)}
running=0
while IFS='|' read -r head vms modules checks input; do
	case "$head" in '' | '#'*) continue ;; esac
	echo "$head|$vms" | grep -qE -- "$filter" || continue
	read -r case_name emu cpus extra <<<"$head"
	trim() { sed -E 's/^ +| +$//g' <<<"$1"; }
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	(cd "$here" && EXTRA_CMDLINE="${extra:-}" BOCHS_INPUT="$(trim "${input:-}")" bash tests/harness/guest.sh "$case_name" \
		"$emu" "$cpus" "$(trim "$vms")" "$(trim "$modules")" "$(trim "$checks")") &
	running=$((running + 1))
done <"$file"
wait
exit 0
