#!/usr/bin/env bash
# Boots the Linux guest (build/linux/vmlinuz and its initramfs, see
# tools/linux-assets.sh and tools/mkinitramfs.sh) WITHOUT Vireo on Bochs:
# BIOS, GRUB from a grub-mkrescue ISO, CPU model MODEL, CPUS CPUs. This is
# the bare-hardware reference for the Linux guest cases:
#   build/logs/linux-bare-MODEL-CPUScpu.log        the serial log
#   build/linux/bare-dmesg-MODEL-CPUScpu.txt       the normalised sorted
#       "vireo-dmesg: " lines (tests/harness/linux-dmesg.sh), written only
#       when /init finished its checks
# It prints /init's KTAP lines and the wall times from the emulator's start
# to GRUB starting the kernel and to /init's first line ("vireo-init:").
# Exit status 0 when /init finished its checks (whatever their results:
# bare hardware has no hypervisor flag, for one).
# usage: linux-bare.sh MODEL CPUS    (e.g. linux-bare.sh corei7_skylake_x 2)
# env: LINUX_DIR (default build/linux), TIMEOUT seconds (default 900),
#      LINUX_CMDLINE: more kernel command line options
set -euo pipefail

# Bochs is built with up to 15 CPUs (/work/shared/EMULATORS.md).
MAX_CPUS=15
POLL_S=0.2
GRUB_MARK="vireo-grub: starting Linux"
INIT_MARK="vireo-init:"
DONE_MARK="vireo-init: checks done"
# /init's sampling time (vireo.sample=). Bare Bochs' TSC counts emulated
# instructions while Linux believes CPUID's 3.5 GHz, and Bochs with several
# CPUs does not skip idle time: one guest second costs over a minute of wall
# time on 2 CPUs. A tenth still gives every CPU a timer interrupt.
SAMPLE_S=0.1

if [ $# -ne 2 ]; then
	echo "usage: linux-bare.sh MODEL CPUS" >&2
	exit 2
fi
model=$1 cpus=$2
if ! [[ "$cpus" =~ ^[0-9]+$ ]] || [ "$cpus" -lt 1 ] || [ "$cpus" -gt "$MAX_CPUS" ]; then
	echo "linux-bare: CPUS must be a number from 1 to $MAX_CPUS, not '$cpus'" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
assets=${LINUX_DIR:-$here/build/linux}
timeout_s=${TIMEOUT:-900}
name=$model-${cpus}cpu
log=$here/build/logs/linux-bare-$name.log
list=$assets/bare-dmesg-$name.txt
initrd=$assets/initramfs.cpio.gz

bash "$here/tools/linux-assets.sh" "$assets"
LINUX_DIR=$assets bash "$here/tools/mkinitramfs.sh" "$initrd"
mkdir -p "$(dirname "$log")"

work=$(mktemp -d "${TMPDIR:-/tmp}/vireo-linux-bare.XXXXXX")
emu_pid=
cleanup() {
	[ -z "$emu_pid" ] || kill "$emu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

cmdline="console=ttyS0 quiet cryptomgr.notests vireo.test=1 vireo.ncpus=$cpus vireo.sample=$SAMPLE_S"
cmdline+=" vireo.host_epoch=$(date +%s) ${LINUX_CMDLINE:-}"
# mkiso.sh puts the kernel at /boot/vireo.elf and modules under /guests/.
cat >"$work/grub.cfg" <<EOF
# Bare Linux boot for tests/harness/linux-bare.sh (no Vireo).
set timeout=0
set default=0
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial
terminal_output serial
set gfxpayload=text
menuentry "Linux on bare Bochs" {
	linux /boot/vireo.elf $cmdline
	initrd /guests/$(basename "$initrd")
	echo "$GRUB_MARK"
	boot
}
EOF
GRUB_CFG=$work/grub.cfg bash "$here/tools/mkiso.sh" "$assets/vmlinuz" "$work/linux.iso" "" 0 "$initrd"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "linux-bare: booting $(cat "$assets/kernel-version") on bare Bochs $model, $cpus CPU(s)"
: >"$log"
start=$(now)
bash "$here/tests/harness/emu.sh" "bochs@$model" "$cpus" "$work/linux.iso" "$log" "$timeout_s" &
emu_pid=$!
t_grub=''
t_init=''
while kill -0 "$emu_pid" 2>/dev/null; do
	[ -n "$t_grub" ] || ! grep -aq "$GRUB_MARK" "$log" || t_grub=$(now)
	[ -n "$t_init" ] || ! grep -aq "$INIT_MARK" "$log" || t_init=$(now)
	sleep "$POLL_S"
done
wait "$emu_pid" || true
emu_pid=
end=$(now)

grep -aE '^(KTAP|[0-9]+\.\.|ok |not ok )' "$log" | tr -d '\r' || true
if ! grep -aq "$DONE_MARK" "$log"; then
	echo "linux-bare: FAIL: /init did not finish its checks within ${timeout_s} s (log: $log)" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
bash "$here/tests/harness/linux-dmesg.sh" "$log" >"$list"
[ -n "$t_grub" ] || t_grub=$end
[ -n "$t_init" ] || t_init=$end
echo "linux-bare: $name: GRUB started Linux at $(since "$start" "$t_grub") s," \
	"/init at $(since "$start" "$t_init") s (kernel $(since "$t_grub" "$t_init") s)," \
	"emulator ended at $(since "$start" "$end") s"
echo "linux-bare: $(wc -l <"$list") dmesg line(s) in $list:"
sed 's/^/  /' "$list"
echo "linux-bare: log: $log"
