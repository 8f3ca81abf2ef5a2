/* SPDX-License-Identifier: MIT */
/*
 * The VM side of the I/O bus: which devices a built-in guest or a platform
 * VM has and how they reach the VM (console output, exit, interrupt
 * delivery, the clock), and the exit handlers: port I/O goes straight to
 * the bus; an MMIO access is fetched and decoded here, once, then goes to
 * the vCPU's own xAPIC page or to the bus, or, with nothing behind it, is
 * completed as a PC's bus would (all ones, writes dropped).
 */
#include "vm/vm_io.h"
#include "arch/x86/uart_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/rtc.h"
#include "arch/x86/tsc.h"
#include "guest/insn_decode.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "loader/acpi_gen.h"
#include "vm/vm.h"
#include "guest/guest_mem.h"

#define NS_PER_US 1000ull
#define INSN_MAX 15
#define BITS_PER_BYTE 8
#define UNBACKED_PAGE_NAME "unbacked guest-physical"

/* ---- the VM's console (vm/console.c) --------------------------------------- */

static uint64_t console_clock_us(void)
{
	return tsc_to_us(cpu_rdtsc());
}

void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	vm_console_put(&vm->console, buf, len);
	vm_console_end_line(&vm->console, false);
}

void vm_guest_exit(struct vm *vm, int status)
{
	vm_console_end_line(&vm->console, true);
	vm->exited = true;
	vm->stopped = true;
	vm->exit_status = status;
}

/* The guest entered S5: an exit with status 0 whose report says how. */
void vm_guest_power_off(struct vm *vm, const char *how)
{
	fmt_snprintf(vm->why, sizeof(vm->why), "powered off (%s)", how);
	vm_guest_exit(vm, 0);
}

/*
 * The guest reset the machine: a VM with on_reboot=restart boots again
 * (vm/restart.c); any other stops, its report saying so, and
 * reset_requested tells its owner the guest asked.
 */
void vm_guest_reset(struct vm *vm, const char *how)
{
	if (vm->stopped)
		return;
	vm_console_end_line(&vm->console, true);
	if (vm->on_reboot_restart) {
		vm_restart_request(vm, how);
		return;
	}
	fmt_snprintf(vm->why, sizeof(vm->why), "reset by the guest (%s)", how);
	vm->reset_requested = true;
	vm->stopped = true;
}

/* ---- what the devices call back ------------------------------------------ */

static void uart_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;
	char c = (char)byte;

	vm_console_put(&vm->console, &c, 1);
}

static void guest_exit(void *ctx, int status)
{
	vm_guest_exit(ctx, status);
}

static void guest_power_off(void *ctx)
{
	vm_guest_power_off(ctx, "ACPI S5");
}

static void guest_reset(void *ctx, const char *how)
{
	vm_guest_reset(ctx, how);
}

static void ioapic_deliver(void *ctx, const struct vioapic_msg *m)
{
	vm_irq_deliver(ctx, m);
}

static uint64_t vm_clock_ns(void *ctx)
{
	return tsc_to_us(cpu_rdtsc()) * NS_PER_US;
}

/* A built-in guest's COM1: transmit only, the LSR always "transmitter empty". */
static enum iobus_result console_port(void *ctx, uint64_t addr, unsigned size, bool write,
				      uint32_t *value)
{
	if (!write)
		*value = addr == VM_COM1_BASE + UART_LSR ? (UART_LSR_THRE | UART_LSR_TEMT) : 0;
	else if (addr == VM_COM1_BASE + UART_THR)
		uart_tx(ctx, (uint8_t)*value);
	return IOBUS_DONE;
}

/* ---- the buses ----------------------------------------------------------- */

enum err vm_io_init(struct vm *vm)
{
	enum err e;

	iobus_init(&vm->bus, vm_clock_ns, vm);
	vm_console_init(&vm->console, vm->name, console_clock_us);
	e = iobus_add_ports(&vm->bus, VM_COM1_BASE, UART_NREGS, console_port, vm, "COM1 console");
	if (e == E_OK)
		e = debug_exit_register(&vm->bus, &vm->debug_exit, false, guest_exit, vm);
	return e;
}

static struct vrtc_time host_time(void)
{
	struct rtc_time t = {0};

	if (!rtc_read(&t))
		return (struct vrtc_time){0};
	return (struct vrtc_time){.year = t.year,
				  .month = t.month,
				  .day = t.day,
				  .hour = t.hour,
				  .minute = t.minute,
				  .second = t.second};
}

enum err vm_io_platform_init(struct vm *vm, unsigned ncpus)
{
	struct iobus *bus = &vm->bus;
	struct vrtc_time now = host_time();
	enum err e;

