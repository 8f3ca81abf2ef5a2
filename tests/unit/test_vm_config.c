/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vm/config.c: valid vireo.vm= values and their defaults,
 * every rejection with the message a user would read, CPU list parsing at
 * its boundaries, guest kernels (image=, cmdline=, timeout_ms=, input=) and
 * vm_config_describe().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vm/config.h"
#include "vmx/vcpu.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define LAST_CPU (VM_CONFIG_CPUS - 1)
#define POISON 0xa5
#define SMALL_WHY 12
#define DESCRIBE_MAX 256

static struct vm_config cfg;
static char why[VM_CONFIG_WHY_MAX];

static int reset(void **state)
{
	memset(&cfg, POISON, sizeof(cfg));
	memset(why, 'x', sizeof(why));
	why[sizeof(why) - 1] = '\0';
	return 0;
}

static void parse_ok(const char *text)
{
	enum err e = vm_config_parse(text, &cfg, why, sizeof(why));

	if (e != E_OK)
		fail_msg("'%s' rejected: %s", text, why);
	assert_string_equal(why, "");
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

/* Parse must fail with @want, leave cfg zeroed, and the message hold every needle. */
static void parse_err(const char *text, enum err want, ...)
{
	enum err e = vm_config_parse(text, &cfg, why, sizeof(why));
	const char *needle;
	va_list ap;

	if (e != want)
		fail_msg("'%s': got %s (%s), want %s", text, err_name(e), why, err_name(want));
	assert_true(all_zero(&cfg, sizeof(cfg)));
	assert_int_equal(cfg.vcpus, 0);
	assert_true(strncmp(why, "vireo.vm=", strlen("vireo.vm=")) == 0);
	assert_true(strlen(why) < sizeof(why) - 1);
	va_start(ap, want);
	while ((needle = va_arg(ap, const char *))) {
		if (!strstr(why, needle))
			fail_msg("'%s': message \"%s\" lacks \"%s\"", text, why, needle);
	}
	va_end(ap);
}

#define ERR(text, want, ...) parse_err(text, want, __VA_ARGS__, (const char *)NULL)

static unsigned cpu_count(void)
{
	unsigned n = 0;

	for (unsigned c = 0; c < VM_CONFIG_CPUS; c++)
		n += vm_config_has_cpu(&cfg, c);
	return n;
}

/* ---- valid values ---------------------------------------------------------- */

static void test_example(void **state)
{
	parse_ok("demo1:guest=spin64,vcpus=4,mem=16M,cpus=0-3");
	assert_string_equal(cfg.name, "demo1");
	assert_string_equal(cfg.guest, "spin64");
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.mem_bytes, 16 * MIB);
	assert_true(cfg.cpus_given);
	assert_int_equal(cfg.cpus.bits[0], 0xf);
	assert_int_equal(cpu_count(), 4);
	assert_int_equal(cfg.mode, VCPU_MODE_LONG);
	assert_int_equal(cfg.slice_us, 0);
}

static void test_defaults(void **state)
{
	parse_ok("a:guest=selftest64");
	assert_string_equal(cfg.name, "a");
	assert_string_equal(cfg.guest, "selftest64");
	assert_int_equal(cfg.vcpus, VM_CONFIG_VCPUS_DEFAULT);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.mem_bytes, 4 * MIB);
	assert_false(cfg.cpus_given);
	assert_int_equal(cpu_count(), VM_CONFIG_CPUS);
	assert_true(vm_config_has_cpu(&cfg, 0));
	assert_true(vm_config_has_cpu(&cfg, LAST_CPU));
	assert_false(vm_config_has_cpu(&cfg, VM_CONFIG_CPUS));
	assert_int_equal(cfg.mode, VCPU_MODE_LONG);
	assert_int_equal(cfg.slice_us, 0);
	assert_string_equal(cfg.image, "");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.timeout_ms, 0);
	assert_false(cfg.input);
}

static void test_all_keys_any_order(void **state)
{
	parse_ok("b_-Z9:slice_us=5000,mode=protected,cpus=1+3+5-7,mem=1G,vcpus=64,guest=prot32");
	assert_string_equal(cfg.name, "b_-Z9");
	assert_string_equal(cfg.guest, "prot32");
	assert_int_equal(cfg.vcpus, VM_CONFIG_MAX_VCPUS);
	assert_int_equal(cfg.mem_bytes, GIB);
	assert_int_equal(cfg.cpus.bits[0],
			 (1u << 1) | (1u << 3) | (1u << 5) | (1u << 6) | (1u << 7));
	assert_int_equal(cpu_count(), 5);
	assert_int_equal(cfg.mode, VCPU_MODE_PROTECTED32);
	assert_int_equal(cfg.slice_us, 5000);
}

