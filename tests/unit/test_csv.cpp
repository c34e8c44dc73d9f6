#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/csv_reader.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

namespace {

/// The parallel reader's table is the typed reader's: names, types, categories, lines, and every
/// cell (NaN where it has NaN).
void check_same_table(const Table& fast, const Table& typed) {
    CHECK(fast.names == typed.names);
    CHECK(fast.types == typed.types);
    CHECK(fast.categories == typed.categories);
    CHECK(fast.lines == typed.lines);
    REQUIRE(fast.columns.size() == typed.columns.size());
    for (std::size_t c = 0; c < typed.columns.size(); ++c) {
        REQUIRE(fast.columns[c].size() == typed.columns[c].size());
        for (std::size_t i = 0; i < typed.columns[c].size(); ++i) {
            const float x = typed.columns[c][i], y = fast.columns[c][i];
            CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
        }
    }
}

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

TEST_CASE("numbers float32 cannot hold are told from text", "[data][csv]") {
    const std::string huge(5000, '9');
    for (const std::string& outside : std::vector<std::string>{
             "1e39", "-1e39", "1e400", " 3.5e38 ", "inf", "-inf", "nan", "+1e40", huge}) {
        INFO(outside.substr(0, 20));
        CHECK(outside_float32(outside));
    }
    const std::string tiny = "0." + std::string(400, '0') + "1";
    for (const std::string& inside :
         std::vector<std::string>{"1", "3.4e38", "1e-50", "1e-400", "-1e-400", tiny, "abc", "1e39x",
                                  "", "1,5", "0x10"}) {
        INFO(inside.substr(0, 20));
        CHECK_FALSE(outside_float32(inside));
    }
}

TEST_CASE("numbers parse exactly and only when the whole field is a finite number", "[data][csv]") {
    float v = 0;
    CHECK((parse_float("1.5", v) && v == 1.5f));
    CHECK((parse_float(" -2e3 ", v) && v == -2000.0f));
    CHECK((parse_float("+7", v) && v == 7.0f));
    CHECK((parse_float("0.1", v) && v == 0.1f));
    for (const char* bad :
         {"", "abc", "1.2.3", "1,5", "inf", "nan", "-inf", "1e99", "12x", "-", ".", "--1", "1-"}) {
        INFO(bad);
        CHECK_FALSE(parse_float(bad, v));
    }
    CHECK((parse_float("1e-50", v) && v == 0.0f));  // below float's range: zero, as numpy's
    // Decimals of every length agree with std::from_chars bit for bit.
    std::mt19937 rng(3);
    for (int i = 0; i < 200000; ++i) {
        std::string text = rng() % 4 == 0 ? "-" : "";
        const int integer_digits = static_cast<int>(rng() % 9);
        for (int d = 0; d < integer_digits; ++d) text += static_cast<char>('0' + rng() % 10);
        if (integer_digits == 0 || rng() % 2) {
            text += '.';
            const int decimals = 1 + static_cast<int>(rng() % 12);
            for (int d = 0; d < decimals; ++d) text += static_cast<char>('0' + rng() % 10);
        }
        float expected = 0.0f;
        std::from_chars(text.data(), text.data() + text.size(), expected);
        float got = 0.0f;
        INFO(text);
        REQUIRE(parse_float(text, got));
        REQUIRE(std::memcmp(&got, &expected, sizeof got) == 0);
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
    CHECK(t.columns[0] == Column{1, 3});
    CHECK(t.columns[1] == Column{2, 4.5f});
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
               Contains("quote.csv:2: a quoted field opened on this line is never closed"));
    CHECK_THAT(data_error(dir.write("quote3.csv", "a,b\n1,2\n3,\"4\n5,6\n")),
               Contains("quote3.csv:3: a quoted field opened on this line is never closed"));
}

TEST_CASE("a quoted field may hold newlines (RFC 4180)", "[data][csv]") {
    // A row is numbered by the line it starts on; the header spans lines 1-2.
    const std::string text =
        "id,\"the\nnote\",x\n1,\"two\nlines\",5\n2,plain,6\r\n3,\"a \"\"q\"\"\r\n\n,b\",7\n4,z,8\n";
    CsvOptions options;
    options.infer_types = true;
    const Table t = read_csv_text("q.csv", text, options);
    CHECK(t.names == std::vector<std::string>{"id", "the\nnote", "x"});
    CHECK(t.lines == std::vector<std::uint32_t>{3, 5, 6, 9});
    REQUIRE(t.categories[1].size() == 4);
    CHECK(t.categories[1][0] == "two\nlines");
    CHECK(t.categories[1][2] == "a \"q\"\n\n,b");  // CRLF inside quotes reads as LF
    CHECK(t.columns[2] == Column{5, 6, 7, 8});
    // The parallel reader leaves such rows to the typed reader, wherever its blocks end.
    for (std::size_t block = 8; block < 64; block += 7) {
        CHECK_FALSE(read_numeric_csv_text("q.csv", text, options, 2, block).has_value());
    }
    TempDir dir;
    const Table from_file = read_csv(dir.write("q.csv", text), options);
    CHECK(from_file.lines == t.lines);
    CHECK(from_file.categories == t.categories);
    // A field left open runs to the end of the file: the error names where it opened.
    CHECK_THROWS_WITH(read_csv_text("o.csv", "a,b\n1,\"x\n2,3\n4,5\n", options),
                      Contains("o.csv:2: a quoted field opened on this line is never closed"));
}

TEST_CASE("a quoted field is open at a line's end only inside quotes", "[data][csv]") {
    CHECK_FALSE(quoted_field_open_after("a,b", ',', false));
    CHECK(quoted_field_open_after("a,\"b", ',', false));
    CHECK_FALSE(quoted_field_open_after("a,\"b\"", ',', false));
    CHECK(quoted_field_open_after("a,\"b\"\"", ',', false));     // a doubled quote, still open
    CHECK_FALSE(quoted_field_open_after("a,b\"c", ',', false));  // a quote inside a field
    CHECK(quoted_field_open_after("x", ',', true));              // still inside
    CHECK_FALSE(quoted_field_open_after("x\",1", ',', true));    // closed on this line
    CHECK(quoted_field_open_after("x\",\"y", ',', true));        // and another opened
    CHECK(quoted_field_open_after("1;\"2", ';', false));
    CHECK_FALSE(quoted_field_open_after("1,\"2", ';', false));
}

TEST_CASE("the delimiter can be sniffed from the first line", "[data][csv]") {
    const CsvOptions sniff = csv_format('\0');
    CHECK(read_csv_text("t.csv", "a;b;c\n1;2;3\n", sniff).names.size() == 3);
    CHECK(read_csv_text("t.csv", "a\tb\n1\t2\n", sniff).columns[1][0] == 2.0f);
    CHECK(read_csv_text("t.csv", "\"x;y\",b\n1,2\n", sniff).names[0] == "x;y");  // quotes ignored
    CHECK(read_csv_text("t.csv", "only\n1\n", sniff).names == std::vector<std::string>{"only"});
}

TEST_CASE("without a header the first line is data and columns are numbered", "[data][csv]") {
    const Table t = read_csv_text("t.csv", "1,2\n3,4\n", csv_format(',', false));
    CHECK(t.names == std::vector<std::string>{"col0", "col1"});
    CHECK(t.rows() == 2);
    CHECK(t.columns[0] == Column{1, 3});
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

TEST_CASE("wide rows take the 64-byte row scanner and agree with the typed reader", "[data][csv]") {
    // Rows of 1-120 columns (most over 64 bytes), mostly short decimals with some spellings the
    // scanner leaves to the general parser, a declared text column on half of the files, read
    // in blocks of 100 bytes to 16 MB by 1-3 threads.
    std::mt19937 rng(19);
    const char* spellings[] = {"0",         "255",   "-7", "3.25", "12345678", "0.000001", "-0.5",
                               "123456789", "1.5e3", " 8", "",     "NA",       "\"9\""};
    for (int round = 0; round < 40; ++round) {
        const std::size_t width = 1 + rng() % 120;
        const bool text_column = round % 2 == 1;
        const bool crlf = round % 3 == 2;
        std::string text;
        for (std::size_t c = 0; c < width; ++c) {
            text += c > 0 ? ",c" : "c";
            text += std::to_string(c);
        }
        text += crlf ? "\r\n" : "\n";
        const int rows = 1 + static_cast<int>(rng() % 60);
        for (int r = 0; r < rows; ++r) {
            if (rng() % 25 == 0) text += "\n";  // a blank line
            for (std::size_t c = 0; c < width; ++c) {
                if (c > 0) text += ",";
                if (text_column && c == width / 2) {
                    text += rng() % 2 ? "red" : "12";
                } else {
                    text += rng() % 8 ? spellings[rng() % 7] : spellings[rng() % 13];
                }
            }
            text += crlf ? "\r\n" : "\n";
        }
        if (round % 5 == 4) text.pop_back();  // no final newline
        CsvOptions options;
        options.infer_types = true;
        options.na_values = {"", "NA"};
        if (text_column) {
            std::string name = "c";
            name += std::to_string(width / 2);
            options.column_types = {{name, ColumnType::kCategorical}};
        }
        const Table typed = read_csv_text("w.csv", text, options);
        const std::size_t block = round % 4 == 0 ? (16u << 20) : 100 + rng() % 2000;
        const auto fast =
            read_numeric_csv_text("w.csv", text, options, 1 + static_cast<int>(rng() % 3), block);
        INFO("round " << round << ", block " << block << ":\n" << text);
        REQUIRE(fast.has_value());
        check_same_table(*fast, typed);
    }
}

TEST_CASE("the parallel reader of numeric files gives what the typed reader gives", "[data][csv]") {
    // Random files: numbers in several spellings, missing cells, blank lines, CRLF, quotes and a
    // declared text column, read in small blocks by 1-3 threads.
    std::mt19937 rng(7);
    for (int round = 0; round < 60; ++round) {
        std::string text = round % 3 == 0 ? "\xEF\xBB\xBF" : "";
        const bool crlf = round % 4 == 1;
        text += std::string("a,\"b\",label") + (crlf ? "\r\n" : "\n");
        const int rows = 1 + static_cast<int>(rng() % 40);
        for (int r = 0; r < rows; ++r) {
            if (rng() % 9 == 0) text += crlf ? "\r\n" : "\n";  // a blank line
            const char* spellings[] = {"1", "-2.5", "3e2", " 4 ", "NA", "", "\"6\"", "0.125"};
            text += spellings[rng() % 8];
            text += ",";
            text += spellings[rng() % 8];
            text += ",";
            text += rng() % 2 ? "cat" : "\"dog, big\"";
            text += crlf ? "\r\n" : "\n";
        }
        if (round % 5 == 2) text.pop_back();  // no final newline
        CsvOptions options;
        options.infer_types = true;
        options.na_values = {"", "NA"};
        options.column_types = {{"label", ColumnType::kCategorical}};
        const Table typed = read_csv_text("r.csv", text, options);
        const auto fast = read_numeric_csv_text("r.csv", text, options,
                                                1 + static_cast<int>(rng() % 3), 24 + rng() % 100);
        INFO("round " << round << ":\n" << text);
        REQUIRE(fast.has_value());
        check_same_table(*fast, typed);
    }
    CsvOptions strict;
    CHECK_FALSE(
        read_numeric_csv_text("t.csv", "a\n1\nred\n", strict).has_value());  // typed reader's job
    CsvOptions markers;  // a number as missing-value marker is missing, not a number
    markers.na_values = {"-999"};
    const auto marked = read_numeric_csv_text("m.csv", "a\n1\n-999\n", markers);
    REQUIRE(marked.has_value());
    CHECK(std::isnan(marked->columns[0][1]));
    CsvOptions declared;
    declared.column_types = {{"a", ColumnType::kNumeric}};
    CHECK_FALSE(read_numeric_csv_text("t.csv", "a\n1\nred\n", declared).has_value());
    CHECK_THROWS_WITH(read_numeric_csv_text("t.csv", "a,b\n1,2\n3\n", strict, 2, 8),
                      Contains("t.csv:3: found 1 fields, expected 2"));
}
