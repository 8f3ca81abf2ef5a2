# The machine report's packages / cores / threads-per-core breakdown.
UNIT_TESTS += report_topo
report_topo_SRCS := tests/unit/test_report_topo.c kernel/report_topo.c arch/x86/topology.c \
	tests/unit/fake_cpu.c tests/unit/fake_printk.c lib/error.c lib/format.c