static void test_modes(void **state)
{
	parse_ok("r:guest=real16,mode=real");
	assert_int_equal(cfg.mode, VCPU_MODE_REAL);
	parse_ok("l:guest=spin64,mode=long");
	assert_int_equal(cfg.mode, VCPU_MODE_LONG);
	parse_ok("p:guest=prot32,mode=protected");
	assert_int_equal(cfg.mode, VCPU_MODE_PROTECTED32);
}

static void test_mem_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} cases[] = {
	    {"m:guest=g,mem=2M", 2 * MIB},	{"m:guest=g,mem=2048K", 2 * MIB},
	    {"m:guest=g,mem=2097152", 2 * MIB}, {"m:guest=g,mem=4m", 4 * MIB},
	    {"m:guest=g,mem=6144k", 6 * MIB},	{"m:guest=g,mem=1g", GIB},
	    {"m:guest=g,mem=1024M", GIB},	{"m:guest=g,mem=1022M", 1022 * MIB},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset(NULL);
		parse_ok(cases[i].text);
		assert_int_equal(cfg.mem_bytes, cases[i].bytes);
	}
}

static void test_limits_accepted(void **state)
{
	parse_ok("abcdefghijklmno:guest=abcdefghijklmnopqrstuvw,vcpus=1,slice_us=100");
	assert_int_equal(strlen(cfg.name), VM_CONFIG_NAME_MAX - 1);
	assert_int_equal(strlen(cfg.guest), VM_CONFIG_GUEST_MAX - 1);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.slice_us, VM_CONFIG_SLICE_MIN_US);
	parse_ok("x:guest=a_9,slice_us=1000000,vcpus=064");
	assert_int_equal(cfg.slice_us, VM_CONFIG_SLICE_MAX_US);
	assert_int_equal(cfg.vcpus, 64);
}

static void test_why_optional(void **state)
{
	assert_int_equal(vm_config_parse("a:guest=g", &cfg, NULL, 0), E_OK);
	assert_int_equal(vm_config_parse("a:guest=G", &cfg, NULL, 0), E_INVAL);
	assert_true(all_zero(&cfg, sizeof(cfg)));
	assert_int_equal(vm_config_parse("a:guest=g", NULL, why, sizeof(why)), E_INVAL);
	assert_non_null(strstr(why, "internal error"));
}

/* ---- CPU lists ------------------------------------------------------------- */

static void test_cpus_boundaries(void **state)
{
	parse_ok("c:guest=g,cpus=0");
	assert_int_equal(cpu_count(), 1);
	assert_true(vm_config_has_cpu(&cfg, 0));
	assert_true(cfg.cpus_given);

	parse_ok("c:guest=g,cpus=1023");
	assert_int_equal(cpu_count(), 1);
	assert_true(vm_config_has_cpu(&cfg, LAST_CPU));
	assert_int_equal(cfg.cpus.bits[VM_CONFIG_CPU_WORDS - 1], 1ull << 63);

	parse_ok("c:guest=g,cpus=0-1023");
	assert_int_equal(cpu_count(), VM_CONFIG_CPUS);

	parse_ok("c:guest=g,cpus=0+1023");
	assert_int_equal(cpu_count(), 2);

	ERR("c:guest=g,cpus=1024", E_RANGE, "cpus=1024", "CPU 1024", "1023");
	ERR("c:guest=g,cpus=0-1024", E_RANGE, "cpus=0-1024", "CPU 1024");
	ERR("c:guest=g,cpus=1024-1025", E_RANGE, "CPU 1024");
	ERR("c:guest=g,cpus=99999999999999999999999", E_RANGE, "beyond the last CPU");
}

static void test_cpus_ranges(void **state)
{
	parse_ok("c:guest=g,cpus=60-70");
	assert_int_equal(cfg.cpus.bits[0], 0xfull << 60);
	assert_int_equal(cfg.cpus.bits[1], 0x7f);
	assert_int_equal(cpu_count(), 11);

	parse_ok("c:guest=g,cpus=1-3+4+5-5+100-101");
	assert_int_equal(cpu_count(), 7);
	for (unsigned c = 1; c <= 5; c++)
		assert_true(vm_config_has_cpu(&cfg, c));
	assert_false(vm_config_has_cpu(&cfg, 0));
	assert_false(vm_config_has_cpu(&cfg, 6));
	assert_true(vm_config_has_cpu(&cfg, 100));
	assert_true(vm_config_has_cpu(&cfg, 101));
}

