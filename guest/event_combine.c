/* SPDX-License-Identifier: MIT */
/*
 * Double-fault conditions (guest/event_combine.h). Table 6-4 puts each
 * vector in a class: contributory (#DE, #TS, #NP, #SS, #GP, #CP), page
 * fault (#PF, and #VE, which SDM Vol. 3A 6.15 treats as a page fault here),
 * or benign (everything else, including every interrupt). Table 6-5: a
 * contributory exception during a contributory one, and a contributory or
 * page fault during a page fault, give #DF; any other pair is handled
 * serially. Interrupt 8: a contributory exception or page fault while
 * delivering #DF shuts the processor down.
 */
#include "guest/event_combine.h"

enum event_class { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT };

#define CONTRIBUTORY_VECTORS                                                                       \
	((1u << 0) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 21))
#define PAGE_FAULT_VECTORS ((1u << 14) | (1u << 20))
#define EXCEPTION_VECTORS 32

static enum event_class class_of(uint8_t vector)
{
	if (vector >= EXCEPTION_VECTORS)
		return CLASS_BENIGN;
	if (CONTRIBUTORY_VECTORS & (1u << vector))
		return CLASS_CONTRIBUTORY;
	if (PAGE_FAULT_VECTORS & (1u << vector))
		return CLASS_PAGE_FAULT;
	return CLASS_BENIGN;
}

enum event_combine event_combine(bool first_is_exception, uint8_t first, uint8_t second)
{
	enum event_class a = first_is_exception ? class_of(first) : CLASS_BENIGN;
	enum event_class b = class_of(second);

	if (b == CLASS_BENIGN)
		return EVENT_SERIAL;
	if (first_is_exception && first == X86_VECTOR_DF)
		return EVENT_SHUTDOWN;
	if (a == CLASS_PAGE_FAULT || (a == CLASS_CONTRIBUTORY && b == CLASS_CONTRIBUTORY))
		return EVENT_DOUBLE_FAULT;
	return EVENT_SERIAL;
}
