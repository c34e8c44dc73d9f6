#include <catch2/catch.hpp>
#include <numeric>
#include <set>

#include "dlctl/core/error.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/split.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

TEST_CASE("splits are disjoint, complete, sized by rounding and seeded", "[data][split]") {
    const SplitSpec spec{0.2, 0.1, true};
    const SplitIndices s = split_rows(101, spec, 9);
    CHECK(s.test.size() == 20);
    CHECK(s.validation.size() == 10);
    CHECK(s.train.size() == 71);
    std::set<std::uint32_t> all(s.train.begin(), s.train.end());
    all.insert(s.validation.begin(), s.validation.end());
    all.insert(s.test.begin(), s.test.end());
    CHECK(all.size() == 101);
    CHECK(*all.rbegin() == 100);

    CHECK(split_rows(101, spec, 9).test == s.test);
    CHECK(split_rows(101, spec, 10).test != s.test);
}

TEST_CASE("an unshuffled split keeps row order: train, then validation, then test",
          "[data][split]") {
    const SplitIndices s = split_rows(10, SplitSpec{0.2, 0.1, false}, 1);
    CHECK(s.train == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(s.validation == std::vector<std::uint32_t>{7});
    CHECK(s.test == std::vector<std::uint32_t>{8, 9});
    const SplitIndices none = split_rows(5, SplitSpec{0.0, 0.0, true}, 1);
    CHECK(none.train.size() == 5);
    CHECK(none.test.empty());
}

TEST_CASE("too few rows for the requested split is a data error", "[data][split]") {
    CHECK_THROWS_MATCHES(split_rows(2, SplitSpec{0.5, 0.4, true}, 1), DataError,
                         Catch::Matchers::Message(
                             "2 rows are too few for test = 0.5 and validation = 0.4: no training "
                             "rows would remain"));
}

TEST_CASE("normalization is fitted on the training rows only", "[data][preprocess]") {
    Table t;
    t.names = {"x", "constant"};
    t.columns = {{1, 2, 3, 1000}, {5, 5, 5, 5}};
    t.lines = {2, 3, 4, 5};
    const std::vector<std::uint32_t> train = {0, 1, 2};

    Preprocessor standard;
    standard.fit(t, {0, 1}, train, "standard");
    CHECK(standard.offsets()[0] == Approx(2.0));
    CHECK(standard.scales()[0] == Approx(std::sqrt(2.0 / 3.0)));
    CHECK(standard.scales()[1] == 1.0);  // constant column: no division by zero
    std::vector<float> out;
    standard.transform(t, {3}, out);
    CHECK(out[0] == Approx((1000.0 - 2.0) / std::sqrt(2.0 / 3.0)));  // test row, train stats
    CHECK(out[1] == 0.0f);

    Preprocessor minmax;
    minmax.fit(t, {0}, train, "minmax");
    minmax.transform(t, {0, 1, 2}, out);
    CHECK(out == std::vector<float>{0.0f, 0.5f, 1.0f});

    Preprocessor none;
    none.fit(t, {0}, train, "none");
    none.transform(t, {3}, out);
    CHECK(out[0] == 1000.0f);
}

TEST_CASE("prepare_data selects columns, splits and encodes column-major", "[data]") {
    TempDir dir;
    std::string csv = "id,a,b,y\n";
    for (int i = 0; i < 20; ++i) {
        csv += std::to_string(i) + "," + std::to_string(i) + "," + std::to_string(2 * i) + "," +
               std::to_string(i % 2) + "\n";
    }
    DataSpec spec;
    spec.path = dir.write("d.csv", csv).string();
    spec.target = "y";
    spec.drop = {"id"};
    spec.normalize = "none";
    spec.split = {0.25, 0.25, true};
    const PreparedData data = prepare_data(spec, 3, true);
    CHECK(data.feature_names == std::vector<std::string>{"a", "b"});
    CHECK(data.train.n_rows == 10);
    CHECK(data.validation.n_rows == 5);
    CHECK(data.test.n_rows == 5);
    for (std::int64_t i = 0; i < data.test.n_rows; ++i) {
        const float a = data.test.features[i * 2];
        CHECK(data.test.features[i * 2 + 1] == 2 * a);
        CHECK(data.test.targets[i] == static_cast<float>(static_cast<int>(a) % 2));
    }

    spec.drop = {};
    spec.features = {"b"};
    CHECK(prepare_data(spec, 3, true).feature_names == std::vector<std::string>{"b"});
}

namespace {
DataSpec data_spec(std::filesystem::path path, std::string target) {
    DataSpec spec;
    spec.path = path.string();
    spec.target = std::move(target);
    spec.split = {0.0, 0.0, true};
    return spec;
}
}  // namespace

TEST_CASE("missing columns and invalid targets are data errors", "[data]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", "alpha,beta,label\n1,2,0\n3,4,1\n5,6,2\n7,8,1\n");
    CHECK_THROWS_MATCHES(
        prepare_data(data_spec(csv, "lable"), 1, false), DataError,
        Catch::Matchers::Message(csv.string() +
                                 ": column 'lable' (from data.target) not found (did you mean "
                                 "'label'?)"));
    DataSpec with_features = data_spec(csv, "label");
    with_features.features = {"alpha", "gamma"};
    CHECK_THROWS_WITH(prepare_data(with_features, 1, false),
                      Contains("column 'gamma' (from data.features)"));
    CHECK_THROWS_WITH(prepare_data(data_spec(csv, "label"), 1, true),
                      Contains("d.csv: target 'label' has 3 distinct values ('0', '1', '2'), but "
                               "binary_crossentropy needs exactly 2"));
    CHECK_NOTHROW(prepare_data(data_spec(csv, "label"), 1, false));  // fine for regression

    const auto one_class = dir.write("one.csv", "a,y\n1,1\n2,1\n");
    CHECK_THROWS_WITH(prepare_data(data_spec(one_class, "y"), 1, true),
                      Contains("has a single class"));
    DataSpec nothing_left = data_spec(one_class, "y");
    nothing_left.drop = {"a"};
    CHECK_THROWS_WITH(prepare_data(nothing_left, 1, false), Contains("no feature columns left"));
}

