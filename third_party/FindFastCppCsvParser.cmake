# Finds fast-cpp-csv-parser (Debian: libfccp-dev, header <libfccp/csv.h>) and defines the
# imported target FastCppCsvParser::FastCppCsvParser.
find_path(FastCppCsvParser_INCLUDE_DIR NAMES libfccp/csv.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FastCppCsvParser
    REQUIRED_VARS FastCppCsvParser_INCLUDE_DIR
    REASON_FAILURE_MESSAGE "install it with: apt-get install libfccp-dev")
if(FastCppCsvParser_FOUND AND NOT TARGET FastCppCsvParser::FastCppCsvParser)
    add_library(FastCppCsvParser::FastCppCsvParser INTERFACE IMPORTED)
    set_target_properties(FastCppCsvParser::FastCppCsvParser PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${FastCppCsvParser_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(FastCppCsvParser_INCLUDE_DIR)
