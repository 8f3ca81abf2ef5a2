UNIT_TESTS += topology
topology_SRCS := tests/unit/test_topology.c arch/x86/topology.c tests/unit/fake_cpu.c \
	tests/unit/fake_printk.c lib/error.c lib/format.c
