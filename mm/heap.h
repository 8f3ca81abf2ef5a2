/* SPDX-License-Identifier: MIT */
/*
 * Kernel heap: kmalloc/kzalloc/kfree on top of the frame allocator.
 * Power-of-two size classes of 16..2048 bytes come from 16 KiB slabs;
 * larger requests get whole, page-aligned page runs. Thread-safe.
 */
#ifndef VIREO_MM_HEAP_H
#define VIREO_MM_HEAP_H

#include <stddef.h>

/* Smallest block and its alignment; blocks of HEAP_PAGE_ALIGNED_MIN bytes
 * or more are page aligned. */
#define HEAP_MIN_ALIGN 16
#define HEAP_PAGE_ALIGNED_MIN 4096

/* NULL when memory is exhausted; kmalloc(0) returns a unique 16-byte block. */
void *kmalloc(size_t size);
/* kmalloc() and zero the block. */
void *kzalloc(size_t size);
/* Return a block; kfree(NULL) does nothing. A pointer that is not the start
 * of a live heap block (foreign, interior or already freed) is a bug: panic. */
void kfree(void *ptr);

/* Frames the heap holds from the frame allocator now (slabs, large runs and
 * its own directory); 0 when every block has been freed. */
size_t heap_pages_in_use(void);

#endif
