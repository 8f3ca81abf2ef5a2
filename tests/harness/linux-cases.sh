#!/usr/bin/env bash
# Runs the Linux guest cases (tests/guests/linux-cases.txt, its header
# explains the format) under Vireo on Bochs (corei7_skylake_x), JOBS (default
# 2) at a time: each Bochs is one host thread. Before them it fetches the
# kernel and busybox (tools/linux-assets.sh), builds the initramfs
# (tools/mkinitramfs.sh), makes the broken images the refusal case needs, and
# boots the kernel bare on Bochs (tests/harness/linux-bare.sh) for every
# vCPU count a case uses, unless a bare dmesg list made from the same kernel
# version is already there. Each case boots through tests/harness/guest.sh
# (report lines, Multiboot KTAP, log patterns); this script adds the Linux
# checks and prints one PASS/FAIL line per case (appended to $RESULTS).
# A failure to fetch or build the assets is a FAIL naming it, never a SKIP.
# usage: linux-cases.sh [CASES_FILE] [FILTER_REGEX]
# env: JOBS, LINUX_CMDLINE (default: the Makefile's), LINUX_DIR (build/linux)
set -euo pipefail

MODEL=corei7_skylake_x
# Bochs machine memory for these cases: two 128 MiB Linux VMs, a Multiboot
# VM, the GRUB modules (the kernel and the oversized initrd) and Vireo.
CASE_MEM_MB=768
# Bochs' emulated speed under Vireo: instructions per emulated second, which
# Vireo measures as the TSC rate and gives the guest (CPUID 15H). At Bochs'
# default 4 million a Linux guest's 250 Hz tick comes every 16000
# instructions and its timer exits take most of the run; at 40 million the
# same boot needs about a tenth of the exits (docs/linux-guests.md).
CASE_IPS=40000000
# The bare reference: one boot with 1 CPU (its dmesg list was the same with
# 1 and 2 CPUs); linux-case.sh compares every VM with it.
BARE_CPUS=1
# The refusal case's initrd must exceed every gap the loader could use: the
# 15 MiB between 1 MiB and the kernel's pref_address (16 MiB for Debian's
# kernel) and the < 2 MiB left above the kernel in a VM of @TIGHTMEM@.
BIG_INITRD_MIB=24
MIB=1048576
MEM_ALIGN_MIB=2 # vireo.vm mem= is a multiple of 2 MiB (vm/config.h)
# bzImage header fields (Documentation/arch/x86/boot.rst).
HDR_PREF_ADDRESS=0x258 # 8 bytes
HDR_INIT_SIZE=0x260    # 4 bytes

here=$(cd "$(dirname "$0")/../.." && pwd)
file=${1:-$here/tests/guests/linux-cases.txt} filter=${2:-.}
jobs=${JOBS:-2}
assets=${LINUX_DIR:-$here/build/linux}
cases_dir=$assets/cases
if [ -z "${LINUX_CMDLINE:-}" ]; then
	LINUX_CMDLINE=$(sed -n 's/^LINUX_CMDLINE ?= //p' "$here/Makefile")
fi
. "$here/tests/harness/emit.sh"

fail_all() { # TEXT: the assets are missing, so every case fails
	emit FAIL "linux: $1"
	exit 1
}

# A little-endian unsigned field of the kernel image: OFFSET BYTES.
hdr_field() {
	od -An -tu"$2" -j "$(($1))" -N "$2" "$assets/vmlinuz" | tr -d ' '
}

prepare_assets() {
	local out pref init tight
	out=$(bash "$here/tools/linux-assets.sh" "$assets" 2>&1) ||
		fail_all "fetching the kernel and busybox failed (tools/linux-assets.sh): $(tail -2 <<<"$out" | tr '\n' ' ')"
	out=$(LINUX_DIR=$assets bash "$here/tools/mkinitramfs.sh" "$assets/initramfs.cpio.gz" 2>&1) ||
		fail_all "building the initramfs failed (tools/mkinitramfs.sh): $(tail -2 <<<"$out" | tr '\n' ' ')"
	mkdir -p "$cases_dir"
	head -c $(($(stat -c %s "$assets/vmlinuz") / 2)) "$assets/vmlinuz" >"$cases_dir/vmlinuz-truncated"
	head -c $((BIG_INITRD_MIB * MIB)) /dev/zero >"$cases_dir/initrd-too-big.img"
	pref=$(hdr_field $HDR_PREF_ADDRESS 8)
	init=$(hdr_field $HDR_INIT_SIZE 4)
	tight=$(((pref + init + MEM_ALIGN_MIB * MIB - 1) / (MEM_ALIGN_MIB * MIB) * MEM_ALIGN_MIB))
	[ "$tight" -gt 0 ] || fail_all "cannot read pref_address/init_size from $assets/vmlinuz"
	TIGHT_MEM=${tight}M
}

# The bare-Bochs dmesg list for N CPUs, made unless one from this kernel
# version exists (its version is kept beside it).
bare_list() { echo "$assets/bare-dmesg-$MODEL-$1cpu.txt"; }
bare_ref() { # N
	local list ver out
	list=$(bare_list "$1")
	ver=$(cat "$assets/kernel-version")
	if [ -s "$list.kernel" ] && [ "$(cat "$list.kernel")" = "$ver" ] && [ -e "$list" ]; then
		return 0
	fi
	rm -f "$list.kernel" "$list.failed"
	if out=$(bash "$here/tests/harness/linux-bare.sh" "$MODEL" "$1" 2>&1); then
		echo "$ver" >"$list.kernel"
		grep '^linux-bare: .*GRUB started' <<<"$out" || true
	else
		echo "$out" | tail -5
		touch "$list.failed" # the cases waiting for it fail now, naming it
	fi
}

# The case's words replaced (see the cases file's header).
expand() {
	local cmdline
	cmdline="$LINUX_CMDLINE vireo.test=1 vireo.host_epoch=$(date +%s)"
	sed -e "s|@KERNEL@|$2vmlinuz|g" -e "s|@INITRD@|$2initramfs.cpio.gz|g" \
		-e "s|@TRUNCATED@|$3vmlinuz-truncated|g" -e "s|@BIGINITRD@|$3initrd-too-big.img|g" \
		-e "s|@TIGHTMEM@|$TIGHT_MEM|g" -e "s|@CMDLINE@|$cmdline|g" <<<"$1"
}
trim() { sed -E 's/^ +| +$//g' <<<"$1"; }

prepare_assets
# The bare reference takes one of the job slots while the first cases run;
# a case compares its dmesg only when it has finished.
bare_ref "$BARE_CPUS" &
running=1
while IFS='|' read -r head vms modules checks; do
	case "$head" in '' | '#'*) continue ;; esac
	echo "$head|$vms" | grep -qE -- "$filter" || continue
	read -r case_name cpus timeout_s <<<"$head"
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	(cd "$here" && MEM_MB=$CASE_MEM_MB BOCHS_CPU_EXTRA="ips=$CASE_IPS" TIMEOUT=$timeout_s \
		bash tests/harness/linux-case.sh \
		"$case_name" "$cpus" "$(expand "$(trim "$vms")" "" "")" \
		"$(expand "$(trim "$modules")" "$assets/" "$cases_dir/")" "$(trim "$checks")") &
	running=$((running + 1))
done <"$file"
wait
exit 0