TEST_CASE("multiclass targets need as many classes as output units", "[data]") {
    TempDir dir;
    const auto csv = dir.write("m.csv", "a,y\n1,0\n2,1\n3,2\n4,1\n");
    const PreparedData data = prepare_data(data_spec(csv, "y"), 1, 3);
    CHECK(data.train.n_rows == 4);
    CHECK(data.labels == std::vector<std::string>{"0", "1", "2"});
    CHECK_THROWS_WITH(prepare_data(data_spec(csv, "y"), 1, 2),
                      Contains("m.csv: target 'y' has 3 classes ('0', '1', '2'), but the output "
                               "layer has 2 units"));
    const auto fractional = dir.write("f.csv", "a,y\n1,0\n2,1.5\n3,10\n");
    CHECK(prepare_data(data_spec(fractional, "y"), 1, 3).labels ==
          std::vector<std::string>{"0", "1.5", "10"});  // numeric labels sort as numbers
}

TEST_CASE("a sample-weight column weighs rows and is not a feature", "[data]") {
    TempDir dir;
    const auto csv = dir.write("w.csv", "a,w,y\n1,0.5,0\n2,2,1\n3,1,1\n");
    DataSpec spec = data_spec(csv, "y");
    spec.sample_weight = std::string{"w"};  // not = "w": GCC 12 -Wrestrict false positive
    spec.split.shuffle = false;
    const PreparedData data = prepare_data(spec, 1, 1);
    CHECK(data.feature_names == std::vector<std::string>{"a"});
    CHECK(data.train.weights == std::vector<float>{0.5f, 2.0f, 1.0f});
    const auto negative = dir.write("n.csv", "a,w,y\n1,-1,0\n2,1,1\n");
    DataSpec bad = data_spec(negative, "y");
    bad.sample_weight = std::string{"w"};
    CHECK_THROWS_WITH(prepare_data(bad, 1, 1),
                      Contains("n.csv:2: sample weight 'w' is -1; weights must be >= 0"));
}

