#!/usr/bin/env bash
# Runs the fuzzing guest kernel (build/guests/fuzz.elf, docs/fuzz-guest.md)
# as a 2-vCPU VM beside a good 2-vCPU mbtest2 VM under Bochs with 2 CPUs,
# and judges the serial log: the good VM passes its KTAP cases, the fuzz VM
# printed "fuzz: done" and exited (status 1: it wrote 0 to port 0xF4) or was
# stopped by Vireo with a report, and Vireo finished every VM, turned VMX
# off on both CPUs and printed its exit status.
# usage: fuzz-guest.sh [SECONDS [SEED [OPS]]]
#   SECONDS guest seconds of fuzzing (default 20), SEED the PRNG seed
#   (default 1), OPS comma-separated classes, or "-a,-b" for every class
#   but a and b, or "all" (default: FUZZ_DEFAULT_OPS).
# FUZZ_SAFE=1 steers the fuzzer clear of the defects docs/fuzz-guest.md once
# listed as open (fuzz.safe=1; default 0: every operation is fair game).
# FUZZ_EXTRA adds words to the fuzz VM's command line (e.g. fuzz.trace=1:
# one line per operation; fuzz.x2apic=1: the CPUs in x2APIC mode).
# Prints one PASS/FAIL line with the seed and the per-class counts
# (appended to $RESULTS when set).
set -u
# Every class that leaves the host standing (docs/fuzz-guest.md, findings).
FUZZ_DEFAULT_OPS=all
secs_guest=${1:-20} seed=${2:-1} ops=${3:-$FUZZ_DEFAULT_OPS}
[ -n "$secs_guest" ] || secs_guest=20
[ -n "$seed" ] || seed=1
[ -n "$ops" ] || ops=$FUZZ_DEFAULT_OPS
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
elf=$build/vireo.elf
emu=bochs cpus=2
name="$emu/${cpus}cpu fuzz-guest seed $seed, ${secs_guest}s, ops $ops, safe ${FUZZ_SAFE:-0}"
mkdir -p "$build/logs" "$build/iso"
log=$build/logs/fuzz-guest-s${seed}-${secs_guest}s.log
# Guest seconds run slower than wall seconds under Bochs: allow for both VMs.
timeout_s=${TIMEOUT:-$((240 + 12 * secs_guest))}
# The fuzz VM's own run-time limit: its fuzzing time plus boot and report.
vm_limit_ms=$(((secs_guest + 60) * 1000))
[ "$vm_limit_ms" -le 3600000 ] || vm_limit_ms=3600000 # Vireo's largest timeout_ms

. "$here/tests/harness/run-iso.sh"

fail() {
	emit FAIL "$name (seed $seed; $1; log: $log)"
	exit 1
}

for m in "$build/guests/fuzz.elf" "$build/guests/mbtest2.elf"; do
	[ -s "$m" ] || fail "guest image $m does not exist: run make guest-kernels"
done
fuzz_vm="fuzz:image=fuzz.elf,vcpus=2,mem=32M,timeout_ms=$vm_limit_ms"
safe=${FUZZ_SAFE:-0}
fuzz_vm+=",cmdline=fuzz.seconds=$secs_guest fuzz.seed=$seed fuzz.ops=$ops fuzz.safe=$safe"
fuzz_vm+="${FUZZ_EXTRA:+ $FUZZ_EXTRA}"
cmdline="vireo.on_done=poweroff ${EXTRA_CMDLINE:-} vireo.vm=\"$fuzz_vm\""
cmdline+=" vireo.vm=\"good:image=mbtest2.elf,vcpus=2,mem=32M\""
boot_iso "$build/iso/fuzz-guest-$(printf '%s' "$cmdline" | md5sum | cut -c1-12).iso" \
	"$cmdline" "$timeout_s" "$build/guests/fuzz.elf" "$build/guests/mbtest2.elf"

