/* SPDX-License-Identifier: MIT */
/*
 * Kernel heap. Small blocks live in 16 KiB slabs (header with an allocation
 * bitmap, then equal objects); big blocks are page runs. A sorted directory
 * of every span the heap owns validates each kfree() before it is trusted.
 */
#include "mm/heap.h"
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define HEAP_MIN_SHIFT 4  /* 16 bytes */
#define HEAP_MAX_SHIFT 11 /* 2048 bytes */
#define HEAP_CLASSES (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_SMALL_MAX (1ul << HEAP_MAX_SHIFT)

#define SLAB_PAGES 4
#define SLAB_BYTES (SLAB_PAGES * PAGE_SIZE)
#define SLAB_MAX_OBJECTS (SLAB_BYTES >> HEAP_MIN_SHIFT)
#define SLAB_MAP_WORDS (SLAB_MAX_OBJECTS / 64)
#define SLAB_MAGIC 0x5649524542534c42ull /* "VIREBSLB" */
#define CACHE_LINE 64
#define SLAB_OBJ_OFFSET ((sizeof(struct slab) + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1))

struct slab {
	uint64_t magic;
	struct slab *next, *prev; /* partial list of its class */
	uint32_t obj_size;
	uint32_t capacity;
	uint32_t in_use;
	uint32_t cls;
	uint64_t used[SLAB_MAP_WORDS]; /* bit set = object allocated */
};

/* One run of pages the heap owns: a slab or a large block. */
struct heap_span {
	uintptr_t base;
	uint32_t pages;
	uint32_t is_slab;
};

#define SPANS_PER_PAGE (PAGE_SIZE / sizeof(struct heap_span))

static struct spinlock heap_lock = SPINLOCK_INIT;
static struct slab *partial[HEAP_CLASSES];
static struct heap_span *spans; /* sorted by base */
static size_t span_count, span_cap, span_pages;
static size_t pages_held;

_Static_assert(SLAB_OBJ_OFFSET % HEAP_MIN_ALIGN == 0, "slab objects must be 16-byte aligned");
_Static_assert(HEAP_SMALL_MAX < HEAP_PAGE_ALIGNED_MIN, "small blocks are never page sized");

/* ---- the span directory ------------------------------------------------------ */

