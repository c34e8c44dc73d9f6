#include "dlctl/export/onnx_runtime_runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
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

void write_inputs(const fs::path& dir, const std::string& model, const OnnxInputs& rows) {
    write_file_atomic(dir / "model.onnx", model);
    nlohmann::json inputs = nlohmann::json::array();
    int file = 0;
    for (const auto& [name, values] : rows.numbers) {
        const std::string path = fmt::format("{}.f32", file++);
        write_file_atomic(dir / path, std::string_view(reinterpret_cast<const char*>(values.data()),
                                                       values.size() * sizeof(float)));
        inputs.push_back({{"name", name}, {"type", "FLOAT"}, {"file", path}});
    }
    for (const auto& [name, values] : rows.strings) {
        inputs.push_back({{"name", name}, {"type", "STRING"}, {"values", values}});
    }
    write_file_atomic(dir / "inputs.json", nlohmann::json{{"inputs", inputs}}.dump());
}

std::string read_result(const fs::path& path) {
    return read_whole_file(path, rules("ONNX Runtime result"));
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
    if (spawned != 0)
        throw Error(ExitCode::kUnsupported, "cannot run " + python + " to run ONNX Runtime", hint);
    int status = 0;
    waitpid(pid, &status, 0);
    const std::string output = read_whole_file(log, rules("ONNX Runtime output"));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        throw Error(ExitCode::kUnsupported, python + " cannot import onnxruntime (ONNX Runtime)",
                    hint);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Error(ExitCode::kInternal, "ONNX Runtime failed on the exported graph:\n" + output,
                    "this is a bug in dlctl export; please report it with the checkpoint");
    }
    return output.substr(0, output.find('\n'));
}

}  // namespace

OnnxRuntimeOutputs run_in_onnx_runtime(const std::string& model, const OnnxInputs& inputs) {
    ScratchDirectory dir;
    write_inputs(dir.path(), model, inputs);
    OnnxRuntimeOutputs out;
    out.runtime = run_runner(dir.path());
    const std::string bytes = read_result(dir.path() / "values.f32");
    out.values.resize(bytes.size() / sizeof(float));
    std::memcpy(out.values.data(), bytes.data(), out.values.size() * sizeof(float));
    if (fs::exists(dir.path() / "labels.json")) {
        out.labels = nlohmann::json::parse(read_result(dir.path() / "labels.json"))
                         .get<std::vector<std::string>>();
    }
    return out;
}

}  // namespace dlctl
