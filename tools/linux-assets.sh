#!/usr/bin/env bash
# Fetches the Linux guest assets: Debian 12's stock cloud kernel and a static
# busybox, downloaded with `apt-get download` (never installed) and unpacked
# with `dpkg-deb -x`. Nothing here is committed; the results are cached, so a
# second run does no network work.
#   OUTDIR/vmlinuz         the kernel's bzImage
#   OUTDIR/busybox         the static busybox binary
#   OUTDIR/kernel-version  the kernel release (uname -r), e.g. 6.1.0-57-cloud-amd64
#   OUTDIR/debs/           the downloaded .deb files
# The kernel package is the one Debian's metapackage linux-image-cloud-amd64
# depends on; busybox comes from busybox-static.
# usage: linux-assets.sh [OUTDIR]   (default: build/linux in the repository)
set -euo pipefail

KERNEL_META=linux-image-cloud-amd64
BUSYBOX_PKG=busybox-static
# Linux boot protocol (Documentation/arch/x86/boot.rst): the setup header's
# "HdrS" magic sits at offset 0x202 of a bzImage.
BZIMAGE_MAGIC_OFFSET=514
BZIMAGE_MAGIC=HdrS

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/build/linux}

die() {
	echo "linux-assets: $*" >&2
	exit 1
}

have_outputs() {
	[ -s "$out/vmlinuz" ] && [ -s "$out/busybox" ] && [ -s "$out/kernel-version" ]
}

# Runs `apt-cache depends` on the metapackage; refreshes the package lists
# once when they do not know it (as root), or says what to run.
kernel_package() {
	local deps
	if ! deps=$(apt-cache depends "$KERNEL_META" 2>/dev/null) ||
		! grep -q "Depends: linux-image-" <<<"$deps"; then
		if [ "$(id -u)" -ne 0 ]; then
			die "the apt package lists do not know $KERNEL_META: run as root: apt-get update"
		fi
		echo "linux-assets: $KERNEL_META unknown to apt; running apt-get update" >&2
		apt-get update -qq || die "apt-get update failed (network or sources.list?)"
		deps=$(apt-cache depends "$KERNEL_META" 2>/dev/null) ||
			die "$KERNEL_META is not in the apt sources even after apt-get update"
	fi
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' <<<"$deps" | head -n 1
}

# Downloads package $1 into $2 unless a .deb of it is already there; prints
# the .deb's path.
fetch_deb() {
	local pkg=$1 dir=$2 deb
	deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
	if [ -z "$deb" ]; then
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			if [ "$(id -u)" -ne 0 ]; then
				die "the apt package lists do not know $pkg: run as root: apt-get update"
			fi
			apt-get update -qq || die "apt-get update failed (network or sources.list?)"
		fi
		echo "linux-assets: downloading $pkg" >&2
		# As root apt warns that its sandbox user cannot write here: harmless.
		(cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>"$dir/apt.log") ||
			die "apt-get download $pkg failed: $(tail -n 3 "$dir/apt.log")"
		rm -f "$dir/apt.log"
		deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg left no ${pkg}_*.deb in $dir"
	fi
	echo "$deb"
}

extract_kernel() {
	local deb=$1 release=$2 tmp=$3 image magic
	dpkg-deb -x "$deb" "$tmp/kernel" || die "dpkg-deb -x $deb failed (corrupt download? delete it)"
	image=$tmp/kernel/boot/vmlinuz-$release
	[ -s "$image" ] || die "$deb holds no boot/vmlinuz-$release"
	magic=$(dd if="$image" bs=1 skip=$BZIMAGE_MAGIC_OFFSET count=${#BZIMAGE_MAGIC} 2>/dev/null)
	[ "$magic" = "$BZIMAGE_MAGIC" ] || die "$image is not a bzImage (no HdrS header)"
	cp "$image" "$out/vmlinuz.tmp"
}

extract_busybox() {
	local deb=$1 tmp=$2 bin
	dpkg-deb -x "$deb" "$tmp/busybox" || die "dpkg-deb -x $deb failed (corrupt download? delete it)"
	bin=$tmp/busybox/bin/busybox
	[ -x "$bin" ] || die "$deb holds no bin/busybox"
	"$bin" true 2>/dev/null || die "$bin does not run on this machine"
	cp "$bin" "$out/busybox.tmp"
}

tmp=
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT

main() {
	local kpkg release kdeb bdeb
	if have_outputs; then
		echo "linux-assets: cached in $out (kernel $(cat "$out/kernel-version"))" >&2
		return 0
	fi
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		die "needs Debian's apt-get and dpkg-deb"
	fi
	mkdir -p "$out/debs"
	kpkg=$(kernel_package)
	[ -n "$kpkg" ] || die "apt-cache depends $KERNEL_META names no linux-image-* package"
	release=${kpkg#linux-image-}
	kdeb=$(fetch_deb "$kpkg" "$out/debs")
	bdeb=$(fetch_deb "$BUSYBOX_PKG" "$out/debs")
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/vireo-lxassets.XXXXXX")
	extract_kernel "$kdeb" "$release" "$tmp"
	extract_busybox "$bdeb" "$tmp"
	chmod 0755 "$out/busybox.tmp"
	mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	mv "$out/busybox.tmp" "$out/busybox"
	echo "$release" >"$out/kernel-version"
	echo "linux-assets: $out/vmlinuz ($kpkg), $out/busybox ($(basename "$bdeb"))" >&2
}

main
