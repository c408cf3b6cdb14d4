# tests for src/detect (safety nets): synthetic tracks on a fake clock.
cairn_test(test_det unit SOURCES unit/detect/test_det.c LIBS cairn_detect cairn_track cairn_base m
           TIMEOUT 300)
