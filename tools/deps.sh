#!/usr/bin/env bash
# Installs every Debian package Vireo needs to build, test and run.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail

PKGS=(
	make gcc binutils nasm
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	qemu-system-x86 ovmf
	bochs bochs-term bochsbios vgabios bsdutils
	libcmocka-dev clang libclang-rt-14-dev
	console-setup-linux socat netpbm
	gdb cpio
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root: apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
