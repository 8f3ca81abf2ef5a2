/* SPDX-License-Identifier: MIT */
/*
 * Port-I/O models of the small legacy platform a guest expects: QEMU fw_cfg,
 * CMOS/RTC, PCI configuration mechanism #1 with no devices, 8259 PIC and 8254
 * PIT stubs, and the ACPI PM1 event/control and PM timer blocks the guest
 * FADT points at. Pure logic: the caller supplies the time and tick count.
 */
#ifndef VIREO_DEV_PLATFORM_IO_H
#define VIREO_DEV_PLATFORM_IO_H

#include <stdbool.h>
#include <stdint.h>

/* QEMU docs/specs/fw_cfg.rst: the x86 I/O port interface and the keys we answer */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005
#define FW_CFG_MAX_CPUS 0x000f
#define FW_CFG_ID_TRADITIONAL (1u << 0) /* bit 1 (DMA) stays clear */

/* MC146818 RTC / CMOS at 0x70 (index, bit 7 = NMI disable) and 0x71 (data) */
#define CMOS_PORT_INDEX 0x70
#define CMOS_PORT_DATA 0x71
#define CMOS_NMI_DISABLE 0x80u
#define CMOS_INDEX_MASK 0x7Fu
#define CMOS_SIZE 128
#define CMOS_SECONDS 0x00
#define CMOS_MINUTES 0x02
#define CMOS_HOURS 0x04
#define CMOS_WEEKDAY 0x06
#define CMOS_DAY 0x07
#define CMOS_MONTH 0x08
#define CMOS_YEAR 0x09
#define CMOS_STATUS_A 0x0A
#define CMOS_STATUS_B 0x0B
#define CMOS_STATUS_C 0x0C
#define CMOS_STATUS_D 0x0D
#define CMOS_CENTURY 0x32		/* the FADT CENTURY field names this index */
#define CMOS_A_UIP 0x80u		/* update in progress: always clear here */
#define CMOS_A_DEFAULT 0x26u		/* 32.768 kHz divider, 1.024 kHz rate */
#define CMOS_B_24H 0x02u
#define CMOS_B_BINARY 0x04u		/* DM: 1 = binary, 0 = BCD */
#define CMOS_B_DEFAULT CMOS_B_24H
#define CMOS_D_VRT 0x80u		/* valid RAM and time */
#define CMOS_HOUR_PM 0x80u		/* 12-hour mode: PM flag in the hours byte */

/* PCI Local Bus 3.0 3.2.2.3.2: configuration mechanism #1 */
#define PCI_PORT_ADDRESS 0xCF8
#define PCI_PORT_DATA 0xCFC
#define PCI_PORT_DATA_LEN 4

/* 8259A PIC pair and 8254 PIT with the port-B (0x61) gate/status bits */
#define PIC1_PORT_CMD 0x20
#define PIC1_PORT_DATA 0x21
#define PIC2_PORT_CMD 0xA0
#define PIC2_PORT_DATA 0xA1
#define PIT_PORT_CH0 0x40
#define PIT_PORT_CMD 0x43
#define PIT_PORT_B 0x61
#define PIT_CHANNELS 3
#define PIT_HZ 1193182u

/* ACPI 6.5 4.8.1-4.8.3 fixed-hardware blocks at QEMU's PIIX4 PM addresses */
#define PM_PORT_BASE 0x600
#define PM1_EVT_PORT PM_PORT_BASE	/* PM1_STS (2 bytes) then PM1_EN (2 bytes) */
#define PM1_EVT_LEN 4
#define PM1_CNT_PORT (PM_PORT_BASE + 4)
#define PM1_CNT_LEN 2
#define PM_TMR_PORT (PM_PORT_BASE + 8)
#define PM_TMR_LEN 4
#define PM_TMR_HZ 3579545u		/* ACPI 6.5 4.8.3.3: 3.579545 MHz */
#define PM_TMR_MASK 0xFFFFFFu		/* 24-bit counter (FADT TMR_VAL_EXT clear) */
#define PM1_CNT_SCI_EN (1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN (1u << 13)

struct platform_rtc_time {
	uint16_t year;			/* e.g. 2025 */
	uint8_t month;			/* 1-12 */
	uint8_t day;			/* 1-31 */
	uint8_t hour;			/* 0-23 */
	uint8_t minute;
	uint8_t second;
};

struct platform_pic {
	uint8_t imr;
	uint8_t vector_base;		/* from ICW2 */
	uint8_t init_step;		/* 0 = ready, else next ICW number expected */
	bool single;			/* ICW1 SNGL: no ICW3 follows */
	bool need_icw4;
	bool read_isr;			/* OCW3: command port reads ISR, else IRR */
};

struct platform_pit_channel {
	uint32_t reload;		/* 1..65536 (a written 0 means 65536) */
	uint64_t start_ticks;		/* PIT ticks at the last reload write */
	uint8_t mode;
	uint8_t access;			/* 1 = low byte, 2 = high byte, 3 = low then high */
	bool write_high;		/* next lo/hi write is the high byte */
	bool read_high;			/* next lo/hi read is the high byte */
	bool latched;
	uint16_t latch;
	uint8_t write_low;		/* low byte held until the high byte arrives */
};

struct platform_io {
	/* set by the caller before use; now_ns updated before each access */
	unsigned ncpus;
	unsigned max_cpus;
	uint64_t ram_size;
	struct platform_rtc_time rtc_time;
	uint64_t now_ns;		/* monotonic time for the PIT and PM timer */

	/* device state; platform_io_init() sets it up */
	uint16_t fw_cfg_key;
	uint32_t fw_cfg_offset;
	uint8_t cmos_index;
	bool nmi_disabled;
	uint8_t cmos[CMOS_SIZE];
	uint32_t pci_address;
	struct platform_pic pic[2];
	struct platform_pit_channel pit[PIT_CHANNELS];
	uint8_t port_b;			/* 0x61 bits 0-1: gate 2, speaker enable */
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	bool sleep_requested;		/* the guest wrote SLP_EN; sleep_type says which */
	uint8_t sleep_type;
};

/* The wall-clock time @seconds after @t (Gregorian calendar, leap years
 * included): how a VM's CMOS clock advances from the host time at its start. */
void platform_rtc_advance(struct platform_rtc_time *t, uint64_t seconds);

/* Resets every device and zeroes rtc_time and now_ns: set those afterwards. */
void platform_io_init(struct platform_io *p, unsigned ncpus, uint64_t ram_size);

/*
 * Each returns whether the port belongs to it. For in == true it stores the
 * result in *value (size 1, 2 or 4 bytes, zero-extended); for writes it reads
 * the low size bytes of *value.
 */
bool fw_cfg_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);
bool cmos_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);
bool pci_cfg_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);
bool pic_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);
bool pit_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);
bool pm_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);

/* Tries every model above; false means no model owns the port. */
bool platform_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value);

#endif