static void test_cpus_errors(void **state)
{
	ERR("c:guest=g,cpus=3-1", E_INVAL, "cpus=3-1", "descending", "write 1-3");
	ERR("c:guest=g,cpus=3+1", E_INVAL, "cpus=3+1", "range 1 ", "ascending order");
	ERR("c:guest=g,cpus=1-3+3", E_INVAL, "range 3 does not come after the previous range");
	ERR("c:guest=g,cpus=1-5+2-3", E_INVAL, "range 2-3 does not come after", "without overlap");
	ERR("c:guest=g,cpus=1++2", E_INVAL, "cpus=1++2 has an empty range", "'+'");
	ERR("c:guest=g,cpus=+1", E_INVAL, "empty range");
	ERR("c:guest=g,cpus=1+", E_INVAL, "empty range");
	ERR("c:guest=g,cpus=x", E_INVAL, "cpus=x: 'x' is not a CPU number", "cpus=0-3");
	ERR("c:guest=g,cpus=1-", E_INVAL, "'1-' is not a CPU number");
	ERR("c:guest=g,cpus=-1", E_INVAL, "'-1' is not a CPU number");
	ERR("c:guest=g,cpus=1-2-3", E_INVAL, "'1-2-3' is not a CPU number");
	ERR("c:guest=g,cpus=0-3+7x", E_INVAL, "'7x' is not a CPU number");
	ERR("c:guest=g,cpus=1;3", E_INVAL, "'1;3'");
	ERR("c:guest=g,cpus=1,3", E_INVAL, "'3' is not key=value");
	ERR("c:guest=g,cpus=", E_INVAL, "cpus= has no value", "cpus=0-3");
}

/* ---- other rejected values ------------------------------------------------- */

static void test_syntax_errors(void **state)
{
	ERR("demo1", E_INVAL, "vireo.vm=demo1: missing ':'", "e.g. vireo.vm=demo1:guest=");
	ERR("demo1guest=spin64", E_INVAL, "vireo.vm=demo1guest=spin64: missing ':'");
	ERR("", E_INVAL, "vireo.vm=: the value is empty", "name:key=value");
	ERR(NULL, E_INVAL, "the value is empty");
	ERR("demo1:", E_INVAL, "vireo.vm=demo1: nothing after ':'", "guest=");
	ERR("demo1:vcpus=2", E_INVAL, "vireo.vm=demo1: guest= is missing", "guest=spin64");
	ERR("demo1:guest=a,", E_INVAL, "vireo.vm=demo1: stray ','");
	ERR("demo1:guest=a,,vcpus=2", E_INVAL, "stray ','");
	ERR("demo1:,guest=a", E_INVAL, "stray ','");
	ERR("demo1:guest=a,junk", E_INVAL, "'junk' is not key=value", "known keys: guest, vcpus");
	ERR("demo1:guest=a,=4", E_INVAL, "'=4' is not key=value");
	ERR("demo1:guest=a,vcpus", E_INVAL, "vcpus= has no value (use e.g. vcpus=4)");
}

static void test_key_errors(void **state)
{
	ERR("demo1:guest=a,colour=red", E_INVAL, "vireo.vm=demo1: unknown key 'colour'",
	    "known keys: guest, vcpus, mem, cpus, mode, slice_us");
	ERR("demo1:guest=a,Mem=4M", E_INVAL, "unknown key 'Mem'");
	ERR("demo1:guest=a,mem=4M,mem=8M", E_EXIST, "vireo.vm=demo1: mem= is given twice");
	ERR("demo1:guest=a,guest=b", E_EXIST, "guest= is given twice");
	ERR("demo1:guest=a,mem=", E_INVAL, "vireo.vm=demo1: mem= has no value (use e.g. mem=16M)");
	ERR("demo1:guest=", E_INVAL, "guest= has no value", "guest=spin64");
	ERR("demo1:guest=a,mode=", E_INVAL, "mode= has no value");
	ERR("demo1:guest=a,slice_us=", E_INVAL, "slice_us= has no value");
}

static void test_name_errors(void **state)
{
	ERR(":guest=a", E_INVAL, "VM name before ':' is empty", "demo1");
	ERR("abcdefghijklmnop:guest=a", E_RANGE, "'abcdefghijklmnop' is longer than 15");
	ERR("de.mo:guest=a", E_INVAL, "vireo.vm=de.mo:guest=a: the VM name 'de.mo' has '.'");
	ERR("de mo:guest=a", E_INVAL, "has ' '", "letters, digits");
}

