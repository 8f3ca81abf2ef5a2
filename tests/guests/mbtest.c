/*
 * Main of the Multiboot test kernels: the case order, and the platform cases
 * that need no interrupts: the boot information, QEMU's fw_cfg
 * (QEMU docs/specs/fw_cfg.rst), ACPI CPUs and the CMOS real-time clock.
 */
#include "mbtest.h"

#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005

uint32_t fwcfg_ncpus;

#define ECHO_SECONDS 20 /* of guest TSC time: under Bochs far shorter in real time */

/* mbtest.echo: read one line typed on COM1 and print it back. */
static void echo_line(void)
{
	char line[80];
	int n;

	printf("mbtest: echo: type a line\n");
	n = uart_getline(line, sizeof(line), rdtsc() + ECHO_SECONDS * tsc_hz);
	if (n < 0)
		printf("mbtest: echo: no line arrived (got '%s')\n", line);
	else
		printf("mbtest: echo: got '%s'\n", line);
}

void kmain(uint32_t magic, uint32_t info);

/* 8259A pair moved to vectors 0x30-0x3f (clear of exceptions) and masked. */
static void pic_mask_all(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x30);
	outb(0xa1, 0x38);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void case_boot_info(int ok)
{
	if (!ok)
		report(0, "multiboot info", "%s", boot.why);
	else
		report(1,
		       boot.version == 1 ? "multiboot 1 magic and info"
					 : "multiboot2 magic and tags",
		       NULL);
}

static uint64_t fwcfg_read(uint16_t key, int n)
{
	uint64_t v = 0;
	int i;

	outw(FW_CFG_SEL, key);
	for (i = 0; i < n; i++)
		v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

static void case_fwcfg(void)
{
	char sig[5];
	uint64_t ram;
	int i;

	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	for (i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_DATA);
	sig[4] = 0;
	if (memcmp(sig, "QEMU", 4)) {
		report(0, "fw_cfg", "signature reads %x %x %x %x, not \"QEMU\"", (uint8_t)sig[0],
		       (uint8_t)sig[1], (uint8_t)sig[2], (uint8_t)sig[3]);
		return;
	}
	fwcfg_ncpus = (uint32_t)fwcfg_read(FW_CFG_NB_CPUS, 2);
	ram = fwcfg_read(FW_CFG_RAM_SIZE, 8);
	printf("mbtest: fw_cfg signature '%s', %u CPUs, RAM %u MiB\n", sig, fwcfg_ncpus,
	       (uint32_t)(ram >> 20));
	if (!fwcfg_ncpus || fwcfg_ncpus > 4096)
		report(0, "fw_cfg", "FW_CFG_NB_CPUS is %u", fwcfg_ncpus);
	else
		report(1, "fw_cfg signature and CPU count", NULL);
}

static void case_acpi(void)
{
	char why[96];
	int i;

	if (!acpi_find_cpus(why, sizeof(why))) {
		report(0, "acpi madt", "%s", why);
		return;
	}
	printf("mbtest: MADT lists %d enabled CPUs, APIC IDs:", madt_ncpus);
	for (i = 0; i < madt_ncpus; i++)
		printf(" %u", madt_ids[i]);
	printf("\n");
	if (madt_ncpus < 1)
		report(0, "acpi madt", "no enabled processor entries");
	else if ((uint32_t)madt_ncpus != fwcfg_ncpus)
		report(0, "acpi madt", "MADT has %d CPUs but fw_cfg says %u", madt_ncpus,
		       fwcfg_ncpus);
	else
		report(1, "acpi madt CPUs match fw_cfg", NULL);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg); /* bit 7 clear: NMI stays enabled */
	return inb(0x71);
}

static uint32_t bcd(uint8_t v, int is_bcd)
{
	return is_bcd ? (v >> 4) * 10u + (v & 0xf) : v;
}

static void case_cmos(void)
{
	uint8_t s, m, h, regb;
	uint32_t sec, min, hour;
	int i, is_bcd, pm = 0;

	/* status A bit 7: an update is in progress; wait it out (bounded) */
	for (i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
		;
	s = cmos_read(0x00);
	m = cmos_read(0x02);
	h = cmos_read(0x04);
	regb = cmos_read(0x0b);
	is_bcd = !(regb & 0x04);
	if (!(regb & 0x02)) { /* 12-hour mode: bit 7 of the hours is PM */
		pm = h & 0x80;
		h &= 0x7f;
	}
	sec = bcd(s, is_bcd);
	min = bcd(m, is_bcd);
	hour = bcd(h, is_bcd);
	if (!(regb & 0x02)) {
		hour %= 12;
		if (pm)
			hour += 12;
	}
	printf("mbtest: RTC %02u:%02u:%02u (status B %x, %s)\n", hour, min, sec, regb,
	       is_bcd ? "BCD" : "binary");
	if (sec > 59 || min > 59 || hour > 23)
		report(0, "cmos rtc", "time %u:%u:%u out of range (raw %x %x %x)", hour, min, sec,
		       h, m, s);
	else
		report(1, "cmos rtc", NULL);
}

/* Is WORD one of the space-separated words of the command line? */
int has_option(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	const char *p = cmdline;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, word, n) && (p[n] == ' ' || !p[n]))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_ENABLE (1u << 31)

