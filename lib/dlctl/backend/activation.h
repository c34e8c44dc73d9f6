#pragma once

#include <string>

namespace dlctl {

enum class Activation { kLinear, kRelu, kSigmoid, kTanh };

/// Maps a spec name ("relu", ...) to the enum; throws UsageError for unknown names.
Activation parse_activation(const std::string& name);
const char* to_string(Activation activation);

}  // namespace dlctl
