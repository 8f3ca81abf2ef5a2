#!/usr/bin/env bash
# One Linux guest case of tests/harness/linux-cases.sh: boots Vireo on Bochs
# (corei7_skylake_x) through tests/harness/guest.sh, which judges the report
# lines, Multiboot KTAP and log patterns, then judges the Linux VMs:
#   NAME:linux     /init's KTAP plan complete and every case ok, its checks
#                  finished, the VM exited with status 0 (guest.sh NAME=0),
#                  and no dmesg line beyond the bare-Bochs list for the VM's
#                  vCPU count (build/linux/bare-dmesg-MODEL-Ncpu.txt, made by
#                  tests/harness/linux-bare.sh from the same kernel version)
#   NAME:migrates  a nonzero migrate column for one of the VM's vCPUs in the
#                  scheduler's statistics table (sched/run.c)
#   apart          no console line holds a second VM prefix
# Other checks go to guest.sh unchanged. Prints one PASS/FAIL line (appended
# to $RESULTS when set).
# usage: linux-case.sh CASE CPUS VMS MODULES CHECKS   (env: TIMEOUT, MEM_MB)
set -euo pipefail

MODEL=corei7_skylake_x
# The bare reference (tests/harness/linux-cases.sh makes it) and how long a
# case waits for it.
BARE_CPUS=1
BARE_WAIT_S=900
INIT_DONE="vireo-init: checks done"
# Column of the migrate count in "sched: VM VCPU RUN SWITCHES MIGRATE ..."
# (sched_stats_print), counting "sched:" as the first.
MIGRATE_COL=6

if [ $# -ne 5 ]; then
	echo "usage: linux-case.sh CASE CPUS VMS MODULES CHECKS" >&2
	exit 2
fi
case_name=$1 cpus=$2 vms=$3 modules=$4 checks=$5
here=$(cd "$(dirname "$0")/../.." && pwd)
assets=${LINUX_DIR:-$here/build/linux}
emu=bochs@$MODEL
name="linux/${cpus}cpu $case_name"
# guest.sh's log for this case.
log=$here/build/logs/guest-${emu}-${cpus}cpu-${case_name//[^A-Za-z0-9_.-]/_}.log
. "$here/tests/harness/emit.sh"

fail() {
	emit FAIL "$name ($1; log: $log)"
	exit 1
}

# The VM's console lines without their "[NAME] " prefix.
console() { sed -n "s/^\[$1\] //p" "$log"; }


check_linux_ktap() { # NAME
	local vm=$1 plan n bad
	plan=$(console "$vm" | grep -m1 -oE '^1\.\.[0-9]+$' | cut -c4-) ||
		fail "Linux VM $vm printed no KTAP plan (did /init start? see its console)"
	bad=$(console "$vm" | grep -E '^not ok [0-9]+ ' | head -3 | tr '\n' ';') || true
	[ -z "$bad" ] || fail "Linux VM $vm: $bad"
	for n in $(seq 1 "$plan"); do
		console "$vm" | grep -qE "^ok $n [a-z_]+$" ||
			fail "Linux VM $vm planned $plan checks; check $n did not pass"
	done
	console "$vm" | grep -qxF "$INIT_DONE" || fail "Linux VM $vm: /init did not finish its checks"
}

check_linux_dmesg() { # NAME
	local vm=$1 list extra vmlog waited=0
	list=$assets/bare-dmesg-$MODEL-${BARE_CPUS}cpu.txt
	# linux-cases.sh may still be making it beside the first cases.
	while [ ! -e "$list.kernel" ] && [ ! -e "$list.failed" ] && [ "$waited" -lt "$BARE_WAIT_S" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if [ ! -e "$list" ] || [ "$(cat "$list.kernel" 2>/dev/null)" != "$(cat "$assets/kernel-version")" ]; then
		fail "no bare-Bochs dmesg list for $BARE_CPUS CPU from this kernel (tests/harness/linux-bare.sh $MODEL $BARE_CPUS failed?)"
	fi
	vmlog=$log.$vm
	console "$vm" >"$vmlog"
	extra=$(bash "$here/tests/harness/linux-dmesg.sh" "$vmlog" "$list") ||
		fail "Linux VM $vm's dmesg has lines bare Bochs does not print: $(tr '\n' ';' <<<"$extra")"
}

check_migrates() { # NAME
	awk -v vm="$1" -v col=$MIGRATE_COL '$1 == "sched:" && $2 == vm && $3 ~ /^[0-9]+$/ &&
		$col ~ /^[0-9]+$/ { rows++; if ($col > 0) moved++ }
		END { exit !(rows && moved) }' "$log" ||
		fail "no vCPU of VM $1 migrated (sched: statistics: $(grep -E "^sched: +$1 " "$log" | tr -s ' ' | tr '\n' ';'))"
}

check_apart() {
	local names mixed
	names=$(tr ';' '\n' <<<"$vms" | cut -d: -f1 | paste -sd'|')
	mixed=$(grep -E "^.+\[($names)\] " "$log" | head -2 | tr '\n' ';') || true
	[ -z "$mixed" ] || fail "console lines of two VMs mixed: $mixed"
}

guest_checks=""
ours=()
IFS=';' read -ra check_list <<<"$checks"
for c in "${check_list[@]}"; do
	case "$c" in
	*:linux) guest_checks+="${c%:linux}=0;" ours+=("$c") ;;
	*:migrates | apart) ours+=("$c") ;;
	*) guest_checks+="$c;" ;;
	esac
done
out=$(RESULTS='' bash "$here/tests/harness/guest.sh" "$case_name" "$emu" "$cpus" "$vms" \
	"$modules" "${guest_checks%;}") || {
	emit FAIL "linux/${out#FAIL "bochs@$MODEL"/}"
	exit 1
}
summary=$(sed -E 's/^PASS [^(]*\((.*) ([0-9.]+s)\)$/\1/' <<<"$out")
secs=$(grep -oE '[0-9.]+s\)$' <<<"$out" | tr -d ')')
for c in "${ours[@]}"; do
	case "$c" in
	*:linux)
		check_linux_ktap "${c%:linux}"
		check_linux_dmesg "${c%:linux}"
		summary+=" ${c%:linux}: Linux KTAP ok, dmesg as bare;"
		;;
	*:migrates)
		check_migrates "${c%:migrates}"
		summary+=" ${c%:migrates} migrated;"
		;;
	apart)
		check_apart
		summary+=" consoles apart;"
		;;
	esac
done
emit PASS "$name ($summary $secs)"
