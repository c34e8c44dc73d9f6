// Real-world CSV files: inferred column types, missing values, categorical features and string
// labels, end to end through prepare_data and the preprocessor.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/summary.h"
#include "dlctl/data/table_cache.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

namespace {

CsvOptions inferring() {
    CsvOptions o;
    o.infer_types = true;
    o.na_values = {"", "NA", "?"};
    return o;
}

DataSpec spec_for(const std::filesystem::path& path, const std::string& target) {
    DataSpec spec;
    spec.path = path.string();
    spec.target = target;
    spec.split = {0.0, 0.0, false};
    return spec;
}

}  // namespace

TEST_CASE("column types are inferred: numeric, boolean, categorical", "[data][types]") {
    const Table t = read_csv_text("t.csv",
                                  "n,flag,city,late\n"
                                  "1.5,yes,Paris,1\n"
                                  "NA,no,  Lyon ,2\n"
                                  "3,Yes,Paris,x7\n",
                                  inferring());
    CHECK(t.type(0) == ColumnType::kNumeric);
    CHECK(std::isnan(t.columns[0][1]));  // NA is missing
    CHECK(t.type(1) == ColumnType::kBoolean);
    CHECK(t.columns[1] == Column{1, 0, 1});
    CHECK(t.type(2) == ColumnType::kCategorical);
    CHECK(t.categories[2] == std::vector<std::string>{"Paris", "Lyon"});  // blanks trimmed
    CHECK(t.columns[2] == Column{0, 1, 0});
    // A column that looks numeric until its last row is re-read as text, keeping "1" as written.
    CHECK(t.type(3) == ColumnType::kCategorical);
    CHECK(t.categories[3] == std::vector<std::string>{"1", "2", "x7"});
    CHECK(t.lines == std::vector<std::uint32_t>{2, 3, 4});
}

TEST_CASE("declared column types override inference", "[data][types]") {
    CsvOptions o = inferring();
    o.column_types = {{"zip", ColumnType::kCategorical}};
    const Table t = read_csv_text("t.csv", "zip,x\n02134,1\n10001,2\n", o);
    CHECK(t.categories[0] == std::vector<std::string>{"02134", "10001"});  // leading zero kept
    o.column_types = {{"x", ColumnType::kNumeric}};
    CHECK_THROWS_WITH(read_csv_text("t.csv", "x\n1\nabc\n", o),
                      Contains("t.csv:3: column 'x': 'abc' is not a finite number"));
    o.column_types = {{"x", ColumnType::kBoolean}};
    CHECK_THROWS_WITH(read_csv_text("t.csv", "x\nyes\nmaybe\n", o),
                      Contains("declared boolean in data.columns, but holds 'maybe'"));
    o.column_types = {{"nope", ColumnType::kBoolean}};
    CHECK_THROWS_WITH(read_csv_text("t.csv", "x\n1\n", o),
                      Contains("'nope', which is not a column"));
    // inf is never a number of a numeric column, inferred or not.
    CHECK_THROWS_WITH(read_csv_text("t.csv", "x\n1\ninf\n", inferring()),
                      Contains("t.csv:3: column 'x': 'inf' is not a finite number"));
}

TEST_CASE("string labels get a sorted label map with a stated positive class", "[data][types]") {
    TempDir dir;
    const auto csv = dir.write("l.csv", "x,y\n1,malignant\n2,benign\n3,malignant\n4,\n");
    DataSpec spec = spec_for(csv, "y");
    spec.na_values = {""};
    PreparedData data = prepare_data(spec, 1, 1);
    CHECK(data.labels == std::vector<std::string>{"benign", "malignant"});
    CHECK(data.train.targets == std::vector<float>{1, 0, 1});
    CHECK(data.dropped_missing_target == 1);  // the row without a label
    spec.positive_label = "benign";
    data = prepare_data(spec, 1, 1);
    CHECK(data.labels == std::vector<std::string>{"malignant", "benign"});
    CHECK(data.train.targets == std::vector<float>{0, 1, 0});
    spec.positive_label = "other";
    CHECK_THROWS_WITH(prepare_data(spec, 1, 1),
                      Contains("data.positive_label 'other' is not a value of target 'y'"));
    CHECK_THROWS_WITH(prepare_data(spec_for(csv, "y"), 1, 0),
                      Contains("target 'y' is categorical, but a regression loss needs numbers"));
}