	iobus_init(bus, vm_clock_ns, vm);
	vm_console_init(&vm->console, vm->name, console_clock_us);
	vuart_init(&vm->uart, uart_tx, vm);
	e = vioapic_register(bus, &vm->ioapic, ACPI_GEN_IOAPIC_ID(ncpus), ioapic_deliver, vm);
	if (e == E_OK)
		e = vpic_register(bus, &vm->pic);
	if (e == E_OK)
		e = vuart_register(bus, &vm->uart, VM_COM1_BASE, VM_COM1_GSI);
	if (e == E_OK)
		e = fw_cfg_register(bus, &vm->fw_cfg, ncpus, vm->mem_size);
	if (e == E_OK)
		e = vrtc_register(bus, &vm->rtc, &now);
	if (e == E_OK)
		e = vpci_register(bus, &vm->pci);
	if (e == E_OK)
		e = vpit_register(bus, &vm->pit);
	if (e == E_OK)
		e = acpi_pm_register(bus, &vm->pm, vm->name, guest_power_off, vm);
	if (e == E_OK)
		e = reset_ctl_register(bus, &vm->reset_ctl, guest_reset, vm);
	if (e == E_OK)
		e = i8042_register(bus, &vm->i8042, guest_reset, vm);
	if (e == E_OK)
		e = debug_exit_register(bus, &vm->debug_exit, true, guest_exit, vm);
	if (e != E_OK)
		pr_err("[%s] cannot build the platform's I/O bus: %s\n", vm->name, err_text(e));
	return e;
}

bool vm_console_input(struct vm *vm, uint8_t c)
{
	return vm->platform && vuart_input(&vm->uart, c);
}

/* ---- port I/O ------------------------------------------------------------ */

enum vcpu_action vm_io_port(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	struct vm *vm = v->owner;
	enum iobus_result r = iobus_port_io(&vm->bus, port, size, !in, value);

	if (r == IOBUS_UNCLAIMED)
		vm->io_ignored++;
	if (r != IOBUS_STOP)
		return VCPU_RESUME;
	/* A reset that restarts the VM: leave the guest, vm/restart.c does the rest. */
	return __atomic_load_n(&vm->restart_pending, __ATOMIC_ACQUIRE) ? VCPU_PREEMPT : VCPU_STOP;
}

/* ---- MMIO: one decoder, then the xAPIC page or the bus -------------------- */

/* Fetch up to INSN_MAX bytes at CS:RIP; returns how many could be read. */
static unsigned fetch_insn(struct vcpu *v, const struct vcpu_code_state *cs, uint8_t *buf)
{
	uint64_t at = cs->cs_base + cs->rip;
	unsigned n = 0;

	if (cs->bits != 64)
		at &= 0xffffffffu;
	if (guest_mem_read(v, at, buf, INSN_MAX) == E_OK)
		return INSN_MAX;
	/* Near the end of mapped memory: take what can be read. */
	while (n < INSN_MAX && guest_mem_read(v, at + n, buf + n, 1) == E_OK)
		n++;
	return n;
}

static uint64_t source_value(struct vcpu *v, const struct insn_mmio *d)
{
	if (d->has_imm)
		return d->imm;
	if (d->zero_extend_byte_reg_high)
		return vcpu_get_gpr(v, d->reg - 4) >> 8;
	return vcpu_get_gpr(v, d->reg);
}

/* A load writes the destination as the CPU would: 32-bit results clear the
 * upper half, 8/16-bit ones merge (movzx zero-extends). */
static void load_result(struct vcpu *v, const struct insn_mmio *d, uint64_t val, unsigned dst_size)
{
	unsigned reg = d->zero_extend_byte_reg_high ? d->reg - 4 : d->reg;
	unsigned shift = d->zero_extend_byte_reg_high ? 8 : 0;
	uint64_t old = vcpu_get_gpr(v, reg), mask;

	if (d->movzx || dst_size >= 4) {
		vcpu_set_gpr(v, reg, val);
		return;
	}
	mask = ((1ull << (dst_size * 8)) - 1) << shift;
	vcpu_set_gpr(v, reg, (old & ~mask) | ((val << shift) & mask));
}

static enum vcpu_action mmio_fail(struct vcpu *v, const char *page, uint64_t gpa, const uint8_t *b,
				  unsigned n, enum err e)
{
	vcpu_stop(v,
		  "cannot emulate the access to the %s page at 0x%llx (RIP 0x%llx, "
		  "bytes %02x %02x %02x %02x, %u fetched): %s",
		  page, (unsigned long long)gpa, (unsigned long long)vcpu_rip(v), n > 0 ? b[0] : 0,
		  n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0, n, err_text(e));
	return VCPU_STOP;
}

