// libFuzzer target for the checkpoint reader: any bytes must give a checkpoint or an IoError,
// never a crash, a hang or a sanitizer report. Each input is read as it is (the checksum turns
// almost every mutation away) and again with its checksum resealed, so that mutations of the
// header and metadata reach their validation. Built and run by scripts/fuzz_checkpoint.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/core/error.h"

namespace {

void read_one(std::string_view bytes) {
    try {
        const dlctl::Checkpoint c = dlctl::parse_checkpoint("fuzz.safetensors", bytes);
        for (const auto& t : c.tensors) {
            std::size_t count = 1;
            for (const auto d : t.shape) count *= static_cast<std::size_t>(d);
            if (count != t.values.size()) __builtin_trap();  // shapes match the data
        }
    } catch (const dlctl::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    read_one(bytes);
    if (dlctl::reseal_checksum(bytes)) read_one(bytes);
    return 0;
}