TEST_CASE("labels keep their spelling and numeric labels sort as numbers", "[data][types]") {
    TempDir dir;
    const auto words = dir.write("w.csv", "x,y\n1,yes\n2,no\n3,yes\n");
    CHECK(prepare_data(spec_for(words, "y"), 1, 1).labels ==
          std::vector<std::string>{"no", "yes"});  // not turned into a boolean
    const auto numbers = dir.write("n.csv", "x,y\n1,10\n2,2\n3,1.5\n");
    CHECK(prepare_data(spec_for(numbers, "y"), 1, 3).labels ==
          std::vector<std::string>{"1.5", "2", "10"});
    const std::vector<std::string> labels = {"0", "1"};
    CHECK(find_label(labels, "1.0") - labels.begin() == 1);  // the same number
    CHECK(find_label(labels, "one") == labels.end());
}

TEST_CASE("missing values are filled from the training rows, dropped or errors", "[data][types]") {
    TempDir dir;
    // Rows 1-3 train, row 4 test (unshuffled); the test row's value must not leak into the fill.
    const auto csv = dir.write("m.csv", "x,y\n1,0\nNA,1\n5,0\n100,1\n");
    DataSpec spec = spec_for(csv, "y");
    spec.split = {0.25, 0.0, false};
    spec.normalize = "none";
    PreparedData data = prepare_data(spec, 1, 0);
    CHECK(data.train.features == std::vector<float>{1, 3, 5});  // mean of 1 and 5
    spec.missing.numeric = "median";
    spec.missing.indicators = true;
    data = prepare_data(spec, 1, 0);
    CHECK(data.preprocessor.encoded_names() == std::vector<std::string>{"x", "x__missing"});
    CHECK(data.train.features == std::vector<float>{1, 0, 3, 1, 5, 0});
    spec.missing.indicators = false;
    spec.missing.numeric = "constant";
    spec.missing.fill_value = -1;
    CHECK(prepare_data(spec, 1, 0).train.features == std::vector<float>{1, -1, 5});
    spec.missing.numeric = "drop_row";
    data = prepare_data(spec, 1, 0);
    CHECK(data.dropped_missing_feature == 1);
    CHECK(data.train.n_rows + data.test.n_rows == 3);
    spec.missing.numeric = "error";
    CHECK_THROWS_WITH(prepare_data(spec, 1, 0), Contains("m.csv:3: column 'x': missing value"));
    const auto empty = dir.write("e.csv", "x,z,y\nNA,1,0\nNA,2,1\n");
    CHECK_THROWS_WITH(prepare_data(spec_for(empty, "y"), 1, 0),
                      Contains("column 'x' has no values in the training rows"));
}

TEST_CASE("categorical features are one-hot over the training rows' values", "[data][types]") {
    TempDir dir;
    const auto csv =
        dir.write("c.csv", "color,y\nred,0\nblue,1\nred,0\ngreen,1\nNA,0\nred,1\npurple,0\n");
    DataSpec spec = spec_for(csv, "y");
    spec.split = {1.0 / 7, 0.0, false};  // the last row (purple) is the test row: unseen
    spec.max_categories = 2;
    PreparedData data = prepare_data(spec, 1, 0);
    // red (3) and blue (1, before green in the file) kept; green folded into __other__.
    CHECK(data.preprocessor.encoded_names() == std::vector<std::string>{"color=red", "color=blue",
                                                                        "color=__other__",
                                                                        "color=__missing__"});
    CHECK(data.train.features == std::vector<float>{1, 0, 0, 0,  // red
                                                    0, 1, 0, 0,  // blue
                                                    1, 0, 0, 0,  // red
                                                    0, 0, 1, 0,  // green: __other__
                                                    0, 0, 0, 1,  // NA: __missing__
                                                    1, 0, 0, 0});
    CHECK(data.test.features == std::vector<float>{0, 0, 1, 0});  // unseen: __other__
    // Counted: green, rare in training; purple, unseen in the test row.
    CHECK(data.train.outside_vocabulary == std::vector<std::int64_t>{1});
    CHECK(data.test.outside_vocabulary == std::vector<std::int64_t>{1});
    CHECK_THAT(data_summary_json(data, 0),
               Contains("\"outside_vocabulary\": {\n        \"test\": 1,\n        "
                        "\"train\": 1,\n        \"validation\": 0\n      }"));
    CHECK_THAT(fmt::format("{}", fmt::join(data_summary_lines(data, 0), "\n")),
               Contains("outside the vocabulary (rare, or unseen in training; "
                        "train/validation/test): color 1/0/1"));
    spec.max_categories = 0;
    data = prepare_data(spec, 1, 0);
    CHECK(data.preprocessor.width() == 4);                        // red, blue, green, __missing__
    CHECK(data.test.features == std::vector<float>{0, 0, 0, 0});  // unseen: ignored
    spec.unseen_categories = "error";
    CHECK_THROWS_WITH(prepare_data(spec, 1, 0),
                      Contains("c.csv:8: column 'color': 'purple' is not a category the model "
                               "was trained on"));
    spec.unseen_categories = "ignore";
    spec.missing.categorical = "mode";
    data = prepare_data(spec, 1, 0);
    CHECK(data.preprocessor.width() == 3);
    CHECK(std::vector<float>(data.train.features.begin() + 12, data.train.features.begin() + 15) ==
          std::vector<float>{1, 0, 0});  // NA filled with red
}

