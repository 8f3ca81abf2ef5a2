/*
 * Real-mode exception facts: rm.asm's blob copied below 1 MiB, the trip to
 * real-address mode and back, and its probes as facts: rm.NAME = the vector
 * ("ok" if none), rm.NAME.frame = the three words on the stack at delivery
 * (IP, CS, FLAGS: an error code, which real mode never pushes, would shift
 * them).
 */
#include "conform.h"

#define RM_ADDR 0x9000
#define RM_RESULTS 0x7000
#define RM_NO_VECTOR 0xffff
#define RM_NAMED_VECTORS 32

struct rm_record {
	uint16_t vector, w0, w1, w2;
};

/* In rm.asm's order. */
static const char *const rm_names[] = {
    "ud2",	    "div0",	  "int3", "int40", "ds_limit", "ss_limit", "wrmsr_efer_rsvd",
    "mov_cr4_rsvd", "step_cpuid", "into",
};
#define RM_PROBES (sizeof(rm_names) / sizeof(rm_names[0]))

extern const uint8_t rm_blob_start[], rm_blob_end[];
void rm_run(void);

void rmode_facts(void)
{
	struct rm_record *rec = phys(RM_RESULTS);
	char key[40];
	unsigned i;

	memcpy(phys(RM_ADDR), rm_blob_start, (size_t)(rm_blob_end - rm_blob_start));
	memset(rec, 0, RM_PROBES * sizeof(*rec));
	rm_run();
	for (i = 0; i < RM_PROBES; i++) {
		snprintf(key, sizeof(key), "rm.%s", rm_names[i]);
		if (rec[i].vector == RM_NO_VECTOR) {
			fact(key, "ok");
		} else if (rec[i].vector < RM_NAMED_VECTORS) {
			fact(key, "#%s", vector_name(rec[i].vector));
		} else {
			fact(key, "int%x", rec[i].vector);
		}
		snprintf(key, sizeof(key), "rm.%s.frame", rm_names[i]);
		fact(key, "%04x,%04x,%04x", rec[i].w0, rec[i].w1, rec[i].w2);
	}
}
