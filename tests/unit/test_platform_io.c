/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/platform_io.c: fw_cfg items, CMOS/RTC time in BCD,
 * binary and 12-hour modes, PCI mechanism #1 with no devices, 8259 ICW/IMR
 * handling, 8254 counters and port B, the ACPI PM block, and port ownership.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/platform_io.h"

#define RAM_SIZE (64ull << 20)
#define NCPUS 4

static struct platform_io pio;

static int setup(void **state)
{
	platform_io_init(&pio, NCPUS, RAM_SIZE);
	pio.rtc_time = (struct platform_rtc_time){ 2025, 3, 14, 15, 9, 26 };
	return 0;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xDEADBEEF;

	assert_true(platform_io(&pio, port, size, true, &v));
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_true(platform_io(&pio, port, size, false, &v));
}

static uint8_t cmos(uint8_t index)
{
	out(CMOS_PORT_INDEX, 1, index);
	return (uint8_t)in(CMOS_PORT_DATA, 1);
}

static uint64_t fw_cfg_read(uint16_t key, unsigned len)
{
	uint64_t v = 0;
	unsigned i;

	out(FW_CFG_PORT_SEL, 2, key);
	for (i = 0; i < len; i++)
		v |= (uint64_t)in(FW_CFG_PORT_DATA, 1) << (8 * i);
	return v;
}

/* ---- fw_cfg ---- */

static void test_fw_cfg_signature(void **state)
{
	char sig[5] = { 0 };
	unsigned i;

	out(FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	for (i = 0; i < 4; i++)
		sig[i] = (char)in(FW_CFG_PORT_DATA, 1);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0);	/* past the end */
	assert_int_equal(fw_cfg_read(FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
}

static void test_fw_cfg_cpus_and_ram(void **state)
{
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), NCPUS);
	assert_int_equal(fw_cfg_read(FW_CFG_MAX_CPUS, 2), NCPUS);
	assert_int_equal(fw_cfg_read(FW_CFG_RAM_SIZE, 8), RAM_SIZE);
	platform_io_init(&pio, 300, 0x123456789Aull);
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), 300);
	assert_int_equal(fw_cfg_read(FW_CFG_RAM_SIZE, 8), 0x123456789Aull);
	/* Reselecting restarts at offset 0; a wide read packs bytes little-endian. */
	out(FW_CFG_PORT_SEL, 2, FW_CFG_NB_CPUS);
	assert_int_equal(in(FW_CFG_PORT_DATA, 2), 300);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0);
}

static void test_fw_cfg_unknown_key(void **state)
{
	assert_int_equal(fw_cfg_read(0x1234, 8), 0);
	assert_int_equal(fw_cfg_read(0x8000 | FW_CFG_NB_CPUS, 2), 0);
	out(FW_CFG_PORT_DATA, 1, 0x55);			/* data writes are ignored */
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), NCPUS);
}

/* ---- CMOS / RTC ---- */

static void test_cmos_bcd_time(void **state)
{
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
	assert_int_equal(cmos(CMOS_MINUTES), 0x09);
	assert_int_equal(cmos(CMOS_HOURS), 0x15);
	assert_int_equal(cmos(CMOS_DAY), 0x14);
	assert_int_equal(cmos(CMOS_MONTH), 0x03);
	assert_int_equal(cmos(CMOS_YEAR), 0x25);
	assert_int_equal(cmos(CMOS_CENTURY), 0x20);
	assert_int_equal(cmos(CMOS_WEEKDAY), 6);	/* 2025-03-14 was a Friday */
}

static void test_cmos_binary_time(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_B);
	out(CMOS_PORT_DATA, 1, CMOS_B_24H | CMOS_B_BINARY);
	assert_int_equal(cmos(CMOS_STATUS_B), CMOS_B_24H | CMOS_B_BINARY);
	assert_int_equal(cmos(CMOS_SECONDS), 26);
	assert_int_equal(cmos(CMOS_HOURS), 15);
	assert_int_equal(cmos(CMOS_YEAR), 25);
	assert_int_equal(cmos(CMOS_CENTURY), 20);
	pio.rtc_time = (struct platform_rtc_time){ 1999, 12, 31, 23, 59, 58 };
	assert_int_equal(cmos(CMOS_YEAR), 99);
	assert_int_equal(cmos(CMOS_CENTURY), 19);
	assert_int_equal(cmos(CMOS_WEEKDAY), 6);	/* a Friday too */
	pio.rtc_time = (struct platform_rtc_time){ 2024, 2, 29, 0, 0, 0 };
	assert_int_equal(cmos(CMOS_WEEKDAY), 5);	/* Thursday */
}

