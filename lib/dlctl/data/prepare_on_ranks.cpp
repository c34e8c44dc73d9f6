#include "dlctl/data/prepare_on_ranks.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/prepare_by_column.h"
#include "dlctl/data/rank_columns.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/parallel/row_shard.h"

namespace dlctl {

namespace {

/// A split's rows (of the whole table) whose features this rank encodes, and how many values
/// go to each rank: for each rank in turn, the rows of its block that this rank read.
struct Outgoing {
    std::vector<std::uint32_t> part_rows;  ///< rows of this rank's part
    std::vector<std::int64_t> values;      ///< per rank
};

Outgoing rows_to_send(const std::vector<std::uint32_t>& split,
                      const RankColumns& source,
                      std::int64_t width,
                      int me,
                      int ranks) {
    Outgoing out;
    out.values.assign(static_cast<std::size_t>(ranks), 0);
    const std::size_t first = source.first_row();
    for (int r = 0; r < ranks; ++r) {
        const RowShard block = shard_rows(static_cast<std::int64_t>(split.size()), r, ranks);
        for (std::int64_t i = block.first; i < block.first + block.count; ++i) {
            const std::uint32_t row = split[static_cast<std::size_t>(i)];
            if (source.rank_of_row(row) != me) continue;
            out.part_rows.push_back(static_cast<std::uint32_t>(row - first));
            out.values[static_cast<std::size_t>(r)] += width;
        }
    }
    return out;
}

/// This rank's block of `split`'s features, from `received` (what every rank sent this one, in
/// rank order, each rank's rows in the block's order).
std::vector<float> place_block(const std::vector<std::uint32_t>& split,
                               const RowShard& block,
                               const RankColumns& source,
                               std::int64_t width,
                               int ranks,
                               const std::vector<float>& received) {
    std::vector<std::int64_t> next(static_cast<std::size_t>(ranks) + 1, 0);
    for (std::int64_t i = block.first; i < block.first + block.count; ++i) {
        next[static_cast<std::size_t>(source.rank_of_row(split[static_cast<std::size_t>(i)])) +
             1] += width;
    }
    for (std::size_t r = 1; r < next.size(); ++r) next[r] += next[r - 1];
    std::vector<float> out(static_cast<std::size_t>(block.count * width));
    for (std::int64_t i = 0; i < block.count; ++i) {
        const int from = source.rank_of_row(split[static_cast<std::size_t>(block.first + i)]);
        std::int64_t& at = next[static_cast<std::size_t>(from)];
        std::copy_n(received.begin() + at, width, out.begin() + i * width);
        at += width;
    }
    return out;
}

/// DataError when this rank would send or receive more encoded values than one MPI call moves
/// (2^31 − 1: its count and offsets are ints).
void check_exchange_size(std::size_t sent_rows,
                         std::int64_t block_rows,
                         std::int64_t width,
                         int ranks) {
    const auto most = static_cast<std::int64_t>(std::numeric_limits<int>::max());
    if (static_cast<std::int64_t>(sent_rows) * width <= most && block_rows * width <= most) return;
    throw DataError(
        fmt::format("a rank's block of {} rows × {} encoded inputs is more than one "
                    "MPI call moves (2^31 − 1 values)",
                    std::max<std::int64_t>(static_cast<std::int64_t>(sent_rows), block_rows),
                    width),
        fmt::format("train on more ranks than {}", ranks));
}

/// `split` encoded: every row's targets (and weights), this rank's block of features, the rows
/// outside a vocabulary counted over every rank.
Dataset encode_split(const std::vector<std::uint32_t>& split,
                     const Table& part,
                     const RankColumns& source,
                     const prepare::Fitted& fitted,
                     const Column& weights,
                     const Preprocessor& preprocessor,
                     Communicator& ranks) {
    Dataset out;
    out.n_features = preprocessor.width();
    out.n_rows = static_cast<std::int64_t>(split.size());
    for (const std::uint32_t row : split) out.targets.push_back(fitted.rows.targets[row]);
    if (!weights.empty()) {
        for (const std::uint32_t row : split) out.weights.push_back(weights[row]);
    }
    const Outgoing outgoing =
        rows_to_send(split, source, out.n_features, ranks.rank(), ranks.size());
    const RowShard block = shard_rows(out.n_rows, ranks.rank(), ranks.size());
    std::vector<float> features;
    on_every_rank(ranks, [&] {  // a cell the preprocessor refuses is on one rank only
        check_exchange_size(outgoing.part_rows.size(), block.count, out.n_features, ranks.size());
        preprocessor.transform(part, fitted.columns.features, outgoing.part_rows, features,
                               &out.outside_vocabulary);
    });
    const std::vector<float> received = ranks.exchange(features.data(), outgoing.values);
    out.features = place_block(split, block, source, out.n_features, ranks.size(), received);
    out.rank_block = true;
    out.features_first = block.first;
    std::vector<double> outside(out.outside_vocabulary.begin(), out.outside_vocabulary.end());
    ranks.sum(outside.data(), static_cast<std::int64_t>(outside.size()));
    std::copy(outside.begin(), outside.end(), out.outside_vocabulary.begin());
    return out;
}

}  // namespace

PreparedData prepare_data_on_ranks(const DataSpec& spec,
                                   std::uint64_t seed,
                                   int classes,
                                   Communicator& ranks,
                                   const CvSpec& cv,
                                   std::size_t first_rows_bytes) {
    on_every_rank(ranks, [&] { prepare::require_regular_file(spec.path); });
    const CsvOptions options = prepare::csv_options(spec, classes);
    const auto started = std::chrono::steady_clock::now();
    const Table part = read_rank_part(spec, options, ranks, first_rows_bytes);
    const RankColumns source(part, ranks);
    spdlog::info(
        "read {} rows x {} columns on {} ranks ({} rows in this rank's part) in {:.2f} s; peak "
        "memory so far {}",
        source.rows(), part.names.size(), ranks.size(), part.rows(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        byte_size_text(peak_resident_bytes()));
    PreparedData data;
    const prepare::Fitted fitted = prepare::fit_by_column(spec, seed, classes, source, data, cv);
    const Column weights =
        fitted.columns.weight >= 0 ? source.column(fitted.columns.weight) : Column();
    const std::vector<std::uint32_t>* splits[] = {&data.split.train, &data.split.validation,
                                                  &data.split.test};
    Dataset* encoded[] = {&data.train, &data.validation, &data.test};
    for (int s = 0; s < 3; ++s) {
        *encoded[s] =
            encode_split(*splits[s], part, source, fitted, weights, data.preprocessor, ranks);
    }
    on_every_rank(ranks, [&] {
        prepare::encode_separate_files(spec, options, fitted.columns, classes, data);
    });
    prepare::normalize_targets(spec, classes, data);
    return data;
}

}  // namespace dlctl
