#pragma once

#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"

namespace dlctl {

/// The optimizer's parameter groups for `model` (built from `spec`): each layer's lr_scale, a
/// dense layer's bias_lr_scale, ntk parametrization's 1 / sqrt(inputs) on dense weights (whose
/// decoupled decay stays lr × weight_decay) and bias_decay: false on every tensor named "bias".
/// Neighbours that learn alike share a group, so a model with none of these has one group.
std::vector<ParameterGroup> parameter_groups(const ModelSpec& spec,
                                             const Sequential& model,
                                             const OptimizerSpec& optimizer);

}  // namespace dlctl
