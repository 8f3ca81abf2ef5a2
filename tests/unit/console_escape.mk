UNIT_TESTS += console_escape
console_escape_SRCS := tests/unit/test_console_escape.c sched/console_escape.c
