# tests for src/eval (evaluation against truth): hand-made truth and track
# snapshots on a fake clock; the truth reader on `cairn sim` output; fuzz.
cairn_test(test_eval unit SOURCES unit/eval/test_eval.c
           LIBS cairn_eval PkgConfig::JANSSON m)
cairn_fuzz(truth ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_truth.c LIBS cairn_eval)
# the truth of shipped scenarios written by `cairn sim`, read and evaluated
cairn_test(test_eval_sim integ SOURCES integ/eval/test_eval_sim.c
           LIBS cairn_eval PkgConfig::JANSSON m
           ARGS $<TARGET_FILE:cairn> TIMEOUT 120)
add_dependencies(test_eval_sim cairn)