/* Who owns @gpa: the vCPU's xAPIC page (*lapic), a bus range (*r), or nobody. */
static bool mmio_owner(struct vcpu *v, uint64_t gpa, bool *lapic, const struct iobus_range **r)
{
	struct vm *vm = v->owner;

	*lapic = vm_lapic_page(v, gpa);
	*r = *lapic ? NULL : iobus_find_mmio(&vm->bus, gpa);
	return *lapic || *r;
}

/* Fetch and decode the instruction at CS:RIP; on failure the vCPU is
 * stopped with a report naming @page and *act says so. */
static bool decode_at_rip(struct vcpu *v, const char *page, uint64_t gpa, struct insn_mmio *d,
			  enum vcpu_action *act)
{
	struct vcpu_code_state cs;
	uint8_t buf[INSN_MAX];
	unsigned n;
	enum err e;

	vcpu_code_state(v, &cs);
	n = fetch_insn(v, &cs, buf);
	e = insn_decode_mmio(buf, n, insn_mode_of(cs.bits, cs.protected_mode), d);
	if (e != E_OK)
		*act = mmio_fail(v, page, gpa, buf, n, e);
	return e == E_OK;
}

/* What a read nothing answers gives: all ones, @size bytes of them. */
static uint64_t bus_nobody(unsigned size)
{
	return size >= sizeof(uint64_t) ? UINT64_MAX : (1ull << (size * BITS_PER_BYTE)) - 1;
}

/*
 * Guest-physical memory with nothing behind it: above the VM's RAM and
 * outside every device range. On a PC nobody answers on the bus: a read
 * gives all ones and a write goes nowhere. The access is decoded like an
 * MMIO one and completed so; the first of each VM is logged, all are
 * counted (the report line). An instruction fetch from there (a PC would
 * fetch 0xFF bytes), an instruction the decoder does not know, and every
 * access of a VM with unbacked=stop stop the VM with a report instead.
 */
static bool unbacked_access(struct vcpu *v, const struct vcpu_gpa_fault *f, enum vcpu_action *act)
{
	struct vm *vm = v->owner;
	struct insn_mmio d;

	if (f->gpa < vm->mem_size || vm->unbacked_stop)
		return false; /* the backend's report: EPT violation... */
	if (f->access & VCPU_ACCESS_FETCH) {
		vcpu_stop(v,
			  "instruction fetch at RIP 0x%llx from guest-physical 0x%llx, which has "
			  "nothing behind it (Vireo does not run code from there)",
			  (unsigned long long)vcpu_rip(v), (unsigned long long)f->gpa);
		*act = VCPU_STOP;
		return true;
	}
	if (!decode_at_rip(v, UNBACKED_PAGE_NAME, f->gpa, &d, act))
		return true;
	if (!__atomic_fetch_add(&vm->unbacked_accesses, 1, __ATOMIC_RELAXED))
		pr_warn("[%s] vCPU %u %s guest-physical 0x%llx (%u bytes at RIP 0x%llx), which has "
			"nothing behind it: reads all ones, writes ignored (the first such access; "
			"the report counts them)\n",
			vm->name, v->id, d.write ? "wrote" : "read", (unsigned long long)f->gpa,
			d.size, (unsigned long long)vcpu_rip(v));
	if (!d.write)
		load_result(v, &d, bus_nobody(d.size), d.dest_size);
	vcpu_advance_rip(v, d.len);
	*act = VCPU_RESUME;
	return true;
}

/*
 * The pages devices claim are not mapped in EPT: every access exits as an
 * EPT violation (SDM 3C 28.2.1, Table 28-7), carrying the address but not
 * the data or length, so the instruction is fetched and decoded here.
 * Nobody's pages exit the same way (unbacked_access()).
 */
bool vm_io_mmio(struct vcpu *v, const struct vcpu_gpa_fault *f, enum vcpu_action *act)
{
	const struct iobus_range *r;
	enum iobus_result res = IOBUS_DONE;
	uint64_t gpa = f->gpa;
	struct insn_mmio d;
	uint32_t val = 0;
	bool lapic;

	if (!mmio_owner(v, gpa, &lapic, &r))
		return unbacked_access(v, f, act);
	if (!decode_at_rip(v, lapic ? "local APIC" : r->name, gpa, &d, act))
		return true;
	if (d.write)
		val = (uint32_t)source_value(v, &d);
	if (lapic)
		vm_lapic_mmio(v, gpa, d.size, d.write, &val);
	else
		res = iobus_mmio_io(r, gpa, d.size, d.write, &val);
	if (!d.write)
		load_result(v, &d, val, d.dest_size);
	vcpu_advance_rip(v, d.len);
	*act = res == IOBUS_STOP ? VCPU_STOP : VCPU_RESUME;
	return true;
}
