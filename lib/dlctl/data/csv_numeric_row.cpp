#include "dlctl/data/csv_numeric_row.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "dlctl/core/transpose.h"
#include "dlctl/data/csv_fields.h"

#if defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace dlctl {

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

std::uint64_t load8(const char* p) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    return word;
}

/// The low `bytes` bytes of a word set (bytes <= 8).
std::uint64_t low_bytes(std::size_t bytes) {
    return bytes >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * bytes)) - 1;
}

/// The high bit of each byte of `digits` (characters minus '0') that is not 0..9. Exact up to and
/// including the first such byte, which is all the callers use.
std::uint64_t non_digits(std::uint64_t digits) {
    return ((digits + 0x76 * kOnes) | digits) & kHighBits;
}

/// The number written by the digit values in the bytes of `digits`, first character in the low
/// byte, leading bytes zero: three multiply-add steps combine pairs, quads, then the two halves.
std::uint32_t digits_value(std::uint64_t digits) {
    digits = digits * 10 + (digits >> 8);
    digits = ((digits & 0x000000FF000000FFull) * (100 + (1000000ull << 32)) +
              ((digits >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32))) >>
             32;
    return static_cast<std::uint32_t>(digits);
}

/// Bit i set where p[i] == delimiter, for i < 64.
std::uint64_t delimiter_bits(const char* p, char delimiter) {
#if defined(__AVX2__)
    const __m256i d = _mm256_set1_epi8(delimiter);
    const auto low = static_cast<std::uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), d)));
    const auto high = static_cast<std::uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), d)));
    return low | (std::uint64_t{high} << 32);
#elif defined(__SSE2__)
    const __m128i d = _mm_set1_epi8(delimiter);
    std::uint64_t bits = 0;
    for (int i = 0; i < 4; ++i) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
        bits |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)))}
                << (16 * i);
    }
    return bits;
#else
    std::uint64_t bits = 0;
    for (int i = 0; i < 64; ++i) bits |= std::uint64_t{p[i] == delimiter} << i;
    return bits;
#endif
}

}  // namespace

bool parse_short_decimal(const char* p, std::size_t length, float& value) {
    static constexpr float kPowersOfTen[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f};
    const bool negative = length > 0 && *p == '-';
    p += negative ? 1 : 0;
    length -= negative ? 1 : 0;
    if (length == 0 || length > 8) return false;
    std::uint64_t text = load8(p);
    std::uint64_t keep = low_bytes(length);
    std::uint64_t digits = (text - '0' * kOnes) & keep;
    std::size_t decimals = 0;
    if (const std::uint64_t other = non_digits(digits) & keep; other != 0) {
        const auto point = static_cast<std::size_t>(std::countr_zero(other)) / 8;
        if (p[point] != '.') return false;
        const std::uint64_t before = low_bytes(point);
        text = (text & before) | ((text >> 8) & ~before);  // the characters without the point
        --length;
        if (length == 0) return false;
        decimals = length - point;
        keep = low_bytes(length);
        digits = (text - '0' * kOnes) & keep;
        if ((non_digits(digits) & keep) != 0) return false;  // a second point or other text
    }
    // At most 8 digits: an exact uint32; with a point at most 7, below 2^24: an exact float.
    const std::uint32_t mantissa = digits_value(digits << (64 - 8 * length));
    const float magnitude = decimals == 0 ? static_cast<float>(mantissa)
                                          : static_cast<float>(mantissa) / kPowersOfTen[decimals];
    value = negative ? -magnitude : magnitude;
    return true;
}

namespace {

/// The field [field, stop) of `column` into cells or texts; false when it must be a number and
/// is not one.
bool take_field(const char* field,
                const char* stop,
                std::size_t column,
                const unsigned char* text_columns,
                float* cells,
                std::string_view* texts) {
    const auto length = static_cast<std::size_t>(stop - field);
    if (text_columns != nullptr && text_columns[column] != 0) {
        texts[column] = std::string_view(field, length);
        return texts[column].find('"') == std::string_view::npos;  // quoted: not plain
    }
    if (parse_short_decimal(field, length, cells[column])) [[likely]] {
        return true;
    }
    return parse_float(std::string_view(field, length), cells[column]);
}

}  // namespace

bool scan_numeric_row(const char* begin,
                      const char* end,
                      char delimiter,
                      std::size_t width,
                      const unsigned char* text_columns,
                      float* cells,
                      std::string_view* texts) {
    std::size_t column = 0;
    const char* field = begin;
    for (const char* block = begin; block < end; block += 64) {
        std::uint64_t bits = delimiter_bits(block, delimiter);
        const auto left = static_cast<std::size_t>(end - block);
        if (left < 64) bits &= (std::uint64_t{1} << left) - 1;
        while (bits != 0) {
            const char* stop = block + std::countr_zero(bits);
            bits &= bits - 1;
            if (column + 1 >= width ||
                !take_field(field, stop, column, text_columns, cells, texts)) {
                return false;
            }
            ++column;
            field = stop + 1;
        }
    }
    return column + 1 == width && take_field(field, end, column, text_columns, cells, texts);
}

void spread_tile(const float* tile,
                 std::size_t rows,
                 std::size_t width,
                 float* const* columns,
                 std::size_t first_row) {
    std::size_t c = 0;
#if defined(__AVX2__)
    static_assert(kTileRows == 8);
    if (rows == kTileRows) {
        for (; c + 8 <= width; c += 8) {
            float* out[8];
            for (std::size_t i = 0; i < 8; ++i) out[i] = columns[c + i] + first_row;
            transpose_8x8(tile + c, width, out);
        }
    }
#endif
    for (; c < width; ++c) {
        float* out = columns[c] + first_row;
        for (std::size_t r = 0; r < rows; ++r) out[r] = tile[r * width + c];
    }
}

}  // namespace dlctl
