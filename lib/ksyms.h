/* SPDX-License-Identifier: MIT */
/* Kernel symbol table (generated at link time by tools/ksyms.sh) lookups. */
#ifndef VIREO_LIB_KSYMS_H
#define VIREO_LIB_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
uint64_t ksyms_count_get(void);

#endif
