#!/usr/bin/env bash
# Boots an ISO under QEMU (TCG) with a standard VGA card and no window, waits
# until a regex shows up in the console log, then takes a screen dump (PPM P6)
# through the QEMU monitor and quits QEMU.
# usage: screen.sh EMU CPUS ISO OUT.ppm LOG WAIT_REGEX TIMEOUT [NOSERIAL] [QEMU_ARG...]
#   EMU: qemu (SeaBIOS, VBE framebuffer), qemu-q35 (same on q35),
#        qemu-uefi (OVMF, GOP framebuffer)
#   WAIT_REGEX: extended regex (grep -E) looked for in LOG, polled every 0.2 s
#   TIMEOUT: whole seconds from QEMU's start until WAIT_REGEX must have appeared
#   NOSERIAL: a word anywhere among the extra arguments, not passed to QEMU: the
#     machine gets no serial port (-serial none) and LOG is QEMU's debugcon
#     (port 0xE9) output instead of COM1's
#   QEMU_ARG: passed to qemu-system-x86_64 as they are, after the defaults, so
#     a later -vga wins: "-vga none -device ramfb" leaves OVMF's GOP on ramfb
#     as the only display (ramfb is 32 bpp XRGB8888; screendump reads it too)
# The guest must keep the screen up after WAIT_REGEX (e.g. vireo.on_done=halt).
# Environment: MEM_MB (512), OVMF (/usr/share/ovmf/OVMF.fd), SETTLE (0.5: seconds
#   between the regex and the dump, so output printed with it reaches the screen).
# Exit: 0 dump written; 124 WAIT_REGEX not seen in time (QEMU killed);
#   1 QEMU stopped early or the dump failed; 2 bad usage or socat missing.
# Needs socat (Debian package "socat") for the monitor's unix socket.
set -u

POLL_S=0.2
DUMP_WAIT_POLLS=50 # 10 s for the dump file to be written
QUIT_WAIT_POLLS=50 # 10 s for QEMU to exit after "quit"

die() {
	echo "screen.sh: $2" >&2
	exit "$1"
}

[ $# -ge 7 ] ||
	die 2 "usage: screen.sh EMU CPUS ISO OUT.ppm LOG WAIT_REGEX TIMEOUT [NOSERIAL] [QEMU_ARG...]"
emu=$1 cpus=$2 iso=$3 out=$4 log=$5 regex=$6 timeout_s=$7
shift 7

command -v socat >/dev/null ||
	die 2 "socat is not installed; it talks to QEMU's monitor socket: apt-get install socat"
command -v qemu-system-x86_64 >/dev/null ||
	die 2 "qemu-system-x86_64 is not installed: apt-get install qemu-system-x86"
[ -r "$iso" ] || die 2 "cannot read ISO '$iso'"
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die 2 "TIMEOUT '$timeout_s' is not a whole number of seconds"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die 2 "CPUS '$cpus' is not a positive number"
# The monitor's command line splits at whitespace: the dump path cannot hold any.
[[ "$out" =~ [[:space:]] ]] &&
	die 2 "OUT.ppm '$out' contains whitespace, which QEMU's monitor cannot take"
iso=$(realpath "$iso")
out=$(realpath -m "$out")
log=$(realpath -m "$log")
mkdir -p "$(dirname "$out")" "$(dirname "$log")" ||
	die 2 "cannot create the directories of $out and $log"

serial=(-serial "file:$log")
extra=()
for a in "$@"; do
	if [ "$a" = NOSERIAL ]; then
		serial=(-serial none -debugcon "file:$log")
	else
		extra+=("$a")
	fi
done

machine=()
case "$emu" in
qemu) ;;
qemu-q35) machine=(-machine q35) ;;
qemu-uefi)
	ovmf=${OVMF:-/usr/share/ovmf/OVMF.fd}
	[ -r "$ovmf" ] || die 2 "UEFI firmware '$ovmf' is missing: apt-get install ovmf"
	machine=(-bios "$ovmf")
	;;
*) die 2 "unknown emulator '$emu' (use qemu, qemu-q35 or qemu-uefi)" ;;
esac

# As in emu.sh: from 8 CPUs up, single-threaded TCG avoids lock-holder starvation.
tcg=tcg
[ "$cpus" -ge 8 ] && tcg=tcg,thread=single

dir=$(mktemp -d "${TMPDIR:-/tmp}/vireo-screen.XXXXXX")
qemu_pid=
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null
		sleep 0.5
		kill -KILL "$qemu_pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

rm -f "$out" 2>/dev/null
: >"$log"
qemu-system-x86_64 -accel "$tcg" -cpu max "${machine[@]}" -cdrom "$iso" -m "${MEM_MB:-512}" \
	-smp "$cpus" -display none -vga std -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-monitor "unix:$dir/mon,server,nowait" "${serial[@]}" "${extra[@]}" \
	</dev/null >"$dir/qemu.out" 2>&1 &
qemu_pid=$!

monitor() {
	echo "$1" | socat - "UNIX-CONNECT:$dir/mon" >>"$dir/monitor.log" 2>&1
}

qemu_gone() {
	! kill -0 "$qemu_pid" 2>/dev/null
}

report_early_exit() {
	wait "$qemu_pid"
	local rc=$?
	qemu_pid=
	echo "screen.sh: QEMU exited (status $rc) before $1;" \
		"boot with vireo.on_done=halt so the screen stays up" >&2
	sed 's/^/    qemu: /' "$dir/qemu.out" >&2
	tail -5 "$log" | sed 's/^/    log: /' >&2
	exit 1
}

deadline=$(($(date +%s%N) + timeout_s * 1000000000))
until grep -Eq -- "$regex" "$log" 2>/dev/null; do
	qemu_gone && report_early_exit "'$regex' appeared in $log"
	if [ "$(date +%s%N)" -ge "$deadline" ]; then
		echo "screen.sh: timed out after ${timeout_s}s waiting for '$regex' in $log; last lines:" >&2
		tail -5 "$log" | sed 's/^/    log: /' >&2
		exit 124
	fi
	sleep "$POLL_S"
done
sleep "${SETTLE:-0.5}"

qemu_gone && report_early_exit "the screen dump"
monitor "screendump $out"
size=-1
for ((i = 0; i < DUMP_WAIT_POLLS; i++)); do
	sleep "$POLL_S"
	now=$(stat -c %s "$out" 2>/dev/null || echo -1)
	[ "$now" -gt 0 ] && [ "$now" -eq "$size" ] && break
	size=$now
done

monitor quit
for ((i = 0; i < QUIT_WAIT_POLLS; i++)); do
	qemu_gone && break
	sleep "$POLL_S"
done
if ! qemu_gone; then
	echo "screen.sh: QEMU did not quit when asked; killing it" >&2
	kill -KILL "$qemu_pid" 2>/dev/null
fi
wait "$qemu_pid" 2>/dev/null
qemu_pid=

if [ "$(head -c 2 "$out" 2>/dev/null)" != P6 ]; then
	echo "screen.sh: the screen dump $out was not written; the monitor said:" >&2
	# Drop the monitor's banner, prompts and the terminal echo of our commands.
	tr -d '\r' <"$dir/monitor.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
		grep -v -e '^QEMU .* monitor' -e '^(qemu)' -e '^$' | sed 's/^/    monitor: /' >&2
	exit 1
fi
exit 0
