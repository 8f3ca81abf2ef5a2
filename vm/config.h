/* SPDX-License-Identifier: MIT */
/*
 * VM descriptions from the kernel command line: parses the value of one
 * `vireo.vm=` option into a checked struct vm_config, and describes a parsed
 * VM in one line. Pure C; it does not look up guest images or start VMs.
 */
#ifndef VIREO_VM_CONFIG_H
#define VIREO_VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

/*
 * Syntax of one value (the kernel accepts several vireo.vm= options):
 *
 *   name:key=value,key=value,...
 *
 *   name      1..15 of [A-Za-z0-9_-]
 *   guest=    a built-in guest image name, [a-z0-9_]+
 *   image=    a guest kernel loaded by GRUB as a module: the file name the
 *             module was loaded under, 1..VM_CONFIG_IMAGE_MAX - 1 of
 *             [A-Za-z0-9._-] (e.g. image=mbtest1.elf).
 *   kernel=   a Linux bzImage loaded by GRUB as a module, named as for image=
 *             (e.g. kernel=vmlinuz). Exactly one of guest=, image= and
 *             kernel= is required.
 *   initrd=   kernel= only: the GRUB module holding the initramfs
 *   on_reboot= kernel= only: restart or stop (default): what a reset the
 *             guest asks for (ACPI reset register, port 0xCF9, keyboard
 *             controller, triple fault) does to the VM
 *   vcpus=    1..VM_CONFIG_MAX_VCPUS (default 1)
 *   mem=      bytes, or a number with a K, M or G suffix (binary units);
 *             1 MiB..1 GiB and a multiple of 2 MiB (default 4 MiB; 256 MiB
 *             with kernel=)
 *   cpus=     CPUs the vCPUs may run on: ranges "a" or "a-b" (a <= b) joined
 *             by '+', in ascending order without overlap, each CPU below
 *             VM_CONFIG_CPUS. '+' because ',' separates the keys:
 *             cpus=0-3, cpus=1+3+5-7 (default: any CPU)
 *   mode=     long, protected or real (default long)
 *   slice_us= this VM's time slice in microseconds, VM_CONFIG_SLICE_MIN_US..
 *             VM_CONFIG_SLICE_MAX_US (default: the global vireo.slice_us)
 *   modules=  GRUB modules handed to an image= kernel as its own Multiboot
 *             modules, names as for image= joined by '+', at most
 *             VM_CONFIG_MODULES (e.g. modules=initrd.img+data.bin)
 *   timeout_ms= stop the VM (with a report) after this many milliseconds of
 *             run time, VM_CONFIG_TIMEOUT_MIN_MS..VM_CONFIG_TIMEOUT_MAX_MS
 *             (default: no limit)
 *   input=    0 or 1; 1 sends host console input to this VM (default 0)
 *   unbacked= ones or stop, image= and kernel= VMs: an access to guest-physical
 *             memory with nothing behind it (above RAM, no device) reads all
 *             ones and drops writes, as on a PC (ones, the default), or stops
 *             the VM with a report (stop, for test kernels)
 *   cmdline=  the guest's command line. It must be the LAST key: it takes the
 *             whole rest of the value verbatim, spaces, ',' and '=' included,
 *             up to VM_CONFIG_CMDLINE_MAX - 1 bytes; it may be empty.
 *
 * Examples: vireo.vm=demo1:guest=spin64,vcpus=4,mem=16M,cpus=0-3
 *           vireo.vm=lx:kernel=vmlinuz,initrd=initrd.gz,vcpus=2,cmdline=console=ttyS0
 * Each key may appear once; unknown keys, empty values (except cmdline=) and
 * stray commas are errors.
 */

#define VM_CONFIG_MAX 8		  /* vireo.vm= options the kernel accepts */
#define VM_CONFIG_NAME_MAX 16	  /* name buffer, NUL included */
#define VM_CONFIG_GUEST_MAX 24	  /* guest buffer, NUL included */
#define VM_CONFIG_IMAGE_MAX 64	  /* image buffer, NUL included */
#define VM_CONFIG_MODULES 8	  /* modules= names at most */
#define VM_CONFIG_CMDLINE_MAX 512 /* cmdline buffer, NUL included */
#define VM_CONFIG_MAX_VCPUS 64
#define VM_CONFIG_CPUS 1024 /* bits in the CPU mask; equals MAX_CPUS (smp/percpu.h) */
#define VM_CONFIG_CPU_WORD_BITS 64
#define VM_CONFIG_CPU_WORDS (VM_CONFIG_CPUS / VM_CONFIG_CPU_WORD_BITS)
#define VM_CONFIG_TEXT_MAX 4096	    /* longest value parsed */
#define VM_CONFIG_WHY_MAX 256	    /* a why[] buffer this size holds every message */
#define VM_CONFIG_DESCRIBE_MAX 1536 /* a buffer this size holds every description */

