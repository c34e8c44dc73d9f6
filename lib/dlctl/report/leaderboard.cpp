#include "dlctl/report/leaderboard.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dlctl/config/vocabulary.h"
#include "dlctl/core/error.h"
#include "dlctl/io/run_dir.h"

namespace dlctl {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// Every scalar of a YAML tree under its dotted path; a list of scalars is one value.
void flatten(const YAML::Node& node,
             const std::string& path,
             std::map<std::string, std::string>& out) {
    if (node.IsMap()) {
        for (const auto& kv : node) {
            flatten(kv.second, path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar(),
                    out);
        }
        return;
    }
    if (node.IsSequence()) {
        const bool scalars =
            std::all_of(node.begin(), node.end(), [](const YAML::Node& n) { return n.IsScalar(); });
        if (!scalars) {
            for (std::size_t i = 0; i < node.size(); ++i) {
                flatten(node[i], path + "." + std::to_string(i), out);
            }
            return;
        }
        std::vector<std::string> items;
        for (const auto& n : node) items.push_back(n.Scalar());
        out[path] = fmt::format("[{}]", fmt::join(items, " "));
        return;
    }
    out[path] = node.IsNull() ? "" : node.Scalar();
}

/// A run's summary.json: absent (the run goes on, or ended without one), unreadable, or read.
struct Summary {
    bool exists = false;
    std::optional<json> value;  ///< a JSON object
    std::string problem;        ///< why an existing file was not read
};

Summary read_summary(const fs::path& path) {
    Summary out;
    std::error_code ec;
    out.exists = fs::exists(path, ec);
    if (!out.exists) return out;
    std::ifstream in(path);
    try {
        json value = json::parse(in);
        if (value.is_object()) {
            out.value = std::move(value);
        } else {
            out.problem = "not a JSON object";
        }
    } catch (const json::exception& e) {
        out.problem = in ? e.what() : "cannot be read";
    }
    return out;
}

/// running while a dlctl train holds the directory; otherwise completed, interrupted or failed
/// as the summary says, incomplete without a summary (killed or crashed) and unreadable for a
/// summary that cannot be read.
std::string run_status(const fs::path& dir, const Summary& summary) {
    if (run_dir_in_use(dir)) return "running";  // a resumed run's old summary is stale
    if (summary.value) {
        const auto status = summary.value->find("status");
        return status != summary.value->end() && status->is_string() ? status->get<std::string>()
                                                                     : "unknown";
    }
    return summary.exists ? "unreadable" : "incomplete";
}

std::optional<double> metric_of(const json& summary, const std::string& metric) {
    std::string section = "train", name = metric;
    if (metric.starts_with("val_")) {
        section = "validation";
        name = metric.substr(4);
    } else if (metric.starts_with("test_")) {
        section = "test";
        name = metric.substr(5);
    }
    auto s = summary.find(section);
    // A cross-validation run's validation is its out-of-fold score.
    if (s == summary.end() && section == "validation") s = summary.find("out_of_fold");
    if (s == summary.end() || !s->is_object()) return std::nullopt;
    const auto v = s->find(name);
    if (v == s->end() || !v->is_number()) return std::nullopt;
    return v->get<double>();
}

/// A run's row without its settings.
RunRow run_row(const fs::path& dir, const Summary& summary, const std::string& metric) {
    RunRow row;
    row.dir = dir;
    row.status = run_status(dir, summary);
    if (!summary.value) return row;
    const json& s = *summary.value;
    row.value = metric_of(s, metric);
    const auto epochs = s.find("epochs_run");
    if (epochs != s.end() && epochs->is_number_integer()) row.epochs = epochs->get<int>();
    const auto timings = s.find("timings");
    if (timings != s.end() && timings->is_object()) {
        const auto total = timings->find("total_seconds");
        if (total != timings->end() && total->is_number()) row.seconds = total->get<double>();
    }
    return row;
}

std::string csv_cell(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string out(1, '"');
    for (const char c : text) {
        out.push_back(c);
        if (c == '"') out.push_back('"');
    }
    out.push_back('"');
    return out;
}

std::string number(const std::optional<double>& v) {
    return v ? fmt::format("{:.6g}", *v) : std::string("-");
}

}  // namespace

