#include "dlctl/nn/workspace.h"

#include "dlctl/core/error.h"

namespace dlctl {

Workspace::Workspace(Backend& backend,
                     const std::vector<Link>& links,
                     std::int64_t max_batch,
                     bool training,
                     std::int64_t parameter_count)
    : max_batch_(max_batch), training_(training), links_(links), inputs_(links.size()) {
    DLCTL_CHECK(max_batch > 0);
    for (const Link& link : links) {
        work_.push_back(backend.allocate(link.work_floats));
        output_gradients_.push_back(
            backend.allocate(training ? link.outputs * link.columns_per_sample * max_batch : 0));
    }
    if (training) gradients_ = backend.allocate(parameter_count);
}

Tensor Workspace::output_gradient(std::size_t link, std::int64_t batch) const {
    DLCTL_CHECK(training() && batch <= max_batch_);
    return output_gradients_[link].view(links_[link].outputs,
                                        batch * links_[link].columns_per_sample);
}

}  // namespace dlctl
