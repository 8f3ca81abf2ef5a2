#!/usr/bin/env bash
# Boots Vireo for a person to watch on the serial console.
# usage: run.sh auto|qemu|bochs|kvm|debug CPUS ISO
#   auto: QEMU/KVM with nested VT-x when this host offers it, else Bochs.
set -u
mode=$1 cpus=$2 iso=$3
here=$(cd "$(dirname "$0")/.." && pwd)

kvm_reason() {
	[ -e /dev/kvm ] || { echo "/dev/kvm does not exist"; return; }
	grep -qw vmx /proc/cpuinfo || { echo "the host CPU has no VMX flag (no nested VT-x here)"; return; }
	[ -w /dev/kvm ] || { echo "/dev/kvm is not writable by $(id -un)"; return; }
}

qemu_args=(-cdrom "$iso" -serial stdio -display none -no-reboot -m 512 -smp "$cpus"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none)

# QEMU's isa-debug-exit makes the process exit with (status << 1) | 1.
qemu_status() {
	local rc=$1
	if [ $((rc & 1)) -eq 1 ]; then
		echo "run: Vireo exited with status $((rc >> 1))"
		exit $((rc >> 1))
	fi
	exit "$rc"
}

run_kvm() {
	echo "run: QEMU with KVM and nested VT-x (-accel kvm -cpu host,+vmx), $cpus CPUs"
	qemu-system-x86_64 -accel kvm -cpu host,+vmx "${qemu_args[@]}"
	qemu_status $?
}

run_bochs() {
	echo "run: Bochs (${BOCHS_MODEL:-corei7_skylake_x}, emulated VT-x), $cpus CPUs; serial console below"
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	touch "$dir/serial.log"
	tail -f "$dir/serial.log" &
	tailpid=$!
	bash "$here/tests/harness/emu.sh" bochs "$cpus" "$iso" "$dir/serial.log" "${TIMEOUT:-600}"
	sleep 0.3
	kill "$tailpid" 2>/dev/null
}

case "$mode" in
auto)
	reason=$(kvm_reason)
	if [ -z "$reason" ]; then
		run_kvm
	fi
	echo "run: not using KVM: $reason"
	run_bochs
	;;
kvm)
	reason=$(kvm_reason)
	if [ -n "$reason" ]; then
		echo "run-kvm: cannot use KVM with nested VT-x: $reason" >&2
		echo "run-kvm: use 'make run-bochs' (emulated VT-x) or 'make run-qemu' (no VT-x)" >&2
		exit 1
	fi
	run_kvm
	;;
qemu)
	echo "run: QEMU TCG (software emulation, no VT-x), $cpus CPUs"
	qemu-system-x86_64 -cpu max "${qemu_args[@]}"
	qemu_status $?
	;;
bochs)
	run_bochs
	;;
debug)
	echo "debug: QEMU TCG halted at reset with a gdb stub on :1234."
	echo "debug: in another terminal: gdb -x tools/vireo.gdb"
	exec qemu-system-x86_64 -cpu max "${qemu_args[@]}" -s -S
	;;
*)
	echo "run.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
