/* SPDX-License-Identifier: MIT */
/*
 * A fault raised while another event was being delivered: delivered after
 * it (serially), turned into a double fault, or a triple fault (shutdown),
 * by the exception classes of SDM Vol. 3A 6.15 "Exception and Interrupt
 * Reference", Interrupt 8, Tables 6-4 and 6-5. Pure, host-tested.
 */
#ifndef VIREO_GUEST_EVENT_COMBINE_H
#define VIREO_GUEST_EVENT_COMBINE_H

#include <stdbool.h>
#include <stdint.h>

#define X86_VECTOR_DF 8

enum event_combine {
	EVENT_SERIAL,	    /* deliver the second exception */
	EVENT_DOUBLE_FAULT, /* deliver #DF(0) instead */
	EVENT_SHUTDOWN,	    /* the CPU shuts down (triple fault) */
};

/*
 * first_is_exception: the interrupted event was a hardware exception
 * (vector first); an external interrupt, NMI or software interrupt or
 * exception (INT n, INT3, INTO, INT1) is benign whatever its vector.
 */
enum event_combine event_combine(bool first_is_exception, uint8_t first, uint8_t second);

#endif
