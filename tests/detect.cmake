# tests for src/detect (safety nets): synthetic tracks on a fake clock.
cairn_test(test_det unit SOURCES unit/detect/test_det.c LIBS cairn_detect cairn_track cairn_base m
           TIMEOUT 300)
# ZONE, SEA_CPA, LOW_PASS, AIS_GAP (and the baltic-sea movers against
# scenarios/baltic-zones.geojson)
cairn_test(test_det_sea unit SOURCES unit/detect/test_det_sea.c
           LIBS cairn_detect cairn_track cairn_geo cairn_base m TIMEOUT 300)
# across the antimeridian: the detector's reference meridian (lon_ref_deg)
cairn_test(test_det_lon unit SOURCES unit/detect/test_det_lon.c
           LIBS cairn_detect cairn_track cairn_geo cairn_base m TIMEOUT 120)
