#include "dlctl/checkpoint/ensemble_manifest.h"

#include <nlohmann/json.hpp>

#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "dlctl-ensemble";
constexpr int kFormatVersion = 1;

[[noreturn]] void refuse(const fs::path& file, const std::string& why) {
    throw IoError("'" + file.string() + "' is not a dlctl ensemble file: " + why,
                  "pass a checkpoint (.safetensors) or a run's checkpoints/ensemble.json");
}

}  // namespace

bool is_ensemble_manifest(const fs::path& path) { return path.extension() == ".json"; }

void write_ensemble_manifest(const fs::path& file, const EnsembleManifest& manifest) {
    json members = json::array();
    const fs::path dir = fs::absolute(file).parent_path();
    for (const auto& member : manifest.members) {
        members.push_back(fs::absolute(member).lexically_relative(dir).generic_string());
    }
    const json out = {{"format", kFormat},
                      {"format_version", kFormatVersion},
                      {"source", manifest.source},
                      {"members", members}};
    write_file_atomic(file, out.dump(2) + "\n");
}

EnsembleManifest read_ensemble_manifest(const fs::path& file) {
    const std::string text = read_whole_file(
        file, {.what = "ensemble file",
               .max_bytes = 1 << 20,
               .code = ExitCode::kIo,
               .hint = "pass a checkpoint (.safetensors) or a run's checkpoints/ensemble.json"});
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) refuse(file, "it is not a JSON object");
    if (doc.value("format", "") != kFormat)
        refuse(file, "its \"format\" is not \"dlctl-ensemble\"");
    if (!doc.contains("format_version") || !doc["format_version"].is_number_integer() ||
        doc["format_version"].get<int>() > kFormatVersion) {
        refuse(file, "its format_version is missing or newer than this dlctl reads (1)");
    }
    const auto members = doc.find("members");
    if (members == doc.end() || !members->is_array() || members->empty()) {
        refuse(file, "\"members\" must be a non-empty list of checkpoint paths");
    }
    EnsembleManifest out;
    out.source = doc.value("source", "");
    const fs::path dir = file.parent_path();
    for (const auto& member : *members) {
        if (!member.is_string()) refuse(file, "every member must be a path (a string)");
        const fs::path path = member.get<std::string>();
        out.members.push_back(path.is_absolute() ? path : dir / path);
    }
    return out;
}

std::vector<fs::path> expand_ensemble_manifests(const std::vector<std::string>& paths) {
    std::vector<fs::path> out;
    for (const auto& path : paths) {
        if (!is_ensemble_manifest(path)) {
            out.emplace_back(path);
            continue;
        }
        for (auto& member : read_ensemble_manifest(path).members) out.push_back(std::move(member));
    }
    return out;
}

}  // namespace dlctl
