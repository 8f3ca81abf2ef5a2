/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: printk() with levels, filtered by vireo.log=<level>.
 * Output goes to every registered console (serial, port 0xE9).
 */
#ifndef VIREO_LIB_PRINTK_H
#define VIREO_LIB_PRINTK_H

#include <stdarg.h>

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

__attribute__((format(printf, 2, 3))) void printk(int level, const char *fmt, ...);
void vprintk(int level, const char *fmt, va_list ap);
void printk_set_level(int level);
#ifndef VIREO_HOST_TEST
#include <stdbool.h>
#include <stdint.h>
void printk_init_consoles(uint16_t uart_port);
bool printk_debugcon_present(void);
void printk_set_extra_console(void (*write)(int level, const char *s, int len));
void printk_enter_panic_mode(void);
#endif
int printk_get_level(void);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