static void test_guest_errors(void **state)
{
	ERR("g:guest=abcdefghijklmnopqrstuvwx", E_RANGE,
	    "guest=abcdefghijklmnopqrstuvwx is longer "
	    "than 23 characters");
	ERR("g:guest=Spin64", E_INVAL, "guest=Spin64 has 'S'", "a-z, 0-9 and '_'");
	ERR("g:guest=spin64!", E_INVAL, "guest=spin64! has '!'");
	ERR("g:guest=spin-64", E_INVAL, "has '-'");
}

static void test_vcpus_errors(void **state)
{
	ERR("v:guest=a,vcpus=0", E_RANGE, "vireo.vm=v: vcpus=0 is out of range (use 1 to 64");
	ERR("v:guest=a,vcpus=65", E_RANGE, "vcpus=65 is out of range");
	ERR("v:guest=a,vcpus=99999999999999999999", E_RANGE, "out of range");
	ERR("v:guest=a,vcpus=-1", E_INVAL, "vcpus=-1 is not a number", "vcpus=4");
	ERR("v:guest=a,vcpus=4x", E_INVAL, "vcpus=4x is not a number");
	ERR("v:guest=a,vcpus=0x4", E_INVAL, "not a number");
}

static void test_mem_errors(void **state)
{
	parse_err("demo1:guest=a,mem=3M", E_INVAL, (const char *)NULL);
	assert_string_equal(why,
			    "vireo.vm=demo1: mem=3M is not a multiple of 2 MiB (use e.g. mem=4M)");
	ERR("m:guest=a,mem=1M", E_INVAL, "mem=1M is not a multiple of 2 MiB (use e.g. mem=2M)");
	ERR("m:guest=a,mem=4097K", E_INVAL, "not a multiple", "mem=6M");
	ERR("m:guest=a,mem=512K", E_RANGE, "mem=512K is outside 1M..1G (use e.g. mem=2M)");
	ERR("m:guest=a,mem=0", E_RANGE, "mem=0 is outside");
	ERR("m:guest=a,mem=2G", E_RANGE, "mem=2G is outside 1M..1G (use e.g. mem=1G)");
	ERR("m:guest=a,mem=1026M", E_RANGE, "outside");
	ERR("m:guest=a,mem=99999999999999999999G", E_RANGE, "outside", "mem=1G");
	ERR("m:guest=a,mem=17179869184G", E_RANGE, "outside");
	ERR("m:guest=a,mem=16MB", E_INVAL, "mem=16MB is not a size", "K, M or G", "mem=16M");
	ERR("m:guest=a,mem=M", E_INVAL, "mem=M is not a size");
	ERR("m:guest=a,mem=4Mx", E_INVAL, "mem=4Mx is not a size");
	ERR("m:guest=a,mem=4T", E_INVAL, "not a size");
}

static void test_mode_slice_errors(void **state)
{
	ERR("s:guest=a,mode=longer", E_INVAL, "mode=longer is not a mode",
	    "mode=long, mode=protected or mode=real");
	ERR("s:guest=a,mode=LONG", E_INVAL, "mode=LONG");
	ERR("s:guest=a,slice_us=99", E_RANGE, "slice_us=99 is out of range (use 100 to 1000000)");
	ERR("s:guest=a,slice_us=1000001", E_RANGE, "slice_us=1000001");
	ERR("s:guest=a,slice_us=10ms", E_INVAL, "slice_us=10ms is not a number of microseconds");
}

static void test_message_hygiene(void **state)
{
	char text[VM_CONFIG_TEXT_MAX + 2];
	char small[SMALL_WHY];

	ERR("de\x01mo:guest=a", E_INVAL, "has '?'");
	assert_null(strchr(why, '\x01'));

	ERR("m:guest=a,mem=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", E_INVAL,
	    "mem=abcdefghijklmnopqrstuvwxyzabcdefghijklmn... is not a size");

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ERR(text, E_RANGE, "longer than 4096", "aaaa...");

	assert_int_equal(vm_config_parse("m:guest=a,mem=3M", &cfg, small, sizeof(small)), E_INVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small, "vireo.vm=m:");
}

/* ---- guest kernels: image=, cmdline=, timeout_ms=, input= ------------------ */

static void test_image(void **state)
{
	parse_ok("lx:image=mbtest1.elf");
	assert_string_equal(cfg.image, "mbtest1.elf");
	assert_string_equal(cfg.guest, "");
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.mem_bytes, 4 * MIB);
	assert_int_equal(cfg.mode, VCPU_MODE_LONG);
	parse_ok("lx:mode=protected,image=Linux-6.1_x86.bzImage,vcpus=2");
	assert_string_equal(cfg.image, "Linux-6.1_x86.bzImage");
	assert_int_equal(cfg.mode, VCPU_MODE_PROTECTED32);
	assert_int_equal(cfg.vcpus, 2);
	parse_ok("lx:image=a");
	assert_string_equal(cfg.image, "a");
	parse_ok("lx:image=abcdefghijklmnopqrstuvwxyz.-_012ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_01");
	assert_int_equal(strlen(cfg.image), VM_CONFIG_IMAGE_MAX - 1);
}

