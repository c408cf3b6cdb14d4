# tests for src/picture (the engine, its sensors file) and `cairn picture`.
cairn_test(test_pic unit SOURCES unit/picture/test_pic.c
           LIBS cairn_picture cairn_detect cairn_track cairn_asterix cairn_geo cairn_base m)
cairn_fuzz(sensors ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_sensors.c LIBS cairn_picture)
# the CLI end to end: `cairn sim malmo-2014` (expected alerts), the St
# Petersburg Beast log and the ASTERIX CAT048 sample (skip without the
# shared data)
cairn_test(test_picture_cli integ SOURCES integ/picture/test_picture_cli.c
           LIBS cairn_geo cairn_base PkgConfig::JANSSON m
           ARGS $<TARGET_FILE:cairn> TIMEOUT 180)
add_dependencies(test_picture_cli cairn)
# report sources (feed/source.h), the inputs of `cairn picture`
cairn_test(test_feed_src unit SOURCES unit/feed/test_feed_src.c LIBS cairn_feed cairn_base)
# allocation-failure loop over pic_new; no allocation in reports and cycles
cairn_test(test_pic_alloc unit SOURCES unit/picture/test_pic_alloc.c
           LIBS cairn_picture cairn_detect cairn_track cairn_asterix cairn_geo cairn_base m)
target_link_options(test_pic_alloc PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc)
# pic_ingest between cycles (the centre's live stream): the same picture
cairn_test(test_pic_ingest unit SOURCES unit/picture/test_pic_ingest.c
           LIBS cairn_picture cairn_detect cairn_track cairn_asterix cairn_geo cairn_base m)
