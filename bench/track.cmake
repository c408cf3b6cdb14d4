# benchmark for the tracker: ingestion reports/s, full update cycles at
# 1k / 10k / 100k targets, peak RSS.
add_executable(bench_track bench_track.c traffic.c)
target_link_libraries(bench_track PRIVATE cairn_track cairn_base m)
set_target_properties(bench_track PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
# benchmark for the flight plans: fpl_apply over 1k / 10k / 100k tracks
# and plans (the figure reported in docs/flightplan.md).
add_executable(bench_fpl bench_fpl.c)
target_link_libraries(bench_fpl PRIVATE cairn_fpl cairn_track cairn_geo cairn_base m)
set_target_properties(bench_fpl PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
