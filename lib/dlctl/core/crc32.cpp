#include "dlctl/core/crc32.h"

#include <array>
#include <cstring>
#include <fstream>
#include <string>

#if defined(__PCLMUL__) && defined(__SSE4_1__)
#include <immintrin.h>
#define DLCTL_CRC32_CLMUL 1
#endif

namespace dlctl {

namespace {

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

/// Slicing-by-8: table k advances a byte that sits k bytes before the end of an 8-byte word.
constexpr Tables make_tables() {
    Tables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::uint32_t i = 0; i < 256; ++i)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
    }
    return t;
}

constexpr Tables kTables = make_tables();

/// The CRC register after `bytes`, from register `crc` (no inversions).
std::uint32_t update_by_tables(std::uint32_t crc, const unsigned char* p, std::size_t n) {
    for (; n >= 8; p += 8, n -= 8) {  // little-endian words
        std::uint32_t lo = 0, hi = 0;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + 4, 4);
        lo ^= crc;
        crc = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^
              kTables[5][(lo >> 16) & 0xFFu] ^ kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^
              kTables[2][(hi >> 8) & 0xFFu] ^ kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
    }
    for (; n > 0; ++p, --n) crc = kTables[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
    return crc;
}

#if defined(DLCTL_CRC32_CLMUL)

// Folding with carry-less products. In the reflected bit order, a 16-byte block loaded into a
// register has bit i as the coefficient of x^(127 - i): its low quadword H holds the high half
// of the block's polynomial A = H·x^64 + L. Moving A forward by D bits, to where it can be added
// to a later block, keeps the message's remainder mod P: A·x^D ≡ H·(x^(D+64) mod P) + L·(x^D
// mod P), each product under 96 bits. A carry-less product of two reflected quadwords is the
// reflected product times x, so the constants hold x^(D+63) and x^(D-1) mod P instead.

/// x^n mod P(x), P CRC-32's polynomial in normal order (bit m: coefficient of x^m).
constexpr std::uint32_t x_power_mod_p(unsigned n) {
    std::uint32_t r = 1;
    for (unsigned i = 0; i < n; ++i) r = (r & 0x80000000u) != 0 ? (r << 1) ^ 0x04C11DB7u : r << 1;
    return r;
}

/// x^n mod P as a reflected quadword (bit 63 - m: coefficient of x^m).
constexpr std::uint64_t reflected_constant(unsigned n) {
    const std::uint32_t r = x_power_mod_p(n);
    std::uint64_t out = 0;
    for (unsigned m = 0; m < 32; ++m) {
        if (((r >> m) & 1u) != 0) out |= std::uint64_t{1} << (63 - m);
    }
    return out;
}

/// The constants that move a block forward by `Bits`: for its low quadword, then its high one.
template <unsigned Bits>
__m128i fold_constants() {
    constexpr std::uint64_t for_low = reflected_constant(Bits + 63);
    constexpr std::uint64_t for_high = reflected_constant(Bits - 1);
    return _mm_set_epi64x(static_cast<long long>(for_high), static_cast<long long>(for_low));
}

/// `block` moved forward by the distance of `k`, added to `next`.
__m128i fold(__m128i block, __m128i k, __m128i next) {
    return _mm_xor_si128(next, _mm_xor_si128(_mm_clmulepi64_si128(block, k, 0x00),
                                             _mm_clmulepi64_si128(block, k, 0x11)));
}

__m128i load(const unsigned char* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

/// The register after the whole 16-byte blocks of at least 64 bytes; advances p and n past them.
std::uint32_t update_by_folding(std::uint32_t crc, const unsigned char*& p, std::size_t& n) {
    // Four blocks in flight (a 512-bit stride) hide the products' latency.
    __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
    __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
    p += 64;
    n -= 64;
    const __m128i by_512 = fold_constants<512>();
    for (; n >= 64; p += 64, n -= 64) {
        x0 = fold(x0, by_512, load(p));
        x1 = fold(x1, by_512, load(p + 16));
        x2 = fold(x2, by_512, load(p + 32));
        x3 = fold(x3, by_512, load(p + 48));
    }
    const __m128i by_128 = fold_constants<128>();
    __m128i x = fold(fold(fold(x0, by_128, x1), by_128, x2), by_128, x3);
    for (; n >= 16; p += 16, n -= 16) x = fold(x, by_128, load(p));
    // x is congruent to everything read so far: its 16 bytes, from a zero register, finish it.
    alignas(16) unsigned char rest[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(rest), x);
    return update_by_tables(0, rest, sizeof rest);
}

#endif

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    crc = ~crc;
#if defined(DLCTL_CRC32_CLMUL)
    if (n >= 64) crc = update_by_folding(crc, p, n);
#endif
    return ~update_by_tables(crc, p, n);
}

std::optional<std::uint32_t> crc32_of_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::uint32_t crc = 0;
    std::string chunk(1 << 20, '\0');
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
        crc = crc32(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())), crc);
    }
    if (in.bad()) return std::nullopt;
    return crc;
}

}  // namespace dlctl
