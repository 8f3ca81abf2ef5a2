#!/usr/bin/env bash
# Checks that tools/mkiso.sh is reproducible: builds the ISO twice from the
# same kernel, in different temporary directories and seconds apart, and
# compares the two images byte for byte. Prints one PASS or FAIL line and
# appends it to $RESULTS when set; on a difference both ISOs are kept.
# usage: repro-iso.sh KERNEL.elf
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
[ "${build#/}" = "$build" ] && build=$here/$build
elf=${1:-$build/vireo.elf}
name="repro/iso"
# More than one second apart, so a date taken from the clock would differ.
GAP_SECONDS=2
CMDLINE="vireo.log=info vireo.test_token=repro"

. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"

if [ ! -s "$elf" ]; then
	emit FAIL "$name (no kernel $elf: run make)"
	exit 1
fi
work=$build/repro
rm -rf "$work"
mkdir -p "$work/tmp1" "$work/tmp2"

build_iso() { # N
	TMPDIR=$work/tmp$1 bash "$here/tools/mkiso.sh" "$elf" "$work/$1.iso" "$CMDLINE" \
		>"$work/$1.log" 2>&1
}

if ! build_iso 1 || ! { sleep "$GAP_SECONDS" && build_iso 2; }; then
	emit FAIL "$name (tools/mkiso.sh failed; log: $work/1.log, $work/2.log)"
	exit 1
fi
sum1=$(sha256sum <"$work/1.iso" | cut -c1-64)
sum2=$(sha256sum <"$work/2.iso" | cut -c1-64)
if [ "$sum1" = "$sum2" ]; then
	emit PASS "$name (2 builds ${GAP_SECONDS}s apart, sha256 ${sum1:0:16}, $(stat -c %s "$work/1.iso") bytes)"
	rm -rf "$work"
	exit 0
fi
ndiff=$(cmp -l "$work/1.iso" "$work/2.iso" 2>/dev/null | wc -l)
first=$(cmp "$work/1.iso" "$work/2.iso" 2>/dev/null | grep -oE 'byte [0-9]+' | grep -oE '[0-9]+')
emit FAIL "$name (builds differ: sha256 ${sum1:0:16} vs ${sum2:0:16}, $ndiff bytes, first at byte ${first:-?}; ISOs: $work/1.iso $work/2.iso)"
exit 1
