# tests for src/base
cairn_test(test_base unit SOURCES unit/base/test_base.c LIBS cairn_base)
cairn_test(test_addr unit SOURCES unit/base/test_addr.c LIBS cairn_base)
