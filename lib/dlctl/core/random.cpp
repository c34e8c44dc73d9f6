#include "dlctl/core/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace dlctl {

namespace {
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;

}  // namespace

std::array<std::uint32_t, 2> philox_key(std::uint64_t seed, RngStream stream) {
    // Mix the stream into the seed so streams of nearby seeds never overlap.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(stream) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return {static_cast<std::uint32_t>(z), static_cast<std::uint32_t>(z >> 32)};
}

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

std::array<std::uint32_t, 4> counter_block(std::uint64_t seed,
                                           RngStream stream,
                                           std::uint64_t substream,
                                           std::uint64_t block) {
    return philox4x32(
        {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
         static_cast<std::uint32_t>(substream), static_cast<std::uint32_t>(substream >> 32)},
        philox_key(seed, stream));
}

namespace {

#if !defined(__AVX2__)
void counter_blocks_portable(std::uint64_t seed,
                             RngStream stream,
                             std::uint64_t substream,
                             std::uint64_t first_block,
                             std::size_t count,
                             std::uint32_t* words) {
    // The rounds of 16 independent blocks side by side, so the compiler vectorises them.
    constexpr std::size_t kLanes = 16;
    const auto key = philox_key(seed, stream);
    for (std::size_t base = 0; base < count; base += kLanes) {
        // 64-bit lanes so the 32 x 32 -> 64-bit products map onto vector multiplies.
        std::uint64_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
        for (std::size_t l = 0; l < kLanes; ++l) {
            const std::uint64_t block = first_block + base + l;
            c0[l] = block & 0xFFFFFFFFu;
            c1[l] = block >> 32;
            c2[l] = substream & 0xFFFFFFFFu;
            c3[l] = substream >> 32;
        }
        std::uint64_t k0 = key[0], k1 = key[1];
        for (int round = 0; round < 10; ++round) {
#pragma GCC unroll 1
            for (std::size_t l = 0; l < kLanes; ++l) {
                const std::uint64_t p0 = kMultiplier0 * c0[l];
                const std::uint64_t p1 = kMultiplier1 * c2[l];
                const std::uint64_t n0 = (p1 >> 32) ^ c1[l] ^ k0;
                const std::uint64_t n2 = (p0 >> 32) ^ c3[l] ^ k1;
                c1[l] = p1 & 0xFFFFFFFFu;
                c3[l] = p0 & 0xFFFFFFFFu;
                c0[l] = n0;
                c2[l] = n2;
            }
            k0 = (k0 + kWeyl0) & 0xFFFFFFFFu;
            k1 = (k1 + kWeyl1) & 0xFFFFFFFFu;
        }
        const std::size_t lanes = std::min(kLanes, count - base);
        for (std::size_t l = 0; l < lanes; ++l) {
            std::uint32_t* out = words + 4 * (base + l);
            out[0] = static_cast<std::uint32_t>(c0[l]);
            out[1] = static_cast<std::uint32_t>(c1[l]);
            out[2] = static_cast<std::uint32_t>(c2[l]);
            out[3] = static_cast<std::uint32_t>(c3[l]);
        }
    }
}

#else
/// hi and lo halves of the 32 x 32-bit products of each lane of `a` with `m`.
void multiply_high_low(__m256i a, __m256i m, __m256i& high, __m256i& low) {
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/// The same rounds on 8 blocks per AVX2 register (3x the portable loop, which the compiler can
/// only give 64-bit multiplies).
void counter_blocks_avx2(std::uint64_t seed,
                         RngStream stream,
                         std::uint64_t substream,
                         std::uint64_t first_block,
                         std::size_t count,
                         std::uint32_t* words) {
    constexpr std::size_t kLanes = 8;
    const auto key = philox_key(seed, stream);
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kMultiplier0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kMultiplier1));
    for (std::size_t base = 0; base < count; base += kLanes) {
        alignas(32) std::uint32_t lane[4][kLanes];
        for (std::size_t l = 0; l < kLanes; ++l) {
            const std::uint64_t block = first_block + base + l;
            lane[0][l] = static_cast<std::uint32_t>(block);
            lane[1][l] = static_cast<std::uint32_t>(block >> 32);
        }
        __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lane[0]));
        __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lane[1]));
        __m256i c2 = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(substream)));
        __m256i c3 =
            _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(substream >> 32)));
        std::uint32_t k0 = key[0], k1 = key[1];
        for (int round = 0; round < 10; ++round) {
            __m256i high0, low0, high1, low1;
            multiply_high_low(c0, m0, high0, low0);
            multiply_high_low(c2, m1, high1, low1);
            c0 = _mm256_xor_si256(_mm256_xor_si256(high1, c1),
                                  _mm256_set1_epi32(static_cast<int>(k0)));
            c2 = _mm256_xor_si256(_mm256_xor_si256(high0, c3),
                                  _mm256_set1_epi32(static_cast<int>(k1)));
            c1 = low1;
            c3 = low0;
            k0 += kWeyl0;
            k1 += kWeyl1;
        }
        _mm256_store_si256(reinterpret_cast<__m256i*>(lane[0]), c0);
        _mm256_store_si256(reinterpret_cast<__m256i*>(lane[1]), c1);
        _mm256_store_si256(reinterpret_cast<__m256i*>(lane[2]), c2);
        _mm256_store_si256(reinterpret_cast<__m256i*>(lane[3]), c3);
        const std::size_t lanes = std::min(kLanes, count - base);
        for (std::size_t l = 0; l < lanes; ++l) {
            std::uint32_t* out = words + 4 * (base + l);
            for (std::size_t w = 0; w < 4; ++w) out[w] = lane[w][l];
        }
    }
}
#endif

}  // namespace

void counter_blocks(std::uint64_t seed,
                    RngStream stream,
                    std::uint64_t substream,
                    std::uint64_t first_block,
                    std::size_t count,
                    std::uint32_t* words) {
#if defined(__AVX2__)
    counter_blocks_avx2(seed, stream, substream, first_block, count, words);
#else
    counter_blocks_portable(seed, stream, substream, first_block, count, words);
#endif
}

float counter_uniform(std::uint64_t seed,
                      RngStream stream,
                      std::uint64_t substream,
                      std::uint64_t index) {
    const auto words = counter_block(seed, stream, substream, index / 4);
    return static_cast<float>(words[index % 4] >> 8) * (1.0f / 16777216.0f);
}

Rng::Rng(std::uint64_t seed, RngStream stream, std::uint64_t substream)
    : key_(philox_key(seed, stream)), substream_(substream) {}

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
