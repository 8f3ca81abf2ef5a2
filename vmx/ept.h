/* SPDX-License-Identifier: MIT */
/*
 * Extended page tables (SDM Vol. 3C 29.3): a 4-level guest-physical to
 * host-physical map built with the largest page that fits, the EPTP that
 * points the VMCS at it (SDM 3C 25.6.11), and a decoder for EPT-violation
 * exit qualifications (SDM 3C 28.2.1, Table 28-7).
 */
#ifndef VIREO_VMX_EPT_H
#define VIREO_VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

/* Access permissions passed to ept_map() and returned by ept_translate(). */
#define EPT_R (1u << 0)
#define EPT_W (1u << 1)
#define EPT_X (1u << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/* EPT memory types for leaf entries (SDM 3C 29.3.7; 2, 3 and 7 are reserved). */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

/* EPT paging-structure entry bits (SDM 3C 29.3.2, Tables 29-1 to 29-6). */
#define EPTE_R (1ull << 0)
#define EPTE_W (1ull << 1)
#define EPTE_X (1ull << 2)
#define EPTE_RWX (EPTE_R | EPTE_W | EPTE_X)
#define EPTE_MT_SHIFT 3
#define EPTE_MT_MASK (7ull << EPTE_MT_SHIFT)
#define EPTE_IPAT (1ull << 6) /* leaf: ignore guest PAT */
#define EPTE_PS (1ull << 7)   /* PDPTE: 1 GiB page, PDE: 2 MiB page */
#define EPTE_A (1ull << 8)    /* accessed, when EPTP A/D is on */
#define EPTE_D (1ull << 9)    /* dirty (leaf), when EPTP A/D is on */
#define EPTE_UX (1ull << 10)  /* user-mode execute, with mode-based execute control */
#define EPTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */

#define EPT_PAGE_4K (1ull << 12)
#define EPT_PAGE_2M (1ull << 21)
#define EPT_PAGE_1G (1ull << 30)
#define EPT_GPA_LIMIT (1ull << 48) /* a 4-level walk translates 48 bits */
#define EPT_HPA_LIMIT (1ull << 52) /* entries hold address bits 51:12 */

/* EPTP fields (SDM 3C 25.6.11). */
#define EPTP_MT_WB 6ull
#define EPTP_WALK_SHIFT 3
#define EPTP_WALK_4LEVEL (3ull << EPTP_WALK_SHIFT) /* page-walk length minus 1 */
#define EPTP_AD (1ull << 6)

/* EPT-violation exit qualification (SDM 3C 28.2.1, Table 28-7). */
#define EPT_QUAL_READ (1ull << 0)
#define EPT_QUAL_WRITE (1ull << 1)
#define EPT_QUAL_FETCH (1ull << 2)
#define EPT_QUAL_READABLE (1ull << 3)
#define EPT_QUAL_WRITABLE (1ull << 4)
#define EPT_QUAL_EXECUTABLE (1ull << 5)
#define EPT_QUAL_GLA_VALID (1ull << 7)
#define EPT_QUAL_GLA_FINAL (1ull << 8) /* 1: the access was to the translation, 0: page walk */
#define EPT_QUAL_NMI_UNBLOCK (1ull << 12)
#define EPT_QUAL_SHADOW_STACK (1ull << 13)
#define EPT_QUAL_PAGING_VERIFY (1ull << 15)
#define EPT_QUAL_ASYNC (1ull << 16)

/* Table trees one EPT change may detach before it invalidates (more: it
 * invalidates early). */
#define EPT_DEFERRED_MAX 16

