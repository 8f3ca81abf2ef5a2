# Double-fault conditions (guest/event_combine.c).
UNIT_TESTS += event_combine
event_combine_SRCS := tests/unit/test_event_combine.c guest/event_combine.c
