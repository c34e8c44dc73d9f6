#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/csv_columns.h"
#include "ensemble.h"

namespace dlctl::cli {

namespace {

namespace fs = std::filesystem;

struct PredictOptions {
    std::string data;
    std::vector<std::string> checkpoints;
    std::string output;
    std::string format = "csv";
    std::vector<std::string> id_columns;
    int top_k = 0;
    std::string on_error = "fail";
    std::string device = "auto";
    int threads = 0;
};

constexpr std::int64_t kChunkRows = 8192;

/// A CSV cell: quoted when it holds a delimiter, quote or line break (RFC 4180).
std::string csv_cell(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// Where predictions go: stdout, or a temporary file renamed over -o FILE only when every row
/// was written, so a failed run never replaces a good file.
class Sink {
  public:
    explicit Sink(const std::string& path) : path_(path) {
        if (path_.empty() || path_ == "-") {
            file_ = stdout;
            return;
        }
        temp_ = path_ + ".tmp-" + std::to_string(::getpid());
        file_ = std::fopen(temp_.c_str(), "w");
        if (file_ == nullptr) {
            throw IoError("cannot create '" + temp_ + "': " + std::strerror(errno));
        }
    }
    ~Sink() {
        if (file_ != nullptr && file_ != stdout) {
            std::fclose(file_);
            std::remove(temp_.c_str());
        }
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    void write(const std::string& text) {
        if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
            throw IoError("cannot write predictions: " + std::string(std::strerror(errno)));
        }
    }
    void commit() {
        if (std::fflush(file_) != 0)
            throw IoError("cannot write predictions: " + std::string(std::strerror(errno)));
        if (file_ == stdout) return;
        const bool failed = ::fsync(::fileno(file_)) != 0 || std::fclose(file_) != 0;
        file_ = nullptr;
        if (failed || std::rename(temp_.c_str(), path_.c_str()) != 0) {
            std::remove(temp_.c_str());
            throw IoError("cannot write '" + path_ + "': " + std::strerror(errno));
        }
    }

  private:
    std::string path_, temp_;
    std::FILE* file_ = nullptr;
};

/// Formats the predictions of rows as CSV lines or JSON objects.
class Formatter {
  public:
    Formatter(const TaskInfo& task, const PredictOptions& o) : task_(task), o_(o) {
        classes_ = task.classes == 0 ? 0 : task.classes == 1 ? 2 : task.classes;
        top_k_ = std::min(o.top_k, classes_);
    }

    std::string header() const {
        if (o_.format != "csv") return {};
        std::vector<std::string> columns;
        for (const auto& id : o_.id_columns) columns.push_back(csv_cell(id));
        columns.push_back("prediction");
        if (classes_ > 0 && top_k_ > 0) {
            for (int k = 1; k <= top_k_; ++k) {
                columns.push_back(fmt::format("top{}_label", k));
                columns.push_back(fmt::format("top{}_prob", k));
            }
        } else {
            for (const auto& label : task_.labels) columns.push_back(csv_cell("prob_" + label));
        }
        return fmt::format("{}\n", fmt::join(columns, ","));
    }

    /// `values`: the row's outputs (Predictor::predict layout).
    std::string row(const std::vector<std::string>& ids, const float* values) const {
        std::vector<float> probs;
        if (classes_ == 2 && task_.classes == 1) {
            probs = {1.0f - values[0], values[0]};
        } else if (classes_ > 0) {
            probs.assign(values, values + classes_);
        }
        std::string prediction;
        std::vector<int> order(probs.size());
        std::iota(order.begin(), order.end(), 0);
        if (classes_ > 0) {
            std::stable_sort(order.begin(), order.end(),
                             [&](int a, int b) { return probs[a] > probs[b]; });
            // Binary decisions use P(positive) >= 0.5, as eval's default threshold does.
            const int predicted = task_.classes == 1 ? (values[0] >= 0.5f ? 1 : 0) : order[0];
            prediction = task_.labels[predicted];
        } else {
            prediction = fmt::format("{}", values[0]);
        }
        if (o_.format == "csv") {
            std::vector<std::string> cells;
            for (const auto& id : ids) cells.push_back(csv_cell(id));
            cells.push_back(csv_cell(prediction));
            if (classes_ > 0 && top_k_ > 0) {
                for (int k = 0; k < top_k_; ++k) {
                    cells.push_back(csv_cell(task_.labels[order[k]]));
                    cells.push_back(fmt::format("{}", probs[order[k]]));
                }
            } else {
                for (const float p : probs) cells.push_back(fmt::format("{}", p));
            }
            return fmt::format("{}\n", fmt::join(cells, ","));
        }
        nlohmann::json j = nlohmann::json::object();
        for (std::size_t i = 0; i < ids.size(); ++i) j[o_.id_columns[i]] = ids[i];
        if (classes_ == 0) {
            j["prediction"] = values[0];
        } else {
            j["prediction"] = prediction;
            if (top_k_ > 0) {
                nlohmann::json top = nlohmann::json::array();
                for (int k = 0; k < top_k_; ++k) {
                    top.push_back({{"label", task_.labels[order[k]]}, {"prob", probs[order[k]]}});
                }
                j["top_k"] = top;
            } else {
                nlohmann::json p = nlohmann::json::object();
                for (int c = 0; c < classes_; ++c) p[task_.labels[c]] = probs[c];
                j["probabilities"] = p;
            }
        }
        return j.dump() + "\n";
    }

  private:
    const TaskInfo& task_;
    const PredictOptions& o_;
    int classes_ = 0;
    int top_k_ = 0;
};

int run_predict(const PredictOptions& o) {
    if (o.top_k < 0) throw UsageError("--top-k must be >= 0");
    Ensemble ensemble(o.checkpoints, o.device, o.threads);
    const TaskInfo& task = ensemble.first().task();
    if (o.top_k > 0 && task.classes == 0) {
        throw UsageError("--top-k needs a classifier; this checkpoint is a regression model");
    }
    CsvColumnChunks chunks(CsvRowReader::open(o.data, csv_format('\0')),
                           ensemble.first().input_columns(), o.id_columns,
                           ensemble.first().checkpoint().spec.data.na_values, o.on_error == "skip");
    const std::vector<std::string> unused = chunks.unused_columns();
    if (!unused.empty()) {
        spdlog::info("ignoring {} column{} the model does not use: {}", unused.size(),
                     unused.size() == 1 ? "" : "s", fmt::join(unused, ", "));
    }
    Formatter formatter(task, o);
    Sink sink(o.output);
    sink.write(formatter.header());
    Table table;
    std::vector<std::vector<std::string>> ids;
    std::vector<std::uint32_t> rows;
    std::int64_t written = 0;
    const auto width = static_cast<std::size_t>(ensemble.first().width());
    while (chunks.next(kChunkRows, table, ids)) {
        rows.resize(table.rows());
        std::iota(rows.begin(), rows.end(), 0u);
        const std::vector<float> outputs = ensemble.predict(table, rows, false);
        std::string text;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            text += formatter.row(ids[r], outputs.data() + r * width);
        }
        sink.write(text);
        written += static_cast<std::int64_t>(rows.size());
    }
    sink.commit();
    if (chunks.skipped_rows() > 0) {
        spdlog::warn("skipped {} row{} with values that are not numbers (--on-error skip)",
                     chunks.skipped_rows(), chunks.skipped_rows() == 1 ? "" : "s");
    }
    spdlog::info("predicted {} rows{}{}", written,
                 ensemble.size() > 1 ? fmt::format(" with an ensemble of {}", ensemble.size()) : "",
                 o.output.empty() || o.output == "-" ? "" : " into " + o.output);
    return 0;
}

}  // namespace

void add_predict_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<PredictOptions>();
    CLI::App* cmd = app.add_subcommand("predict", "predict with a checkpoint on a CSV file");
    cmd->add_option("CSV", options->data, "rows to predict ('-' reads stdin)")->required();
    cmd->add_option("--checkpoint", options->checkpoints,
                    "checkpoint file (repeat to average an ensemble)")
        ->required();
    cmd->add_option("-o,--output", options->output, "output file (default: stdout)");
    cmd->add_option("--format", options->format, "csv (default) or jsonl")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    cmd->add_option("--id-column", options->id_columns,
                    "column copied through to the output (repeatable)");
    cmd->add_option("--top-k", options->top_k,
                    "instead of every class probability, the k most probable labels");
    cmd->add_option("--on-error", options->on_error,
                    "fail (default) or skip rows whose feature values are not numbers")
        ->check(CLI::IsMember({"fail", "skip"}));
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Columns are matched by name in any order; other columns are ignored. The output has the\n"
        "--id-columns, 'prediction' (a class label, or the value in the target's units) and, for\n"
        "classifiers, one prob_<label> column per class. Rows stream through in chunks, so\n"
        "files larger than memory work.\n\n"
        "Examples:\n"
        "  dlctl predict new_rows.csv --checkpoint runs/x/checkpoints/best.safetensors -o "
        "preds.csv\n"
        "  cat rows.csv | dlctl predict - --checkpoint best.safetensors --format jsonl --top-k 2");
    cmd->callback([options, &action] { action = [options] { return run_predict(*options); }; });
}

}  // namespace dlctl::cli