TEST_CASE("class weights: balanced as scikit-learn, or per label", "[data]") {
    Dataset train;
    train.n_rows = 4;
    train.targets = {0, 0, 0, 1};
    apply_class_weights(train, {"no", "yes"}, "balanced", {});
    CHECK(train.weights[0] == Approx(4.0 / (2 * 3)));
    CHECK(train.weights[3] == Approx(4.0 / (2 * 1)));
    Dataset custom;
    custom.n_rows = 3;
    custom.targets = {0, 1, 2};
    custom.weights = {2, 2, 2};  // sample weights multiply
    apply_class_weights(custom, {"0", "1", "2"}, "custom", {{"2", 5.0}});
    CHECK(custom.weights == std::vector<float>{2, 2, 10});
    CHECK_THROWS_WITH(apply_class_weights(custom, {"0", "1", "2"}, "custom", {{"7", 1.0}}),
                      Contains("'7' is not a label of the target (labels: 0, 1, 2)"));
}

TEST_CASE("stratified splits keep each class's share to within one row", "[data][split]") {
    // 3 classes of 50, 30 and 7 rows, interleaved.
    std::vector<float> labels;
    for (int i = 0; i < 50; ++i) labels.push_back(0);
    for (int i = 0; i < 30; ++i) labels.push_back(1);
    for (int i = 0; i < 7; ++i) labels.push_back(2);
    const SplitSpec spec{0.2, 0.1, true};
    const SplitIndices s = split_rows(labels.size(), spec, 4, &labels);
    const SplitIndices plain = split_rows(labels.size(), spec, 4);
    CHECK(s.test.size() == plain.test.size());  // same split sizes as without stratification
    CHECK(s.validation.size() == plain.validation.size());
    const double sizes[] = {50, 30, 7};
    for (int c = 0; c < 3; ++c) {
        auto count = [&](const std::vector<std::uint32_t>& rows) {
            return std::count_if(rows.begin(), rows.end(),
                                 [&](std::uint32_t r) { return labels[r] == c; });
        };
        INFO("class " << c);
        CHECK(std::abs(count(s.test) - sizes[c] * 0.2) <= 1.0);
        CHECK(std::abs(count(s.validation) - sizes[c] * 0.1) <= 1.0);
        CHECK(count(s.train) + count(s.test) + count(s.validation) == sizes[c]);
    }
    CHECK(split_rows(labels.size(), spec, 4, &labels).test == s.test);  // seeded
    std::set<std::uint32_t> all(s.train.begin(), s.train.end());
    all.insert(s.test.begin(), s.test.end());
    all.insert(s.validation.begin(), s.validation.end());
    CHECK(all.size() == labels.size());
}

TEST_CASE("cross-validation folds partition the rows outside an unchanged test split",
          "[data][split][cv]") {
    std::vector<float> labels;
    for (int i = 0; i < 60; ++i) labels.push_back(i < 40 ? 0.0f : i < 55 ? 1.0f : 2.0f);
    const SplitSpec spec{0.2, 0.1, true};
    for (const bool stratified : {false, true}) {
        INFO("stratified " << stratified);
        const std::vector<float>* by_class = stratified ? &labels : nullptr;
        const SplitIndices plain = split_rows(labels.size(), spec, 3, by_class);
        std::multiset<std::uint32_t> validated;
        for (int fold = 1; fold <= 4; ++fold) {
            const SplitIndices f = split_rows(labels.size(), spec, 3, by_class, {4, fold});
            CHECK(f.test == plain.test);
            CHECK(f.train.size() + f.validation.size() == 48);
            CHECK(f.validation.size() == 12);  // 48 rows dealt into 4 folds
            std::set<std::uint32_t> own(f.train.begin(), f.train.end());
            own.insert(f.validation.begin(), f.validation.end());
            own.insert(f.test.begin(), f.test.end());
            CHECK(own.size() == labels.size());
            validated.insert(f.validation.begin(), f.validation.end());
            if (stratified) {  // class 2's 4 non-test rows: one in each fold
                CHECK(std::count_if(f.validation.begin(), f.validation.end(),
                                    [&](std::uint32_t r) { return labels[r] == 2.0f; }) == 1);
            }
        }
        CHECK(validated.size() == 48);
        CHECK(std::set<std::uint32_t>(validated.begin(), validated.end()).size() == 48);
    }
    const SplitIndices whole = split_rows(labels.size(), spec, 3, &labels, {4, 0});
    CHECK(whole.validation.empty());
    CHECK(whole.train.size() == 48);
}

