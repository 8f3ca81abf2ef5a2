#!/usr/bin/env bash
# Benchmark: the Linux guest's boot to /init under Vireo on Bochs against the
# same kernel and initramfs on bare Bochs, same CPU model (corei7_skylake_x),
# 1 CPU, one run each, and Vireo's exits by reason during that boot.
# "First guest instruction", by wall clock on the serial log:
#   bare:  GRUB's "vireo-grub: starting Linux", echoed by grub.cfg right
#          before `boot`, after the kernel and initrd are loaded
#          (tests/harness/linux-bare.sh)
#   Vireo: Vireo's "vms: started lx...", printed once the VM is loaded and
#          its vCPU queued, before its first VM entry
# and the end, for both, /init's first line "vireo-init: started". The log
# is polled every POLL_S seconds, so each time is good to about that.
# The exit counts come from Vireo's statistics table, asked for by typing
# 's' on the serial console once /init's first line is in the log (the VM
# has no console input, so Vireo takes the key): they cover the boot and the
# fraction of a second the key took to arrive.
# Both boots run Bochs at IPS instructions per emulated second (default 40
# million, as make test's Linux cases; Bochs' own default is 4 million): the
# guest's TSC and timer tick follow it (docs/linux-guests.md).
# usage: bench-linux.sh    (env: TIMEOUT seconds per boot, default 1500; IPS)
set -euo pipefail

MODEL=corei7_skylake_x
POLL_S=0.2
STATS_KEY=s
VM=lx
START_MARK="^vms: started $VM:"
INIT_MARK="^\[$VM\] vireo-init: started"

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
assets=build/linux
timeout_s=${TIMEOUT:-1500}
ips=${IPS:-40000000}
export BOCHS_CPU_EXTRA="ips=$ips"
echo "bench-linux: Bochs $MODEL, 1 CPU, $ips instructions per emulated second, both boots"
cmdline=$(sed -n 's/^LINUX_CMDLINE ?= //p' Makefile)

# Instructions per exit measured by make bench-guest and bench-exit (README,
# Bochs instruction counts, exit to re-entry), used to estimate what the exits
# of a reason cost: an MMIO access through an EPT violation (fetch, decode,
# device model: measured on the xAPIC TPR), an x2APIC RDMSR/WRMSR, CPUID
# leaf 1, an IN from the 16550. The other reasons have no benchmark: they
# are counted, not costed.
COST_EPT=1580
COST_RDMSR=486
COST_WRMSR=494
COST_CPUID=438
COST_IO=508

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The "NAME COUNT, ..." list of an exits line, one per line, with the
# estimated instructions where a benchmark measured that kind of exit.
estimate_cost() {
	grep -oE '[A-Za-z][^0-9]* [0-9]+' <<<"${1#*exits: }" | awk -v ept=$COST_EPT \
		-v rdmsr=$COST_RDMSR -v wrmsr=$COST_WRMSR -v cpuid=$COST_CPUID -v io=$COST_IO '
	{ n = $NF; name = $0; sub(/ [0-9]+$/, "", name); c = 0 }
	name ~ /^EPT violation/ { c = ept } name ~ /^RDMSR/ { c = rdmsr }
	name ~ /^WRMSR/ { c = wrmsr } name ~ /^CPUID/ { c = cpuid } name ~ /^I\/O instruction/ { c = io }
	{ if (c) { total += n * c; printf "  %-45s %8d  ~%.1f M instructions at %d each\n", name, n, n * c / 1e6, c }
	  else printf "  %-45s %8d  (no per-exit benchmark)\n", name, n }
	END { printf "  estimated for the costed reasons: ~%.1f M instructions of Vireo\n", total / 1e6 }'
}

# Bare Bochs: linux-bare.sh prints "... (kernel S s) ..." from GRUB's line to
# /init's first line.
bare_out=$(TIMEOUT=$timeout_s bash tests/harness/linux-bare.sh "$MODEL" 1 2>&1) || {
	echo "bench-linux: the bare-Bochs boot failed:" >&2
	echo "$bare_out" | tail -8 >&2
	exit 1
}
bare_s=$(grep -oE '\(kernel [0-9.]+ s\)' <<<"$bare_out" | grep -oE '[0-9.]+')

# Under Vireo: guest.sh boots it; this loop watches its log.
log=build/logs/guest-bochs@$MODEL-1cpu-bench-linux.log
vm="$VM:kernel=vmlinuz,initrd=initramfs.cpio.gz,vcpus=1,mem=128M,cmdline=$cmdline"
vm+=" vireo.test=1 vireo.ncpus=1 vireo.host_epoch=$(date +%s)"
rm -f "$log"
BOCHS_INPUT="$INIT_MARK=>$STATS_KEY" TIMEOUT=$timeout_s bash tests/harness/guest.sh bench-linux \
	"bochs@$MODEL" 1 "$vm" "$assets/vmlinuz,$assets/initramfs.cpio.gz" "$VM=0" >"$log.result" &
pid=$!
t_start='' t_init=''
while kill -0 "$pid" 2>/dev/null; do
	[ -n "$t_start" ] || ! grep -aqE "$START_MARK" "$log" 2>/dev/null || t_start=$(now)
	[ -n "$t_init" ] || ! grep -aqE "$INIT_MARK" "$log" 2>/dev/null || t_init=$(now)
	sleep "$POLL_S"
done
wait "$pid" || true
cat "$log.result"
if [ -z "$t_start" ] || [ -z "$t_init" ]; then
	echo "bench-linux: the Linux VM did not reach /init under Vireo (log: $log)" >&2
	exit 1
fi
vireo_s=$(since "$t_start" "$t_init")
exits=$(awk '/^sched: statistics on request/ { on = 1 } on && $0 ~ "^sched: +'$VM'/0 exits:" {
	sub(/^sched: +/, ""); print; exit }' "$log")

echo "bench-linux: $(cat "$assets/kernel-version"), Bochs $MODEL, 1 CPU, 1 vCPU, command line '$cmdline'"
echo "bench-linux: wall time from the first guest instruction to /init ('vireo-init: started'):"
echo "  bare Bochs  ${bare_s} s   (from GRUB's 'vireo-grub: starting Linux', echoed right before 'boot')"
echo "  Vireo       ${vireo_s} s   (from Vireo's 'vms: started $VM', before the VM's first entry)"
echo "  ratio       $(awk -v v="$vireo_s" -v b="$bare_s" 'BEGIN { printf "%.2f", v / b }') (Vireo / bare)"
echo "bench-linux: Vireo's exits by reason up to /init (statistics asked for when /init started):"
echo "  ${exits:-none found in $log}"
estimate_cost "$exits"
echo "bench-linux: logs: $log, build/logs/linux-bare-$MODEL-1cpu.log"
