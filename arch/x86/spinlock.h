/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks (FIFO fair) with IRQ-saving variants. Pure GCC atomics plus
 * the cpu_irq_* accessors, so they also build in host unit tests.
 */
#ifndef VIREO_ARCH_X86_SPINLOCK_H
#define VIREO_ARCH_X86_SPINLOCK_H

#include <stdint.h>
#include "arch/x86/cpu.h"

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
};

#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_pause();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = cpu_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	cpu_irq_restore(flags);
}

#endif
