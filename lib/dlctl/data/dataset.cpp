#include "dlctl/data/dataset.h"

#include <fmt/format.h>

#include <algorithm>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_reader.h"

namespace dlctl {

namespace {

int require_column(const Table& table, const std::string& name, const std::string& key) {
    const int index = table.column_index(name);
    if (index < 0) {
        throw DataError(fmt::format("{}: column '{}' (from {}) not found{}", table.source, name,
                                    key, did_you_mean(name, table.names)),
                        "the file's columns are: " + quoted_list(table.names));
    }
    return index;
}

void check_binary(const Table& table, int target) {
    const std::vector<float>& y = table.columns[target];
    for (std::size_t r = 0; r < y.size(); ++r) {
        if (y[r] != 0.0f && y[r] != 1.0f) {
            throw DataError(fmt::format("{}:{}: target '{}' is {}, but binary_crossentropy needs "
                                        "labels 0 and 1",
                                        table.source, table.lines[r], table.names[target], y[r]),
                            "use loss: mse for a numeric target, or encode the classes as 0/1");
        }
    }
    const bool has_both = std::find(y.begin(), y.end(), 0.0f) != y.end() &&
                          std::find(y.begin(), y.end(), 1.0f) != y.end();
    if (!has_both) {
        throw DataError(
            fmt::format("{}: target '{}' has a single class; a classifier needs both 0 "
                        "and 1",
                        table.source, table.names[target]));
    }
}

Dataset encode(const PreparedData& data, int target, const std::vector<std::uint32_t>& rows) {
    Dataset out;
    out.n_features = static_cast<std::int64_t>(data.feature_names.size());
    out.n_rows = static_cast<std::int64_t>(rows.size());
    data.preprocessor.transform(data.table, rows, out.features);
    out.targets.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        out.targets[i] = data.table.columns[target][rows[i]];
    return out;
}

}  // namespace

PreparedData prepare_data(const DataSpec& spec, std::uint64_t seed, bool binary_target) {
    PreparedData data;
    data.table = read_csv(spec.path, CsvOptions{spec.delimiter.front()});
    const Table& table = data.table;

    const int target = require_column(table, spec.target, "data.target");
    std::vector<int> features;
    if (!spec.features.empty()) {
        for (const auto& name : spec.features) {
            features.push_back(require_column(table, name, "data.features"));
        }
    } else {
        for (const auto& name : spec.drop) require_column(table, name, "data.drop");
        for (int c = 0; c < static_cast<int>(table.names.size()); ++c) {
            const bool dropped =
                std::find(spec.drop.begin(), spec.drop.end(), table.names[c]) != spec.drop.end();
            if (c != target && !dropped) features.push_back(c);
        }
    }
    if (features.empty()) {
        throw DataError(table.source +
                        ": no feature columns left after removing the target and "
                        "data.drop");
    }
    if (binary_target) check_binary(table, target);

    data.target_name = spec.target;
    for (const int c : features) data.feature_names.push_back(table.names[c]);
    data.split = split_rows(table.rows(), spec.split, seed);
    data.preprocessor.fit(table, features, data.split.train, spec.normalize);
    data.train = encode(data, target, data.split.train);
    data.validation = encode(data, target, data.split.validation);
    data.test = encode(data, target, data.split.test);
    return data;
}

}  // namespace dlctl
