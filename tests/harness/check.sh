#!/usr/bin/env bash
# Runs one self-test suite under one emulator and judges it from the serial
# log: KTAP plan and results, the "vireo: exit status N" line, and (QEMU) the
# isa-debug-exit status. Prints one line per KTAP case and one for the run;
# appends them to $RESULTS when set.
# usage: check.sh EMU CPUS SUITE [EXPECT]
#   EXPECT: pass (default); pass:<regex> (and the log must match the regex;
#   several regexes joined by && must all match);
#   noskip[:<regex>] (as pass, and no case may SKIP: VMX paths under Bochs);
#   fault:<extended regex the fault report must match>
#   hang:<regex> (the kernel must print the regex and then halt for good,
#   with no exit status: the boot-time refusals before any driver exists)
set -u
emu=$1 cpus=$2 suite=$3 expect=${4:-pass}
# SUITE may carry extra kernel options after '+': vmx+vireo.vmxcaps=1
extra=""
if [ "${suite#*+}" != "$suite" ]; then
	extra=${suite#*+}
	extra=${extra//+/ }
	suite=${suite%%+*}
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
elf=$build/vireo.elf
name="$emu/${cpus}cpu $3"
logdir=$build/logs
mkdir -p "$logdir" "$build/iso"
log=$logdir/${emu}-${cpus}cpu-${3//[^A-Za-z0-9_.-]/_}.log

if [ "${expect%%:*}" = hang ]; then
	export HANG_OK=1 TIMEOUT=${TIMEOUT:-10}
fi
ncpu=${cpus%%,*} # QEMU forms like "2,maxcpus=4" are passed through to -smp
case "$emu" in
bochs) timeout_s=${TIMEOUT:-$((60 + 15 * ncpu))} ;;
qemu-uefi) timeout_s=${TIMEOUT:-60} ;;
*) timeout_s=${TIMEOUT:-$((30 + ncpu / 2))} ;;
esac

. "$here/tests/harness/run-iso.sh"
cmdline="vireo.test=$suite vireo.test_token=vireo-cmdline-ok vireo.no_such_option=1 $extra ${EXTRA_CMDLINE:-}"
boot_iso "$build/iso/case-$(printf '%s' "$cmdline" | md5sum | cut -c1-12).iso" "$cmdline" "$timeout_s"

status=$(grep -oE '^vireo: exit status [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
plan=$(grep -oE '^1\.\.[0-9]+' "$log" | head -1 | cut -d. -f3)

check_qemu_rc() { # the emulator's status must agree with the serial line
	case "$emu" in
	qemu | qemu-q35 | qemu-uefi | kvm)
		[ "$rc" -eq $(((status << 1) | 1)) ] || {
			emit FAIL "$name (serial says exit status $status but QEMU exited $rc; log: $log)"
			exit 1
		}
		;;
	esac
}

if [ "${expect%%:*}" = hang ]; then
	pattern=${expect#hang:}
	if [ -n "$status" ] || ! grep -qE -- "$pattern" "$log"; then
		emit FAIL "$name (expected /$pattern/ and a halt, got status '${status:-none}'; log: $log)"
		exit 1
	fi
	emit PASS "$name (refused and halted as expected, ${secs}s)"
	exit 0
fi

if [ "${expect%%:*}" = fault ]; then
	pattern=${expect#fault:}
	if [ "$status" != 2 ]; then
		emit FAIL "$name (expected a fatal report and exit status 2, got '${status:-none}'; log: $log)"
		exit 1
	fi
	check_qemu_rc
	for need in 'VIREO (FATAL EXCEPTION|PANIC) on cpu' '^Call trace:' 'all CPUs stopped' "$pattern"; do
		if ! grep -qE "$need" "$log"; then
			emit FAIL "$name (fault report lacks /$need/; log: $log)"
			exit 1
		fi
	done
	emit PASS "$name (fault report as expected, ${secs}s)"
	exit 0
fi

if [ -z "$plan" ] || ! grep -q '^KTAP version 1' "$log"; then
	emit FAIL "$name (no KTAP plan in the log: boot failed; log: $log)"
	grep -E 'FATAL|PANIC|panic|error' "$log" | head -5 | sed 's/^/    /'
	exit 1
fi
fail=0 seen=0
while IFS= read -r line; do
	seen=$((seen + 1))
	case "$line" in
	"not ok "*)
		fail=1
		emit FAIL "$emu/${cpus}cpu $(echo "$line" | sed -E 's/^not ok [0-9]+ //')"
		;;
	*"# SKIP"*)
		emit SKIP "$emu/${cpus}cpu $(echo "$line" | sed -E 's/^ok [0-9]+ //')"
		;;
	*)
		emit PASS "$emu/${cpus}cpu $(echo "$line" | sed -E 's/^ok [0-9]+ //')"
		;;
	esac
done < <(grep -E '^(not )?ok [0-9]+ ' "$log")

if [ "$seen" -ne "$plan" ]; then
	emit FAIL "$name (plan said $plan cases, $seen reported: the run died; log: $log)"
	grep -E 'FATAL|PANIC' -A3 "$log" | head -8 | sed 's/^/    /'
	exit 1
fi
mode=${expect%%:*}
want=""
[ "$mode" != "$expect" ] && want=${expect#*:}
if [ "$mode" = noskip ] && grep -qE '^ok [0-9]+ .*# SKIP' "$log"; then
	emit FAIL "$name (cases were skipped where they must run; log: $log)"
	exit 1
fi
while [ -n "$want" ]; do
	re=${want%%&&*}
	[ "$re" = "$want" ] && want="" || want=${want#*&&}
	if ! grep -qE -- "$re" "$log"; then
		emit FAIL "$name (the log lacks /$re/; log: $log)"
		exit 1
	fi
done
if [ -z "$status" ]; then
	emit FAIL "$name (no exit status line; log: $log)"
	exit 1
fi
check_qemu_rc
if [ "$status" -ne 0 ] || [ "$fail" -ne 0 ]; then
	emit FAIL "$name (exit status $status; log: $log)"
	exit 1
fi
emit PASS "$name (run ok, $plan cases, ${secs}s)"
exit 0
