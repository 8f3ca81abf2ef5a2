#!/usr/bin/env bash
# Boots one Multiboot test kernel (tests/guests/) under QEMU TCG and judges
# it from the serial log and the isa-debug-exit status. Multiboot 1 images go
# through QEMU's own -kernel loader; Multiboot2 images (which -kernel cannot
# load) through a GRUB ISO built by tools/mkiso.sh. Prints one PASS or FAIL
# line and appends it to $RESULTS when set.
# usage: qemu-kernel.sh ELF CPUS [EXPECT_REGEX | refused] [CMDLINE]
#   EXPECT_REGEX: the log must also match this extended regex ('' for none);
#   refused: QEMU must refuse to load the image (for badhdr.elf);
#   CMDLINE: the kernel's command line (-append, or the GRUB entry's).
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 ELF CPUS [EXPECT_REGEX | refused] [CMDLINE]" >&2
	exit 2
fi
elf=$1 cpus=$2 expect=${3:-} cmdline=${4:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
[ "${build#/}" = "$build" ] && build=$here/$build
kname=$(basename "$elf" .elf)
name="qemu-kernel/$kname/${cpus}cpu"
if [ -n "$cmdline" ]; then
	# a run with a command line has its own log and ISO, named after it
	kname="$kname-$(printf '%s' "$cmdline" | tr -c 'A-Za-z0-9._=-' '_')"
	name="$name ($cmdline)"
fi
logdir=$build/logs
mkdir -p "$logdir" "$build/iso"
log=$logdir/qemu-kernel-$kname-${cpus}cpu.log
timeout_s=${TIMEOUT:-60}
: >"$log"

. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"

if [ ! -s "$elf" ]; then
	emit FAIL "$name (no such kernel $elf: run make guest-kernels)"
	exit 1
fi

# Is there a 32-bit word MAGIC at a 4-byte aligned offset within the first BYTES?
has_magic() { # MAGIC BYTES
	head -c "$2" "$elf" | od -An -v -tx4 -w4 | grep -qx " *$1"
}

qemu=(timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log" -display none
	-no-reboot -monitor none -smp "$cpus" -m 128)
if has_magic e85250d6 32768; then
	mode=grub
	iso=$build/iso/qemu-kernel-$kname.iso
	if [ ! -s "$iso" ] || [ "$iso" -ot "$elf" ]; then
		bash "$here/tools/mkiso.sh" "$elf" "$iso" "$cmdline" 0 || {
			emit FAIL "$name (could not build the GRUB ISO)"
			exit 1
		}
	fi
	qemu+=(-cdrom "$iso")
else
	mode=kernel
	qemu+=(-kernel "$elf")
	[ -n "$cmdline" ] && qemu+=(-append "$cmdline")
fi

start=$(date +%s.%N)
"${qemu[@]}" 2>"$log.stderr"
rc=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
# GRUB draws its menu with escape sequences; keep the log plain text
sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$log" >"$log.txt" && mv "$log.txt" "$log"
if [ -s "$log.stderr" ]; then
	sed 's/^/qemu stderr: /' "$log.stderr" >>"$log"
fi
rm -f "$log.stderr"

if [ "$expect" = refused ]; then
	# QEMU refusing exits 1 with a message on stderr; the image running says
	# so on COM1 and exits 0x5a (status 181)
	if grep -q 'should never run' "$log" || [ "$rc" -eq 181 ]; then
		emit FAIL "$name (the image ran although its header is invalid; log: $log)"
		exit 1
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		emit FAIL "$name (QEMU neither refused nor finished within ${timeout_s}s; log: $log)"
		exit 1
	fi
	if [ "$rc" -eq 0 ] || ! grep -q '^qemu stderr:' "$log"; then
		emit FAIL "$name (QEMU exited $rc without an error message; log: $log)"
		exit 1
	fi
	emit PASS "$name (refused by QEMU: $(grep -m1 '^qemu stderr:' "$log" | cut -c14-), ${secs}s)"
	exit 0
fi

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	emit FAIL "$name (timeout after ${timeout_s}s; log: $log)"
	exit 1
fi
summary=$(grep -oE '^mbtest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
if [ -z "$summary" ]; then
	emit FAIL "$name (no 'mbtest: N passed, M failed' line, QEMU status $rc: boot failed; log: $log)"
	exit 1
fi
failed=$(echo "$summary" | grep -oE '[0-9]+ failed' | cut -d' ' -f1)
if [ "$rc" -ne $(((failed << 1) | 1)) ]; then
	emit FAIL "$name (serial says $failed failed but QEMU exited $rc; log: $log)"
	exit 1
fi
if [ "$failed" -ne 0 ] || grep -q '^not ok ' "$log"; then
	emit FAIL "$name ($(grep -m1 '^not ok ' "$log" || echo "$summary"); log: $log)"
	exit 1
fi
if [ -n "$expect" ] && ! grep -qE -- "$expect" "$log"; then
	emit FAIL "$name (the log lacks /$expect/; log: $log)"
	exit 1
fi
# Cases the emulated CPU cannot run (QEMU TCG has no x2APIC or TSC-deadline
# timer) are counted as skips, not hidden in the pass.
grep -E '^ok [0-9]+ .*# SKIP' "$log" | while IFS= read -r l; do
	emit SKIP "$name $(echo "$l" | sed -E 's/^ok [0-9]+ (- )?//')"
done
cases=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
skips=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
emit PASS "$name (via $mode, $cases cases, $skips skipped, ${secs}s)"
exit 0
