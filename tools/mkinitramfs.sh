#!/usr/bin/env bash
# Builds the Linux guest initramfs: a gzipped newc cpio holding the static
# busybox from tools/linux-assets.sh, /bin/sh linking to it, the directories
# /init mounts on, /dev/console, and /init itself (tools/linux/init.sh).
# The same inputs give a byte-identical archive (SOURCE_DATE_EPOCH, default
# below). LINUX_DIR (default build/linux) is where the assets live; they are
# fetched when missing.
# usage: mkinitramfs.sh OUT.cpio.gz
set -euo pipefail

# newc cpio (the "new ASCII" format the kernel unpacks,
# Documentation/driver-api/early-userspace/buffer-format.rst).
NEWC_MAGIC=070701
NEWC_ALIGN=4
# /dev/console: character device 5:1, mode 0600. The kernel opens it as
# init's stdin/stdout/stderr before /init runs, so it must be in the archive.
CONSOLE_MODE=$((0020000 | 0600))
CONSOLE_MAJOR=5
CONSOLE_MINOR=1

here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 1 ]; then
	echo "usage: mkinitramfs.sh OUT.cpio.gz" >&2
	exit 2
fi
out=$1
assets=${LINUX_DIR:-$here/build/linux}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

command -v cpio >/dev/null || {
	echo "mkinitramfs: the cpio tool is missing: run bash tools/deps.sh" >&2
	exit 1
}
bash "$here/tools/linux-assets.sh" "$assets"

work=$(mktemp -d "${TMPDIR:-/tmp}/vireo-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# One newc entry without data: $1 = name, $2 = mode, $3/$4 = device numbers.
newc_entry() {
	local name=$1 mode=$2 major=$3 minor=$4 namesize header pad
	namesize=$((${#name} + 1))
	header=$(printf '%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$NEWC_MAGIC" 0 "$mode" 0 0 1 "$SOURCE_DATE_EPOCH" 0 0 0 "$major" "$minor" \
		"$namesize" 0)
	pad=$(((NEWC_ALIGN - (${#header} + namesize) % NEWC_ALIGN) % NEWC_ALIGN))
	printf '%s%s\0' "$header" "$name"
	head -c "$pad" /dev/zero
}

# GNU cpio cannot archive a device node it cannot create without root, so
# /dev/console goes into a second archive written here; the kernel unpacks
# concatenated archives in order.
console_archive() {
	newc_entry dev/console "$CONSOLE_MODE" "$CONSOLE_MAJOR" "$CONSOLE_MINOR"
	newc_entry 'TRAILER!!!' 0 0 0
}

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
install -m 0755 "$assets/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/tools/linux/init.sh" "$root/init"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$(dirname "$out")"
{
	(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet)
	console_archive
} | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(stat -c %s "$out") bytes)" >&2