TEST_CASE("unshuffled cross-validation folds are blocks in file order", "[data][split][cv]") {
    const SplitSpec ordered{0.2, 0.0, false};
    CHECK(split_rows(10, ordered, 1, nullptr, {3, 1}).validation ==
          std::vector<std::uint32_t>{0, 1, 2});
    CHECK(split_rows(10, ordered, 1, nullptr, {3, 3}).validation ==
          std::vector<std::uint32_t>{6, 7});  // 8 rows in blocks of 3, 3 and 2
    CHECK(split_rows(10, ordered, 1, nullptr, {3, 3}).test == std::vector<std::uint32_t>{8, 9});
    CHECK_THROWS_MATCHES(split_rows(10, ordered, 1, nullptr, {9, 1}), DataError,
                         Catch::Matchers::Message("8 rows outside the test split are too few for "
                                                  "train.cv.folds = 9: each fold needs a row to "
                                                  "validate on"));
}

TEST_CASE("the target may be given by index and standardised for regression", "[data]") {
    TempDir dir;
    const auto csv = dir.write("r.csv", "a,y\n1,10\n2,20\n3,30\n4,40\n");
    DataSpec spec = data_spec(csv, "1");  // no column is named "1": index 1 is y
    spec.normalize = "none";
    spec.split.shuffle = false;
    CHECK(prepare_data(spec, 1, 0).target_name == "y");  // the column's name
    CHECK(prepare_data(spec, 1, 0).train.targets == std::vector<float>{10, 20, 30, 40});
    spec.target_normalize = "standard";
    const PreparedData data = prepare_data(spec, 1, 0);
    CHECK(data.target_offset == Approx(25.0));
    CHECK(data.target_scale == Approx(std::sqrt(125.0)));
    CHECK(data.train.targets[0] == Approx(-15.0 / std::sqrt(125.0)));
    CHECK_THROWS_WITH(prepare_data(data_spec(csv, "7"), 1, 0),
                      Contains("column '7' (from data.target) not found"));
}

TEST_CASE("validation and test rows can come from their own files", "[data]") {
    TempDir dir;
    const auto train = dir.write("train.csv", "id,a,y\n1,1,0\n2,2,1\n3,3,0\n4,4,1\n");
    const auto test = dir.write("test.csv", "y,a,extra\n1,10,7\n0,20,8\n");  // any column order
    DataSpec spec = data_spec(train, "y");
    spec.drop = {"id"};
    spec.normalize = "minmax";
    spec.test_file = test.string();
    const PreparedData data = prepare_data(spec, 1, 1);
    CHECK(data.train.n_rows == 4);
    REQUIRE(data.test.n_rows == 2);
    CHECK(data.test.targets == std::vector<float>{1, 0});
    CHECK(data.test.features[0] == Approx((10.0 - 1.0) / 3.0));  // train rows' min-max
    const auto bad = dir.write("bad.csv", "y,b\n1,10\n");
    spec.test_file = bad.string();
    CHECK_THROWS_WITH(prepare_data(spec, 1, 1),
                      Contains("column 'a' (from data.test_file) not found"));
}