#define VM_CONFIG_MIB (1ull << 20)
#define VM_CONFIG_MEM_MIN VM_CONFIG_MIB
#define VM_CONFIG_MEM_MAX (1ull << 30)
#define VM_CONFIG_MEM_ALIGN (2 * VM_CONFIG_MIB)
#define VM_CONFIG_MEM_DEFAULT (4 * VM_CONFIG_MIB)
#define VM_CONFIG_MEM_LINUX_DEFAULT (256 * VM_CONFIG_MIB)
#define VM_CONFIG_VCPUS_DEFAULT 1
#define VM_CONFIG_SLICE_MIN_US 100ull
#define VM_CONFIG_SLICE_MAX_US 1000000ull
#define VM_CONFIG_TIMEOUT_MIN_MS 1ull
#define VM_CONFIG_TIMEOUT_MAX_MS 3600000ull /* one hour */

struct vm_config_cpus {
	uint64_t bits[VM_CONFIG_CPU_WORDS]; /* bit n of word n / 64: CPU n allowed */
};

struct vm_config {
	char name[VM_CONFIG_NAME_MAX];
	char guest[VM_CONFIG_GUEST_MAX];  /* "" when image= is given */
	char image[VM_CONFIG_IMAGE_MAX];  /* GRUB module name; "" when guest= is given */
	char kernel[VM_CONFIG_IMAGE_MAX]; /* kernel= GRUB module (a Linux bzImage) or "" */
	char initrd[VM_CONFIG_IMAGE_MAX]; /* initrd= GRUB module or "" */
	char modules[VM_CONFIG_MODULES][VM_CONFIG_IMAGE_MAX]; /* modules= names, in order */
	unsigned module_count;
	char cmdline[VM_CONFIG_CMDLINE_MAX]; /* verbatim; "" when absent or empty */
	unsigned vcpus;
	uint64_t mem_bytes;
	struct vm_config_cpus cpus; /* all bits set when cpus= is not given */
	bool cpus_given;
	int mode;		/* an enum vcpu_mode (guest/vcpu.h); VCPU_MODE_LONG by default */
	uint64_t slice_us;	/* 0: not given, use the global slice */
	uint64_t timeout_ms;	/* 0: no limit; else stop the VM after this long */
	bool input;		/* host console input goes to this VM */
	bool unbacked_stop;	/* unbacked=stop */
	bool on_reboot_restart; /* on_reboot=restart */
};

/*
 * Parse @text, the value of one vireo.vm= option, into @out. On success
 * returns E_OK and @out satisfies every rule above. On failure returns
 * E_INVAL (syntax, unknown/missing key, bad value), E_RANGE (number out of
 * range) or E_EXIST (key given twice), zeroes @out (vcpus == 0: never start
 * it), and writes one sentence to @why (if not NULL) that names the option,
 * the bad value and what is expected. @text NULL counts as empty.
 */
enum err vm_config_parse(const char *text, struct vm_config *out, char *why, size_t why_len);

/*
 * One line such as "demo1: guest spin64, 4 vCPUs, 16 MiB, CPUs 0-3" or
 * "lx: image bzImage, 1 vCPU, 256 MiB, any CPU, timeout 5000 ms, input,
 * cmdline \"console=ttyS0\"". Non-printable bytes show as '?'.
 */
void vm_config_describe(const struct vm_config *c, char *buf, size_t n);

static inline bool vm_config_has_cpu(const struct vm_config *c, unsigned cpu)
{
	return cpu < VM_CONFIG_CPUS &&
	       (c->cpus.bits[cpu / VM_CONFIG_CPU_WORD_BITS] >> (cpu % VM_CONFIG_CPU_WORD_BITS)) & 1;
}

#endif
