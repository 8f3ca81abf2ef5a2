#!/usr/bin/env bash
# Writes the Vireo ISO to a USB stick after a confirmation naming the device.
# usage: usb.sh ISO /dev/sdX
set -euo pipefail
iso=$1 dev=${2:-}
if [ -z "$dev" ]; then
	echo "usb: name the device: make usb DEV=/dev/sdX (see lsblk)" >&2
	exit 2
fi
if [ ! -b "$dev" ]; then
	echo "usb: $dev is not a block device" >&2
	exit 2
fi
if [ "$(lsblk -dno TYPE "$dev")" != disk ]; then
	echo "usb: $dev is a partition; give the whole disk (e.g. /dev/sdb, not /dev/sdb1)" >&2
	exit 2
fi
if lsblk -no MOUNTPOINT "$dev" | grep -q .; then
	echo "usb: $dev has mounted partitions; unmount them first:" >&2
	lsblk -no NAME,MOUNTPOINT "$dev" | grep -v ' $' >&2
	exit 2
fi
root_src=$(findmnt -no SOURCE / || true)
if [ -n "$root_src" ] && [ "$(lsblk -no PKNAME "$root_src" 2>/dev/null)" = "$(basename "$dev")" ]; then
	echo "usb: $dev holds the running system's root file system; refusing" >&2
	exit 2
fi
size=$(lsblk -dno SIZE "$dev")
model=$(lsblk -dno MODEL "$dev" | sed 's/ *$//')
echo "usb: about to ERASE $dev ($size, ${model:-unknown model}) and write $iso to it."
read -r -p "usb: type the device name ($dev) to continue: " answer
if [ "$answer" != "$dev" ]; then
	echo "usb: not confirmed; nothing written"
	exit 1
fi
dd if="$iso" of="$dev" bs=4M conv=fsync status=progress
sync
echo "usb: done; boot the target machine from $dev (BIOS or UEFI)"
