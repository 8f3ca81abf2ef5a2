UNIT_TESTS += sched
sched_SRCS := tests/unit/test_sched.c sched/sched.c lib/format.c lib/error.c
