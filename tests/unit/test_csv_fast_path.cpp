// The pieces of the parallel CSV reader's fast path: the short-decimal parser against
// std::from_chars, the 64-byte row scanner, the column arena and the mapped file window.
#include <bit>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "dlctl/data/column_arena.h"
#include "dlctl/data/csv_numeric_row.h"
#include "dlctl/data/file_window.h"
#include "dlctl/data/table.h"
#include "support/temp_dir.h"

using namespace dlctl;

namespace {

/// parse_short_decimal on `text` with the padding it may read.
bool short_decimal(const std::string& text, float& value) {
    std::string padded = text;
    padded.append(8, 'x');
    return parse_short_decimal(padded.data(), text.size(), value);
}

}  // namespace

TEST_CASE("short decimals parse to std::from_chars' float, bit for bit", "[data][csv]") {
    for (const std::string text :
         {"0", "7", "255", "-3", "12345678", "-12345678", "0.5", ".5", "5.", "-0.001", "1234.567",
          "0.123456", "16777217", "99999999", "007", "-0", "3.141592"}) {
        INFO(text);
        float ours = 0.0f, theirs = 0.0f;
        REQUIRE(short_decimal(text, ours));
        const std::string spelled = text == ".5" ? "0.5" : text;  // from_chars wants a digit first
        REQUIRE(std::from_chars(spelled.data(), spelled.data() + spelled.size(), theirs).ec ==
                std::errc{});
        CHECK(std::bit_cast<std::uint32_t>(ours) == std::bit_cast<std::uint32_t>(theirs));
    }
    // Other spellings are left to the general parser.
    for (const std::string text :
         {"", "-", ".", "+1", " 1", "1 ", "1e5", "1.2.3", "--1", "1-2", "0x10", "nan", "inf",
          "123456789", "1.2345678", "0.1234567", "\"1\"", "1,"}) {
        INFO(text);
        float value = 0.0f;
        CHECK_FALSE(short_decimal(text, value));
    }
    // Random strings over the characters that matter: whatever is taken is from_chars' value.
    std::mt19937 rng(11);
    const std::string alphabet = "0123456789-.e+ x";
    int taken = 0;
    for (int i = 0; i < 200000; ++i) {
        std::string text(1 + rng() % 9, ' ');
        for (char& c : text) c = alphabet[rng() % alphabet.size()];
        float ours = 0.0f;
        if (!short_decimal(text, ours)) continue;
        ++taken;
        const std::size_t sign = text[0] == '-' ? 1 : 0;  // from_chars wants a digit before '.'
        const std::string spelled =
            text[sign] == '.' ? text.substr(0, sign) + "0" + text.substr(sign) : text;
        float theirs = 0.0f;
        const auto [end, ec] =
            std::from_chars(spelled.data(), spelled.data() + spelled.size(), theirs);
        INFO(text);
        REQUIRE(ec == std::errc{});
        REQUIRE(end == spelled.data() + spelled.size());
        REQUIRE(std::bit_cast<std::uint32_t>(ours) == std::bit_cast<std::uint32_t>(theirs));
    }
    CHECK(taken > 10000);
}

TEST_CASE("the row scanner takes plain rows of any length and refuses the rest", "[data][csv]") {
    const auto scan = [](const std::string& row, std::size_t width, char delimiter = ',',
                         const std::vector<unsigned char>& text = {}) {
        std::string padded = row + std::string(kRowScanPadding, '7');  // digits after the row
        std::vector<float> cells(width, -1.0f);
        std::vector<std::string_view> texts(width);
        const bool ok =
            scan_numeric_row(padded.data(), padded.data() + row.size(), delimiter, width,
                             text.empty() ? nullptr : text.data(), cells.data(), texts.data());
        return std::make_pair(ok ? cells : std::vector<float>{},
                              std::vector<std::string>(texts.begin(), texts.end()));
    };
    CHECK(scan("1,2.5,-3", 3).first == std::vector<float>{1, 2.5f, -3});
    CHECK(scan("42", 1).first == std::vector<float>{42});
    CHECK(scan("1;2", 2, ';').first == std::vector<float>{1, 2});
    CHECK(scan("1\t2", 2, '\t').first == std::vector<float>{1, 2});
    // Rows over several 64-byte blocks, fields across block boundaries.
    std::string wide;
    std::vector<float> expected;
    for (int i = 0; i < 300; ++i) {
        if (i > 0) wide += ',';
        wide += std::to_string(i * 37 % 1000);
        expected.push_back(static_cast<float>(i * 37 % 1000));
    }
    CHECK(scan(wide, 300).first == expected);
    CHECK(scan(wide, 299).first.empty());  // too many fields
    CHECK(scan(wide, 301).first.empty());  // too few
    CHECK(scan("1,,3", 3).first.empty());  // an empty cell: missing, the general parser's call
    CHECK(scan("1,NA,3", 3).first.empty());
    CHECK(scan("1, 2,+3", 3).first == std::vector<float>{1, 2, 3});  // as the general parser
    CHECK(scan("1,\"2\",3", 3).first.empty());
    CHECK(scan("1,inf,3", 3).first.empty());
    // Numbers other than short decimals take the general parser within the scan.
    CHECK(scan("1,2e3,-0.123456789", 3).first == std::vector<float>{1, 2000, -0.123456789f});
    // Declared text columns come back as they are; quoted text is not plain.
    const auto [cells, texts] = scan("5,red wine,3", 3, ',', {0, 1, 0});
    CHECK(cells.size() == 3);
    CHECK(texts[1] == "red wine");
    CHECK(scan("5,\"red, wine\",3", 3, ',', {0, 1, 0}).first.empty());
    CHECK(scan("5,\"red\",3", 3, ',', {0, 1, 0}).first.empty());
}

