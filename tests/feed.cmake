# tests for src/feed's live sensors (sensor.h)
cairn_test(test_sensor unit SOURCES unit/feed/test_sensor.c LIBS cairn_feed)
cairn_test(test_sensor_live integ SOURCES integ/feed/test_sensor_live.c LIBS cairn_feed
           TIMEOUT 120)
# the same program's multicast cases, each alone so that a kernel without
# multicast on lo skips only them
add_test(NAME test_sensor_mcast4 COMMAND test_sensor_live mcast4)
add_test(NAME test_sensor_mcast6 COMMAND test_sensor_live mcast6)
set_tests_properties(test_sensor_mcast4 test_sensor_mcast6 PROPERTIES LABELS integ TIMEOUT 60
                     SKIP_RETURN_CODE 77)
# the host:port parser and the sensor configuration keys (new parsers)
cairn_fuzz(addr ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_addr.c LIBS cairn_feed)
