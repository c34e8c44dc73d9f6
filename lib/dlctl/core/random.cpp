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
    const __m256i odd = _mm256_mul_epu32(_mm256_shuffle_epi32(a, 0xF5), m);
    low = _mm256_mullo_epi32(a, m);
    high = _mm256_blend_epi32(_mm256_shuffle_epi32(even, 0xF5), odd, 0xAA);
}

/// Eight Philox blocks, one per 32-bit lane of each word register.
struct Blocks8 {
    __m256i c0, c1, c2, c3;
};

/// Counters of blocks first, first + 1, ..., first + 7 of `substream`.
Blocks8 counters(std::uint64_t first, std::uint64_t substream) {
    const __m256i low = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(first)));
    const __m256i c0 = _mm256_add_epi32(low, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    // A lane whose low word wrapped around carries into its high word (unsigned c0 < low).
    const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
    const __m256i wrapped =
        _mm256_cmpgt_epi32(_mm256_xor_si256(low, sign), _mm256_xor_si256(c0, sign));
    const __m256i high =
        _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(first >> 32)));
    return {c0, _mm256_sub_epi32(high, wrapped),
            _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(substream))),
            _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(substream >> 32)))};
}

void round(Blocks8& b, __m256i m0, __m256i m1, __m256i k0, __m256i k1) {
    __m256i high0, low0, high1, low1;
    multiply_high_low(b.c0, m0, high0, low0);
    multiply_high_low(b.c2, m1, high1, low1);
    b.c0 = _mm256_xor_si256(_mm256_xor_si256(high1, b.c1), k0);
    b.c2 = _mm256_xor_si256(_mm256_xor_si256(high0, b.c3), k1);
    b.c1 = low1;
    b.c3 = low0;
}

/// Writes the 8 blocks one after another (4 words each): a 4 x 8 transpose.
void store(const Blocks8& b, std::uint32_t* words) {
    const __m256i c01_low = _mm256_unpacklo_epi32(b.c0, b.c1);   // blocks 0, 1 | 4, 5: c0 c1
    const __m256i c01_high = _mm256_unpackhi_epi32(b.c0, b.c1);  // blocks 2, 3 | 6, 7
    const __m256i c23_low = _mm256_unpacklo_epi32(b.c2, b.c3);
    const __m256i c23_high = _mm256_unpackhi_epi32(b.c2, b.c3);
    const __m256i blocks04 = _mm256_unpacklo_epi64(c01_low, c23_low);  // block 0 | block 4
    const __m256i blocks15 = _mm256_unpackhi_epi64(c01_low, c23_low);
    const __m256i blocks26 = _mm256_unpacklo_epi64(c01_high, c23_high);
    const __m256i blocks37 = _mm256_unpackhi_epi64(c01_high, c23_high);
    auto* out = reinterpret_cast<__m256i*>(words);
    _mm256_storeu_si256(out + 0, _mm256_permute2x128_si256(blocks04, blocks15, 0x20));
    _mm256_storeu_si256(out + 1, _mm256_permute2x128_si256(blocks26, blocks37, 0x20));
    _mm256_storeu_si256(out + 2, _mm256_permute2x128_si256(blocks04, blocks15, 0x31));
    _mm256_storeu_si256(out + 3, _mm256_permute2x128_si256(blocks26, blocks37, 0x31));
}

/// The same rounds on 8 blocks per AVX2 register, three registers' worth interleaved so that one
/// group's multiplies overlap the others' latency (the compiler gives the portable loop only
/// 64-bit multiplies).
void counter_blocks_avx2(std::uint64_t seed,
                         RngStream stream,
                         std::uint64_t substream,
                         std::uint64_t first_block,
                         std::size_t count,
                         std::uint32_t* words) {
    constexpr std::size_t kGroups = 3;
    constexpr std::size_t kBlocks = 8 * kGroups;
    const auto key = philox_key(seed, stream);
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kMultiplier0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kMultiplier1));
    for (std::size_t base = 0; base < count; base += kBlocks) {
        std::array<Blocks8, kGroups> groups;
        for (std::size_t g = 0; g < kGroups; ++g) {
            groups[g] = counters(first_block + base + 8 * g, substream);
        }
        std::uint32_t k0 = key[0], k1 = key[1];
        for (int r = 0; r < 10; ++r) {
            const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
            const __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
            for (Blocks8& group : groups) round(group, m0, m1, key0, key1);
            k0 += kWeyl0;
            k1 += kWeyl1;
        }
        if (count - base >= kBlocks) {
            for (std::size_t g = 0; g < kGroups; ++g) store(groups[g], words + 4 * (base + 8 * g));
            continue;
        }
        alignas(32) std::uint32_t tail[4 * kBlocks];
        for (std::size_t g = 0; g < kGroups; ++g) store(groups[g], tail + 32 * g);
        std::copy_n(tail, 4 * (count - base), words + 4 * base);
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

std::uint32_t counter_half(std::uint64_t seed,
                           RngStream stream,
                           std::uint64_t substream,
                           std::uint64_t index) {
    const auto words = counter_block(seed, stream, substream, index / 8);
    return (words[(index / 2) % 4] >> (16 * (index % 2))) & 0xFFFFu;
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