static void test_cmos_12_hour(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_B);
	out(CMOS_PORT_DATA, 1, 0);			/* BCD, 12-hour */
	assert_int_equal(cmos(CMOS_HOURS), CMOS_HOUR_PM | 0x03);
	pio.rtc_time.hour = 0;
	assert_int_equal(cmos(CMOS_HOURS), 0x12);
	pio.rtc_time.hour = 12;
	assert_int_equal(cmos(CMOS_HOURS), CMOS_HOUR_PM | 0x12);
}

static void test_cmos_status(void **state)
{
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, 0);
	assert_int_equal(cmos(CMOS_STATUS_B), CMOS_B_24H);
	assert_int_equal(cmos(CMOS_STATUS_D), CMOS_D_VRT);
	assert_int_equal(cmos(CMOS_STATUS_C), 0);
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_A);
	out(CMOS_PORT_DATA, 1, 0xFF);
	assert_int_equal(cmos(CMOS_STATUS_A), 0x7F);	/* UIP stays clear */
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_D);
	out(CMOS_PORT_DATA, 1, 0);
	assert_int_equal(cmos(CMOS_STATUS_D), CMOS_D_VRT);
	/* Clock registers follow the host time; guest writes are dropped. */
	out(CMOS_PORT_INDEX, 1, CMOS_SECONDS);
	out(CMOS_PORT_DATA, 1, 0x00);
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
}

static void test_cmos_nmi_bit_and_ram(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_NMI_DISABLE | 0x40);
	out(CMOS_PORT_DATA, 1, 0xA5);
	assert_true(pio.nmi_disabled);
	assert_int_equal(pio.cmos_index, 0x40);
	assert_int_equal(in(CMOS_PORT_INDEX, 1), CMOS_NMI_DISABLE | 0x40);
	assert_int_equal(cmos(0x40), 0xA5);		/* same byte without the NMI bit */
	assert_false(pio.nmi_disabled);
	out(CMOS_PORT_INDEX, 1, CMOS_NMI_DISABLE | CMOS_SECONDS);
	assert_int_equal(in(CMOS_PORT_DATA, 1), 0x26);
	out(CMOS_PORT_INDEX, 1, 0x7F);
	out(CMOS_PORT_DATA, 1, 0x3C);
	assert_int_equal(cmos(0x7F), 0x3C);
	assert_int_equal(cmos(0x41), 0);
}

/* ---- PCI ---- */

static void test_pci_no_devices(void **state)
{
	out(PCI_PORT_ADDRESS, 4, 0x80000000u);
	assert_int_equal(in(PCI_PORT_ADDRESS, 4), 0x80000000u);
	out(PCI_PORT_ADDRESS, 4, 0x8000F808u);
	assert_int_equal(in(PCI_PORT_ADDRESS, 4), 0x8000F808u);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
	assert_int_equal(in(PCI_PORT_DATA + 2, 2), 0xFFFF);
	assert_int_equal(in(PCI_PORT_DATA + 3, 1), 0xFF);
	out(PCI_PORT_DATA, 4, 0);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
}

static void test_pci_narrow_address_not_claimed(void **state)
{
	uint32_t v = 0x06;

	assert_false(platform_io(&pio, PCI_PORT_ADDRESS + 1, 1, false, &v));	/* 0xCF9 */
	assert_false(platform_io(&pio, PCI_PORT_ADDRESS, 1, true, &v));
	assert_false(platform_io(&pio, PCI_PORT_DATA + 4, 1, true, &v));
}

/* ---- PIC ---- */

static void pic_init(uint16_t cmd, uint16_t data, uint8_t base, uint8_t icw3)
{
	out(cmd, 1, 0x11);				/* ICW1: edge, cascade, ICW4 */
	out(data, 1, base);
	out(data, 1, icw3);
	out(data, 1, 0x01);				/* ICW4: 8086 mode */
}