TEST_CASE("the column arena staggers its slots and hands larger requests on", "[data][csv]") {
    const auto arena = std::make_shared<ColumnArena>(3, 1000 * sizeof(float));
    std::vector<Column> columns;
    for (int c = 0; c < 3; ++c) {
        columns.emplace_back(std::pmr::polymorphic_allocator<float>(arena.get()));
        columns.back().reserve(1000);
    }
    CHECK(reinterpret_cast<std::uintptr_t>(columns[0].data()) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(columns[0].data()) % 4096 !=
          reinterpret_cast<std::uintptr_t>(columns[1].data()) % 4096);
    for (auto& column : columns) column.assign(1000, 2.0f);
    columns[1].resize(5000, 3.0f);  // outgrows its slot: the default resource
    CHECK(columns[1][999] == 2.0f);
    CHECK(columns[1][4999] == 3.0f);
    Column extra(std::pmr::polymorphic_allocator<float>(arena.get()));
    extra.assign(10, 1.0f);  // reuses the slot column 1 gave back
    CHECK(extra[9] == 1.0f);
    // A table keeps the arena alive; its copies own their columns.
    Table table;
    table.column_memory = arena;
    table.columns = std::move(columns);
    const Table copy = table;
    table = Table();
    CHECK(copy.columns[2][999] == 2.0f);
}

TEST_CASE("a file window maps any part of a file", "[data][csv]") {
    const test::TempDir dir;
    const auto path = dir.path() / "window.bin";
    std::string bytes(3 * 4096 + 123, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i % 26);
    std::ofstream(path, std::ios::binary) << bytes;
    FileWindow file;
    REQUIRE(file.open(path));
    CHECK(file.size() == bytes.size());
    CHECK(file.view(0, 10) == bytes.substr(0, 10));
    CHECK(file.view(4095, 5000) == bytes.substr(4095, 5000));  // across pages, unaligned
    CHECK(file.view(bytes.size() - 3, 100) == bytes.substr(bytes.size() - 3));  // clipped
    CHECK(file.view(bytes.size(), 10).empty());
    std::filesystem::remove(path);
    FileWindow directory;
    CHECK_FALSE(directory.open(std::filesystem::temp_directory_path()));
    CHECK_FALSE(directory.open(path));  // gone
}

TEST_CASE("a mapped file cut short reads as zeros and says so, not SIGBUS", "[data][csv]") {
    const auto path = std::filesystem::temp_directory_path() / "dlctl-window-cut.bin";
    const std::string bytes(4 * 4096, 'x');
    std::ofstream(path, std::ios::binary) << bytes;
    FileWindow file;
    REQUIRE(file.open(path));
    const std::string_view view = file.view(0, bytes.size());
    CHECK_FALSE(file.cut());
    std::filesystem::resize_file(path, 4096);  // as another process would, while it is mapped
    CHECK(view[10] == 'x');
    CHECK(view[3 * 4096 + 5] == '\0');  // the page past the new end: a fault, repaired
    CHECK(view[2 * 4096] == '\0');
    CHECK(file.cut());
    std::filesystem::remove(path);
}

TEST_CASE("a tile of rows is spread over the columns", "[data][csv]") {
    for (const std::size_t rows : {std::size_t{8}, std::size_t{5}}) {
        const std::size_t width = 21;  // two 8x8 blocks and a tail
        std::vector<float> tile(kTileRows * width);
        for (std::size_t i = 0; i < tile.size(); ++i) tile[i] = static_cast<float>(i);
        std::vector<std::vector<float>> columns(width, std::vector<float>(3 + rows + 2, -1.0f));
        std::vector<float*> pointers;
        for (auto& column : columns) pointers.push_back(column.data());
        spread_tile(tile.data(), rows, width, pointers.data(), 3);
        for (std::size_t c = 0; c < width; ++c) {
            INFO("rows " << rows << ", column " << c);
            CHECK(columns[c][2] == -1.0f);
            for (std::size_t r = 0; r < rows; ++r) CHECK(columns[c][3 + r] == tile[r * width + c]);
            CHECK(columns[c][3 + rows] == -1.0f);
        }
    }
}
