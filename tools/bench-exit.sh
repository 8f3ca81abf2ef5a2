#!/usr/bin/env bash
# Benchmark: VM-exit round-trip cost under Bochs, where the TSC advances one
# tick per emulated instruction, so each figure is the number of instructions
# on the exit path (guest loop overhead subtracted by the guest itself).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
log=$here/build/logs/bochs-1cpu-bench.exit.log
TIMEOUT=${TIMEOUT:-600} bash "$here/tests/harness/check.sh" bochs 1 bench.exit | tail -1
grep -a '\[bench\] bench:' "$log" | sed 's/^\[bench\] //'