static void test_image_errors(void **state)
{
	ERR("lx:image=abcdefghijklmnopqrstuvwxyz.-_012ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_012", E_RANGE,
	    "vireo.vm=lx: image=abcdefghijklmnopqrstuvwxyz.-_012ABCDEFGH... is longer than 63 "
	    "characters",
	    "image=mbtest1.elf");
	ERR("lx:image=mb/test.elf", E_INVAL, "image=mb/test.elf has '/'",
	    "letters, digits, '.', '_' and '-'");
	ERR("lx:image=mb test", E_INVAL, "has ' '");
	ERR("lx:image=", E_INVAL, "image= has no value (use e.g. image=mbtest1.elf)");
	ERR("lx:image=a,image=b", E_EXIST, "image= is given twice");
	ERR("lx:guest=spin64,image=mbtest1.elf", E_INVAL,
	    "vireo.vm=lx: more than one of guest=, image= and kernel= is given", "one of them");
	ERR("lx:image=k.elf,vcpus=2,guest=g", E_INVAL, "more than one of guest=");
	ERR("lx:image=k.elf,kernel=vmlinuz", E_INVAL, "more than one of guest=");
	ERR("lx:kernel=vmlinuz,guest=spin64", E_INVAL, "more than one of guest=");
	ERR("lx:vcpus=2", E_INVAL, "guest= is missing", "guest=spin64", "image=mbtest1.elf",
	    "kernel=vmlinuz");
	ERR("lx:cmdline=quiet", E_INVAL, "guest= is missing");
}

static void test_modules(void **state)
{
	parse_ok("lx:image=k.elf,modules=initrd.img");
	assert_int_equal(cfg.module_count, 1);
	assert_string_equal(cfg.modules[0], "initrd.img");
	parse_ok("lx:modules=a+b.bin+c_d-1,image=k.elf");
	assert_int_equal(cfg.module_count, 3);
	assert_string_equal(cfg.modules[0], "a");
	assert_string_equal(cfg.modules[1], "b.bin");
	assert_string_equal(cfg.modules[2], "c_d-1");
	parse_ok("lx:image=k.elf,modules=1+2+3+4+5+6+7+8");
	assert_int_equal(cfg.module_count, VM_CONFIG_MODULES);
	assert_string_equal(cfg.modules[7], "8");
	parse_ok("lx:image=k.elf");
	assert_int_equal(cfg.module_count, 0);
}

static void test_modules_errors(void **state)
{
	ERR("lx:image=k.elf,modules=1+2+3+4+5+6+7+8+9", E_RANGE, "names more than 8 modules");
	ERR("lx:image=k.elf,modules=a++b", E_INVAL, "modules= has an empty module name",
	    "join several modules with '+'");
	ERR("lx:image=k.elf,modules=a+", E_INVAL, "empty module name");
	ERR("lx:image=k.elf,modules=a/b", E_INVAL, "modules=a/b has '/'");
	ERR("lx:image=k.elf,modules=abcdefghijklmnopqrstuvwxyz.-_012ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_"
	    "012",
	    E_RANGE, "is longer than 63 characters");
	ERR("lx:guest=spin64,modules=a", E_INVAL,
	    "modules= goes with image=", "a built-in guest takes none");
	ERR("lx:kernel=vmlinuz,modules=a", E_INVAL,
	    "modules= goes with image=", "a Linux kernel takes none", "initrd=");
	ERR("lx:image=k.elf,modules=a,modules=b", E_EXIST, "modules= is given twice");
}

/* kernel=: a Linux bzImage with its initrd, 256 MiB unless mem= says otherwise. */
static void test_linux(void **state)
{
	char desc[VM_CONFIG_DESCRIBE_MAX];

	parse_ok("lx:kernel=vmlinuz,initrd=initrd.gz,vcpus=2,cmdline=console=ttyS0 quiet");
	assert_string_equal(cfg.kernel, "vmlinuz");
	assert_string_equal(cfg.initrd, "initrd.gz");
	assert_string_equal(cfg.image, "");
	assert_string_equal(cfg.guest, "");
	assert_int_equal(cfg.mem_bytes, VM_CONFIG_MEM_LINUX_DEFAULT);
	assert_false(cfg.on_reboot_restart);
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	vm_config_describe(&cfg, desc, sizeof(desc));
	assert_string_equal(desc, "lx: Linux kernel vmlinuz, 2 vCPUs, 256 MiB, any CPU, initrd "
				  "initrd.gz, cmdline \"console=ttyS0 quiet\"");
	parse_ok("lx:mem=64M,on_reboot=restart,kernel=bz");
	assert_int_equal(cfg.mem_bytes, 64 * MIB);
	assert_true(cfg.on_reboot_restart);
	assert_string_equal(cfg.initrd, "");
	parse_ok("lx:kernel=bz,on_reboot=stop,unbacked=stop");
	assert_false(cfg.on_reboot_restart);
	assert_true(cfg.unbacked_stop);
}

