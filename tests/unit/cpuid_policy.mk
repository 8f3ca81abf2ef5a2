# The CPUID policy tables (guest/cpuid_policy.c) and docs/cpuid.md.
UNIT_TESTS += cpuid_policy
cpuid_policy_SRCS := tests/unit/test_cpuid_policy.c guest/cpuid_policy.c
