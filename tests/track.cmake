# tests for src/track (the tracker): scenarios with fake time and seeded
# noise, and the allocation-failure loop over the table.
cairn_test(test_trk unit SOURCES unit/track/test_trk.c LIBS cairn_track cairn_base m TIMEOUT 300)
cairn_test(test_trk_alloc unit SOURCES unit/track/test_trk_alloc.c LIBS cairn_track cairn_base m
           TIMEOUT 300)
target_link_options(test_trk_alloc PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc)