/* Index of the first span with base > addr. */
static size_t span_upper(uintptr_t addr)
{
	size_t lo = 0, hi = span_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (spans[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct heap_span *span_find(uintptr_t addr)
{
	size_t i = span_upper(addr);

	if (i && addr < spans[i - 1].base + spans[i - 1].pages * PAGE_SIZE)
		return &spans[i - 1];
	return NULL;
}

static void release_pages(uintptr_t base, size_t pages)
{
	pmm_free_pages(virt_to_phys((void *)base), pages);
	pages_held -= pages;
}

static bool span_grow(void)
{
	size_t new_pages = span_pages ? span_pages * 2 : 1;
	struct heap_span *old = spans;
	uint64_t pa;

	if (pmm_alloc_pages(new_pages, 1, &pa) != E_OK)
		return false;
	pages_held += new_pages;
	spans = phys_to_virt(pa);
	if (old) {
		memcpy(spans, old, span_count * sizeof(*spans));
		release_pages((uintptr_t)old, span_pages);
	}
	span_pages = new_pages;
	span_cap = new_pages * SPANS_PER_PAGE;
	return true;
}

static bool span_insert(uintptr_t base, size_t pages, bool is_slab)
{
	size_t i;

	if (span_count == span_cap && !span_grow())
		return false;
	i = span_upper(base);
	memmove(&spans[i + 1], &spans[i], (span_count - i) * sizeof(*spans));
	spans[i] = (struct heap_span){base, (uint32_t)pages, is_slab};
	span_count++;
	return true;
}

static void span_remove(struct heap_span *s)
{
	size_t i = (size_t)(s - spans);

	memmove(&spans[i], &spans[i + 1], (span_count - i - 1) * sizeof(*spans));
	if (--span_count == 0) {
		release_pages((uintptr_t)spans, span_pages);
		spans = NULL;
		span_cap = span_pages = 0;
	}
}

/* ---- slabs --------------------------------------------------------------------- */

static unsigned int size_class(size_t size)
{
	if (size <= (1ul << HEAP_MIN_SHIFT))
		return 0;
	return (unsigned int)(64 - __builtin_clzll(size - 1)) - HEAP_MIN_SHIFT;
}

static void partial_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

static void partial_unlink(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static struct slab *slab_new(unsigned int cls)
{
	struct slab *s;
	uint64_t pa;

	if (pmm_alloc_pages(SLAB_PAGES, 1, &pa) != E_OK)
		return NULL;
	pages_held += SLAB_PAGES;
	s = phys_to_virt(pa);
	if (!span_insert((uintptr_t)s, SLAB_PAGES, true)) {
		release_pages((uintptr_t)s, SLAB_PAGES);
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cls = cls;
	s->obj_size = 1u << (cls + HEAP_MIN_SHIFT);
	s->capacity = (uint32_t)((SLAB_BYTES - SLAB_OBJ_OFFSET) / s->obj_size);
	partial_push(s);
	return s;
}

static void *slab_take(struct slab *s)
{
	for (uint32_t w = 0; w < SLAB_MAP_WORDS; w++) {
		uint32_t bit, idx;

		if (s->used[w] == ~0ull)
			continue;
		bit = (uint32_t)__builtin_ctzll(~s->used[w]);
		idx = w * 64 + bit;
		if (idx >= s->capacity)
			break;
		s->used[w] |= 1ull << bit;
		if (++s->in_use == s->capacity)
			partial_unlink(s);
		return (uint8_t *)s + SLAB_OBJ_OFFSET + (size_t)idx * s->obj_size;
	}
	return NULL;
}

static void *small_alloc(size_t size)
{
	unsigned int cls = size_class(size);
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	struct slab *s = partial[cls] ? partial[cls] : slab_new(cls);
	void *p = s ? slab_take(s) : NULL;

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

static void *large_alloc(size_t size)
{
	size_t pages;
	uint64_t pa, flags;
	bool ok;

	if (size > SIZE_MAX - (PAGE_SIZE - 1))
		return NULL;
	pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > UINT32_MAX || pmm_alloc_pages(pages, 1, &pa) != E_OK)
		return NULL;
	flags = spin_lock_irqsave(&heap_lock);
	pages_held += pages;
	ok = span_insert((uintptr_t)phys_to_virt(pa), pages, false);
	if (!ok)
		release_pages((uintptr_t)phys_to_virt(pa), pages);
	spin_unlock_irqrestore(&heap_lock, flags);
	return ok ? phys_to_virt(pa) : NULL;
}

void *kmalloc(size_t size)
{
	return size <= HEAP_SMALL_MAX ? small_alloc(size) : large_alloc(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* ---- freeing ------------------------------------------------------------------- */

/* Why ptr cannot be freed from slab s, or NULL after freeing it. */
static const char *slab_put(struct slab *s, uintptr_t ptr)
{
	uintptr_t off = ptr - (uintptr_t)s;
	uint32_t idx;

	if (s->magic != SLAB_MAGIC)
		return "its slab header is corrupted";
	if (off < SLAB_OBJ_OFFSET || (off - SLAB_OBJ_OFFSET) % s->obj_size)
		return "it is not the start of a block";
	idx = (uint32_t)((off - SLAB_OBJ_OFFSET) / s->obj_size);
	if (idx >= s->capacity)
		return "it is past the last block of its slab";
	if (!(s->used[idx / 64] & (1ull << (idx % 64))))
		return "it was already freed";
	s->used[idx / 64] &= ~(1ull << (idx % 64));
	if (s->in_use-- == s->capacity)
		partial_push(s);
	return NULL;
}

/* Why ptr cannot be freed, or NULL after freeing it. */
static const char *heap_put(uintptr_t ptr)
{
	struct heap_span *span = span_find(ptr);
	uintptr_t base;
	const char *why;

	if (!span)
		return "it is not heap memory (or its block was freed)";
	base = span->base;
	if (!span->is_slab) {
		if (ptr != base)
			return "it points inside a large block";
		release_pages(base, span->pages);
		span_remove(span);
		return NULL;
	}
	why = slab_put((struct slab *)base, ptr);
	if (!why && ((struct slab *)base)->in_use == 0) {
		partial_unlink((struct slab *)base);
		((struct slab *)base)->magic = 0;
		release_pages(base, SLAB_PAGES);
		span_remove(span);
	}
	return why;
}

void kfree(void *ptr)
{
	uint64_t flags;
	const char *why;

	if (!ptr)
		return;
	flags = spin_lock_irqsave(&heap_lock);
	why = heap_put((uintptr_t)ptr);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (why)
		panic("BUG: kfree(%p): %s; the caller frees memory it does not own", ptr, why);
}

size_t heap_pages_in_use(void)
{
	return __atomic_load_n(&pages_held, __ATOMIC_RELAXED);
}
