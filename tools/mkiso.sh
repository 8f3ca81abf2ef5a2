#!/usr/bin/env bash
# Builds a bootable GRUB2 ISO (hybrid BIOS + UEFI when grub-efi-amd64-bin is
# installed) holding the kernel, optional guest modules and a grub.cfg whose
# default entry passes the given command line.
# The same inputs give a byte-identical ISO (SOURCE_DATE_EPOCH, default below).
# usage: mkiso.sh KERNEL.elf OUT.iso "CMDLINE" [TIMEOUT] [MODULE...]
# GRUB_CFG=FILE: use FILE as the grub.cfg as it is instead of the one filled
# in from iso/grub.cfg.in (CMDLINE and TIMEOUT are then unused); KERNEL is
# still /boot/vireo.elf and each MODULE /guests/NAME on the ISO.
set -euo pipefail

elf=$1 out=$2 cmdline=${3:-} timeout=${4:-0}
shift 4 2>/dev/null || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vireo-iso.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/root

mkdir -p "$stage/boot/grub" "$stage/guests"
cp "$elf" "$stage/boot/vireo.elf"
modules=""
for m in "$@"; do
	cp "$m" "$stage/guests/"
	modules+="	module2 /guests/$(basename "$m") $(basename "$m")"$'\n'
done
esc_cmdline=${cmdline//\\/\\\\}
esc_cmdline=${esc_cmdline//&/\\&}
sed -e "s|@CMDLINE@|${esc_cmdline//|/\\|}|" -e "s|@TIMEOUT@|$timeout|" \
	"$here/iso/grub.cfg.in" | awk -v m="$modules" '{ if ($0 == "@MODULES@\tboot") { printf "%s\tboot\n", m } else print }' \
	>"$stage/boot/grub/grub.cfg"
[ -z "${GRUB_CFG:-}" ] || cp "$GRUB_CFG" "$stage/boot/grub/grub.cfg"

if [ ! -d /usr/lib/grub/i386-pc ]; then
	echo "mkiso: GRUB for BIOS is missing: install grub-pc-bin (bash tools/deps.sh)" >&2
	exit 1
fi
if [ ! -d /usr/lib/grub/x86_64-efi ]; then
	echo "mkiso: note: grub-efi-amd64-bin is not installed; the ISO will boot by BIOS only" >&2
fi
# grub-mkrescue includes every GRUB platform installed (i386-pc, x86_64-efi).
# Reproducibility: SOURCE_DATE_EPOCH fixes the volume dates and the file dates
# mtools writes into the EFI image; the xorriso commands after "--" fix every
# file date and the volume UUID (which also seeds the GPT GUIDs); the mformat
# wrapper fixes the FAT volume serial of /efi.img, random otherwise.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
iso_uuid=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S00)
fat_serial=$(printf '%08X' $((SOURCE_DATE_EPOCH & 0xFFFFFFFF)))
if real_mformat=$(command -v mformat); then
	mkdir -p "$work/bin"
	printf '#!/bin/sh\nexec "%s" -N %s "$@"\n' "$real_mformat" "$fat_serial" \
		>"$work/bin/mformat"
	chmod +x "$work/bin/mformat"
fi
tmp_out="$out.tmp.$$"
if ! PATH="$work/bin:$PATH" grub-mkrescue -o "$tmp_out" "$stage" -- \
	-volume_date c "=$SOURCE_DATE_EPOCH" -volume_date m "=$SOURCE_DATE_EPOCH" \
	-volume_date all_file_dates "=$SOURCE_DATE_EPOCH" -volume_date uuid "$iso_uuid" \
	>"$tmp_out.log" 2>&1; then
	cat "$tmp_out.log" >&2
	rm -f "$tmp_out" "$tmp_out.log"
	exit 1
fi
rm -f "$tmp_out.log"
mv "$tmp_out" "$out"
