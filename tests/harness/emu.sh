#!/usr/bin/env bash
# Boots an ISO under one emulator with the serial console captured to a log.
# usage: emu.sh EMU CPUS ISO LOG TIMEOUT_SECONDS
#   EMU: qemu (TCG, BIOS), qemu-q35 (TCG, q35 chipset), qemu-uefi (TCG + OVMF),
#   qemu-nopit (TCG, BIOS, no 8254 PIT), qemu-uefi-nopit (TCG + OVMF, q35, no
#   8254 PIT: the ACPI PM timer is left to calibrate the TSC),
#   bochs (VMX-capable model), kvm;
#   bochs@<model> picks another Bochs CPU model (e.g. bochs@ryzen has no VT-x)
# Prints nothing; exit status: the emulator's own (124 on timeout).
# BOCHS_CPU_EXTRA="opt=v, ..." (Bochs only): more options on the cpu: line.
# BOCHS_INPUT="regex=>text" (Bochs only): type text on COM1 once the log
# matches regex (tests/harness/serial-client.sh).
# BOCHS_COM1_PORT=PORT (Bochs only): COM1 as a TCP server on 127.0.0.1:PORT
# for a client the caller starts (tools/run.sh: the terminal); LOG then only
# gets the emulator's panic, if any.
set -u
emu=$1 cpus=$2 iso=$(realpath "$3") log=$(realpath -m "$4") timeout_s=$5
here=$(cd "$(dirname "$0")/../.." && pwd)
: >"$log"

BOCHS_MODEL=${BOCHS_MODEL:-corei7_skylake_x}
case "$emu" in bochs@*)
	BOCHS_MODEL=${emu#bochs@}
	emu=bochs
	;;
esac
MEM_MB=${MEM_MB:-512}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}

kvm_missing_reason() {
	if [ ! -e /dev/kvm ]; then
		echo "/dev/kvm does not exist (no KVM on this host)"
	elif ! grep -qw vmx /proc/cpuinfo; then
		echo "the host CPU has no VMX flag (nested VT-x unavailable; this host is $(grep -m1 vendor_id /proc/cpuinfo | awk '{print $3}'))"
	elif [ "$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null)" != "Y" ] &&
		[ "$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null)" != "1" ]; then
		echo "kvm_intel is loaded without nested=1"
	fi
}

# Multi-threaded TCG puts one host thread per vCPU; with many vCPUs on a
# 2-core host a spinning vCPU can starve the one holding a lock for seconds,
# so from 8 CPUs up the runs use single-threaded (round-robin) TCG.
ncpu=${cpus%%,*}
tcg=tcg
[ "$ncpu" -ge 8 ] && tcg=tcg,thread=single
qemu_common=(-cdrom "$iso" -serial "file:$log" -display none -no-reboot -m "$MEM_MB"
	-smp "$cpus" -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none ${QEMU_EXTRA:-})

case "$emu" in
qemu)
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel "$tcg" -cpu max "${qemu_common[@]}"
	;;
qemu32) # a CPU without long mode: Vireo's 32-bit entry must refuse it
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel "$tcg" -cpu qemu32 "${qemu_common[@]}"
	;;
qemu-q35)
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -machine q35 -accel "$tcg" -cpu max \
		"${qemu_common[@]}"
	;;
qemu-uefi)
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel "$tcg" -cpu max -bios "$OVMF" \
		"${qemu_common[@]}"
	;;
qemu-nopit)
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -machine pc,pit=off -accel "$tcg" \
		-cpu max "${qemu_common[@]}"
	;;
qemu-uefi-nopit)
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -machine q35,pit=off -accel "$tcg" \
		-cpu max -bios "$OVMF" "${qemu_common[@]}"
	;;
kvm)
	reason=$(kvm_missing_reason)
	if [ -n "$reason" ]; then
		echo "kvm unavailable: $reason" >"$log"
		exit 125
	fi
	exec timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel kvm -cpu host,+vmx "${qemu_common[@]}"
	;;
bochs)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vireo-bochs.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	sed -e "s|@ISO@|$iso|" -e "s|@LOG@|$log|" -e "s|@CPUS@|$cpus|" \
		-e "s|@MODEL@|$BOCHS_MODEL|" -e "s|@MEGS@|$MEM_MB|" -e "s|@BOCHSLOG@|$dir/bochs.log|" \
		"$here/tests/harness/bochsrc.in" >"$dir/bochsrc"
	if [ -n "${BOCHS_CPU_EXTRA:-}" ]; then
		sed -i "s|^cpu: .*|&, $BOCHS_CPU_EXTRA|" "$dir/bochsrc"
	fi
	printf 'c\nquit\n' >"$dir/dbg.rc"
	if [ -n "${BOCHS_INPUT:-}" ]; then
		# COM1 as a TCP server: a client here copies its output to the log
		# and types BOCHS_INPUT's text once the log matches its regex.
		port=$((20000 + RANDOM % 20000))
		sed -i "s|^com1:.*|com1: enabled=1, mode=socket-server, dev=127.0.0.1:$port|" "$dir/bochsrc"
		bash "$here/tests/harness/serial-client.sh" "$port" "$log" "$BOCHS_INPUT" "$timeout_s" &
	elif [ -n "${BOCHS_COM1_PORT:-}" ]; then
		sed -i "s|^com1:.*|com1: enabled=1, mode=socket-server, dev=127.0.0.1:$BOCHS_COM1_PORT|" \
			"$dir/bochsrc"
	fi
	# Bochs' term display needs a terminal: run it inside script(1)'s pty.
	(cd "$dir" && TERM=xterm timeout -k 5 "$timeout_s" \
		script -qfec "bochs-bin -q -f bochsrc -rc dbg.rc" /dev/null </dev/null >/dev/null 2>&1)
	rc=$?
	# The guest's exit through port 0x8900 is logged as a "panic"; others are real.
	if grep '>>PANIC<<' "$dir/bochs.log" 2>/dev/null | grep -vq 'Shutdown port: shutdown requested'; then
		{ echo; echo "bochs: emulator panic:"; grep -A2 'PANIC' "$dir/bochs.log" | head -8; } >>"$log"
	fi
	exit $rc
	;;
*)
	echo "emu.sh: unknown emulator '$emu' (use qemu, qemu-q35, qemu-uefi, qemu-nopit," \
		"qemu-uefi-nopit, bochs[@model] or kvm)" >&2
	exit 2
	;;
esac
