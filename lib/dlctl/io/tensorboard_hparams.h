#pragma once

#include <string>
#include <variant>
#include <vector>

namespace dlctl {

/// One hyperparameter of a run for TensorBoard's HPARAMS dashboard: a number, a string or a
/// bool (google.protobuf.Value's number_value, string_value, bool_value).
struct HParam {
    using Value = std::variant<double, std::string, bool>;
    std::string name;
    Value value;
};

/// tensorboard.hparams.Status (tensorboard/plugins/hparams/api.proto).
enum class SessionStatus { kUnknown = 0, kSuccess = 1, kFailure = 2, kRunning = 3 };

/// The Summary.Value (tag `_hparams_/session_start_info`) that makes the run of its event file a
/// session of the hparams plugin with these hyperparameters, started at `start_time` (Unix
/// seconds). TensorBoard builds its table from every run's session_start_info and the scalars
/// beside it, so no experiment summary is written: one run's would hide the hyperparameters
/// and metrics the others add.
std::string hparams_session_start_value(const std::vector<HParam>& hparams, double start_time);

/// The Summary.Value (tag `_hparams_/session_end_info`) saying how the session ended.
std::string hparams_session_end_value(SessionStatus status, double end_time);

}  // namespace dlctl
