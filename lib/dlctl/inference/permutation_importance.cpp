#include "dlctl/inference/permutation_importance.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "dlctl/config/vocabulary.h"
#include "dlctl/core/error.h"
#include "dlctl/core/random.h"
#include "dlctl/core/strings.h"
#include "dlctl/inference/evaluation.h"

namespace dlctl {

namespace {

/// Substreams of RngStream::kExplain: the row sample is 0, column c's repeat r this.
std::uint64_t shuffle_substream(std::size_t column, int repeat) {
    return (std::uint64_t{1} << 40) | (static_cast<std::uint64_t>(column) << 16) |
           static_cast<std::uint64_t>(repeat);
}

/// The metric of `ensemble`'s predictions on `rows` of `data`'s tables.
double score(Ensemble& ensemble,
             const LabelledRows& data,
             const std::vector<std::uint32_t>& rows,
             const std::string& metric,
             double threshold) {
    Dataset encoded;
    const std::vector<float> outputs = ensemble.predict(data.tables, rows, true, &encoded);
    const EvaluationReport report =
        evaluate_outputs(ensemble.first().task(), outputs, encoded, threshold);
    for (const auto& [name, value] : report.metrics) {
        if (name == metric) return value;
    }
    throw std::logic_error("metric " + metric + " was not computed");
}

/// A column's cells at `rows` in every table that has it, moved by one seeded permutation of
/// the rows; undo() puts them back.
class ShuffledColumn {
  public:
    ShuffledColumn(std::vector<Table>& tables,
                   const std::string& name,
                   const std::vector<std::uint32_t>& rows,
                   Rng& rng)
        : rows_(rows) {
        std::vector<std::size_t> order(rows.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
        for (Table& table : tables) {
            const int c = table.column_index(name);
            if (c < 0) continue;
            Column& column = table.columns[static_cast<std::size_t>(c)];
            std::vector<float> saved;
            saved.reserve(rows.size());
            for (const auto r : rows) saved.push_back(column[r]);
            for (std::size_t i = 0; i < rows.size(); ++i) column[rows[i]] = saved[order[i]];
            saved_.emplace_back(&column, std::move(saved));
        }
    }
    ShuffledColumn(const ShuffledColumn&) = delete;
    ShuffledColumn& operator=(const ShuffledColumn&) = delete;
    ~ShuffledColumn() {
        for (auto& [column, values] : saved_) {
            for (std::size_t i = 0; i < rows_.size(); ++i) (*column)[rows_[i]] = values[i];
        }
    }

  private:
    const std::vector<std::uint32_t>& rows_;
    std::vector<std::pair<Column*, std::vector<float>>> saved_;
};

/// Mean and population standard deviation of `importances` into `c`.
void summarize(ColumnImportance& c) {
    const auto n = static_cast<double>(c.importances.size());
    double sum = 0.0;
    for (const double v : c.importances) sum += v;
    c.mean = sum / n;
    double squares = 0.0;
    for (const double v : c.importances) squares += (v - c.mean) * (v - c.mean);
    c.std = std::sqrt(squares / n);
}

std::string checked_metric(const Ensemble& ensemble, const std::string& asked) {
    const std::string metric =
        asked.empty() ? default_importance_metric(ensemble.first().checkpoint()) : asked;
    const std::vector<std::string> known = evaluation_metrics(ensemble.first().task());
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
        throw UsageError(fmt::format("unknown metric '{}' for a {} model{}", metric,
                                     ensemble.first().task().task, did_you_mean(metric, known)),
                         "one of " + quoted_list(known));
    }
    return metric;
}

}  // namespace

std::string default_importance_metric(const Checkpoint& checkpoint) {
    const std::string& monitor = checkpoint.best_monitor;
    const std::string name = monitor.starts_with("val_") ? monitor.substr(4) : monitor;
    const std::vector<std::string> known = evaluation_metrics(checkpoint.task);
    if (std::find(known.begin(), known.end(), name) != known.end()) return name;
    return checkpoint.task.classes == 0 ? "rmse" : "accuracy";
}

std::vector<std::string> input_columns(const Ensemble& ensemble) {
    std::vector<std::string> out;
    for (const auto& model : ensemble.models()) {
        for (const auto& name : model->feature_names()) {
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
    }
    return out;
}

std::vector<std::uint32_t> sample_rows(const std::vector<std::uint32_t>& rows,
                                       std::int64_t max_rows,
                                       std::uint64_t seed) {
    if (max_rows <= 0 || static_cast<std::int64_t>(rows.size()) <= max_rows) return rows;
    std::vector<std::uint32_t> pool = rows;
    Rng rng(seed, RngStream::kExplain, 0);
    const auto keep = static_cast<std::size_t>(max_rows);
    for (std::size_t i = 0; i < keep; ++i) {
        std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
    }
    pool.resize(keep);
    std::sort(pool.begin(), pool.end());
    return pool;
}

PermutationImportance permutation_importance(Ensemble& ensemble,
                                             LabelledRows& data,
                                             const ImportanceOptions& options) {
    DLCTL_CHECK(options.repeats >= 1);
    PermutationImportance out;
    out.metric = checked_metric(ensemble, options.metric);
    out.higher_is_better = vocabulary::monitor_mode(out.metric) == "max";
    out.rows = sample_rows(data.rows, options.max_rows, options.seed);
    out.baseline = score(ensemble, data, out.rows, out.metric, options.threshold);
    if (!std::isfinite(out.baseline)) {
        throw DataError(fmt::format("{} is undefined on the {} rows of {}", out.metric,
                                    out.rows.size(), data.description),
                        "choose another --metric");
    }
    const std::vector<std::string> columns = input_columns(ensemble);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        ColumnImportance column;
        column.name = columns[c];
        for (int r = 0; r < options.repeats; ++r) {
            Rng rng(options.seed, RngStream::kExplain, shuffle_substream(c, r));
            const ShuffledColumn shuffled(data.owned, columns[c], out.rows, rng);
            const double s = score(ensemble, data, out.rows, out.metric, options.threshold);
            column.scores.push_back(s);
            column.importances.push_back(out.higher_is_better ? out.baseline - s
                                                              : s - out.baseline);
        }
        summarize(column);
        spdlog::info("column {}/{} '{}': importance {:.4g} ± {:.2g}", c + 1, columns.size(),
                     column.name, column.mean, column.std);
        out.columns.push_back(std::move(column));
    }
    std::stable_sort(
        out.columns.begin(), out.columns.end(),
        [](const ColumnImportance& a, const ColumnImportance& b) { return a.mean > b.mean; });
    return out;
}

}  // namespace dlctl
