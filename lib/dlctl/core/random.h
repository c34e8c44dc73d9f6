#pragma once

#include <array>
#include <cstdint>

namespace dlctl {

/// Independent random streams derived from one experiment seed, so that e.g. changing the number
/// of epochs never changes the data split or the initial weights.
enum class RngStream : std::uint64_t {
    kSplit = 1,
    kInit = 2,
    kShuffle = 3,
    kDropout = 4,
    kExplain = 5,  ///< dlctl explain: row samples, column shuffles, permutations
};

/// Philox-4x32-10 counter-based generator: the output is a pure function of (key, counter), so the
/// same numbers can be produced in any order, on any thread or device.
std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> counter,
                                        std::array<std::uint32_t, 2> key);

/// The Philox key of a stream of an experiment seed (what counter_block uses), for devices that
/// run the Philox rounds themselves.
std::array<std::uint32_t, 2> philox_key(std::uint64_t seed, RngStream stream);

/// Four random 32-bit words that depend only on (seed, stream, substream, block), so every
/// device reproduces the same values (dropout masks: counter_half).
std::array<std::uint32_t, 4> counter_block(std::uint64_t seed,
                                           RngStream stream,
                                           std::uint64_t substream,
                                           std::uint64_t block);

/// counter_block for `count` consecutive blocks from `first_block`, written block after block
/// (4 words each) into `words`; vectorised, for filling dropout masks.
void counter_blocks(std::uint64_t seed,
                    RngStream stream,
                    std::uint64_t substream,
                    std::uint64_t first_block,
                    std::size_t count,
                    std::uint32_t* words);

/// Element `index` of a counter-based draw of 16-bit values: bits 16 · (index % 2) to
/// 16 · (index % 2) + 15 of word (index / 2) % 4 of block index / 8, eight draws a block
/// (dropout masks: substream = layer, index = position in the step's activations).
std::uint32_t counter_half(std::uint64_t seed,
                           RngStream stream,
                           std::uint64_t substream,
                           std::uint64_t index);

/// Sequential generator over a Philox stream for host-side work (initialization, shuffling).
class Rng {
  public:
    Rng(std::uint64_t seed, RngStream stream, std::uint64_t substream = 0);

    std::uint32_t next_u32();
    std::uint64_t next_u64();
    /// Uniform in [0, 1).
    double uniform();
    /// Standard normal (Box-Muller).
    double normal();
    /// Uniform integer in [0, n), unbiased; n > 0.
    std::uint64_t below(std::uint64_t n);

  private:
    std::array<std::uint32_t, 2> key_;
    std::uint64_t substream_;
    std::uint64_t block_ = 0;
    std::array<std::uint32_t, 4> buffer_{};
    int used_ = 4;
};

}  // namespace dlctl
