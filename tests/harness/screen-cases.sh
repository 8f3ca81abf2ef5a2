#!/usr/bin/env bash
# The screen tests: boot to the machine report with no self-tests, dump the
# screen through the QEMU monitor and check with build/screencheck that the
# report's first and last lines are drawn there in the console font, and
# that the red error line is red (red, green and blue in their places), under
# SeaBIOS (VBE framebuffer, 24 bpp), OVMF with the std VGA card (GRUB's own
# bochs driver, 24 bpp), OVMF with only a ramfb display (GRUB's efi_gop on
# OVMF's GOP, 32 bpp XRGB8888: the UEFI path real PCs take) and with no
# serial port at all. Appends PASS/FAIL lines to $RESULTS.
# usage: screen-cases.sh [png-for-docs]
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
iso=$build/iso/screen.iso
shot=${1:-}
first="===== Vireo machine report ====="
last="=> this machine CANNOT run Vireo's VMs"
# Logged at error level under QEMU TCG (no VT-x), so drawn in fbcon's error red.
red="d03030=vmx: VT-x is not usable on any CPU"

. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"

mkdir -p "$build/iso" "$build/logs"
bash "$here/tools/mkiso.sh" "$build/vireo.elf" "$iso" "vireo.on_done=halt" 0 || exit 1

# NEED: extended regexes joined by && that the log must match ('' for none).
run_case() { # NAME EMU NEED [NOSERIAL] [QEMU_ARG...]
	local name=$1 emu=$2 need=$3 ppm=$build/logs/screen-$1.ppm log=$build/logs/screen-$1.log
	local re
	shift 3
	if ! bash "$here/tests/harness/screen.sh" "$emu" 2 "$iso" "$ppm" "$log" \
		"=> this machine" 90 "$@" >"$log.screen" 2>&1; then
		emit FAIL "screen/$name (no screen dump; log: $log, $log.screen)"
		return 1
	fi
	while [ -n "$need" ]; do
		re=${need%%&&*}
		[ "$re" = "$need" ] && need= || need=${need#*&&}
		if ! grep -Eq -- "$re" "$log"; then
			emit FAIL "screen/$name (log lacks /$re/; log: $log)"
			return 1
		fi
	done
	if "$build/screencheck" -C "$red" "$ppm" "$first" "$last" >"$log.check" 2>&1; then
		emit PASS "screen/$name (machine report drawn on the screen, error line in red)"
	else
		emit FAIL "screen/$name (report not on screen or in wrong colours; see $log.check)"
		return 1
	fi
	if [ "$name" = uefi ] && [ -n "$shot" ]; then
		pnmtopng "$ppm" >"$shot" && echo "screenshot: $shot"
	fi
}

gop_need="mb2: framebuffer [0-9]+x[0-9]+, 32 bpp, RGB"
gop_need+="&&mb2: framebuffer colours: red bits 16-23, green bits 8-15, blue bits 0-7"
run_case bios qemu ""
run_case uefi qemu-uefi ""
run_case gop qemu-uefi "$gop_need" -vga none -device ramfb
run_case noserial qemu "" NOSERIAL
exit 0