struct ept {
	uint64_t root_pa; /* PML4 table; 0 before ept_init() and after ept_destroy() */
	bool allow_1g;	  /* IA32_VMX_EPT_VPID_CAP bit 17; used only with allow_2m */
	bool allow_2m;	  /* IA32_VMX_EPT_VPID_CAP bit 16 */
	bool ad;	  /* IA32_VMX_EPT_VPID_CAP bit 21, and wanted */
	enum err (*alloc_table)(void *ctx, uint64_t *pa); /* one zeroed 4 KiB page */
	void (*free_table)(void *ctx, uint64_t pa);
	void *ctx;
	unsigned tables; /* tables held, root included */
	/*
	 * Cached translations (SDM 3C 29.4.3): a CPU may hold guest-physical
	 * and combined mappings derived from any entry that was present. stale
	 * is set when ept_map/ept_unmap changed or removed such an entry and
	 * cleared once invalidate() succeeded. invalidate must flush this EPT
	 * on every CPU that may have used it before it returns; NULL leaves
	 * stale set for the owner (host tests).
	 */
	bool stale;
	enum err (*invalidate)(struct ept *e);
	/* With invalidate: table trees detached by a change, freed only after
	 * the invalidation (or by ept_destroy). */
	uint64_t deferred[EPT_DEFERRED_MAX];
	unsigned ndeferred;
};

/* Allocate the root table; alloc_table and free_table must be set (E_INVAL). */
enum err ept_init(struct ept *e);
/*
 * Root allocated from the global frame allocator (pmm_alloc_page/pmm_free_pages);
 * invalidate = INVEPT on every CPU in VMX operation, by cross-call.
 */
enum err ept_init_kernel(struct ept *e, bool allow_1g, bool allow_2m, bool ad);

/*
 * Map [gpa, gpa+size) to [hpa, ...) with perms (EPT_R|EPT_W|EPT_X, readable:
 * write-only and execute-only are refused with E_INVAL) and memtype (EPT_MT_*).
 * Uses the largest allowed page where gpa and hpa are both aligned and splits
 * large pages whose sub-range changes. E_ALIGN for addresses or size not
 * 4 KiB aligned, E_RANGE past 48 guest-physical (52 host-physical) bits,
 * E_NOMEM when a table cannot be allocated: the part of the range before
 * the failure is then mapped, everything else is as it was.
 */
enum err ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms,
		 unsigned memtype);
/*
 * Remove [gpa, gpa+size); unmapped parts are skipped. Splitting may need E_NOMEM.
 *
 * ept_map and ept_unmap change the tables in place; when an entry that was
 * present changed (an unmap, new permissions or target, even the part of a
 * range done before a failure) they call invalidate before returning and
 * return its error if the change itself succeeded. A kernel EPT's
 * invalidate waits for a cross-call to every CPU: not from an exit handler
 * or a cross-call (two CPUs waiting for each other end in E_TIMEOUT).
 * Filling entries that were not present needs no invalidation (nothing is
 * cached from them, SDM 3C 29.4.3.3), so building a VM's EPT before its
 * vCPUs run, all Vireo does today, never cross-calls.
 */
enum err ept_unmap(struct ept *e, uint64_t gpa, uint64_t size);
/* Leaf entry mapping gpa (0 if none); hpa gets gpa's translation, page_size the page's size. */
uint64_t ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *page_size);
/* gpa's host-physical address and effective EPT_* permissions: E_NOENT, E_RANGE. */
enum err ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned *perms);
/*
 * Free every table, root included, through free_table; tables becomes 0.
 * Only once no vCPU uses the EPT. No INVEPT here: translations tagged with
 * this root stay cached until another EPT reuses the frame as its root,
 * and every VMCS load flushes its EPTP on the loading CPU before the first
 * entry there (vmx/vcpu.c, vcpu_load_new and vmx_vcpu_switch).
 */
void ept_destroy(struct ept *e);
/* EPTP for the VMCS: write-back, 4-level walk, A/D flags when e->ad. */
uint64_t ept_eptp(const struct ept *e);

/* One line saying what an EPT-violation exit qualification reports. */
void ept_violation_describe(uint64_t qual, char *buf, size_t n);

/* The VT-x guest-physical address space of guest/vcpu.h: an EPT. */
struct vcpu_gspace {
	struct ept ept;
};

#endif