static void test_pic_imr_readback(void **state)
{
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFF);
	pic_init(PIC1_PORT_CMD, PIC1_PORT_DATA, 0x20, 0x04);
	pic_init(PIC2_PORT_CMD, PIC2_PORT_DATA, 0x28, 0x02);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0);	/* ICW1 cleared the IMR */
	assert_int_equal(pio.pic[0].vector_base, 0x20);
	assert_int_equal(pio.pic[1].vector_base, 0x28);
	assert_int_equal(pio.pic[0].init_step, 0);
	out(PIC1_PORT_DATA, 1, 0xFB);
	out(PIC2_PORT_DATA, 1, 0xFF);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFB);
	assert_int_equal(in(PIC2_PORT_DATA, 1), 0xFF);
	out(PIC1_PORT_CMD, 1, 0x20);			/* OCW2: EOI */
	out(PIC1_PORT_CMD, 1, 0x0B);			/* OCW3: read ISR */
	assert_int_equal(in(PIC1_PORT_CMD, 1), 0);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFB);
}

static void test_pic_single_no_icw4(void **state)
{
	out(PIC1_PORT_CMD, 1, 0x12);			/* ICW1: single, no ICW4 */
	out(PIC1_PORT_DATA, 1, 0x30);			/* ICW2 */
	out(PIC1_PORT_DATA, 1, 0x7E);			/* already OCW1 */
	assert_int_equal(pio.pic[0].vector_base, 0x30);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0x7E);
}

/* ---- PIT and port B ---- */

static void test_pit_counter_decreases(void **state)
{
	uint32_t first, second;

	pio.now_ns = 1000000;
	out(PIT_PORT_CMD, 1, 0x34);			/* ch0, lo/hi, mode 2 */
	out(PIT_PORT_CH0, 1, 0x00);
	out(PIT_PORT_CH0, 1, 0x80);			/* reload 0x8000 */
	pio.now_ns += 1000000;				/* 1 ms = 1193 ticks */
	out(PIT_PORT_CMD, 1, 0x00);			/* latch ch0 */
	first = in(PIT_PORT_CH0, 1);
	first |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(first, 0x8000 - 1193);
	pio.now_ns += 500000;
	second = in(PIT_PORT_CH0, 1);
	second |= in(PIT_PORT_CH0, 1) << 8;
	assert_true(second < first);
	assert_int_equal(in(PIT_PORT_CMD, 1), 0xFF);
}

static void test_pit_latch_holds_value(void **state)
{
	uint32_t v;

	out(PIT_PORT_CMD, 1, 0x34);
	out(PIT_PORT_CH0, 1, 0xE8);
	out(PIT_PORT_CH0, 1, 0x03);			/* 1000 */
	out(PIT_PORT_CMD, 1, 0xC2);			/* read-back: latch count of ch0 */
	pio.now_ns += 100000;
	v = in(PIT_PORT_CH0, 1);
	v |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(v, 1000);
	v = in(PIT_PORT_CH0, 1);
	v |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(v, 1000 - 119);		/* latch released */
}

/* The channel-2 TSC calibration pattern: gate on, mode 0, poll OUT2. */
static void test_pit_channel2_out(void **state)
{
	out(PIT_PORT_B, 1, (in(PIT_PORT_B, 1) & ~0x02u) | 0x01);
	out(PIT_PORT_CMD, 1, 0xB0);			/* ch2, lo/hi, mode 0 */
	out(PIT_PORT_CH0 + 2, 1, 0x9B);
	out(PIT_PORT_CH0 + 2, 1, 0x2E);			/* 11931 ticks, 10 ms */
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	pio.now_ns += 9000000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	pio.now_ns += 1100000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0x20);
	assert_int_equal(in(PIT_PORT_B, 1) & 0x03, 0x01);
}

/* ---- ACPI PM block ---- */

