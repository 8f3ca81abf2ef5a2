#!/usr/bin/env bash
# Boots Vireo for a person at the serial console: on a terminal, the console
# is the terminal in raw mode (every key reaches Vireo, which sends it to the
# VM holding the keyboard; Ctrl-A N moves it to VM N); Ctrl-] quits Bochs,
# Ctrl-] then x QEMU. Elsewhere (a pipe) Bochs' console output is copied out.
# usage: run.sh auto|qemu|bochs|kvm|debug CPUS ISO
#   auto: QEMU/KVM with nested VT-x when this host offers it, else Bochs.
# Environment: MEM_MB (the machine's memory, default 512), TIMEOUT (seconds
# Bochs may run), RUN_LOG (a copy of Bochs' console output on a terminal).
set -u
mode=$1 cpus=$2 iso=$3
here=$(cd "$(dirname "$0")/.." && pwd)

kvm_reason() {
	[ -e /dev/kvm ] || { echo "/dev/kvm does not exist"; return; }
	grep -qw vmx /proc/cpuinfo || { echo "the host CPU has no VMX flag (no nested VT-x here)"; return; }
	[ -w /dev/kvm ] || { echo "/dev/kvm is not writable by $(id -un)"; return; }
}

# The serial console on stdio, raw: Ctrl-C and Ctrl-A go to the guest
# (signal=off; the multiplexer's escape is Ctrl-], not Ctrl-A, which is
# Vireo's console escape); Ctrl-] then x quits QEMU.
QEMU_QUIT_KEYS="Ctrl-] then x"
# shellcheck disable=SC2054 # the commas are QEMU's
qemu_args=(-cdrom "$iso" -chardev stdio,id=con,mux=on,signal=off -serial chardev:con
	-echr 0x1d -display none -no-reboot -m "${MEM_MB:-512}" -smp "$cpus"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none)

# A process ended by signal N exits with status SIGNAL_STATUS + N.
SIGNAL_STATUS=128

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
	echo "run: the serial console is this terminal; Ctrl-A then 1-9 moves the keyboard to that VM; $QEMU_QUIT_KEYS quits QEMU."
	qemu-system-x86_64 -accel kvm -cpu host,+vmx "${qemu_args[@]}"
	qemu_status $?
}

# The emulator's processes, children before their parents.
descendants() {
	local child
	for child in $(ps -o pid= --ppid "$1"); do
		descendants "$child"
		echo "$child"
	done
}

stop_emulator() {
	local pids
	pids=$(descendants "$1")
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # one argument per process id
	kill -TERM $pids 2>/dev/null
	sleep 0.5
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	wait "$1" 2>/dev/null
}

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	echo "$port"
}

# The serial console on this terminal: COM1 is a TCP server (emu.sh,
# BOCHS_COM1_PORT) and socat joins it to the terminal, which is raw so that
# every key (Ctrl-A, Ctrl-C, Ctrl-D) reaches Vireo and the guest; Ctrl-]
# ends socat, then the emulator. RUN_LOG=FILE keeps a copy of the output.
run_bochs_terminal() {
	local port rc log_args=() stopped=
	port=$(free_port)
	# Globals, not locals: the EXIT trap uses them after this function.
	dir=$(mktemp -d)
	saved=$(stty -g)
	if [ -n "${RUN_LOG:-}" ]; then
		: >"$RUN_LOG"
		log_args=(-R "$RUN_LOG")
	fi
	echo "run: Bochs (${BOCHS_MODEL:-corei7_skylake_x}, emulated VT-x), $cpus CPUs, ${MEM_MB:-512} MiB"
	echo "run: the serial console is this terminal: every key goes to Vireo (Ctrl-C to the guest)."
	echo "run: Ctrl-A then 1-9 moves the keyboard to that VM; Ctrl-] quits the emulator."
	# setsid: out of the terminal's reach, so that closing the terminal (its
	# SIGHUP) cannot kill emu.sh before the EXIT trap below has stopped Bochs.
	BOCHS_COM1_PORT=$port setsid bash "$here/tests/harness/emu.sh" bochs "$cpus" "$iso" \
		"$dir/emu.log" "${TIMEOUT:-3600}" 2>"$dir/emu.err" &
	emu_pid=$!
	trap 'stty "$saved"; stop_emulator "$emu_pid"; rm -rf "$dir"' EXIT
	trap 'exit 130' INT TERM HUP
	stty raw -echo
	socat "${log_args[@]}" -,escape=0x1d "TCP:127.0.0.1:$port,retry=600,interval=0.1"
	rc=$?
	stty "$saved"
	echo
	if kill -0 "$emu_pid" 2>/dev/null; then
		echo "run: Ctrl-] (or the console closed): stopping the emulator"
		stopped=1
	fi
	if [ "$rc" -gt "$SIGNAL_STATUS" ]; then
		echo "run: the console (socat) was ended by signal $((rc - SIGNAL_STATUS))"
	elif [ "$rc" -ne 0 ]; then
		echo "run: socat exited with status $rc (cannot reach COM1 on port $port?)"
	fi
	stop_emulator "$emu_pid"
	# The emulator's own complaints, unless it was stopped here.
	[ -n "$stopped" ] || { cat "$dir/emu.log" "$dir/emu.err"; echo "run: the emulator ended"; }
}

# Not on a terminal (a script, a pipe): the serial log is copied to stdout.
run_bochs_log() {
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	touch "$dir/serial.log"
	tail -f "$dir/serial.log" &
	tailpid=$!
	bash "$here/tests/harness/emu.sh" bochs "$cpus" "$iso" "$dir/serial.log" "${TIMEOUT:-600}"
	sleep 0.3
	kill "$tailpid" 2>/dev/null
}

run_bochs() {
	if [ -t 0 ] && [ -t 1 ]; then
		run_bochs_terminal
	else
		echo "run: Bochs (${BOCHS_MODEL:-corei7_skylake_x}, emulated VT-x), $cpus CPUs; serial console below (no input: not a terminal)"
		run_bochs_log
	fi
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
	echo "run: QEMU TCG (software emulation, no VT-x), $cpus CPUs; $QEMU_QUIT_KEYS quits QEMU"
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