static void test_linux_errors(void **state)
{
	ERR("lx:kernel=", E_INVAL, "kernel= has no value (use e.g. kernel=vmlinuz)");
	ERR("lx:kernel=a/b", E_INVAL, "kernel=a/b has '/'");
	ERR("lx:kernel=k,initrd=", E_INVAL, "initrd= has no value");
	ERR("lx:kernel=k,initrd=x y", E_INVAL, "initrd=x y has ' '");
	ERR("lx:kernel=k,initrd=a,initrd=b", E_EXIST, "initrd= is given twice");
	ERR("lx:image=k.elf,initrd=i", E_INVAL, "initrd= and on_reboot= go with kernel=");
	ERR("lx:guest=spin64,on_reboot=restart", E_INVAL, "go with kernel=");
	ERR("lx:kernel=k,on_reboot=reboot", E_INVAL,
	    "on_reboot=reboot is neither restart nor stop");
}

static void test_cmdline(void **state)
{
	parse_ok("lx:image=bzImage,mem=256M,cmdline=console=ttyS0,115200 quiet a=b,,c=");
	assert_string_equal(cfg.cmdline, "console=ttyS0,115200 quiet a=b,,c=");
	assert_string_equal(cfg.image, "bzImage");
	assert_int_equal(cfg.mem_bytes, 256 * MIB);
	parse_ok("lx:image=k,cmdline=");
	assert_string_equal(cfg.cmdline, "");
	parse_ok("lx:image=k,cmdline=,vcpus=4");
	assert_string_equal(cfg.cmdline, ",vcpus=4");
	assert_int_equal(cfg.vcpus, 1);
	parse_ok("lx:image=k,cmdline=cmdline=x,cmdline=y");
	assert_string_equal(cfg.cmdline, "cmdline=x,cmdline=y");
	/* Keys after cmdline= belong to the command line, so image= is missing here. */
	ERR("lx:cmdline= root=/dev/sda1 ,image=k", E_INVAL, "guest= is missing");
}

static void test_cmdline_limit(void **state)
{
	char text[VM_CONFIG_CMDLINE_MAX + 32];
	const char *head = "lx:guest=g,cmdline=";
	size_t hl = strlen(head);

	memcpy(text, head, hl);
	memset(text + hl, 'c', VM_CONFIG_CMDLINE_MAX - 1);
	text[hl + VM_CONFIG_CMDLINE_MAX - 1] = '\0';
	parse_ok(text);
	assert_int_equal(strlen(cfg.cmdline), VM_CONFIG_CMDLINE_MAX - 1);
	assert_string_equal(cfg.guest, "g");

	text[hl + VM_CONFIG_CMDLINE_MAX - 1] = 'c';
	text[hl + VM_CONFIG_CMDLINE_MAX] = '\0';
	ERR(text, E_RANGE, "vireo.vm=lx: cmdline= is 512 bytes, longer than 511",
	    "shorten the guest's command line");
}

static void test_cmdline_not_a_key(void **state)
{
	ERR("lx:image=k,cmdline", E_INVAL, "vireo.vm=lx: cmdline has no '='",
	    "write cmdline= for an empty value");
	ERR("lx:image=k,Cmdline=x", E_INVAL, "unknown key 'Cmdline'");
	ERR("lx:image=k,xcmdline=a,b", E_INVAL, "unknown key 'xcmdline'");
}

static void test_timeout_input(void **state)
{
	parse_ok("t:guest=g,timeout_ms=1,input=1");
	assert_int_equal(cfg.timeout_ms, VM_CONFIG_TIMEOUT_MIN_MS);
	assert_true(cfg.input);
	parse_ok("t:guest=g,timeout_ms=3600000,input=0");
	assert_int_equal(cfg.timeout_ms, VM_CONFIG_TIMEOUT_MAX_MS);
	assert_false(cfg.input);
	parse_ok("t:image=k,input=1,timeout_ms=5000,cmdline=x");
	assert_int_equal(cfg.timeout_ms, 5000);
	assert_true(cfg.input);
	assert_string_equal(cfg.cmdline, "x");
}

