# tests for src/base
cairn_test(test_base unit SOURCES unit/base/test_base.c LIBS cairn_base)