static void test_pm_block(void **state)
{
	uint32_t t1, t2;

	assert_int_equal(in(PM1_CNT_PORT, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	out(PM1_EVT_PORT + 2, 2, 0x0121);
	assert_int_equal(in(PM1_EVT_PORT + 2, 2), 0x0121);
	assert_int_equal(in(PM1_EVT_PORT, 4), 0x01210000u);
	pio.now_ns = 1000000000ull;
	t1 = in(PM_TMR_PORT, 4);
	assert_int_equal(t1, PM_TMR_HZ & PM_TMR_MASK);
	pio.now_ns += 1000;
	t2 = in(PM_TMR_PORT, 4);
	assert_true(t2 > t1);
	assert_false(pio.sleep_requested);
	out(PM1_CNT_PORT, 2, PM1_CNT_SLP_EN | 5u << PM1_CNT_SLP_TYP_SHIFT);
	assert_true(pio.sleep_requested);
	assert_int_equal(pio.sleep_type, 5);
	assert_int_equal(in(PM1_CNT_PORT, 2) & PM1_CNT_SLP_EN, 0);
}

/* ---- ownership ---- */

static void test_unknown_ports_not_claimed(void **state)
{
	static const uint16_t ports[] = { 0x3F8, 0xF4, 0x8900, 0x80, 0x514, 0x60, 0x64,
					  0x44, 0x22, 0xA2, 0x72, 0x5FF, 0x60C, 0xCF7, 0xD00 };
	uint32_t v = 0x1234;
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		assert_false(platform_io(&pio, ports[i], 1, true, &v));
		assert_false(platform_io(&pio, ports[i], 1, false, &v));
	}
	assert_int_equal(v, 0x1234);
	assert_true(fw_cfg_io(&pio, FW_CFG_PORT_SEL, 2, false, &v));
	assert_false(fw_cfg_io(&pio, CMOS_PORT_INDEX, 1, false, &v));
	assert_false(cmos_io(&pio, FW_CFG_PORT_SEL, 2, false, &v));
	assert_false(pic_io(&pio, PIT_PORT_CH0, 1, true, &v));
	assert_false(pit_io(&pio, PIC1_PORT_CMD, 1, true, &v));
}

static void expect_time(struct platform_rtc_time t, uint64_t add, struct platform_rtc_time want)
{
	platform_rtc_advance(&t, add);
	assert_int_equal(t.year, want.year);
	assert_int_equal(t.month, want.month);
	assert_int_equal(t.day, want.day);
	assert_int_equal(t.hour, want.hour);
	assert_int_equal(t.minute, want.minute);
	assert_int_equal(t.second, want.second);
}

/* The CMOS clock advances across minutes, days, month ends and leap days. */
static void test_rtc_advance(void **state)
{
	(void)state;
	expect_time((struct platform_rtc_time){2025, 3, 14, 15, 9, 26}, 0,
		    (struct platform_rtc_time){2025, 3, 14, 15, 9, 26});
	expect_time((struct platform_rtc_time){2025, 3, 14, 15, 9, 26}, 34,
		    (struct platform_rtc_time){2025, 3, 14, 15, 10, 0});
	expect_time((struct platform_rtc_time){1999, 12, 31, 23, 59, 58}, 3,
		    (struct platform_rtc_time){2000, 1, 1, 0, 0, 1});
	expect_time((struct platform_rtc_time){2024, 2, 28, 23, 0, 0}, 3600,
		    (struct platform_rtc_time){2024, 2, 29, 0, 0, 0});
	expect_time((struct platform_rtc_time){2100, 2, 28, 12, 0, 0}, 86400,
		    (struct platform_rtc_time){2100, 3, 1, 12, 0, 0});
	expect_time((struct platform_rtc_time){2000, 2, 28, 0, 0, 0}, 86400,
		    (struct platform_rtc_time){2000, 2, 29, 0, 0, 0});
	expect_time((struct platform_rtc_time){2026, 11, 24, 20, 0, 0}, 366ull * 86400,
		    (struct platform_rtc_time){2027, 11, 25, 20, 0, 0});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fw_cfg_signature, setup),
		cmocka_unit_test_setup(test_fw_cfg_cpus_and_ram, setup),
		cmocka_unit_test_setup(test_fw_cfg_unknown_key, setup),
		cmocka_unit_test_setup(test_cmos_bcd_time, setup),
		cmocka_unit_test_setup(test_cmos_binary_time, setup),
		cmocka_unit_test_setup(test_cmos_12_hour, setup),
		cmocka_unit_test_setup(test_cmos_status, setup),
		cmocka_unit_test_setup(test_cmos_nmi_bit_and_ram, setup),
		cmocka_unit_test_setup(test_pci_no_devices, setup),
		cmocka_unit_test_setup(test_pci_narrow_address_not_claimed, setup),
		cmocka_unit_test_setup(test_pic_imr_readback, setup),
		cmocka_unit_test_setup(test_pic_single_no_icw4, setup),
		cmocka_unit_test_setup(test_pit_counter_decreases, setup),
		cmocka_unit_test_setup(test_pit_latch_holds_value, setup),
		cmocka_unit_test_setup(test_pit_channel2_out, setup),
		cmocka_unit_test_setup(test_pm_block, setup),
		cmocka_unit_test_setup(test_unknown_ports_not_claimed, setup),
		cmocka_unit_test(test_rtc_advance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
