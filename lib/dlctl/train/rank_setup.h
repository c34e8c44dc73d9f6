#pragma once

#include <string>

#include "dlctl/core/device.h"
#include "dlctl/data/dataset.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// `threads` (train.threads), or when it is 0 (all cores) on several ranks: the cores the
/// launcher bound this rank to (mpirun binds each of two ranks to one core unless told
/// otherwise), or when it left the rank unbound, the machine's cores shared among its ranks.
int threads_of_rank(int threads, const Communicator* ranks);

/// `device` (train.device); on several ranks, `cuda` and `auto` mean a GPU of this machine for
/// each of its ranks (local rank modulo the GPUs), so that ranks do not share one.
Device device_of_rank(const std::string& device, const Communicator* ranks);

/// What every rank must have read alike: the encoded splits' sizes and a crc32 of their bytes.
std::string data_fingerprint(const PreparedData& data);

}  // namespace dlctl
