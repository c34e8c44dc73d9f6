#pragma once

#include <cstdint>
#include <vector>

#include "dlctl/backend/backend.h"

namespace dlctl {

/// The memory that calls of a chain of layers on up to max_batch() samples work in: each link's
/// workspace (Layer::workspace_floats), the input each link saw in the last forward call and, for
/// training, d loss / d output of each link and a gradient buffer laid out like the parameters.
/// Several workspaces let one model run several calls at once.
class Workspace {
  public:
    /// One link of the chain: the floats of workspace it needs for max_batch samples, its output
    /// rows, and its output columns a sample (an ensemble's members, backend.h).
    struct Link {
        std::int64_t work_floats = 0;
        std::int64_t outputs = 0;
        std::int64_t columns_per_sample = 1;
    };

    Workspace() = default;
    /// `training`: with d loss / d output buffers and a gradient buffer of `parameter_count`.
    Workspace(Backend& backend,
              const std::vector<Link>& links,
              std::int64_t max_batch,
              bool training,
              std::int64_t parameter_count);

    std::int64_t max_batch() const { return max_batch_; }
    bool training() const { return training_; }
    float* work(std::size_t link) const { return work_[link].data(); }
    /// d loss / d output of `link` for a call on `batch` samples (training only): outputs ×
    /// (batch · columns_per_sample).
    Tensor output_gradient(std::size_t link, std::int64_t batch) const;
    /// The gradient buffer (training only).
    Tensor gradients() const { return gradients_.view(gradients_.size(), 1); }
    /// What forward records for backward: the input of each link.
    std::vector<Tensor>& inputs() { return inputs_; }
    const std::vector<Tensor>& inputs() const { return inputs_; }

  private:
    std::int64_t max_batch_ = 0;
    bool training_ = false;
    std::vector<Link> links_;
    std::vector<Buffer> work_, output_gradients_;
    Buffer gradients_;
    std::vector<Tensor> inputs_;
};

}  // namespace dlctl
