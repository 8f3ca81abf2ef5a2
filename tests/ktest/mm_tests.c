/* SPDX-License-Identifier: MIT */
/*
 * The "mm" self-test suite: frame allocator exhaustion and full return, the
 * heap, and page protections checked by deliberately faulting (write to
 * kernel text, execute from data, read page 0).
 */
#include "arch/x86/traps.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

#define RUN_PAGES 16

extern char __text_start[];

struct chunk {
	uint64_t next;
	uint64_t pages;
};

/* Allocate runs of RUN_PAGES pages, then single pages, until nothing is
 * left; the chain is threaded through the allocated pages themselves. */
static uint64_t grab_everything(size_t *count)
{
	uint64_t head = 0, pa;

	*count = 0;
	for (size_t want = RUN_PAGES; want; want = want == 1 ? 0 : 1) {
		while (pmm_alloc_pages(want, 1, &pa) == E_OK) {
			struct chunk *c = phys_to_virt(pa);

			c->next = head;
			c->pages = want;
			head = pa;
			*count += want;
		}
	}
	return head;
}

KTEST(mm, exhaust_and_free)
{
	size_t start = pmm_free_count(), got, dummy;
	uint64_t head = grab_everything(&got);

	ktest_diag(t, "allocated %zu frames (%zu MiB) before exhaustion", got, got >> 8);
	KT_ASSERT(t, got == start, "allocated %zu frames but %zu were free", got, start);
	KT_ASSERT(t, pmm_free_count() == 0, "free count %zu after exhaustion", pmm_free_count());
	KT_ASSERT(t, pmm_alloc_pages(1, 1, &dummy) == E_NOMEM, "allocation after exhaustion");
	while (head) {
		struct chunk *c = phys_to_virt(head);
		uint64_t next = c->next;

		KT_ASSERT(t, pmm_free_pages(head, c->pages) == E_OK, "free of 0x%llx failed",
			  (unsigned long long)head);
		head = next;
	}
	KT_ASSERT(t, pmm_free_count() == start, "free count %zu, started at %zu",
		  pmm_free_count(), start);
}

KTEST(mm, aligned_runs)
{
	uint64_t pa;

	KT_ASSERT(t, pmm_alloc_pages(8, 512, &pa) == E_OK, "no 2 MiB-aligned run of 8 pages");
	KT_EXPECT(t, (pa & ((2ull << 20) - 1)) == 0, "run at 0x%llx is not 2 MiB aligned",
		  (unsigned long long)pa);
	KT_ASSERT(t, pmm_free_pages(pa, 8) == E_OK, "free failed");
}

KTEST(mm, heap)
{
	size_t start = pmm_free_count();
	void *p[64];

	for (int i = 0; i < 64; i++) {
		p[i] = kmalloc(8 + 61 * i);
		KT_ASSERT(t, p[i] != NULL, "kmalloc(%d) failed", 8 + 61 * i);
		memset(p[i], i, 8 + 61 * i);
	}
	for (int i = 0; i < 64; i++) {
		KT_ASSERT(t, ((unsigned char *)p[i])[7] == i, "block %d was overwritten", i);
		kfree(p[i]);
	}
	KT_EXPECT(t, pmm_free_count() <= start, "heap returned more than it took");
}

KTEST(mm, text_is_read_only)
{
	int v = probe_write8(__text_start + 64, 0x90);

	KT_ASSERT(t, v == X86_TRAP_PF, "write to kernel text gave %d, expected #PF", v);
}

static const unsigned char ret_insn[1] = {0xc3};
static unsigned char data_ret[16] = {0xc3};

KTEST(mm, data_is_not_executable)
{
	int v;

	if (!(paging_lookup((uint64_t)(uintptr_t)data_ret, 0) & PTE_NX)) {
		ktest_fail(t, "data page has no NX bit (CPU without NX?)");
		return;
	}
	v = probe_exec(data_ret);
	KT_ASSERT(t, v == X86_TRAP_PF, "executing .data gave %d, expected #PF", v);
	v = probe_exec(ret_insn);
	KT_ASSERT(t, v == X86_TRAP_PF, "executing .rodata gave %d, expected #PF", v);
}

KTEST(mm, null_page_unmapped)
{
	int v = probe_read8((const void *)8);

	KT_ASSERT(t, v == X86_TRAP_PF, "reading address 8 gave %d, expected #PF", v);
}

KTEST(mm, no_writable_executable_kernel_page)
{
	extern char __kernel_start[], __kernel_end[];
	uint64_t va = (uint64_t)(uintptr_t)__kernel_start;

	while (va < (uint64_t)(uintptr_t)__kernel_end) {
		uint64_t size, pte = paging_lookup(va, &size);

		KT_ASSERT(t, pte, "kernel page 0x%llx unmapped", (unsigned long long)va);
		KT_ASSERT(t, !(pte & PTE_W) || (pte & PTE_NX), "kernel page 0x%llx is W+X",
			  (unsigned long long)va);
		va = (va & ~(size - 1)) + size;
	}
}