Leaderboard make_leaderboard(const std::vector<fs::path>& roots,
                             std::string metric,
                             std::string mode) {
    struct Run {
        fs::path dir;
        std::map<std::string, std::string> settings;
        bool settings_read = true;  ///< false: config.yaml is broken
        Summary summary;
    };
    std::vector<Run> runs;
    for (const auto& root : roots) {
        std::error_code ec;
        if (!fs::is_directory(root, ec)) {
            throw UsageError("'" + root.string() + "' is not a directory");
        }
        std::vector<fs::path> dirs;
        if (fs::exists(root / "config.yaml", ec)) dirs.push_back(root);
        for (auto it = fs::recursive_directory_iterator(root, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_directory(ec) && fs::exists(it->path() / "config.yaml", ec)) {
                dirs.push_back(it->path());
            }
        }
        std::sort(dirs.begin(), dirs.end());
        for (const auto& dir : dirs) {
            Run run{dir, {}, true, read_summary(dir / "summary.json")};
            if (!run.summary.problem.empty()) {
                spdlog::warn("{}: {}; the run is listed as unreadable",
                             (dir / "summary.json").string(), run.summary.problem);
            }
            try {
                flatten(YAML::LoadFile((dir / "config.yaml").string()), "", run.settings);
            } catch (const YAML::Exception& e) {
                spdlog::warn("{}:{}:{}: {}; the run is listed without its settings",
                             (dir / "config.yaml").string(), e.mark.line + 1, e.mark.column + 1,
                             e.msg);
                run.settings_read = false;
            }
            runs.push_back(std::move(run));
        }
    }
    if (runs.empty()) {
        throw UsageError("no run directories (with a config.yaml) under the given directories",
                         "pass the --run-dir parent of a sweep, or output.dir");
    }
    const bool any_validation = std::any_of(runs.begin(), runs.end(), [](const Run& r) {
        return r.summary.value && r.summary.value->contains("validation");
    });
    if (metric.empty()) metric = any_validation ? "val_loss" : "loss";
    if (mode.empty() || mode == "auto") {
        const std::string base = metric.starts_with("val_")    ? metric.substr(4)
                                 : metric.starts_with("test_") ? metric.substr(5)
                                                               : metric;
        mode = vocabulary::monitor_mode(base);
    }
    Leaderboard board{metric, mode, {}, {}};
    // Settings that differ between the runs (a key missing from a run counts as a difference).
    std::set<std::string> keys;
    for (const Run& run : runs) {
        for (const auto& [key, value] : run.settings) keys.insert(key);
    }
    for (const auto& key : keys) {
        if (key == "name" || key == "output.dir") continue;
        std::set<std::string> values;
        for (const Run& run : runs) {
            if (!run.settings_read) continue;
            const auto it = run.settings.find(key);
            values.insert(it == run.settings.end() ? "(unset)" : it->second);
        }
        if (values.size() > 1) board.columns.push_back(key);
    }
    for (const Run& run : runs) board.rows.push_back(run_row(run.dir, run.summary, metric));
    for (std::size_t i = 0; i < runs.size(); ++i) {
        for (const auto& key : board.columns) {
            const auto it = runs[i].settings.find(key);
            board.rows[i].settings.push_back(!runs[i].settings_read         ? "?"
                                             : it == runs[i].settings.end() ? "(unset)"
                                                                            : it->second);
        }
    }
    const bool maximize = mode == "max";
    std::stable_sort(board.rows.begin(), board.rows.end(), [&](const RunRow& a, const RunRow& b) {
        const bool ra = a.value && std::isfinite(*a.value), rb = b.value && std::isfinite(*b.value);
        if (ra != rb) return ra;  // runs with the metric first
        if (!ra) return false;
        return maximize ? *a.value > *b.value : *a.value < *b.value;
    });
    return board;
}

std::string format_leaderboard(const Leaderboard& board, const std::string& format) {
    std::vector<std::string> header = {"rank", "run", "status", board.metric, "epochs", "seconds"};
    header.insert(header.end(), board.columns.begin(), board.columns.end());
    std::vector<std::vector<std::string>> cells;
    for (std::size_t i = 0; i < board.rows.size(); ++i) {
        const RunRow& r = board.rows[i];
        std::vector<std::string> row = {
            std::to_string(i + 1), r.dir.string(),           r.status,
            number(r.value),       std::to_string(r.epochs), fmt::format("{:.2f}", r.seconds)};
        row.insert(row.end(), r.settings.begin(), r.settings.end());
        cells.push_back(std::move(row));
    }
    std::string out;
    if (format == "json") {
        json rows = json::array();
        for (std::size_t i = 0; i < board.rows.size(); ++i) {
            const RunRow& r = board.rows[i];
            json settings = json::object();
            for (std::size_t k = 0; k < board.columns.size(); ++k)
                settings[board.columns[k]] = r.settings[k];
            rows.push_back({{"rank", i + 1},
                            {"run", r.dir.string()},
                            {"status", r.status},
                            {"value", r.value ? json(*r.value) : json(nullptr)},
                            {"epochs", r.epochs},
                            {"seconds", r.seconds},
                            {"settings", settings}});
        }
        return json{{"metric", board.metric},
                    {"mode", board.mode},
                    {"varied", board.columns},
                    {"runs", rows}}
                   .dump(2) +
               "\n";
    }
    if (format == "csv") {
        auto line = [&](const std::vector<std::string>& row) {
            std::string text;
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (i > 0) text.push_back(',');
                text += csv_cell(row[i]);
            }
            text.push_back('\n');
            return text;
        };
        out += line(header);
        for (const auto& row : cells) out += line(row);
        return out;
    }
    if (format == "markdown") {
        auto line = [&](const std::vector<std::string>& row) {
            std::string text = "|";
            for (const auto& cell : row) text += " " + cell + " |";
            return text + "\n";
        };
        out += line(header);
        out += "|" + [&] {
            std::string dashes;
            for (std::size_t i = 0; i < header.size(); ++i) dashes += " --- |";
            return dashes;
        }() + "\n";
        for (const auto& row : cells) out += line(row);
        return out;
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& row) {
        std::string text;
        for (std::size_t c = 0; c < row.size(); ++c) {
            text += fmt::format("{:<{}}", row[c], width[c] + (c + 1 < row.size() ? 2 : 0));
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        return text + "\n";
    };
    out += line(header);
    for (const auto& row : cells) out += line(row);
    return out;
}

}  // namespace dlctl
