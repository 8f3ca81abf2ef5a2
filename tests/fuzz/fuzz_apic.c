/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the guest-facing interrupt models, dev/vlapic.c and
 * dev/vioapic.c: the input is a program of guest actions (register reads and
 * writes through MMIO and MSRs, APIC-base changes, interrupts arriving,
 * acknowledgements, time passing, I/O APIC pins), the way a misbehaving
 * guest could drive them. Whatever the sequence, the models must stay
 * within their invariants (no crash, no UB, sane vectors and deadlines).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "dev/vioapic.h"
#include "dev/vlapic.h"

enum op { OP_MMIO_WRITE, OP_MMIO_READ, OP_MSR_WRITE, OP_MSR_READ, OP_SET_BASE, OP_ACCEPT,
	  OP_ACK, OP_TIME, OP_DEADLINE, OP_IOAPIC_WRITE, OP_IOAPIC_READ, OP_PIN, OP_EOI,
	  OP_INIT, OP_COUNT };

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static void check_msg(const struct vioapic_msg *m)
{
	if (m->valid && m->delivery_mode > 7)
		__builtin_trap();
}

static void check_lapic(const struct vlapic *l, uint64_t now)
{
	int v = vlapic_pending(l);
	uint64_t next = vlapic_timer_next(l);

	if (v != -1 && (v < 16 || v > 255))
		__builtin_trap();
	if (v >= 0 && !vlapic_irr_any(l))
		__builtin_trap();
	(void)next;
	(void)now;
}

static void step(struct vlapic *l, struct vioapic *a, struct input *in, uint64_t *now)
{
	struct vlapic_icr icr;
	struct vioapic_msg m = {0};
	uint32_t v32;
	uint64_t v64;
	unsigned op = (unsigned)take(in, 1) % OP_COUNT;

	switch (op) {
	case OP_MMIO_WRITE:
		v32 = (uint32_t)take(in, 2) & 0xfff;
		vlapic_mmio_write(l, v32, 1u << (take(in, 1) % 4), (uint32_t)take(in, 4), *now, &icr);
		break;
	case OP_MMIO_READ:
		vlapic_mmio_read(l, (uint32_t)take(in, 2) & 0xfff, 4, &v32, *now);
		break;
	case OP_MSR_WRITE:
		v32 = 0x800 + (uint32_t)take(in, 1);
		vlapic_msr_write(l, v32, take(in, 8), *now, &icr);
		break;
	case OP_MSR_READ:
		vlapic_msr_read(l, 0x800 + (uint32_t)take(in, 1), &v64, *now);
		break;
	case OP_SET_BASE:
		vlapic_set_base(l, take(in, 8));
		break;
	case OP_ACCEPT:
		vlapic_accept(l, (uint8_t)take(in, 1));
		break;
	case OP_ACK:
		if (vlapic_pending(l) >= 0)
			vlapic_ack(l, (uint8_t)vlapic_pending(l));
		break;
	case OP_TIME:
		*now += take(in, 3);
		vlapic_timer_update(l, *now);
		break;
	case OP_DEADLINE:
		vlapic_set_tsc_deadline(l, *now + take(in, 3), *now);
		break;
	case OP_IOAPIC_WRITE:
		vioapic_mmio_write(a, (uint32_t)take(in, 1), (uint32_t)take(in, 4), &m);
		break;
	case OP_IOAPIC_READ:
		vioapic_mmio_read(a, (uint32_t)take(in, 1), &v32);
		break;
	case OP_PIN:
		v32 = (uint32_t)take(in, 1);
		vioapic_set_irq(a, v32 % 32, v32 & 0x80, &m);
		break;
	case OP_EOI:
		vioapic_eoi(a, (uint8_t)take(in, 1), &m);
		break;
	default:
		vlapic_reset_init(l);
		break;
	}
	check_msg(&m);
	check_lapic(l, *now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct vlapic l;
	struct vioapic a;
	uint64_t now = 1000;

	vlapic_init(&l, (uint32_t)take(&in, 1), true);
	vioapic_init(&a, (uint8_t)take(&in, 1));
	while (in.left)
		step(&l, &a, &in, &now);
	return 0;
}
