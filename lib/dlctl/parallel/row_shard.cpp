#include "dlctl/parallel/row_shard.h"

#include "dlctl/core/error.h"

namespace dlctl {

RowShard shard_rows(std::int64_t total, int rank, int ranks) {
    DLCTL_CHECK(ranks > 0 && rank >= 0 && rank < ranks && total >= 0);
    const std::int64_t first = total * rank / ranks, end = total * (rank + 1) / ranks;
    return {first, end - first, total};
}

}  // namespace dlctl
