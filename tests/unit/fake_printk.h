/* SPDX-License-Identifier: MIT */
/* Inspecting what code under test printed through printk(). */
#ifndef VIREO_TESTS_FAKE_PRINTK_H
#define VIREO_TESTS_FAKE_PRINTK_H

void fake_printk_clear(void);
int fake_printk_contains(const char *needle);
const char *fake_printk_log(void);

#endif
