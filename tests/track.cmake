# tests for src/track (the tracker): scenarios with fake time and seeded
# noise, and the allocation-failure loop over the table.
cairn_test(test_trk unit SOURCES unit/track/test_trk.c LIBS cairn_track cairn_base m TIMEOUT 300)
cairn_test(test_trk_alloc unit SOURCES unit/track/test_trk_alloc.c LIBS cairn_track cairn_base m
           TIMEOUT 300)
target_link_options(test_trk_alloc PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc)
# the kinematic bound on gating a vessel track (issue 8)
cairn_test(test_trk_gate unit SOURCES unit/track/test_trk_gate.c LIBS cairn_track cairn_base m)
cairn_test(test_trk_turns unit SOURCES unit/track/test_trk_turns.c LIBS cairn_track cairn_base m)
# the IMM's fast paths (a step made once, two tracks at once) against the plain one
cairn_test(test_trk_imm unit SOURCES unit/track/test_trk_imm.c LIBS cairn_track cairn_base m)
# grid_move's test without divisions against grid_row and grid_col (compiles track.c)
cairn_test(test_trk_grid unit SOURCES unit/track/test_trk_grid.c LIBS cairn_track cairn_base m)
# a long-range plot's ellipse along the line of sight at the plot: ASTERIX
# record -> report -> trk_meas -> covariance and filter (compiles track.c)
cairn_test(test_trk_polar unit SOURCES unit/track/test_trk_polar.c
           LIBS cairn_track cairn_asterix cairn_geo cairn_base m)
# end to end: `cairn sim malmo-2014` decoded with cairn's own decoders
# (radar.pcap: feed/pcap + ASTERIX report layer; adsb.beast: modes), fed
# to the tracker in time order and compared with truth.jsonl
cairn_test(test_track_sim integ SOURCES integ/track/test_track_sim.c
           LIBS cairn_track cairn_asterix cairn_modes cairn_feed cairn_geo cairn_base
                PkgConfig::PCAP PkgConfig::JANSSON m
           ARGS $<TARGET_FILE:cairn> TIMEOUT 120)
add_dependencies(test_track_sim cairn)
