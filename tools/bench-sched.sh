#!/usr/bin/env bash
# Benchmark: scheduler costs under Bochs with 2 CPUs (TSC ticks = emulated
# instructions): vCPU switch on one CPU, migration between CPUs, and the
# scheduler's share of CPU time at the default 10 ms slice.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
log=$here/build/logs/bochs-2cpu-bench.sched.log
TIMEOUT=${TIMEOUT:-900} bash "$here/tests/harness/check.sh" bochs 2 bench.sched | tail -1
grep -aE '^bench: |^sched: (vCPU switch|migration|time outside)|yield to yield' "$log"
