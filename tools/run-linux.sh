#!/usr/bin/env bash
# Boots Vireo with VMS Linux VMs, lx1..lxN, for a person at the terminal: the
# serial console is the terminal and the keyboard starts with lx1 (Ctrl-A N
# moves it to lxN). Without LINUX/INITRD it fetches Debian's kernel and
# busybox and packs the initramfs (tools/linux-assets.sh, tools/mkinitramfs.sh).
# usage: run-linux.sh KERNEL.elf OUT.iso RUN_CPUS
# Environment (make run-linux sets them): VMS (1..8, default 1), VCPUS (per
# VM, default 1), LINUX and INITRD (paths; default build/linux/...),
# LINUX_MEM (per VM, default 128M), LINUX_CMDLINE, RUN_MODE (tools/run.sh's
# auto|kvm|bochs|qemu, default auto), MEM_MB (the emulated machine's memory;
# default: what the VMs need plus VIREO_MB), RUN_LOG (a copy of the console
# output under Bochs, default build/logs/run-linux.log).
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: run-linux.sh KERNEL.elf OUT.iso RUN_CPUS (see the header for the environment)" >&2
	exit 2
fi
elf=$1 iso=$2 run_cpus=$3
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build

# Vireo's own memory beside the guests': its image, heap, page tables, the
# VMs' EPT and per-vCPU state (the test machines run small VMs in 512 MiB).
VIREO_MB=256
# vireo.vm= options Vireo accepts (VM_CONFIG_MAX in vm/config.h).
VMS_MAX=8
MIB_PER_GIB=1024
KIB_PER_MIB=1024

vms=${VMS:-1} vcpus=${VCPUS:-1} mem=${LINUX_MEM:-128M}
cmdline=${LINUX_CMDLINE:-console=ttyS0 quiet cryptomgr.notests}

is_count() {
	[[ $1 =~ ^[1-9][0-9]*$ ]]
}

if ! is_count "$vms" || [ "$vms" -gt "$VMS_MAX" ]; then
	echo "run-linux: VMS=$vms: give a number of Linux VMs from 1 to $VMS_MAX" >&2
	exit 2
fi
is_count "$vcpus" || {
	echo "run-linux: VCPUS=$vcpus: give the number of vCPUs per VM (1 or more)" >&2
	exit 2
}
is_count "$run_cpus" || {
	echo "run-linux: RUN_CPUS=$run_cpus: give the number of emulated CPUs (1 or more)" >&2
	exit 2
}

# LINUX_MEM in MiB: a number with an optional K, M or G suffix, as vireo.vm=.
mem_mib() {
	local n=${1%[KkMmGg]}
	is_count "$n" || return 1
	case "$1" in
	*[Gg]) echo $((n * MIB_PER_GIB)) ;;
	*[Kk]) echo $(((n + KIB_PER_MIB - 1) / KIB_PER_MIB)) ;;
	*) echo "$n" ;;
	esac
}
vm_mib=$(mem_mib "$mem") || {
	echo "run-linux: LINUX_MEM=$mem: give the memory per VM as a number with K, M or G (e.g. 128M)" >&2
	exit 2
}

if [ -z "${LINUX:-}" ]; then
	bash "$here/tools/linux-assets.sh" "$build/linux"
	LINUX=$build/linux/vmlinuz
fi
if [ -z "${INITRD:-}" ]; then
	INITRD=$build/linux/initrd.cpio.gz
	LINUX_DIR=$build/linux bash "$here/tools/mkinitramfs.sh" "$INITRD"
fi
for f in "$LINUX" "$INITRD"; do
	[ -r "$f" ] || {
		echo "run-linux: cannot read $f (LINUX= and INITRD= name the kernel and initramfs)" >&2
		exit 1
	}
done

kernel=$(basename "$LINUX") initrd=$(basename "$INITRD")
args="vireo.on_done=poweroff"
for i in $(seq 1 "$vms"); do
	input=
	[ "$i" -eq 1 ] && input=",input=1"
	args+=" vireo.vm=\"lx$i:kernel=$kernel,initrd=$initrd,vcpus=$vcpus,mem=$mem$input,cmdline=$cmdline\""
done
echo "run-linux: $vms Linux VM(s) of $vcpus vCPU(s) and $mem each, on $run_cpus CPUs"
echo "run-linux: kernel $LINUX, initramfs $INITRD"
echo "run-linux: guest command line: $cmdline"
mkdir -p "$(dirname "$iso")" "$build/logs"
bash "$here/tools/mkiso.sh" "$elf" "$iso" "$args" 0 "$LINUX" "$INITRD"

need_mb=$((vms * vm_mib + VIREO_MB))
if [ -n "${MEM_MB:-}" ] && [ "$MEM_MB" -lt "$need_mb" ]; then
	echo "run-linux: note: MEM_MB=$MEM_MB is below the $need_mb MiB these VMs need" >&2
fi
export MEM_MB=${MEM_MB:-$need_mb}
# Under Bochs, 40 million instructions per emulated second, as make test's
# Linux cases: the guest's timer tick costs a tenth of the exits it costs at
# Bochs' default (docs/linux-guests.md); BOCHS_CPU_EXTRA overrides it.
export BOCHS_CPU_EXTRA=${BOCHS_CPU_EXTRA:-ips=40000000}
export RUN_LOG=${RUN_LOG:-$build/logs/run-linux.log}
exec bash "$here/tools/run.sh" "${RUN_MODE:-auto}" "$run_cpus" "$iso"
