#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "dlctl/core/device.h"
#include "dlctl/core/error.h"
#include "dlctl/core/random.h"
#include "dlctl/core/strings.h"
#include "dlctl/core/transpose.h"

using namespace dlctl;

TEST_CASE("device strings parse in one place", "[core]") {
    CHECK(parse_device("auto") == Device{DeviceKind::kAuto, 0});
    CHECK(parse_device("cpu") == Device{DeviceKind::kCpu, 0});
    CHECK(parse_device("cuda") == Device{DeviceKind::kCuda, 0});
    CHECK(parse_device("cuda:3") == Device{DeviceKind::kCuda, 3});
    CHECK(to_string(parse_device("cuda")) == "cuda:0");
    for (const char* bad : {"", "gpu", "cuda:", "cuda:-1", "cuda:1x", "CPU", "cuda:0:1"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_device(bad), UsageError);
    }
    try {
        parse_device("tpu");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "invalid device 'tpu'");
        CHECK(e.hint() == "accepted forms: 'auto', 'cpu', 'cuda', 'cuda:N' (N = 0, 1, ...)");
    }
}

TEST_CASE("Philox-4x32-10 matches the published known-answer vectors", "[core][rng]") {
    // Known-answer tests from the Random123 distribution (Salmon et al., SC'11).
    using A4 = std::array<std::uint32_t, 4>;
    CHECK(philox4x32({0, 0, 0, 0}, {0, 0}) == A4{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    CHECK(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
          A4{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    CHECK(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
          A4{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("random streams are reproducible and independent", "[core][rng]") {
    Rng a(42, RngStream::kInit), b(42, RngStream::kInit), c(42, RngStream::kShuffle),
        d(43, RngStream::kInit);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next_u64();
        CHECK(x == b.next_u64());
        seen.insert(x);
        CHECK(x != c.next_u64());
        CHECK(x != d.next_u64());
    }
    CHECK(seen.size() == 100);
    CHECK(counter_half(1, RngStream::kDropout, 2, 3) == counter_half(1, RngStream::kDropout, 2, 3));
    CHECK(counter_half(1, RngStream::kDropout, 2, 3) != counter_half(1, RngStream::kDropout, 3, 3));
    // Eight 16-bit draws a block, low half of each word first.
    const auto block = counter_block(1, RngStream::kDropout, 2, 5);
    for (std::uint64_t j = 0; j < 8; ++j) {
        const std::uint32_t word = block[j / 2];
        CHECK(counter_half(1, RngStream::kDropout, 2, 40 + j) ==
              (j % 2 == 0 ? word & 0xFFFFu : word >> 16));
    }
}

TEST_CASE("counter_blocks gives counter_block's words for every block", "[core][rng]") {
    // Counts around the 8 blocks of a register and the 24 of a vector pass; the block counter
    // crosses 2^32 inside one.
    const std::uint64_t first = (std::uint64_t{1} << 32) - 10;
    for (const std::size_t count : {1, 7, 8, 15, 16, 17, 21, 23, 24, 25, 33, 48, 50}) {
        INFO(count << " blocks");
        std::vector<std::uint32_t> words(4 * count + 4, 0xDEADBEEFu);
        counter_blocks(7, RngStream::kDropout, 0x123456789ull, first, count, words.data());
        for (std::uint64_t b = 0; b < count; ++b) {
            const auto block = counter_block(7, RngStream::kDropout, 0x123456789ull, first + b);
            for (std::size_t w = 0; w < 4; ++w) CHECK(words[4 * b + w] == block[w]);
        }
        for (std::size_t w = 4 * count; w < words.size(); ++w) CHECK(words[w] == 0xDEADBEEFu);
    }
}

TEST_CASE("uniform, normal and below have the right ranges and moments", "[core][rng]") {
    Rng rng(5, RngStream::kInit);
    double sum = 0, squares = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        const double z = rng.normal();
        sum += z;
        squares += z * z;
        REQUIRE(rng.below(7) < 7);
    }
    CHECK(std::abs(sum / n) < 0.03);
    CHECK(std::abs(squares / n - 1.0) < 0.05);
}

TEST_CASE("parse_number takes whole finite numbers only", "[core]") {
    CHECK(parse_number("0.001") == 0.001);
    CHECK(parse_number("-3e2") == -300.0);
    CHECK_FALSE(parse_number("").has_value());
    CHECK_FALSE(parse_number("12abc").has_value());
    CHECK_FALSE(parse_number("relu").has_value());
    CHECK_FALSE(parse_number("inf").has_value());
    CHECK_FALSE(parse_number("nan").has_value());
}

TEST_CASE("did-you-mean suggests close names only", "[core]") {
    CHECK(edit_distance("epochs", "epoch") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(did_you_mean("epoch", {"epochs", "batch_size"}) == " (did you mean 'epochs'?)");
    CHECK(did_you_mean("zzzzzz", {"epochs", "batch_size"}).empty());
    CHECK(quoted_list({"a", "b"}) == "'a', 'b'");
}

TEST_CASE("transpose moves every element, in and around 8x8 blocks and 64x64 tiles", "[core]") {
    const std::vector<std::pair<std::int64_t, std::int64_t>> shapes = {
        {1, 1},  {1, 9},   {9, 1},    {7, 7},    {8, 8},   {8, 16},
        {17, 9}, {64, 64}, {65, 130}, {130, 65}, {200, 8}, {3, 300}};
    for (const auto& [rows, cols] : shapes) {
        std::vector<float> in(static_cast<std::size_t>(rows * cols));
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) + 0.5f;
        std::vector<float> out(in.size(), -1.0f);
        transpose(in.data(), rows, cols, out.data());
        bool all_moved = true;
        for (std::int64_t r = 0; r < rows; ++r) {
            for (std::int64_t c = 0; c < cols; ++c)
                all_moved = all_moved && out[c * rows + r] == in[r * cols + c];
        }
        INFO(rows << " x " << cols);
        CHECK(all_moved);
    }
}

TEST_CASE("transpose of a block inside larger matrices leaves the rest alone", "[core]") {
    // The 67 x 21 block at row 3, column 5 of a 80 x 40 matrix, into column 2 of a 30 x 75 one.
    const std::int64_t in_stride = 40, rows = 67, cols = 21, out_stride = 75;
    std::vector<float> in(80 * 40);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
    std::vector<float> out(30 * 75, -1.0f);
    transpose(in.data() + 3 * in_stride + 5, in_stride, rows, cols, out.data() + 2, out_stride);
    bool right = true;
    for (std::int64_t r = 0; r < 30; ++r) {
        for (std::int64_t c = 0; c < out_stride; ++c) {
            const bool inside = c >= 2 && c < 2 + rows && r < cols;
            const float expected = inside ? in[(3 + c - 2) * in_stride + 5 + r] : -1.0f;
            right = right && out[r * out_stride + c] == expected;
        }
    }
    CHECK(right);
}

TEST_CASE("yaml_quoted text reads back as the same string", "[core]") {
    for (const std::string text : {std::string("plain"), std::string("a \"quoted\" \\ path"),
                                   std::string("two\nlines\ttab"), std::string("")}) {
        INFO(text);
        CHECK(YAML::Load(dlctl::yaml_quoted(text)).as<std::string>() == text);
    }
}