grep -q '^vms: cannot start VMs' "$log" && fail "$(grep -m1 '^vms: cannot start VMs' "$log")"
grep -q "^cmdline: option 'vireo.vm'.*too long" "$log" && fail "the fuzz VM's settings are too long for Vireo: shorten OPS"
grep -q '^sched: invariant broken' "$log" && fail "$(grep -m1 '^sched: invariant broken' "$log")"
if ! grep -q '^vireo: all VMs have finished' "$log"; then
	emit FAIL "$name (seed $seed; Vireo did not finish its VMs; log: $log)"
	grep -aE 'FATAL|PANIC|panic|\[fuzz\] fuzz: (ops|exceptions)' -A3 "$log" | head -8 |
		sed 's/^/    /'
	exit 1
fi
grep -q '^vmx: VMX off on all 2 CPUs' "$log" || fail "no 'vmx: VMX off on all 2 CPUs'"
grep -q '^vireo: exit status' "$log" || fail "no 'vireo: exit status' line"

# The good VM: every KTAP case ran and passed, and it exited by itself.
report() { grep -aE "^\[$1\] (exited, status -?[0-9]+|was stopped)" "$log" | tail -1; }
plan=$(grep -aoE '^\[good\] 1\.\.[0-9]+' "$log" | head -1 | sed 's/.*\.\.//')
[ -n "$plan" ] || fail "VM good printed no KTAP plan"
bad=$(grep -aE '^\[good\] not ok [0-9]+ ' "$log" | head -3 | sed 's/^\[good\] //' | tr '\n' ';')
[ -z "$bad" ] || fail "VM good failed: $bad"
grep -aqE "^\[good\] mbtest: $plan passed, 0 failed" "$log" || fail "VM good did not pass all $plan cases"
report good | grep -q 'exited, status 1,' || fail "VM good: '$(report good)'"

# The fuzz VM: done and exited, or stopped by Vireo with a report.
# The counts come a few to a line (Vireo cuts long console lines).
counts=$(grep -a '^\[fuzz\] fuzz: ops ' "$log" | sed 's/^\[fuzz\] fuzz: ops //' | tr '\n' ' ')
counts=${counts% }
excs=$(grep -a '^\[fuzz\] fuzz: exceptions ' "$log" | sed 's/^\[fuzz\] fuzz: exceptions //' |
	tr '\n' ' ')
excs="exceptions ${excs% }"
anom=$(grep -a '^\[fuzz\] fuzz: interrupts ' "$log" | tail -1 | grep -oE 'anomalies [0-9]+')
line=$(report fuzz)
# An anomaly is the guest seeing what a bare CPU would not have shown it.
[ "${anom:-anomalies 0}" = "anomalies 0" ] ||
	fail "VM fuzz saw ${anom}: $(grep -a '^\[fuzz\] fuzz: cpu [0-9]*: anomaly' "$log" | head -2 |
		sed 's/^\[fuzz\] //' | tr '\n' ';')"
case "$line" in
*"exited, status 1,"*)
	grep -aq '^\[fuzz\] fuzz: done' "$log" || fail "VM fuzz exited without 'fuzz: done'"
	emit PASS "$name (seed $seed; fuzz done: ${counts:-no counts}; $excs; ${anom:-anomalies ?}; good: KTAP ok; ${secs}s)"
	;;
*"exited, status"*)
	# Random code ended its own VM (an OUT to port 0xF4 after it set DX, or
	# the exit hypercall), as it would end a QEMU machine: like a triple
	# fault of its own, not a Vireo defect.
	emit PASS "$name (seed $seed; the fuzzer's own code ended its VM: ${line#\[fuzz\] }; last progress: $(grep -a '^\[fuzz\] fuzz: [0-9]* ops so far' "$log" | tail -1 | sed 's/^\[fuzz\] //'); good: KTAP ok; ${secs}s)"
	;;
*"was stopped"*)
	emit PASS "$name (seed $seed; fuzz stopped by Vireo: ${line#\[fuzz\] }; last progress: $(grep -a '^\[fuzz\] fuzz: [0-9]* ops so far' "$log" | tail -1 | sed 's/^\[fuzz\] //'); good: KTAP ok; ${secs}s)"
	;;
*) fail "VM fuzz neither finished nor was stopped: '${line:-no report}'" ;;
esac
exit 0
