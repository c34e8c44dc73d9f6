#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dlctl {

/// An ensemble file: a small JSON document naming checkpoints that `eval` and `predict` average
/// (a cross-validation run's checkpoints/ensemble.json). Member paths are stored relative to the
/// file, so a run directory can be moved or copied whole.
struct EnsembleManifest {
    std::vector<std::filesystem::path> members;  ///< absolute, or relative to the working dir
    std::string source;                          ///< what made it, e.g. "cross-validation"
};

/// Whether `path` names an ensemble file rather than a checkpoint (it ends in .json).
bool is_ensemble_manifest(const std::filesystem::path& path);

/// Writes `manifest` to `file` atomically, member paths relative to the file's directory.
void write_ensemble_manifest(const std::filesystem::path& file, const EnsembleManifest& manifest);

/// Reads an ensemble file; member paths come back resolved against its directory. IoError naming
/// the file for one that cannot be read, is not an ensemble file or names no member.
EnsembleManifest read_ensemble_manifest(const std::filesystem::path& file);

/// `paths` with every ensemble file replaced by its members, in order.
std::vector<std::filesystem::path> expand_ensemble_manifests(const std::vector<std::string>& paths);

}  // namespace dlctl
