# Shared build settings and helper functions for cairn.
#
#   cairn_library(NAME SOURCES... [LIBS ...])   a static library of one src/ folder
#   cairn_test(NAME LABEL SOURCES... [LIBS ...] [ARGS ...])
#                                  a cmocka test run by ctest with the given label
#   cairn_fuzz(NAME SOURCE [LIBS ...] [CORPUS dir])
#       a fuzz target: with CAIRN_FUZZ=ON a libFuzzer binary fuzz_NAME; always a
#       replay binary fuzzreplay_NAME that runs every file of the corpus and is
#       registered as a ctest with label fuzzregress.

set(CAIRN_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -Wconversion -Wno-sign-conversion)
# -Wsign-conversion is left out: with -Wconversion it flags every size_t/int
# mix in loop bounds, which costs more reading than it saves.

add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
add_compile_options(${CAIRN_WARNINGS})
if(CAIRN_WERROR)
    add_compile_options(-Werror)
endif()
if(CAIRN_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
if(CAIRN_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

function(cairn_library name)
    cmake_parse_arguments(A "" "" "SOURCES;LIBS;PUBLIC_LIBS" ${ARGN})
    add_library(${name} STATIC ${A_SOURCES})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} PRIVATE ${A_LIBS} PUBLIC ${A_PUBLIC_LIBS})
endfunction()

function(cairn_test name label)
    cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS;ARGS" ${ARGN})
    add_executable(${name} ${A_SOURCES})
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src
                                               ${CMAKE_SOURCE_DIR}/tests/support)
    target_compile_definitions(${name} PRIVATE
        CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}"
        CAIRN_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    target_link_libraries(${name} PRIVATE ${A_LIBS} PkgConfig::CMOCKA)
    add_test(NAME ${name} COMMAND ${name} ${A_ARGS})
    if(NOT A_TIMEOUT)
        set(A_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS ${label} TIMEOUT ${A_TIMEOUT}
                         SKIP_RETURN_CODE 77)
endfunction()

function(cairn_fuzz name source)
    cmake_parse_arguments(A "" "CORPUS" "LIBS" ${ARGN})
    if(NOT A_CORPUS)
        set(A_CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
    endif()
    if(CAIRN_FUZZ)
        add_executable(fuzz_${name} ${source})
        target_include_directories(fuzz_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
        target_link_libraries(fuzz_${name} PRIVATE ${A_LIBS})
        target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
        set_property(GLOBAL APPEND PROPERTY CAIRN_FUZZ_TARGETS fuzz_${name})
    else()
        add_executable(fuzzreplay_${name} ${source}
                       ${CMAKE_SOURCE_DIR}/tests/support/fuzz_replay.c)
        target_include_directories(fuzzreplay_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
        target_link_libraries(fuzzreplay_${name} PRIVATE ${A_LIBS})
        if(CAIRN_TESTS)
            add_test(NAME fuzzreplay_${name} COMMAND fuzzreplay_${name} ${A_CORPUS})
            set_tests_properties(fuzzreplay_${name} PROPERTIES LABELS fuzzregress
                                 TIMEOUT 600)
        endif()
    endif()
endfunction()
