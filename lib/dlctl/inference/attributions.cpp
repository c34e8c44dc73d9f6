#include "dlctl/inference/attributions.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/inference/permutation_importance.h"
#include "dlctl/inference/shapley.h"

namespace dlctl {

namespace {

/// The value an input column takes when it is left out of a coalition.
struct BaselineCell {
    bool categorical = false;
    double number = 0.0;
    std::string category;
    std::string text() const { return categorical ? category : fmt::format("{:.6g}", number); }
};

/// The median of a column's non-missing cells at `rows`, NaN when every one is missing.
double column_median(const Table& table, int column, const std::vector<std::uint32_t>& rows) {
    std::vector<float> values;
    for (const auto r : rows) {
        const float v = table.columns[static_cast<std::size_t>(column)][r];
        if (!std::isnan(v)) values.push_back(v);
    }
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

BaselineCell baseline_cell(const Ensemble& ensemble,
                           const std::string& name,
                           const LabelledRows& data) {
    for (const auto& model : ensemble.models()) {
        for (const FeatureColumn& f : model->checkpoint().preprocessor.columns()) {
            if (f.name != name) continue;
            if (f.type == ColumnType::kCategorical) return {true, 0.0, f.vocabulary.front()};
            if (f.fill_allowed) return {false, f.fill, {}};
            for (const Table* table : data.tables) {
                const int c = table->column_index(name);
                if (c >= 0) return {false, column_median(*table, c, data.rows), {}};
            }
        }
    }
    throw std::logic_error("no member reads column " + name);
}

/// The cell of `cell` in a column of `table`: its category's index (added when new) or number.
float table_value(const BaselineCell& cell, Table& table, std::size_t column) {
    if (table.type(column) != ColumnType::kCategorical) {
        return cell.categorical ? std::numeric_limits<float>::quiet_NaN()
                                : static_cast<float>(cell.number);
    }
    if (!cell.categorical) return std::numeric_limits<float>::quiet_NaN();
    auto& categories = table.categories[column];
    const auto it = std::find(categories.begin(), categories.end(), cell.category);
    if (it != categories.end()) return static_cast<float>(it - categories.begin());
    categories.push_back(cell.category);
    return static_cast<float>(categories.size() - 1);
}

/// One row per coalition: `row` of `source` with the input columns left out of the coalition
/// at their baseline values.
Table coalition_table(const Table& source,
                      std::uint32_t row,
                      const std::vector<std::string>& inputs,
                      const std::vector<BaselineCell>& baseline,
                      const std::vector<Coalition>& coalitions) {
    Table out;
    out.source = source.source;
    out.names = source.names;
    out.types = source.types;
    out.categories = source.categories;
    out.lines.assign(coalitions.size(), source.lines[row]);
    for (std::size_t c = 0; c < source.names.size(); ++c) {
        const float present = source.columns[c][row];
        Column column(coalitions.size(), present);
        const auto input = std::find(inputs.begin(), inputs.end(), source.names[c]);
        if (input != inputs.end()) {
            const auto p = static_cast<std::size_t>(input - inputs.begin());
            const float absent = table_value(baseline[p], out, c);
            for (std::size_t i = 0; i < coalitions.size(); ++i) {
                if (!coalitions[i][p]) column[i] = absent;
            }
        }
        out.columns.push_back(std::move(column));
    }
    return out;
}

/// What a row's attribution explains: the regression value, P(positive), or the probability
/// of the class predicted for it (`outputs`: the row's predictions).
std::pair<std::size_t, std::string> explained_output(const TaskInfo& task,
                                                     const std::vector<float>& outputs) {
    if (task.classes == 0) return {0, task.target};
    if (task.classes == 1) return {0, fmt::format("P({}={})", task.target, task.labels.back())};
    const auto k = static_cast<std::size_t>(std::max_element(outputs.begin(), outputs.end()) -
                                            outputs.begin());
    return {k, fmt::format("P({}={})", task.target, task.labels[k])};
}

/// The Shapley values of one row (`row` indexes the tables of `data`).
RowAttribution explain_row(Ensemble& ensemble,
                           const LabelledRows& data,
                           std::uint32_t row,
                           const std::vector<std::string>& inputs,
                           const std::vector<BaselineCell>& baseline,
                           const ShapleyOptions& options) {
    const std::vector<float> own = ensemble.predict(data.tables, {row}, false);
    const auto [output, name] = explained_output(ensemble.first().task(), own);
    const auto width = static_cast<std::size_t>(ensemble.first().width());
    const CoalitionValues value = [&](const std::vector<Coalition>& coalitions) {
        std::vector<Table> tables;
        for (const Table& table : data.owned) {
            tables.push_back(coalition_table(table, row, inputs, baseline, coalitions));
        }
        std::vector<const Table*> members;
        for (const Table* table : data.tables) {
            members.push_back(&tables[static_cast<std::size_t>(table - data.owned.data())]);
        }
        std::vector<std::uint32_t> rows(coalitions.size());
        for (std::uint32_t i = 0; i < rows.size(); ++i) rows[i] = i;
        const std::vector<float> outputs = ensemble.predict(members, rows, false);
        std::vector<double> values(coalitions.size());
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = outputs[i * width + output];
        return values;
    };
    ShapleyOptions shapley = options;
    shapley.substream = (std::uint64_t{2} << 40) | row;
    const ShapleyValues phi = shapley_values(inputs.size(), value, shapley);
    RowAttribution out{.row = row + 1,
                       .line = data.tables.front()->lines[row],
                       .output = name,
                       .prediction = phi.full,
                       .baseline_prediction = phi.empty,
                       .attributions = phi.values};
    double sum = 0.0;
    for (const double v : phi.values) sum += v;
    out.residual = sum - (phi.full - phi.empty);
    return out;
}

}  // namespace

Attributions shapley_attributions(Ensemble& ensemble,
                                  const LabelledRows& data,
                                  const AttributionOptions& options) {
    Attributions out;
    out.columns = input_columns(ensemble);
    std::vector<BaselineCell> baseline;
    for (const auto& name : out.columns) {
        baseline.push_back(baseline_cell(ensemble, name, data));
        out.baseline.push_back(baseline.back().text());
    }
    const ShapleyOptions shapley{.exact_max_players = options.exact_max_columns,
                                 .samples = options.samples,
                                 .seed = options.seed};
    const std::size_t d = out.columns.size();
    out.method =
        shapley_is_exact(d, shapley)
            ? fmt::format("exact Shapley values (all 2^{} coalitions of the input columns)", d)
            : fmt::format(
                  "Shapley values estimated from {} sampled permutations of the "
                  "input columns (antithetic pairs)",
                  shapley_permutations(shapley));
    std::vector<std::uint32_t> rows = data.rows;
    std::sort(rows.begin(), rows.end());
    rows.resize(std::min(rows.size(), options.count));
    for (const auto row : rows) {
        out.rows.push_back(explain_row(ensemble, data, row, out.columns, baseline, shapley));
    }
    spdlog::info("attributed {} row{}: {}", rows.size(), rows.size() == 1 ? "" : "s", out.method);
    return out;
}

}  // namespace dlctl
