#!/usr/bin/env bash
# Benchmark: AP bring-up time for 1..64 CPUs under QEMU TCG, one boot each,
# read from the kernel's "smp: N of N CPUs online, bring-up took X us" line.
# usage: bench-smp.sh ELF [CPU counts...]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$1
shift
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2 4 8 16 32 64)
build=$(dirname "$elf")
iso=$build/bench-smp.iso
bash "$here/tools/mkiso.sh" "$elf" "$iso" "vireo.on_done=poweroff" 0 || exit 1
printf '%6s  %12s  %14s  %10s\n' cpus online "bring-up (us)" "per AP (us)"
for n in "${counts[@]}"; do
	log=$build/logs/bench-smp-$n.log
	mkdir -p "$build/logs"
	bash "$here/tests/harness/emu.sh" qemu "$n" "$iso" "$log" 60 >/dev/null 2>&1
	line=$(grep -aoE 'smp: [0-9]+ of [0-9]+ CPUs online, bring-up took [0-9]+ us' "$log" | tail -1)
	online=$(echo "$line" | awk '{print $2 "/" $4}')
	us=$(echo "$line" | grep -oE 'took [0-9]+' | grep -oE '[0-9]+')
	if [ -z "$us" ]; then
		printf '%6s  %12s  %14s  %10s   (no result; log: %s)\n' "$n" - - - "$log"
		continue
	fi
	per=$([ "$n" -gt 1 ] && echo $((us / (n - 1))) || echo -)
	printf '%6s  %12s  %14s  %10s\n' "$n" "$online" "$us" "$per"
done

# Boot-to-report time with and without a framebuffer (-vga none: GRUB finds
# no video mode and passes no framebuffer, so the console is serial only).
echo
printf '%-26s  %s\n' "4 CPUs, console" "boot to report (kmain to machine report)"
for vga in std none; do
	log=$build/logs/bench-smp-vga-$vga.log
	QEMU_EXTRA="-vga $vga" bash "$here/tests/harness/emu.sh" qemu 4 "$iso" "$log" 60 >/dev/null 2>&1
	ms=$(grep -aoE 'boot to report +[0-9]+ ms' "$log" | grep -oE '[0-9]+ ms')
	label=$([ "$vga" = std ] && echo "serial + framebuffer" || echo "serial only")
	printf '%-26s  %s\n' "$label" "${ms:-no result (log: $log)}"
done