static void test_timeout_input_errors(void **state)
{
	ERR("t:guest=g,timeout_ms=0", E_RANGE,
	    "vireo.vm=t: timeout_ms=0 is out of range (use 1 to 3600000",
	    "leave timeout_ms= out for no limit");
	ERR("t:guest=g,timeout_ms=3600001", E_RANGE, "timeout_ms=3600001 is out of range");
	ERR("t:guest=g,timeout_ms=99999999999999999999", E_RANGE, "out of range");
	ERR("t:guest=g,timeout_ms=5s", E_INVAL,
	    "timeout_ms=5s is not a number of milliseconds (use e.g. timeout_ms=5000)");
	ERR("t:guest=g,timeout_ms=", E_INVAL, "timeout_ms= has no value");
	ERR("t:guest=g,timeout_ms=1,timeout_ms=2", E_EXIST, "timeout_ms= is given twice");
	ERR("t:guest=g,input=2", E_INVAL, "vireo.vm=t: input=2 is not 0 or 1",
	    "input=1 to send host console input");
	ERR("t:guest=g,input=yes", E_INVAL, "input=yes is not 0 or 1");
	ERR("t:guest=g,input=01", E_INVAL, "input=01 is not 0 or 1");
	ERR("t:guest=g,input=", E_INVAL, "input= has no value (use e.g. input=1)");
	ERR("t:guest=g,input=1,input=1", E_EXIST, "input= is given twice");
	ERR("t:guest=g,colour=red", E_INVAL,
	    "known keys: guest, vcpus, mem, cpus, mode, slice_us, image, timeout_ms, input, "
	    "unbacked, modules, cmdline");
}

/* unbacked=: ones (the default) or stop, for image= kernels only. */
static void test_unbacked(void **state)
{
	parse_ok("t:image=k");
	assert_false(cfg.unbacked_stop);
	parse_ok("t:image=k,unbacked=stop,cmdline=x");
	assert_true(cfg.unbacked_stop);
	parse_ok("t:image=k,unbacked=ones");
	assert_false(cfg.unbacked_stop);
	ERR("t:image=k,unbacked=halt", E_INVAL,
	    "vireo.vm=t: unbacked=halt is neither ones nor stop", "unbacked=stop stops the VM");
	ERR("t:image=k,unbacked=Stop", E_INVAL, "unbacked=Stop is neither ones nor stop");
	ERR("t:image=k,unbacked=", E_INVAL, "unbacked= has no value (use e.g. unbacked=stop)");
	ERR("t:image=k,unbacked=stop,unbacked=ones", E_EXIST, "unbacked= is given twice");
	ERR("t:guest=g,unbacked=stop", E_INVAL, "vireo.vm=t: unbacked= goes with image=",
	    "built-in guest g always stops on an access outside its memory");
	ERR("t:guest=g,unbacked=ones", E_INVAL, "unbacked= goes with image=");
}

/* ---- description ----------------------------------------------------------- */

