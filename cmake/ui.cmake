# The console (ui/): `npm run build` into ui/dist whenever its sources
# change, when node, npm and the console's packages (ui/node_modules, from
# `npm ci`) are here; otherwise a message, and the e2e tests skip.
find_program(CAIRN_NODE node)
find_program(CAIRN_NPM npm)
set(CAIRN_UI_DIR ${CMAKE_SOURCE_DIR}/ui)
if(CAIRN_NODE AND CAIRN_NPM AND EXISTS ${CAIRN_UI_DIR}/node_modules/.bin/vite AND NOT CAIRN_FUZZ)
    file(GLOB_RECURSE _ui_src CONFIGURE_DEPENDS ${CAIRN_UI_DIR}/src/*)
    add_custom_command(
        OUTPUT ${CAIRN_UI_DIR}/dist/index.html
        COMMAND ${CAIRN_NPM} run --silent build -- --logLevel warn
        COMMAND ${CMAKE_COMMAND} -E touch ${CAIRN_UI_DIR}/dist/index.html
        WORKING_DIRECTORY ${CAIRN_UI_DIR}
        DEPENDS ${_ui_src} ${CAIRN_UI_DIR}/index.html ${CAIRN_UI_DIR}/vite.config.js
                ${CAIRN_UI_DIR}/package.json ${CAIRN_UI_DIR}/package-lock.json
        COMMENT "Building the console (ui/dist)"
        VERBATIM)
    add_custom_target(ui ALL DEPENDS ${CAIRN_UI_DIR}/dist/index.html)
else()
    message(STATUS "The console (ui/) is not built: node, npm or ui/node_modules absent (cd ui && npm ci)")
endif()
