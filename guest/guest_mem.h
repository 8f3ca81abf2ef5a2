/* SPDX-License-Identifier: MIT */
/*
 * Access to guest memory from exit handlers and the VM layer: guest-linear
 * -> guest-physical through the guest's own page tables (when CR0.PG is
 * set), then guest-physical -> host-physical through the vCPU's address
 * space (vcpu_gspace_translate(): EPT under VT-x). Backend-neutral.
 */
#ifndef VIREO_GUEST_GUEST_MEM_H
#define VIREO_GUEST_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "guest/vcpu.h"

enum err guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa);
enum err guest_mem_read(struct vcpu *v, uint64_t gla, void *buf, size_t len);
enum err guest_mem_write(struct vcpu *v, uint64_t gla, const void *buf, size_t len);
/* Copy from guest-physical memory (hypercall buffers). */
enum err guest_phys_read(struct vcpu *v, uint64_t gpa, void *buf, size_t len);

#endif
