/* SPDX-License-Identifier: MIT */
/*
 * A VM's guest console on the host: bytes from the guest (COM1, the console
 * hypercall) become whole lines, shown as "[name] text", queued in a ring of
 * the VM's own and printed later, a bounded chunk at a time, by whoever
 * drains it (the scheduling loop, the end of a run). A token bucket limits
 * how many host-console bytes each VM may queue per second; lines over the
 * limit, or that find the ring full, are dropped and counted, and a line
 * "[name] ... N bytes of console output dropped (why)" takes their place.
 * The guest's exit path takes only this VM's lock, never the printk lock.
 */
#ifndef VIREO_VM_CONSOLE_H
#define VIREO_VM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"

#define VM_CONSOLE_LINE 160	    /* a line's text with its NUL; longer lines wrap */
#define VM_CONSOLE_NOTE_MAX 256	    /* a host note's text with its NUL */
#define VM_CONSOLE_RING 16384	    /* bytes of queued lines per VM (a power of two) */
#define VM_CONSOLE_RATE 2048	    /* host-console bytes per second per VM */
#define VM_CONSOLE_BURST 8192	    /* bytes a quiet VM may print at once */
#define VM_CONSOLE_DRAIN_BUDGET 256 /* host bytes one drain prints, at least a line */

/* Counters of a VM's console (totals since it was built). */
struct vm_console_stats {
	uint64_t lines;	       /* lines printed, notes included */
	uint64_t bytes;	       /* host-console bytes printed */
	uint64_t dropped_rate; /* guest bytes dropped: over the rate */
	uint64_t dropped_full; /* guest bytes dropped: the ring was full */
};

/* Public so it can be embedded in struct vm; use the functions below. */
struct vm_console {
	struct spinlock lock; /* all but `draining`; taken with interrupts off, briefly */
	const char *name;     /* the VM's: each line's "[name] " prefix */
	unsigned line_extra;  /* host bytes a line costs beyond its text */
	uint64_t (*clock_us)(void);
	char line[VM_CONSOLE_LINE]; /* the line being assembled */
	unsigned line_len;
	uint64_t line_raw; /* guest bytes that made it */
	uint8_t ring[VM_CONSOLE_RING];
	uint32_t head, tail;			   /* free-running: records are queued at head */
	uint64_t rate, burst;			   /* bytes per second, bytes */
	uint64_t tokens;			   /* bytes times US_PER_S (no rounding loss) */
	uint64_t refill_us;			   /* when tokens were last topped up */
	bool throttled;				   /* over the rate: wait for half the burst */
	uint64_t unreported_rate, unreported_full; /* dropped, no note yet */
	struct vm_console_stats stats;
	bool draining;		/* one drainer at a time keeps the lines in order */
	bool live;		/* the VM has the keyboard: show its line as it grows */
	unsigned live_shown;	/* bytes of the line being assembled already shown */
	uint64_t live_touch_us; /* when the guest last added to it (live only) */
};

/* @name must outlive the console; @clock_us gives the time in microseconds. */
void vm_console_init(struct vm_console *c, const char *name, uint64_t (*clock_us)(void));
/* Set the rate limit: @rate bytes per second, bursts of @burst (a full bucket). */
void vm_console_set_rate(struct vm_console *c, uint64_t rate, uint64_t burst);
/* The VM that has the host keyboard shows the line it is assembling as it
 * grows (a shell's prompt and the echo of what is typed), not only whole
 * lines; set while it has the keyboard. */
void vm_console_set_live(struct vm_console *c, bool live);
/* Before a host message: end the unfinished line a live console shows. */
void vm_console_live_break(void);
/* Bytes from the guest: CR is dropped, LF ends a line, a line too long
 * wraps, bytes other than printable ASCII and tab show as \xHH. */
void vm_console_put(struct vm_console *c, const char *buf, size_t len);
/* End the line being assembled (if any); @final: the VM's last words (its
 * exit), queued even over the rate. */
void vm_console_end_line(struct vm_console *c, bool final);
/* A host line about the VM ("stopped by Vireo: ..."), queued after its
 * output so far at printk @level; printed at once if the ring is full. */
__attribute__((format(printf, 3, 4))) void vm_console_note(struct vm_console *c, int level,
							   const char *fmt, ...);
/* Print queued lines, about @budget host-console bytes (at least one line);
 * returns the bytes printed. Returns 0 at once if another CPU drains. */
size_t vm_console_drain(struct vm_console *c, size_t budget);
/* End the partial line, note what was dropped and print everything queued. */
void vm_console_flush(struct vm_console *c);
/* Whether anything waits to be printed (lines, or a note on drops). */
bool vm_console_pending(struct vm_console *c);
void vm_console_get_stats(struct vm_console *c, struct vm_console_stats *out);

#endif
