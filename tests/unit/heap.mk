UNIT_TESTS += heap
heap_SRCS := tests/unit/test_heap.c mm/heap.c mm/pmm.c lib/error.c tests/unit/fake_printk.c \
	tests/unit/fake_panic.c tests/unit/fake_irq.c
heap_CFLAGS := -pthread
