# Run at build time (not configure time) so that `dlctl --version` names the commit actually
# built. Writes OUTPUT only when the commit changed, so unchanged builds relink nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD
    WORKING_DIRECTORY "${SOURCE_DIR}"
    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR commit STREQUAL "")
    set(commit unknown)
else()
    execute_process(COMMAND git status --porcelain --untracked-files=no
        WORKING_DIRECTORY "${SOURCE_DIR}"
        OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT changes STREQUAL "")
        string(APPEND commit "-dirty")
    endif()
endif()
set(content "namespace dlctl {\nconst char* git_commit() { return \"${commit}\"; }\n}  // namespace dlctl\n")
if(EXISTS "${OUTPUT}")
    file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${content}")
    file(WRITE "${OUTPUT}" "${content}")
endif()
