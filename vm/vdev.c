/* SPDX-License-Identifier: MIT */
/*
 * Port I/O and hypercalls for Vireo's VMs. COM1 is a transmit-only 16550
 * (THR at +0, LSR at +5 always "transmitter empty"): bytes are collected per
 * VM and printed a line at a time as "[name] text".
 */
#include "vm/vdev.h"
#include "loader/acpi_gen.h"
#include "arch/x86/cpu.h"
#include "arch/x86/rtc.h"
#include "arch/x86/tsc.h"
#include "lib/printk.h"
#include "vm/vm.h"
#include "guest/guest_mem.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_REGS 8
#define LSR_THR_EMPTY 0x60
#define SHUTDOWN_WORD "Shutdown"
#define HC_FIRST_IRQ_VECTOR 32
#define NS_PER_US 1000ull
#define US_PER_S 1000000ull

static void uart_flush(struct vm *vm)
{
	if (!vm->uart_len)
		return;
	vm->uart_line[vm->uart_len] = '\0';
	pr_info("[%s] %s\n", vm->name, vm->uart_line);
	vm->uart_len = 0;
}

static void uart_put(struct vm *vm, char c)
{
	if (c == '\n' || vm->uart_len == VM_UART_LINE - 1)
		uart_flush(vm);
	if (c != '\n' && c != '\r')
		vm->uart_line[vm->uart_len++] = c;
}

static enum vcpu_action vm_exit_with(struct vm *vm, int status)
{
	uint64_t flags = spin_lock_irqsave(&vm->uart_lock);

	uart_flush(vm);
	spin_unlock_irqrestore(&vm->uart_lock, flags);
	vm->exited = true;
	vm->stopped = true;
	vm->exit_status = status;
	return VCPU_STOP;
}

/* The exit hypercall ends the calling vCPU; the VM exits when the last of
 * its vCPUs has ended, with the highest status any of them gave. */
static enum vcpu_action vcpu_end(struct vcpu *v, int status)
{
	struct vm *vm = v->owner;

	if (v->id < VM_MAX_VCPUS && !vm->vcpu_ended[v->id]) {
		vm->vcpu_ended[v->id] = true;
		vm->vcpus_ended++;
	}
	if (status > vm->exit_status)
		vm->exit_status = status;
	if (vm->vcpus_ended >= vm->nvcpus)
		return vm_exit_with(vm, vm->exit_status);
	return VCPU_STOP;
}

static enum vcpu_action shutdown_port(struct vm *vm, uint8_t c)
{
	static const char word[] = SHUTDOWN_WORD;

	if ((char)c != word[vm->shutdown_pos]) {
		vm->shutdown_pos = (char)c == word[0];
		return VCPU_RESUME;
	}
	if (++vm->shutdown_pos < sizeof(word) - 1)
		return VCPU_RESUME;
	return vm_exit_with(vm, 0);
}

static void vuart_tx(void *ctx, uint8_t byte)
{
	uart_put(ctx, (char)byte);
}

void vdev_platform_init(struct vm *vm, unsigned ncpus)
{
	struct rtc_time t = {0};

	platform_io_init(&vm->pio, ncpus, vm->mem_size);
	if (rtc_read(&t))
		vm->rtc_start = (struct platform_rtc_time){.year = t.year, .month = t.month,
							   .day = t.day, .hour = t.hour,
							   .minute = t.minute, .second = t.second};
	vm->rtc_start_tsc = cpu_rdtsc();
	vuart_init(&vm->uart, vuart_tx, vm);
	vioapic_init(&vm->ioapic, ACPI_GEN_IOAPIC_ID(ncpus));
}

/* COM1's interrupt output drives I/O APIC pin 4 (ISA IRQ 4, no override);
 * a change of level may produce a message. Under uart_lock. */
static void uart_irq_sync(struct vm *vm, struct vioapic_msg *m)
{
	bool line = vuart_irq_pending(&vm->uart);

	m->valid = false;
	if (line == vm->uart_irq_line)
		return;
	vm->uart_irq_line = line;
	vioapic_set_irq(&vm->ioapic, VDEV_COM1_IRQ, line, m);
}

bool vm_console_input(struct vm *vm, uint8_t c)
{
	uint64_t flags = spin_lock_irqsave(&vm->uart_lock);
	bool ok = vm->platform && vuart_receive(&vm->uart, c);
	struct vioapic_msg m = {0};

	if (vm->platform)
		uart_irq_sync(vm, &m);
	spin_unlock_irqrestore(&vm->uart_lock, flags);
	if (m.valid)
		vm_irq_deliver(vm, &m);
	return ok;
}

