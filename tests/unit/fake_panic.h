/* SPDX-License-Identifier: MIT */
/*
 * Catching panic() in host tests: arm, setjmp on fake_panic_env, and the fake
 * panic() records its message and longjmps back; unarmed, it aborts the test.
 */
#ifndef VIREO_TESTS_FAKE_PANIC_H
#define VIREO_TESTS_FAKE_PANIC_H

#include <setjmp.h>

extern jmp_buf fake_panic_env;

/* Use as: fake_panic_arm(); if (setjmp(fake_panic_env) == 0) { call; fail(); } */
void fake_panic_arm(void);
void fake_panic_disarm(void);
unsigned int fake_panic_count(void);
const char *fake_panic_message(void);

#endif
