#!/usr/bin/env bash
# A scripted person at `make run-linux`: runs it in a pseudo-terminal
# (script(1)), waits for what a person would wait for, types as a person
# would (a character at a time, Ctrl-A N to switch VMs, Ctrl-] to quit) and
# passes when every expected line came and the terminal's settings were
# restored afterwards. Not part of make test (a Linux boot under Vireo on
# Bochs takes minutes).
# usage: run-linux-session.sh VMS [RUN_CPUS] [VCPUS]
#   VMS=1: the shell on lx1: uname -r; nproc; grep -c processor; poweroff -f
#   VMS=2: the same on lx1, then Ctrl-A 2, a command typed into lx2's shell
#          whose output must come back as "[lx2] ...", then poweroff -f in both
# Writes the raw pty output to build/logs/run-linux-session-VMS.raw and a
# readable transcript (escape sequences and CRs removed) beside it (.txt).
# Environment: STEP_TIMEOUT (seconds to wait for each expected output,
# default 900), LINUX/INITRD as for make run-linux.
set -euo pipefail

vms=${1:?usage: run-linux-session.sh VMS [RUN_CPUS] [VCPUS]}
run_cpus=${2:-2} vcpus=${3:-1}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/harness/emit.sh
. "$here/tests/harness/emit.sh"
step_timeout=${STEP_TIMEOUT:-900}
# Seconds between typed characters: the guest's UART keeps 16 of them.
KEY_DELAY=0.05
# How long the guests get to power off before Ctrl-] ends the emulator.
POWEROFF_WAIT_S=60
CTRL_A=$'\x01'
CTRL_QUIT=$'\x1d'
ENTER=$'\r'
name=run-linux-session-${vms}vm
logs=$here/build/logs
raw=$logs/$name.raw
txt=$logs/$name.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/vireo-session.XXXXXX")
mkdir -p "$logs"
: >"$raw"

mkfifo "$work/keys"
# The command in the pty records the terminal's settings before and after.
cmd="stty -g >'$work/before'; make --no-print-directory -C '$here' run-linux VMS=$vms"
cmd+=" VCPUS=$vcpus RUN_CPUS=$run_cpus; stty -g >'$work/after'"
script -qfec "$cmd" /dev/null <"$work/keys" >"$raw" 2>&1 &
session=$!
exec 3>"$work/keys"
cleanup() {
	exec 3>&-
	kill "$session" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# The raw output with CRs and escape sequences removed.
clean() {
	sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r//g' "$raw"
}

# Waits until the output past the previous match holds a line matching $1.
seen=0
expect() {
	local end=$((SECONDS + step_timeout)) at
	while :; do
		at=$(clean | RE=$1 awk -v from="$seen" 'NR > from && $0 ~ ENVIRON["RE"] { print NR; exit }')
		if [ -n "$at" ]; then
			seen=$at
			return 0
		fi
		if [ "$SECONDS" -ge "$end" ] || ! kill -0 "$session" 2>/dev/null; then
			emit FAIL "$name: no line matching '$1' (transcript: $txt)"
			clean >"$txt"
			exit 1
		fi
		sleep 0.5
	done
}

type_keys() {
	local text=$1 i
	for ((i = 0; i < ${#text}; i++)); do
		printf '%s' "${text:i:1}" >&3
		sleep "$KEY_DELAY"
	done
}

# The kernel release, the CPU count twice (nproc, /proc/cpuinfo) and power off.
commands_lx1="uname -r; nproc; cat /proc/cpuinfo | grep -c processor; poweroff -f"
prefix='\[lx1\] '
# ash prints this just before its first prompt.
shell_ready="Enter 'help' for a list of built-in commands"
expect "^${prefix}$shell_ready"
if [ "$vms" -gt 1 ]; then
	# The VMs boot side by side: lx2's banner may come before lx1's.
	lx1_at=$seen
	seen=0
	expect "^\\[lx2\\] $shell_ready"
	[ "$seen" -ge "$lx1_at" ] || seen=$lx1_at
	# The shell on lx1 first, without powering it off yet.
	type_keys "${commands_lx1%; poweroff -f}$ENTER"
	expect "^${prefix}[0-9]+\.[0-9]+\.[0-9]+-.*-amd64$"
	expect "^${prefix}$vcpus$"
	expect "^${prefix}$vcpus$"
	type_keys "${CTRL_A}2"
	expect "vireo: console input now goes to VM 2, lx2"
	# Arithmetic the shell must do: an echo of the typed line cannot match.
	type_keys "echo lx2 says \$((6 * 7)); uname -n$ENTER"
	expect '^\[lx2\] lx2 says 42$'
	expect '^\[lx2\] vireo-guest$'
	type_keys "poweroff -f$ENTER"
	type_keys "${CTRL_A}1"
	expect "vireo: console input now goes to VM 1, lx1|there is no running VM 1"
	type_keys "poweroff -f$ENTER"
else
	type_keys "$commands_lx1$ENTER"
	expect "^${prefix}[0-9]+\.[0-9]+\.[0-9]+-.*-amd64$"
	expect "^${prefix}$vcpus$"
	expect "^${prefix}$vcpus$"
fi
# Power-off ends Vireo, and then the emulator, when the guest's ACPI S5
# works; otherwise the guests halt and Ctrl-] ends the emulator.
end=$((SECONDS + POWEROFF_WAIT_S))
while kill -0 "$session" 2>/dev/null && [ "$SECONDS" -lt "$end" ] &&
	! clean | grep -q '^run: the emulator ended'; do
	sleep 1
done
clean | grep -q '^run: the emulator ended' || type_keys "$CTRL_QUIT"
expect '^run: (the emulator ended|Ctrl-\] \(or the console closed\): stopping the emulator)'
wait "$session" || true
clean >"$txt"
if [ ! -s "$work/after" ] || ! cmp -s "$work/before" "$work/after"; then
	emit FAIL "$name: the terminal's settings were not restored (transcript: $txt)"
	exit 1
fi
emit PASS "$name: shell on lx1$([ "$vms" -gt 1 ] && echo ", Ctrl-A 2, shell on lx2"), terminal restored"
