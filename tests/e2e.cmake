# e2e: the console in a real browser — node scripts driving Debian's
# /usr/bin/chromium with playwright-core (ui/node_modules), against centres
# they start from the built cairn. Each skips (77, "SKIP: why") without
# node, chromium, ui/node_modules or ui/dist. Screenshots go to
# BUILD/e2e-artifacts. One browser test at a time (RESOURCE_LOCK).
function(cairn_e2e name script)
    if(CAIRN_NODE)
        add_test(NAME ${name} COMMAND ${CAIRN_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/${script}
                                      $<TARGET_FILE:cairn>)
    else()
        add_test(NAME ${name} COMMAND sh -c "echo 'SKIP: node absent (apt-get install nodejs npm)'; exit 77")
    endif()
    set_tests_properties(${name} PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 240
                         RESOURCE_LOCK browser
                         ENVIRONMENT "CAIRN_E2E_ARTIFACTS=${CMAKE_BINARY_DIR}/e2e-artifacts")
endfunction()

cairn_e2e(e2e_console_map console_map.mjs)

# The operations panes (console-ops): two centres joined by the hotline.
# Slower than the map's test (two centres, two browsers, the hotline's
# round trips): its own time limit.
cairn_e2e(e2e_console_ops console_ops.mjs)
set_tests_properties(e2e_console_ops PROPERTIES TIMEOUT 420)

# The operations panes' pure parts in node (no browser): the catalogue
# mirror against src/hotline/catalogue.c, field rules, the alarm policy,
# the compliance summary's grammar.
if(CAIRN_NODE)
    add_test(NAME ui_ops_unit COMMAND ${CAIRN_NODE} --test ${CMAKE_SOURCE_DIR}/ui/test/ops.test.mjs)
    set_tests_properties(ui_ops_unit PROPERTIES LABELS unit)
endif()
cairn_e2e(e2e_console_peers console_peers.mjs)

# The stream worker's pure parts in node: the SSE parser, the spans of a
# `tracks` event's objects, the projection (checked against ol's, so it
# skips, 77, without ui/node_modules as the browser tests do).
if(CAIRN_NODE)
    add_test(NAME ui_stream_unit
             COMMAND sh -c "if [ ! -d \"$1/ui/node_modules/ol\" ]; then echo 'SKIP: ui/node_modules absent (make deps, or npm ci in ui/)'; exit 77; fi; exec \"$2\" --test \"$1/ui/test/stream.test.mjs\""
                     ui_stream_unit ${CMAKE_SOURCE_DIR} ${CAIRN_NODE})
    set_tests_properties(ui_stream_unit PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
endif()
# The stream worker against the daemon's `tracks` events (and the older
# `track`), served by bench/ui/loadserver.mjs: no centre needed.
cairn_e2e(e2e_console_stream console_stream.mjs)
