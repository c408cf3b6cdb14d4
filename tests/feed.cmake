# tests for src/feed's live sensors (sensor.h)
cairn_test(test_sensor unit SOURCES unit/feed/test_sensor.c LIBS cairn_feed)
