#!/usr/bin/env bash
# The screen tests: boot to the machine report with no self-tests, dump the
# screen through the QEMU monitor and check with build/screencheck that the
# report's first and last lines are drawn there in the console font, under
# SeaBIOS (VBE framebuffer), OVMF (GOP framebuffer) and with no serial port
# at all. Appends PASS/FAIL lines to $RESULTS.
# usage: screen-cases.sh [png-for-docs]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
iso=$build/iso/screen.iso
shot=${1:-}
first="===== Vireo machine report ====="
last="=> this machine CANNOT run Vireo's VMs"

emit() {
	echo "$1 $2"
	[ -n "${RESULTS:-}" ] && echo "$1 $2" >>"$RESULTS"
	return 0
}

mkdir -p "$build/iso" "$build/logs"
bash "$here/tools/mkiso.sh" "$build/vireo.elf" "$iso" "vireo.on_done=halt" 0 || exit 1

run_case() { # NAME EMU [NOSERIAL]
	local name=$1 emu=$2 ppm=$build/logs/screen-$1.ppm log=$build/logs/screen-$1.log
	shift 2
	if ! bash "$here/tests/harness/screen.sh" "$emu" 2 "$iso" "$ppm" "$log" \
		"=> this machine" 90 "$@" >"$log.screen" 2>&1; then
		emit FAIL "screen/$name (no screen dump; log: $log, $log.screen)"
		return 1
	fi
	if "$build/screencheck" "$ppm" "$first" "$last" >"$log.check" 2>&1; then
		emit PASS "screen/$name (machine report drawn on the screen)"
	else
		emit FAIL "screen/$name (report not on screen; see $log.check)"
		return 1
	fi
	if [ "$name" = uefi ] && [ -n "$shot" ]; then
		pnmtopng "$ppm" >"$shot" && echo "screenshot: $shot"
	fi
}

run_case bios qemu
run_case uefi qemu-uefi
run_case noserial qemu NOSERIAL
exit 0