/* What is at PCI 00:00.0 (configuration mechanism #1, PCI Local Bus 3.0
 * 3.2.2.3.2): QEMU's PC has a host bridge there, Vireo's VMs have no PCI
 * devices, so the read is all ones. */
static void print_pci_host(void)
{
	uint32_t id;

	__asm__ volatile("outl %0, %w1" : : "a"(PCI_ENABLE), "Nd"(PCI_CONFIG_ADDRESS));
	__asm__ volatile("inl %w1, %0" : "=a"(id) : "Nd"(PCI_CONFIG_DATA));
	if (id == 0xffffffffu)
		printf("mbtest: PCI 00:00.0: no device\n");
	else
		printf("mbtest: PCI 00:00.0: vendor %04x device %04x\n", id & 0xffff, id >> 16);
}

/* One line per module: where it is, its string, its first bytes. */
static void print_module(unsigned i)
{
	char head[17];
	const char *p = phys(boot.mods[i].start);
	unsigned n = 0;

	for (; n < sizeof(head) - 1 && boot.mods[i].start + n < boot.mods[i].end; n++)
		head[n] = p[n] >= ' ' && p[n] < 127 ? p[n] : '.';
	head[n] = '\0';
	printf("mbtest: module %u '%s' at %x-%x (%u bytes), starts '%s'\n", i,
	       boot.mods[i].string ? boot.mods[i].string : "", boot.mods[i].start, boot.mods[i].end,
	       boot.mods[i].end - boot.mods[i].start, head);
}

void kmain(uint32_t magic, uint32_t info)
{
	int ok;

	uart_init();
	boot.version = mb_header_version;
	boot.magic = magic;
	boot.info = info;
	ok = mbinfo_parse();
	/* Before the kernel's own GDT: through the one the loader left. */
	if (ok && has_option(boot.cmdline, "mbtest.early_fault"))
		case_early_fault();
	cpu_tables_init();
	pic_mask_all();
	printf("mbtest: Multiboot %d kernel, boot loader '%s'\n", boot.version,
	       ok && boot.loader ? boot.loader : "(unknown)");
	printf("mbtest: cmdline '%s'\n", ok && boot.cmdline ? boot.cmdline : "");
	if (ok && boot.have_mmap)
		printf("mbtest: mmap total %u KiB available\n", (uint32_t)(boot.mmap_avail >> 10));
	for (unsigned i = 0; ok && i < boot.nmods && i < 4; i++)
		print_module(i);
	if (ok && boot.have_mem)
		printf("mbtest: mem_lower %u KiB, mem_upper %u KiB\n", boot.mem_lower,
		       boot.mem_upper);
	if (ok && has_option(boot.cmdline, "mbtest.ud2")) {
		printf("mbtest: mbtest.ud2 given: raising #UD to test the exception report\n");
		__asm__ volatile("ud2");
	}
	if (ok && boot.cmdline)
		bad_guest(boot.cmdline);
	smp_force_xapic = ok && has_option(boot.cmdline, "mbtest.smp=xapic");
	print_pci_host();
	tsc_calibrate();
	if (ok && has_option(boot.cmdline, "mbtest.echo"))
		echo_line();
	if (ok && has_option(boot.cmdline, "mbtest.bench"))
		bench_guest();

	printf("KTAP version 1\n1..14\n");
	case_boot_info(ok);
	case_fwcfg();
	case_acpi();
	case_lapic();
	case_timer_oneshot();
	case_timer_periodic();
	case_tsc_deadline();
	case_x2apic();
	case_smp();
	case_cmos();
	case_ioapic_uart();
	case_debug();
	case_string_io(ok && has_option(boot.cmdline, "mbtest.seglimit"));
	case_debug_hlt();
	if (ok && has_option(boot.cmdline, "mbtest.exit=shutdown"))
		shutdown_only();
	finish();
}
