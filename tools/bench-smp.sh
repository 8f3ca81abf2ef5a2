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
