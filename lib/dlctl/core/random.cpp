#include "dlctl/core/random.h"

#include <cmath>
#include <numbers>

namespace dlctl {

namespace {
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;

std::array<std::uint32_t, 2> make_key(std::uint64_t seed, RngStream stream) {
    // Mix the stream into the seed so streams of nearby seeds never overlap.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(stream) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return {static_cast<std::uint32_t>(z), static_cast<std::uint32_t>(z >> 32)};
}
}  // namespace

std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> c,
                                        std::array<std::uint32_t, 2> k) {
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(kMultiplier0) * c[0];
        const std::uint64_t p1 = static_cast<std::uint64_t>(kMultiplier1) * c[2];
        c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
             static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
        k[0] += kWeyl0;
        k[1] += kWeyl1;
    }
    return c;
}

float counter_uniform(std::uint64_t seed,
                      RngStream stream,
                      std::uint64_t substream,
                      std::uint64_t index) {
    const auto out = philox4x32(
        {static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
         static_cast<std::uint32_t>(substream), static_cast<std::uint32_t>(substream >> 32)},
        make_key(seed, stream));
    return static_cast<float>(out[0] >> 8) * (1.0f / 16777216.0f);
}

Rng::Rng(std::uint64_t seed, RngStream stream, std::uint64_t substream)
    : key_(make_key(seed, stream)), substream_(substream) {}

std::uint32_t Rng::next_u32() {
    if (used_ == 4) {
        buffer_ = philox4x32(
            {static_cast<std::uint32_t>(block_), static_cast<std::uint32_t>(block_ >> 32),
             static_cast<std::uint32_t>(substream_), static_cast<std::uint32_t>(substream_ >> 32)},
            key_);
        ++block_;
        used_ = 0;
    }
    return buffer_[used_++];
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t high = next_u32();
    return (high << 32) | next_u32();
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
}

}  // namespace dlctl