TEST_CASE("a wide categorical column becomes one index input for a learned embedding",
          "[data][types]") {
    TempDir dir;
    const auto csv = dir.write("c.csv",
                               "color,size,y\nred,s,0\nblue,m,1\nred,s,0\ngreen,m,1\nNA,s,0\n"
                               "red,m,1\nblue,s,0\npurple,m,0\n");
    DataSpec spec = spec_for(csv, "y");
    spec.split = {1.0 / 8, 0.0, false};  // the last row (purple) is the test row: unseen
    spec.embed_categories = 2;           // color has 4 training values, size 2
    PreparedData data = prepare_data(spec, 1, 0);
    const FeatureColumn& color = data.preprocessor.columns()[0];
    CHECK(color.embedded);
    // Values seen twice or more, then __other__ (green, seen once, and unseen ones).
    CHECK(color.vocabulary == std::vector<std::string>{"red", "blue", "__other__", "__missing__"});
    CHECK_FALSE(data.preprocessor.columns()[1].embedded);
    CHECK(data.preprocessor.encoded_names() ==
          std::vector<std::string>{"color", "size=s", "size=m"});
    const InputKinds kinds = data.preprocessor.input_kinds();
    REQUIRE(kinds.size() == 3);
    CHECK(kinds[0].kind == InputKind::kCategory);
    CHECK(kinds[0].size == 4);
    CHECK(kinds[1].kind == InputKind::kOther);  // one-hot
    CHECK(kinds[2].kind == InputKind::kOther);
    CHECK(data.train.features == std::vector<float>{0, 1, 0,  // red
                                                    1, 0, 1,  // blue
                                                    0, 1, 0,  // red
                                                    2, 0, 1,  // green: __other__
                                                    3, 1, 0,  // NA: __missing__
                                                    0, 0, 1,  // red
                                                    1, 1, 0});
    CHECK(data.test.features == std::vector<float>{2, 0, 1});  // purple, unseen: __other__
    CHECK(data.test.outside_vocabulary == std::vector<std::int64_t>{1, 0});
    const Preprocessor again = Preprocessor::from_json(data.preprocessor.to_json());
    CHECK(again.columns()[0].embedded);
    CHECK(again.input_kinds()[0].size == 4);
    CHECK_THAT(fmt::format("{}", fmt::join(data_summary_lines(data, 0), "\n")),
               Contains("color (categorical, 4 values, embedded)"));
}

