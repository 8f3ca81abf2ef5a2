/* SPDX-License-Identifier: MIT */
/*
 * Access to guest memory from exit handlers and the VM layer: guest-linear
 * -> guest-physical through the guest's own page tables (when CR0.PG is
 * set), then guest-physical -> host-physical through the vCPU's address
 * space (vcpu_gspace_translate(): EPT under VT-x). Backend-neutral.
 */
#ifndef VIREO_GUEST_GUEST_MEM_H
#define VIREO_GUEST_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "guest/gva.h"
#include "guest/vcpu.h"

/* A page fault an access by the guest itself raised: CR2 and the error code. */
struct guest_fault {
	uint64_t addr;
	uint32_t error;
};

enum err guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa);
enum err guest_mem_read(struct vcpu *v, uint64_t gla, void *buf, size_t len);
enum err guest_mem_write(struct vcpu *v, uint64_t gla, const void *buf, size_t len);
/* Where a checked access lands in host memory: up to two pieces (pages). */
struct guest_span {
	uint8_t *hva[2];
	size_t len[2];
};

/*
 * An access the guest makes itself (string I/O): len bytes at gla, at most
 * one page's worth, checked against the guest's own page tables as the CPU
 * would (guest/gva.c) and mapped into *sp before any byte moves. E_NOENT: a
 * page fault, described in *f; E_INVAL: a non-canonical address; E_RANGE:
 * memory the VM does not have.
 */
enum err guest_mem_map(struct vcpu *v, uint64_t gla, size_t len, const struct gva_access *a,
		       struct guest_span *sp, struct guest_fault *f);
/* Copy buf into the mapped span (to_guest) or out of it. */
void guest_span_copy(const struct guest_span *sp, void *buf, bool to_guest);
/* Copy from guest-physical memory (hypercall buffers). */
enum err guest_phys_read(struct vcpu *v, uint64_t gpa, void *buf, size_t len);

#endif
