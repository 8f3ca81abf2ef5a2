#!/usr/bin/env bash
# Runs Vireo with guest kernels as GRUB modules under one emulator and judges
# the VMs from the serial log: each VM's report line ("[name] exited, status
# N" or "[name] was stopped ..."), its KTAP output, and log patterns.
# usage: guest.sh CASE EMU CPUS VMS MODULES CHECKS
#   VMS:     vireo.vm= values separated by ';' (each passed quoted, so a
#            trailing cmdline= may hold spaces)
#   MODULES: guest ELF files separated by ','
#   CHECKS:  separated by ';':
#     NAME=N       VM NAME exited with status N (0xF4 value v gives 2v+1)
#     NAME:ktap    VM NAME printed a KTAP plan, every case ran, none failed,
#                  none skipped, and "NAME: P passed, 0 failed"
#     NAME!re      VM NAME was stopped by Vireo and the reason matches re
#     /re/         the log matches re;  !/re/  the log does not match re
# Prints one PASS/FAIL line (appended to $RESULTS when set).
set -u
case_name=$1 emu=$2 cpus=$3 vms=$4 modules=$5 checks=$6
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
elf=$build/vireo.elf
name="$emu/${cpus}cpu $case_name"
mkdir -p "$build/logs" "$build/iso"
log=$build/logs/guest-${emu}-${cpus}cpu-${case_name//[^A-Za-z0-9_.-]/_}.log
ncpu=${cpus%%,*}
timeout_s=${TIMEOUT:-$((90 + 20 * ncpu))}

. "$here/tests/harness/run-iso.sh"

fail() {
	emit FAIL "$name ($1; log: $log)"
	exit 1
}

cmdline="vireo.on_done=poweroff ${EXTRA_CMDLINE:-}"
IFS=';' read -ra vm_list <<<"$vms"
for v in "${vm_list[@]}"; do
	cmdline+=" vireo.vm=\"$v\""
done
IFS=',' read -ra mod_list <<<"$modules"
mods=()
for m in "${mod_list[@]}"; do
	[ -z "$m" ] && continue
	if [ ! -s "$m" ]; then
		emit FAIL "$name (guest image $m does not exist: run make guest-kernels)"
		exit 1
	fi
	mods+=("$m")
done
# BOCHS_INPUT="REGEX=>TEXT" types TEXT on the serial console once the log
# matches REGEX (tests/harness/emu.sh).
boot_iso "$build/iso/guest-$(printf '%s %s' "$cmdline" "${mods[*]}" | md5sum | cut -c1-12).iso" \
	"$cmdline" "$timeout_s" "${mods[@]}"
if grep -q '^vms: cannot start VMs' "$log"; then
	fail "$(grep -m1 '^vms: cannot start VMs' "$log")"
fi
if grep -q '^sched: invariant broken' "$log"; then
	fail "$(grep -m1 '^sched: invariant broken' "$log")"
fi
if ! grep -q '^vireo: all VMs have finished' "$log"; then
	emit FAIL "$name (Vireo did not finish its VMs; log: $log)"
	grep -E 'FATAL|PANIC|panic' -A3 "$log" | head -8 | sed 's/^/    /'
	exit 1
fi


# The "[NAME] exited, status N" / "[NAME] was stopped ..." report line.
report() { grep -E "^\[$1\] (exited, status -?[0-9]+|was stopped)" "$log" | tail -1; }

check_ktap() { # NAME
	local vm=$1 plan seen bad skipped summary
	plan=$(grep -oE "^\[$vm\] 1\.\.[0-9]+" "$log" | head -1 | sed 's/.*\.\.//')
	[ -n "$plan" ] || fail "VM $vm printed no KTAP plan"
	seen=$(grep -cE "^\[$vm\] (not )?ok [0-9]+ " "$log")
	bad=$(grep -E "^\[$vm\] not ok [0-9]+ " "$log" | head -3 | sed "s/^\[$vm\] //" | tr '\n' ';')
	skipped=$(grep -E "^\[$vm\] ok [0-9]+ .*# SKIP" "$log" | head -3 | sed "s/^\[$vm\] //" | tr '\n' ';')
	[ -z "$bad" ] || fail "VM $vm failed: $bad"
	[ -z "$skipped" ] || fail "VM $vm skipped cases that must run here: $skipped"
	[ "$seen" -eq "$plan" ] || fail "VM $vm planned $plan cases but reported $seen"
	summary=$(grep -E "^\[$vm\] [a-z0-9]+: $plan passed, 0 failed" "$log")
	[ -n "$summary" ] || fail "VM $vm has no '$plan passed, 0 failed' summary"
}

IFS=';' read -ra check_list <<<"$checks"
summary=""
for c in "${check_list[@]}"; do
	case "$c" in
	'!/'*/)
		re=${c#!/}
		re=${re%/}
		grep -qE -- "$re" "$log" && fail "the log matches /$re/, which it must not"
		;;
	/*/)
		re=${c#/}
		re=${re%/}
		grep -qE -- "$re" "$log" || fail "the log lacks /$re/"
		;;
	*:ktap)
		check_ktap "${c%:ktap}"
		summary+=" ${c%:ktap}: KTAP ok;"
		;;
	*!*)
		vm=${c%%!*} re=${c#*!}
		line=$(report "$vm")
		case "$line" in
		*"was stopped"*) ;;
		*) fail "VM $vm should have been stopped by Vireo; its report: '${line:-none}'" ;;
		esac
		echo "$line" | grep -qE -- "$re" || fail "VM $vm was stopped, but not for /$re/: '$line'"
		summary+=" $vm stopped as expected;"
		;;
	*=*)
		vm=${c%%=*} want=${c#*=}
		line=$(report "$vm")
		got=$(echo "$line" | grep -oE 'exited, status -?[0-9]+' | grep -oE -- '-?[0-9]+$')
		[ -n "$got" ] || fail "VM $vm did not exit by itself; its report: '${line:-none}'"
		[ "$got" = "$want" ] || fail "VM $vm exited with status $got, expected $want"
		summary+=" $vm status $got;"
		;;
	'') ;;
	*) fail "unknown check '$c'" ;;
	esac
done
emit PASS "$name (${summary# } ${secs}s)"
exit 0
