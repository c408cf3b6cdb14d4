# tests for src/web: the pure parts (sessions, rate limit, parsers, accounts,
# JSON writers) on a fake clock, and the real server on 127.0.0.1.
cairn_test(test_web_auth unit SOURCES unit/web/test_web_auth.c LIBS cairn_web TIMEOUT 120)
cairn_test(test_web_http integ SOURCES integ/web/test_web_http.c LIBS cairn_web TIMEOUT 300)
cairn_fuzz(http ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_http.c LIBS cairn_web)
