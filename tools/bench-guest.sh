#!/usr/bin/env bash
# Benchmark: what a Multiboot guest's platform accesses cost under Vireo in
# Bochs (TSC = one tick per emulated instruction, so each figure counts the
# instructions of the exit path, device model and re-entry; the guest
# subtracts its own loop). Runs mbtest1.elf with mbtest.bench on one CPU.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
TIMEOUT=${TIMEOUT:-600} bash tests/harness/guest.sh bench-guest bochs 1 \
	"b:image=mbtest1.elf,mem=16M,cmdline=mbtest.bench" build/guests/mbtest1.elf \
	"b=1;/\[b\] mbtest: bench: done/" | tail -1
grep -a '^\[b\] mbtest: bench: .*ticks' build/logs/guest-bochs-1cpu-bench-guest.log |
	sed 's/^\[b\] mbtest: bench: //'
