#include "dlctl/export/onnx_runtime_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/export/onnx_export.h"
#include "dlctl/export/onnx_runtime_runner.h"
#include "dlctl/inference/evaluation.h"

namespace dlctl {

namespace {

/// The graph's inputs and dlctl's outputs for every row of the file.
struct Rows {
    OnnxInputs inputs;
    std::vector<float> outputs;  ///< Predictor::predict layout
    Dataset encoded;             ///< with the targets, when read with them
    std::int64_t count = 0;
};

void add_inputs(const std::vector<std::pair<std::string, std::string>>& inputs,
                const std::vector<const Table*>& tables,
                const std::vector<std::uint32_t>& rows,
                Rows& out) {
    for (const auto& [name, type] : inputs) {
        for (const Table* t : tables) {
            const int c = t->column_index(name);
            if (c < 0) continue;
            const Column& column = t->columns[static_cast<std::size_t>(c)];
            for (const auto r : rows) {
                const float v = column[r];
                if (type == "FLOAT") {
                    out.inputs.numbers[name].push_back(v);
                } else {
                    out.inputs.strings[name].push_back(
                        std::isnan(v) ? std::string()
                                      : t->categories[static_cast<std::size_t>(c)]
                                                     [static_cast<std::size_t>(v)]);
                }
            }
            break;
        }
    }
}

/// Every row of `csv` at once (the targets too when `with_target`).
Rows read_rows(const OnnxExport& model,
               Ensemble& ensemble,
               const std::string& csv,
               bool with_target) {
    CsvRowReader reader = CsvRowReader::open(csv, csv_format('\0'));
    const Ensemble::Reading reading = ensemble.reading(with_target, reader.names());
    CsvColumnChunks chunks(std::move(reader), reading.schemas, {}, BadRows::kError);
    std::vector<Table> tables;
    std::vector<std::vector<std::string>> ids;
    Rows out;
    if (!chunks.next(std::numeric_limits<std::int64_t>::max(), tables, ids) || ids.empty()) {
        throw DataError(csv + " has no rows to compare on");
    }
    std::vector<std::uint32_t> rows(ids.size());
    std::iota(rows.begin(), rows.end(), 0u);
    const std::vector<const Table*> member_tables = reading.member_tables(tables);
    add_inputs(model.inputs, member_tables, rows, out);
    out.outputs = ensemble.predict(member_tables, rows, with_target, &out.encoded);
    out.count = static_cast<std::int64_t>(rows.size());
    return out;
}

/// dlctl's label of row `r` (Predictor::predict layout, `width` values a row).
std::size_t dlctl_label(const TaskInfo& task, const float* y, std::size_t width) {
    if (task.classes == 1) return y[0] >= 0.5f ? 1 : 0;
    return static_cast<std::size_t>(std::max_element(y, y + width) - y);
}

/// Largest relative difference of `got` from `want` (Predictor::predict layout, `width` values a
/// row) and the rows whose label (`labels`, when given) is not dlctl's label of `want`.
void compare(const TaskInfo& task,
             const std::vector<float>& want,
             const std::vector<float>& got,
             const std::vector<std::string>& labels,
             OnnxComparison& c) {
    const std::size_t width = task.classes <= 1 ? 1 : static_cast<std::size_t>(task.classes);
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(got[i] - want[i]) / std::max(1.0, std::abs(double{want[i]}));
        if (!(d <= c.largest_difference)) {  // NaN counts as the largest
            c.largest_difference = std::isnan(d) ? INFINITY : d;
            c.worst_row = static_cast<std::int64_t>(i / width);
        }
    }
    for (std::size_t r = 0; r < labels.size(); ++r) {
        if (labels[r] != task.labels[dlctl_label(task, want.data() + r * width, width)]) {
            ++c.label_mismatches;
        }
    }
}

/// ONNX Runtime's outputs of the graph `model` on `rows`: values in Predictor::predict's layout
/// (binary: P(positive)), and the labels of a classifier.
struct OnnxRun {
    std::vector<float> values;
    std::vector<std::string> labels;
    std::string runtime;
};

OnnxRun run_graph(const std::string& model, const TaskInfo& task, const Rows& rows) {
    OnnxRuntimeOutputs out = run_in_onnx_runtime(model, rows.inputs);
    const auto n = static_cast<std::size_t>(rows.count);
    const std::size_t per_row = task.classes == 0 ? 1 : task.labels.size();
    if (out.values.size() != per_row * n || (task.classes > 0 && out.labels.size() != n)) {
        throw Error(ExitCode::kInternal,
                    "ONNX Runtime returned outputs of another shape than the graph declares");
    }
    if (task.classes == 1) {  // [N, 2] probabilities → P(positive)
        for (std::size_t r = 0; r < n; ++r) out.values[r] = out.values[2 * r + 1];
        out.values.resize(n);
    }
    return {std::move(out.values), std::move(out.labels), std::move(out.runtime)};
}

}  // namespace

OnnxComparison compare_with_onnx_runtime(const OnnxExport& model,
                                         Ensemble& ensemble,
                                         const std::string& csv) {
    const Rows rows = read_rows(model, ensemble, csv, false);
    const TaskInfo& task = ensemble.first().task();
    const OnnxRun run = run_graph(model.bytes, task, rows);
    OnnxComparison c;
    c.runtime = run.runtime;
    c.rows = rows.count;
    compare(task, rows.outputs, run.values, run.labels, c);
    return c;
}

QuantizationReport compare_quantized(const OnnxExport& full,
                                     const OnnxExport& int8,
                                     Ensemble& ensemble,
                                     const std::string& csv,
                                     double threshold) {
    const Rows rows = read_rows(full, ensemble, csv, true);
    const TaskInfo& task = ensemble.first().task();
    const OnnxRun float_run = run_graph(full.bytes, task, rows);
    const OnnxRun int8_run = run_graph(int8.bytes, task, rows);
    QuantizationReport q;
    q.rows = rows.count;
    q.runtime = float_run.runtime;
    q.metric_names = evaluation_metrics(task);
    q.dlctl = evaluate_outputs(task, rows.outputs, rows.encoded, threshold).metrics;
    q.full = evaluate_outputs(task, float_run.values, rows.encoded, threshold).metrics;
    q.int8 = evaluate_outputs(task, int8_run.values, rows.encoded, threshold).metrics;
    compare(task, float_run.values, int8_run.values, int8_run.labels, q.difference);
    q.difference.rows = rows.count;
    return q;
}

}  // namespace dlctl
