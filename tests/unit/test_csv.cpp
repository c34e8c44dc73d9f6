#include <catch2/catch.hpp>
#include <string>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_reader.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

namespace {

std::vector<std::string> split(std::string line, char delimiter = ',') {
    std::vector<std::string_view> fields;
    REQUIRE(split_csv_fields(line.data(), delimiter, fields));
    return {fields.begin(), fields.end()};
}

std::string data_error(const std::filesystem::path& path) {
    try {
        read_csv(path);
    } catch (const DataError& e) {
        CHECK(e.code() == ExitCode::kData);
        return e.what();
    }
    FAIL("the file was accepted");
    return {};
}

}  // namespace

TEST_CASE("fields split on the delimiter with RFC 4180 quoting", "[data][csv]") {
    using V = std::vector<std::string>;
    CHECK(split("a,b,c") == V{"a", "b", "c"});
    CHECK(split("a,,") == V{"a", "", ""});
    CHECK(split("") == V{""});
    CHECK(split("\"x,y\",2") == V{"x,y", "2"});
    CHECK(split("\"say \"\"hi\"\"\",3") == V{"say \"hi\"", "3"});
    CHECK(split("1;2", ';') == V{"1", "2"});
    CHECK(split("1\t2", '\t') == V{"1", "2"});
    std::string open = "\"never closed,1";
    std::vector<std::string_view> fields;
    CHECK_FALSE(split_csv_fields(open.data(), ',', fields));
}

TEST_CASE("numbers parse exactly and only when the whole field is a finite number", "[data][csv]") {
    float v = 0;
    CHECK((parse_float("1.5", v) && v == 1.5f));
    CHECK((parse_float(" -2e3 ", v) && v == -2000.0f));
    CHECK((parse_float("+7", v) && v == 7.0f));
    CHECK((parse_float("0.1", v) && v == 0.1f));
    for (const char* bad : {"", "abc", "1.2.3", "1,5", "inf", "nan", "-inf", "1e99", "12x"}) {
        INFO(bad);
        CHECK_FALSE(parse_float(bad, v));
    }
}

TEST_CASE("read_csv reads columns, CRLF, a BOM, quotes and blank lines", "[data][csv]") {
    TempDir dir;
    const auto file = dir.write("t.csv",
                                "\xEF\xBB\xBF"
                                "a,\"b\"\r\n1,2\r\n\r\n3,\"4.5\"\r\n\n");
    const Table t = read_csv(file);
    CHECK(t.names == std::vector<std::string>{"a", "b"});
    CHECK(t.rows() == 2);
    CHECK(t.columns[0] == std::vector<float>{1, 3});
    CHECK(t.columns[1] == std::vector<float>{2, 4.5f});
    CHECK(t.lines == std::vector<std::uint32_t>{2, 4});
    CHECK(t.column_index("b") == 1);
    CHECK(t.column_index("z") == -1);
}

TEST_CASE("a file without a final newline and with another delimiter reads", "[data][csv]") {
    TempDir dir;
    const Table t = read_csv(dir.write("t.csv", "x;y\n1;2"), csv_format(';'));
    CHECK(t.rows() == 1);
    CHECK(t.columns[1][0] == 2.0f);
}

TEST_CASE("bad CSV files are data errors naming file, line and column", "[data][csv]") {
    TempDir dir;
    const std::string root = dir.path().string();
    CHECK_THAT(data_error(dir.path() / "nope.csv"), Contains("nope.csv' does not exist"));
    CHECK_THAT(data_error(dir.path()), Contains("is a directory, not a CSV file"));
    CHECK_THAT(data_error(dir.write("empty.csv", "")), Contains("empty.csv' is empty"));
    CHECK_THAT(data_error(dir.write("blank.csv", "\n\n")), Contains("is empty"));
    CHECK_THAT(data_error(dir.write("header.csv", "a,b\n")),
               Contains("header.csv' has a header but no data rows"));
    CHECK_THAT(data_error(dir.write("ragged.csv", "a,b\n1,2\n3\n")),
               Contains("ragged.csv:3: found 1 fields, expected 2"));
    CHECK_THAT(data_error(dir.write("text.csv", "a,b\n1,2\n3,red\n")),
               Contains("text.csv:3: column 'b': 'red' is not a finite number"));
    CHECK_THAT(data_error(dir.write("na.csv", "a,b\n1,NA\n")),
               Contains("na.csv:2: column 'b': missing value 'NA'"));
    CHECK_THAT(data_error(dir.write("empty_cell.csv", "a,b\n1,\n")), Contains("missing value ''"));
    CHECK_THAT(data_error(dir.write("inf.csv", "a\ninf\n")),
               Contains("'inf' is not a finite number"));
    CHECK_THAT(data_error(dir.write("dup.csv", "a,b,a\n1,2,3\n")),
               Contains("dup.csv:1: duplicate column name 'a'"));
    CHECK_THAT(data_error(dir.write("quote.csv", "a,b\n1,\"2\n")),
               Contains("quote.csv:2: unterminated quoted field"));
}

TEST_CASE("the delimiter can be sniffed from the first line", "[data][csv]") {
    const CsvOptions sniff{'\0', true};
    CHECK(read_csv_text("t.csv", "a;b;c\n1;2;3\n", sniff).names.size() == 3);
    CHECK(read_csv_text("t.csv", "a\tb\n1\t2\n", sniff).columns[1][0] == 2.0f);
    CHECK(read_csv_text("t.csv", "\"x;y\",b\n1,2\n", sniff).names[0] == "x;y");  // quotes ignored
    CHECK(read_csv_text("t.csv", "only\n1\n", sniff).names == std::vector<std::string>{"only"});
}

TEST_CASE("without a header the first line is data and columns are numbered", "[data][csv]") {
    const Table t = read_csv_text("t.csv", "1,2\n3,4\n", csv_format(',', false));
    CHECK(t.names == std::vector<std::string>{"col0", "col1"});
    CHECK(t.rows() == 2);
    CHECK(t.columns[0] == std::vector<float>{1, 3});
    CHECK(t.lines == std::vector<std::uint32_t>{1, 2});
    CHECK_THROWS_WITH(read_csv_text("t.csv", "1,2\n3\n", csv_format(',', false)),
                      Contains("t.csv:2: found 1 fields, expected 2 (as in the first row)"));
}

TEST_CASE("column names must be valid UTF-8", "[data][csv]") {
    CHECK_THROWS_WITH(read_csv_text("t.csv", "ok,\xC3\x28\n1,2\n"),
                      Contains("t.csv:1: column 2 has a name that is not valid UTF-8"));
    CHECK(read_csv_text("t.csv", "\xC3\xA9t\xC3\xA9,b\n1,2\n").names[0] == "\xC3\xA9t\xC3\xA9");
    CHECK_THROWS_WITH(read_csv_text("t.csv", "a\n\xFF\xFE\n"),
                      Contains("'(bytes that are not valid UTF-8)' is not a finite number"));
}