static void describe_is(const char *text, const char *want)
{
	char buf[DESCRIBE_MAX];

	reset(NULL);
	parse_ok(text);
	memset(buf, 'x', sizeof(buf));
	vm_config_describe(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_describe(void **state)
{
	describe_is("demo1:guest=spin64,vcpus=4,mem=16M,cpus=0-3",
		    "demo1: guest spin64, 4 vCPUs, 16 MiB, CPUs 0-3");
	describe_is("a:guest=selftest64", "a: guest selftest64, 1 vCPU, 4 MiB, any CPU");
	describe_is("b:guest=prot32,vcpus=2,mem=1G,cpus=1+3+5-7,mode=protected,slice_us=5000",
		    "b: guest prot32, 2 vCPUs, 1 GiB, CPUs 1+3+5-7, protected mode, slice 5000 us");
	describe_is("r:guest=real16,cpus=1023,mode=real",
		    "r: guest real16, 1 vCPU, 4 MiB, CPU 1023, real mode");
	describe_is("w:guest=g,cpus=0-1023", "w: guest g, 1 vCPU, 4 MiB, CPUs 0-1023");
	describe_is("w:guest=g,cpus=0+63-64+1022-1023",
		    "w: guest g, 1 vCPU, 4 MiB, CPUs 0+63-64+1022-1023");
	describe_is("lx:image=bzImage,mem=256M,timeout_ms=5000,input=1,cmdline=console=ttyS0,"
		    "115200 quiet",
		    "lx: image bzImage, 1 vCPU, 256 MiB, any CPU, timeout 5000 ms, input, "
		    "cmdline \"console=ttyS0,115200 quiet\"");
	describe_is("lx:image=k.elf,cmdline=", "lx: image k.elf, 1 vCPU, 4 MiB, any CPU");
	describe_is("lx:image=k.elf,unbacked=stop",
		    "lx: image k.elf, 1 vCPU, 4 MiB, any CPU, unbacked=stop");
	describe_is("lx:guest=g,input=0,cmdline=a\tb", "lx: guest g, 1 vCPU, 4 MiB, any CPU, "
						       "cmdline \"a?b\"");
}

/* A module name of the greatest length accepted. */
#define N63 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_"

/* The longest description of an accepted value fits VM_CONFIG_DESCRIBE_MAX. */
static void test_describe_longest(void **state)
{
	char text[VM_CONFIG_TEXT_MAX];
	char buf[VM_CONFIG_DESCRIBE_MAX];
	int n;

	n = snprintf(text, sizeof(text),
		     "abcdefghijklmno:image=" N63 ",vcpus=64,mem=1022M,"
		     "cpus=0+2+4+6+8+10+12+14+16+18+20+22+24+26,mode=protected,"
		     "slice_us=1000000,timeout_ms=3600000,input=1,unbacked=stop,"
		     "modules=" N63 "+" N63 "+" N63 "+" N63 "+" N63 "+" N63 "+" N63 "+" N63
		     ",cmdline=");
	memset(text + n, 'c', VM_CONFIG_CMDLINE_MAX - 1);
	text[n + VM_CONFIG_CMDLINE_MAX - 1] = '\0';
	parse_ok(text);
	vm_config_describe(&cfg, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	assert_non_null(strstr(buf, "timeout 3600000 ms, input, unbacked=stop, modules " N63 "+"));
	assert_non_null(strstr(buf, N63 ", cmdline \"ccc"));
	assert_int_equal(buf[strlen(buf) - 1], '"');
}

static void test_describe_bounded(void **state)
{
	char buf[SMALL_WHY];
	char big[DESCRIBE_MAX];

	parse_ok("demo1:guest=spin64,vcpus=4,mem=16M,cpus=0-3");
	vm_config_describe(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "demo1: gues");
	vm_config_describe(&cfg, NULL, 0);
	buf[0] = 'x';
	vm_config_describe(&cfg, buf, 0);
	assert_int_equal(buf[0], 'x');

	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = VCPU_MODE_REAL + 7;
	cfg.mem_bytes = 3 * 1024;
	vm_config_describe(&cfg, big, sizeof(big));
	assert_string_equal(big, ": guest , 0 vCPUs, 3072 bytes, any CPU, mode 9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_example, reset),
	    cmocka_unit_test_setup(test_defaults, reset),
	    cmocka_unit_test_setup(test_all_keys_any_order, reset),
	    cmocka_unit_test_setup(test_modes, reset),
	    cmocka_unit_test_setup(test_mem_units, reset),
	    cmocka_unit_test_setup(test_limits_accepted, reset),
	    cmocka_unit_test_setup(test_why_optional, reset),
	    cmocka_unit_test_setup(test_cpus_boundaries, reset),
	    cmocka_unit_test_setup(test_cpus_ranges, reset),
	    cmocka_unit_test_setup(test_cpus_errors, reset),
	    cmocka_unit_test_setup(test_syntax_errors, reset),
	    cmocka_unit_test_setup(test_key_errors, reset),
	    cmocka_unit_test_setup(test_name_errors, reset),
	    cmocka_unit_test_setup(test_guest_errors, reset),
	    cmocka_unit_test_setup(test_vcpus_errors, reset),
	    cmocka_unit_test_setup(test_mem_errors, reset),
	    cmocka_unit_test_setup(test_mode_slice_errors, reset),
	    cmocka_unit_test_setup(test_message_hygiene, reset),
	    cmocka_unit_test_setup(test_image, reset),
	    cmocka_unit_test_setup(test_image_errors, reset),
	    cmocka_unit_test_setup(test_modules, reset),
	    cmocka_unit_test_setup(test_modules_errors, reset),
	    cmocka_unit_test_setup(test_linux, reset),
	    cmocka_unit_test_setup(test_linux_errors, reset),
	    cmocka_unit_test_setup(test_cmdline, reset),
	    cmocka_unit_test_setup(test_cmdline_limit, reset),
	    cmocka_unit_test_setup(test_cmdline_not_a_key, reset),
	    cmocka_unit_test_setup(test_timeout_input, reset),
	    cmocka_unit_test_setup(test_timeout_input_errors, reset),
	    cmocka_unit_test_setup(test_unbacked, reset),
	    cmocka_unit_test_setup(test_describe, reset),
	    cmocka_unit_test_setup(test_describe_longest, reset),
	    cmocka_unit_test_setup(test_describe_bounded, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
