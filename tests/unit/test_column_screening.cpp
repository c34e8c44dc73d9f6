#include <catch2/catch.hpp>
#include <numeric>
#include <string>

#include "dlctl/data/column_screening.h"
#include "dlctl/data/csv_reader.h"

using namespace dlctl;

namespace {

/// The names of the columns of `csv` that screening keeps (every column a candidate).
std::vector<std::string> kept(const std::string& csv,
                              DataSpec spec = {},
                              std::vector<ScreenedColumn>* screened = nullptr) {
    CsvOptions options;
    options.infer_types = true;
    options.na_values = {""};
    const Table table = read_csv_text("t.csv", csv, options);
    std::vector<int> all(table.names.size());
    std::iota(all.begin(), all.end(), 0);
    std::vector<ScreenedColumn> out;
    std::vector<std::string> names;
    for (const int c : screen_features(spec, table, all, out, false))
        names.push_back(table.names[c]);
    if (screened != nullptr) *screened = out;
    return names;
}

/// A CSV with a header and `rows` rows made by `row(i)`.
template <class Row>
std::string csv(const std::string& header, int rows, Row row) {
    std::string out = header + "\n";
    for (int i = 0; i < rows; ++i) out += row(i) + "\n";
    return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("a saved pandas index is left out", "[data][screening]") {
    const std::string text = csv(",x,y", 30, [](int i) {
        return std::to_string(i * 2) + "," + std::to_string(i % 7) + ",1";
    });
    std::vector<ScreenedColumn> screened;
    CHECK(kept(text, {}, &screened) == Names{"x", "y"});
    REQUIRE(screened.size() == 1);
    CHECK(screened[0].reason == "an unnamed index column");
    // Not counting up, or named, or listed: kept.
    CHECK(kept(csv(",x", 30, [](int i) { return std::to_string(30 - i) + ",1"; })) ==
          Names{"col0", "x"});
    CHECK(kept(csv("n,x", 30, [](int i) { return std::to_string(i) + ",1"; })) == Names{"n", "x"});
    DataSpec listed;
    listed.features = {"col0", "x"};
    CHECK(kept(text, listed) == Names{"col0", "x", "y"});
}

TEST_CASE("row ids are left out, codes and typed columns stay", "[data][screening]") {
    auto ids = [](const std::string& name) {
        return csv(name + ",x", 40, [](int i) { return std::to_string(1000 + i * 3) + ",1"; });
    };
    for (const char* name : {"id", "ID", "customer_id", "CustomerID", "userId", "nr"}) {
        INFO(name);
        CHECK(kept(ids(name)) == Names{"x"});
    }
    for (const char* name : {"valid", "paid", "width", "grid"}) {  // not id-like names
        INFO(name);
        CHECK(kept(ids(name)) == Names{name, "x"});
    }
    // An id-like name with repeated values is a code (a school id), kept.
    CHECK(kept(csv("school_id,x", 40, [](int i) { return std::to_string(i % 5) + ",1"; })) ==
          Names{"school_id", "x"});
    DataSpec typed;
    typed.columns = {{"id", "numeric"}};
    CHECK(kept(ids("id"), typed) == Names{"id", "x"});
    DataSpec ignored;
    ignored.columns = {{"x", "ignore"}};
    std::vector<ScreenedColumn> screened;
    CHECK(kept(ids("k"), ignored, &screened) == Names{"k"});
    REQUIRE(screened.size() == 1);
    CHECK(screened[0].reason == "data.columns: ignore");
    // Too few rows to call a column an id.
    CHECK(kept(csv("id,x", 5, [](int i) { return std::to_string(i) + ",1"; })) == Names{"id", "x"});
}
