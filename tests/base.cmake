# tests for src/base
cairn_test(test_base unit SOURCES unit/base/test_base.c LIBS cairn_base)
cairn_test(test_addr unit SOURCES unit/base/test_addr.c LIBS cairn_base)
# grow.h: the wrapped realloc fails on demand (allocation failure leaves the array whole)
cairn_test(test_grow unit SOURCES unit/base/test_grow.c LIBS cairn_base)
target_link_options(test_grow PRIVATE -Wl,--wrap=realloc)