/* A platform VM's ports: the 16550 model at COM1, then the legacy platform
 * (fw_cfg, CMOS, PCI, PIC, PIT, PM); under the VM's device lock. */
static bool platform_port(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	uint64_t flags = spin_lock_irqsave(&vm->uart_lock);
	struct vioapic_msg m = {0};
	bool mine = true;

	if (port >= VDEV_COM1_BASE && port < VDEV_COM1_BASE + UART_REGS) {
		uint8_t b = (uint8_t)*value;

		vuart_io(&vm->uart, port - VDEV_COM1_BASE, in, &b);
		if (in)
			*value = b;
		uart_irq_sync(vm, &m);
	} else {
		uint64_t now = cpu_rdtsc();
		bool timed = (port >= PIT_PORT_CH0 && port <= PIT_PORT_CMD) || port == PIT_PORT_B ||
			     (port >= PM_PORT_BASE && port < PM_TMR_PORT + PM_TMR_LEN);

		if (timed) /* only the PIT and the PM timer read the clock */
			vm->pio.now_ns = tsc_to_us(now) * NS_PER_US;
		if (port == CMOS_PORT_DATA) {
			vm->pio.rtc_time = vm->rtc_start;
			platform_rtc_advance(&vm->pio.rtc_time,
					     tsc_to_us(now - vm->rtc_start_tsc) / US_PER_S);
		}
		mine = platform_io(&vm->pio, port, size, in, value);
	}
	spin_unlock_irqrestore(&vm->uart_lock, flags);
	if (m.valid)
		vm_irq_deliver(vm, &m);
	return mine;
}

enum vcpu_action vdev_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	struct vm *vm = v->owner;

	if (vm->platform && platform_port(vm, port, size, in, value))
		return VCPU_RESUME;
	if (port >= VDEV_COM1_BASE && port < VDEV_COM1_BASE + UART_REGS) {
		if (in) {
			*value = port == VDEV_COM1_BASE + UART_LSR ? LSR_THR_EMPTY : 0;
		} else if (port == VDEV_COM1_BASE + UART_THR) {
			uint64_t flags = spin_lock_irqsave(&vm->uart_lock);

			uart_put(vm, (char)*value);
			spin_unlock_irqrestore(&vm->uart_lock, flags);
		}
		return VCPU_RESUME;
	}
	if (port == VDEV_EXIT_PORT && !in && vm->platform)
		return vm_exit_with(vm, (int)(((*value & 0xff) << 1) | 1)); /* isa-debug-exit */
	if (port == VDEV_EXIT_PORT && !in)
		return vm_exit_with(vm, (int)(*value & 0xff));
	if (port == VDEV_SHUTDOWN_PORT && !in)
		return shutdown_port(vm, (uint8_t)*value);
	vm->io_ignored++;
	if (in)
		*value = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	return VCPU_RESUME;
}

static uint64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	struct vm *vm = v->owner;
	char buf[HC_CONSOLE_MAX];

	uint64_t flags;

	if (len > sizeof(buf) || guest_phys_read(v, gpa, buf, len) != E_OK)
		return HC_EINVAL;
	flags = spin_lock_irqsave(&vm->uart_lock);
	for (uint64_t i = 0; i < len; i++)
		uart_put(vm, buf[i]);
	uart_flush(vm);
	spin_unlock_irqrestore(&vm->uart_lock, flags);
	return len;
}

enum vcpu_action vdev_hypercall(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;

	switch (r->rax) {
	case HC_CONSOLE_WRITE:
		r->rax = hc_console_write(v, r->rdi, r->rsi);
		return VCPU_RESUME;
	case HC_VCPU_ID:
		r->rax = v->id;
		return VCPU_RESUME;
	case HC_YIELD:
		r->rax = 0;
		return VCPU_YIELD;
	case HC_EXIT:
		return vcpu_end(v, (int)r->rdi);
	case HC_RAISE_IRQ:
		if (r->rdi < HC_FIRST_IRQ_VECTOR || r->rdi > 0xff) {
			r->rax = HC_EINVAL;
			return VCPU_RESUME;
		}
		vcpu_queue_interrupt(v, (uint8_t)r->rdi);
		r->rax = 0;
		return VCPU_RESUME;
	default:
		r->rax = HC_ENOSYS;
		return VCPU_RESUME;
	}
}
