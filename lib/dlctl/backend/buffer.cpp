#include "dlctl/backend/buffer.h"

#include "dlctl/core/error.h"

namespace dlctl {

Tensor Buffer::view(std::int64_t rows, std::int64_t cols) const {
    DLCTL_CHECK(rows >= 0 && cols >= 0 && rows * cols <= size());
    return {data(), rows, cols};
}

}  // namespace dlctl