TEST_CASE("the preprocessor says what each model input holds", "[data][types]") {
    TempDir dir;
    const auto csv = dir.write("k.csv",
                               "a,b,flag,c,y\n1,5,true,x,0\n2,6,false,y,1\n3,NA,true,x,0\n"
                               "4,8,false,y,1\n5,9,true,x,0\n6,10,false,y,1\n");
    DataSpec spec = spec_for(csv, "y");
    spec.normalize_columns = {{"a", "piecewise_linear"}};
    spec.bins = 2;
    spec.missing.indicators = true;
    const PreparedData data = prepare_data(spec, 1, 0);
    // a: 2 bins; b: a value and its missing indicator; flag: a boolean; c: one-hot x, y.
    const InputKinds kinds = data.preprocessor.input_kinds();
    REQUIRE(kinds.size() == 7);
    CHECK((kinds[0].kind == InputKind::kBin && kinds[0].size == 2 && kinds[0].first == 0));
    CHECK((kinds[1].kind == InputKind::kBin && kinds[1].first == 0));
    CHECK(kinds[2].kind == InputKind::kNumber);
    for (std::size_t i = 3; i < 7; ++i) CHECK(kinds[i].kind == InputKind::kOther);
}

TEST_CASE("column settings must name columns of the file", "[data][types]") {
    TempDir dir;
    const auto csv = dir.write("c.csv", "x,c,y\n1,a,0\n2,b,1\n");
    DataSpec spec = spec_for(csv, "y");
    spec.columns = {{"xx", "categorical"}};
    CHECK_THROWS_WITH(prepare_data(spec, 1, 1),
                      Contains("column 'xx' (from data.columns) not found (did you mean 'x'?)"));
    spec.columns = {};
    spec.normalize_columns = {{"c", "minmax"}};
    CHECK_THROWS_WITH(prepare_data(spec, 1, 1),
                      Contains("data.normalize_columns names 'c', which is not a numeric feature"));
}

TEST_CASE("robust scaling uses the median and interquartile range", "[data][types]") {
    const Table t = read_csv_text("t.csv", "x\n1\n2\n3\n4\n100\n", inferring());
    FeatureOptions options;
    options.normalize = "robust";
    Preprocessor p;
    p.fit(t, {0}, {0, 1, 2, 3, 4}, options);
    CHECK(p.offsets()[0] == 3.0);
    CHECK(p.scales()[0] == 2.0);                    // 4 - 2
    options.normalize_columns = {{"x", "minmax"}};  // a column's own method wins
    p.fit(t, {0}, {0, 1, 2, 3, 4}, options);
    CHECK(p.offsets()[0] == 1.0);
    CHECK(p.scales()[0] == 99.0);
}

TEST_CASE("the preprocessor's JSON keeps categories and missing-value rules", "[data][types]") {
    const Table t = read_csv_text("t.csv", "c,x\na,1\nb,NA\na,3\n", inferring());
    FeatureOptions options;
    options.missing.indicators = true;
    Preprocessor fitted;
    fitted.fit(t, {0, 1}, {0, 1, 2}, options);
    const Preprocessor restored = Preprocessor::from_json(fitted.to_json());
    CHECK(restored.encoded_names() == fitted.encoded_names());
    std::vector<float> a, b;
    fitted.transform(t, {0, 1}, {0, 1, 2}, a);
    restored.transform(t, {0, 1}, {0, 1, 2}, b);
    CHECK(a == b);
}

TEST_CASE("parsed tables are cached, and stale or damaged entries are rebuilt", "[data][cache]") {
    TempDir dir;
    TableCacheOptions cache;
    cache.dir = dir.path() / "cache";
    cache.min_bytes = 0;
    CsvOptions options = inferring();
    const auto csv = dir.write("d.csv", "a,b\n1,x\n2,y\n");
    const Table first = read_csv_cached(csv, options, cache);
    std::vector<std::filesystem::path> entries;
    for (const auto& e : std::filesystem::directory_iterator(cache.dir))
        entries.push_back(e.path());
    REQUIRE(entries.size() == 1);
    const Table cached = read_csv_cached(csv, options, cache);
    CHECK(cached.columns == first.columns);
    CHECK(cached.categories == first.categories);
    CHECK(cached.types == first.types);
    CHECK(cached.lines == first.lines);

    // The same size and (maybe) the same second, other content: not served from the cache, and
    // the entry is replaced rather than joined by another.
    dir.write("d.csv", "a,b\n3,x\n4,y\n");
    CHECK(read_csv_cached(csv, options, cache).columns[0] == Column{3, 4});
    CHECK(std::distance(std::filesystem::directory_iterator(cache.dir),
                        std::filesystem::directory_iterator{}) == 1);

    // A damaged entry is ignored and rewritten.
    std::string bytes = dlctl::test::read_text(entries[0]);
    bytes[bytes.size() - 2] ^= 0x55;
    dir.write("cache/" + entries[0].filename().string(), bytes);
    CHECK(read_csv_cached(csv, options, cache).columns[0] == Column{3, 4});
    dir.write("cache/" + entries[0].filename().string(), bytes.substr(0, 20));
    CHECK(read_csv_cached(csv, options, cache).columns[0] == Column{3, 4});
    CHECK(dlctl::test::read_text(entries[0]).size() > 20);

    // Other parsing options are another entry.
    options.column_types = {{"a", ColumnType::kCategorical}};
    CHECK(read_csv_cached(csv, options, cache).type(0) == ColumnType::kCategorical);
    cache.enabled = false;
    CHECK(read_csv_cached(csv, options, cache).rows() == 2);
}

