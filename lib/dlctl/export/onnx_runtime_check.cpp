#include "dlctl/export/onnx_runtime_check.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/export/onnx_export.h"
#include "dlctl/inference/evaluation.h"
#include "dlctl/io/atomic_file.h"

extern char** environ;

namespace dlctl {

namespace fs = std::filesystem;

namespace {

/// Runs the graph on the inputs of inputs.json in the directory given as its argument, writing
/// values.f32 (probabilities or predictions) and, for classifiers, labels.json. Exits 77 when
/// onnxruntime or numpy cannot be imported.
constexpr const char* kRunnerScript = R"(import json, sys
try:
    import numpy as np
    import onnxruntime as ort
except ImportError as e:
    sys.stderr.write(str(e) + "\n")
    sys.exit(77)
d = sys.argv[1]
spec = json.load(open(d + "/inputs.json"))
feeds = {}
for c in spec["inputs"]:
    if c["type"] == "FLOAT":
        feeds[c["name"]] = np.fromfile(d + "/" + c["file"], dtype="<f4")
    else:
        feeds[c["name"]] = np.array(c["values"], dtype=object)
session = ort.InferenceSession(d + "/model.onnx", providers=["CPUExecutionProvider"])
out = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
values = out["probabilities"] if "probabilities" in out else out["prediction"]
values.astype("<f4").tofile(d + "/values.f32")
if "label" in out:
    json.dump([str(x) for x in out["label"].tolist()], open(d + "/labels.json", "w"))
print("onnxruntime " + ort.__version__)
)";

WholeFileRules rules(const char* what) {
    WholeFileRules r;
    r.what = what;
    r.max_bytes = std::uint64_t{1} << 36;
    r.code = ExitCode::kInternal;
    return r;
}

/// A fresh directory under the system's temporary directory, removed with everything in it.
class ScratchDirectory {
  public:
    ScratchDirectory() {
        std::string pattern = (fs::temp_directory_path() / "dlctl-onnx-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw IoError("cannot create a temporary directory under " +
                          fs::temp_directory_path().string());
        }
        path_ = pattern;
    }
    ~ScratchDirectory() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

/// The graph's inputs and dlctl's outputs for every row of the file.
struct Rows {
    nlohmann::json strings = nlohmann::json::object();  ///< categorical inputs by name
    std::map<std::string, std::vector<float>> numbers;  ///< other inputs by name
    std::vector<float> outputs;                         ///< Predictor::predict layout
    Dataset encoded;                                    ///< with the targets, when read with them
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
                    out.numbers[name].push_back(v);
                } else {
                    out.strings[name].push_back(std::isnan(v)
                                                    ? std::string()
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

void write_inputs(const fs::path& dir, const std::string& model, const Rows& rows) {
    write_file_atomic(dir / "model.onnx", model);
    nlohmann::json inputs = nlohmann::json::array();
    int file = 0;
    for (const auto& [name, values] : rows.numbers) {
        const std::string path = fmt::format("{}.f32", file++);
        write_file_atomic(dir / path, std::string_view(reinterpret_cast<const char*>(values.data()),
                                                       values.size() * sizeof(float)));
        inputs.push_back({{"name", name}, {"type", "FLOAT"}, {"file", path}});
    }
    for (const auto& [name, values] : rows.strings.items()) {
        inputs.push_back({{"name", name}, {"type", "STRING"}, {"values", values}});
    }
    write_file_atomic(dir / "inputs.json", nlohmann::json{{"inputs", inputs}}.dump());
}

/// Runs kRunnerScript on `dir`; its first line of output (the runtime's version).
std::string run_runner(const fs::path& dir) {
    const char* python_env = std::getenv("DLCTL_PYTHON");
    const std::string python = python_env != nullptr && *python_env ? python_env : "python3";
    const fs::path log = dir / "runner.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> args = {python, "-c", kRunnerScript, dir.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    const std::string hint =
        "install it (pip install onnxruntime numpy), or set DLCTL_PYTHON to a Python that has it";
    if (spawned != 0) throw UnsupportedError("--verify without Python: cannot run " + python, hint);
    int status = 0;
    waitpid(pid, &status, 0);
    const std::string output = read_whole_file(log, rules("ONNX Runtime output"));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        throw UnsupportedError("--verify without ONNX Runtime: " + python + " cannot import it",
                               hint);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Error(ExitCode::kInternal, "ONNX Runtime failed on the exported graph:\n" + output,
                    "this is a bug in dlctl export; please report it with the checkpoint");
    }
    return output.substr(0, output.find('\n'));
}

}  // namespace

namespace {

std::string read_result(const fs::path& path) {
    return read_whole_file(path, rules("ONNX Runtime result"));
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
    const std::size_t rows = labels.empty() ? 0 : labels.size();
    const std::size_t width = task.classes <= 1 ? 1 : static_cast<std::size_t>(task.classes);
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(got[i] - want[i]) / std::max(1.0, std::abs(double{want[i]}));
        if (!(d <= c.largest_difference)) {  // NaN counts as the largest
            c.largest_difference = std::isnan(d) ? INFINITY : d;
            c.worst_row = static_cast<std::int64_t>(i / width);
        }
    }
    for (std::size_t r = 0; r < rows; ++r) {
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
    ScratchDirectory dir;
    write_inputs(dir.path(), model, rows);
    OnnxRun run;
    run.runtime = run_runner(dir.path());
    const std::string bytes = read_result(dir.path() / "values.f32");
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    if (task.classes > 0) {
        run.labels = nlohmann::json::parse(read_result(dir.path() / "labels.json"))
                         .get<std::vector<std::string>>();
    }
    const auto n = static_cast<std::size_t>(rows.count);
    const std::size_t per_row = task.classes == 0 ? 1 : task.labels.size();
    if (values.size() != per_row * n || (task.classes > 0 && run.labels.size() != n)) {
        throw Error(ExitCode::kInternal,
                    "ONNX Runtime returned outputs of another shape than the graph declares");
    }
    if (task.classes == 1) {  // [N, 2] probabilities → P(positive)
        for (std::size_t r = 0; r < n; ++r) values[r] = values[2 * r + 1];
        values.resize(n);
    }
    run.values = std::move(values);
    return run;
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