TEST_CASE("piecewise-linear encoding: one input per quantile bin, 1 below the value, 0 above",
          "[data][types][maps]") {
    std::string csv = "x,c,m\n";
    for (int i = 0; i <= 100; ++i) csv += fmt::format("{},7,{}\n", i, i % 10 == 0 ? "NA" : "1");
    csv += "-25,7,1\n150,7,1\n";
    const Table t = read_csv_text("t.csv", csv, inferring());
    std::vector<std::uint32_t> train(101);
    std::iota(train.begin(), train.end(), 0u);
    FeatureOptions options;
    options.normalize = "piecewise_linear";
    options.bins = 4;
    options.missing.indicators = true;
    Preprocessor p;
    p.fit(t, {0, 1, 2}, train, options);
    REQUIRE(p.columns()[0].knots == std::vector<double>{0, 25, 50, 75, 100});
    CHECK(p.columns()[1].knots == std::vector<double>{7, 8});  // constant: one bin
    CHECK(p.encoded_names() == std::vector<std::string>{"x__bin1", "x__bin2", "x__bin3", "x__bin4",
                                                        "c__bin1", "m__bin1", "m__missing"});
    std::vector<float> out;
    p.transform(t, {10, 60, 101, 102}, out);  // 10, 60, -25 and 150
    const auto row = [&](std::size_t r) {
        return std::vector<float>(out.begin() + static_cast<std::ptrdiff_t>(7 * r),
                                  out.begin() + static_cast<std::ptrdiff_t>(7 * r + 4));
    };
    CHECK(row(0) == std::vector<float>{0.4f, 0.0f, 0.0f, 0.0f});
    CHECK(row(1) == std::vector<float>{1.0f, 1.0f, 0.4f, 0.0f});
    CHECK(row(2) == std::vector<float>{-1.0f, 0.0f, 0.0f, 0.0f});  // the first bin extends down
    CHECK(row(3) == std::vector<float>{1.0f, 1.0f, 1.0f, 3.0f});   // and the last up
    CHECK(out[4] == 0.0f);                                         // c: 7 sits at its edge
    CHECK(out[6] == 1.0f);  // row 10's m is missing: filled, and its indicator set
    const Preprocessor restored = Preprocessor::from_json(p.to_json());
    std::vector<float> again;
    restored.transform(t, {0, 1, 2}, {10, 60, 101, 102}, again);
    CHECK(again == out);
    std::string json = p.to_json();
    json.replace(json.find("[0.0,25.0"), 9, "[0.0,0.0");
    CHECK_THROWS_WITH(Preprocessor::from_json(json), Contains("invalid bin edges"));
    json = p.to_json();
    json.replace(json.find("[0.0,25.0,50.0,75.0,100.0]"), 26, "[0.0]");
    CHECK_THROWS_WITH(Preprocessor::from_json(json), Contains("invalid bin edges"));

    // A constant too large for +1 to change it still gets a bin of nonzero width.
    const Table huge = read_csv_text("h.csv", "t\n1e17\n1e17\n", inferring());
    Preprocessor q;
    q.fit(huge, {0}, {0, 1}, options);
    REQUIRE(q.columns()[0].knots.size() == 2);
    CHECK(q.columns()[0].knots[1] > q.columns()[0].knots[0]);
    std::vector<float> encoded;
    q.transform(huge, {0, 1}, encoded);
    CHECK(encoded == std::vector<float>{0.0f, 0.0f});
    CHECK_NOTHROW(Preprocessor::from_json(q.to_json()));
}
