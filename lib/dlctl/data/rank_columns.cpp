#include "dlctl/data/rank_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/file_window.h"
#include "dlctl/data/first_rows.h"
#include "dlctl/parallel/rank_agreement.h"

namespace dlctl {

namespace {

/// `texts` as one text: their count, then each one's length and bytes.
std::string pack_texts(const std::vector<std::string>& texts) {
    std::string out = fmt::format("{};", texts.size());
    for (const auto& text : texts) out += fmt::format("{};{}", text.size(), text);
    return out;
}

/// The next number before a ';' in `packed`, past it.
std::size_t unpack_size(std::string_view& packed) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(packed.data(), packed.data() + packed.size(), value);
    DLCTL_CHECK(error == std::errc() && end < packed.data() + packed.size() && *end == ';');
    packed.remove_prefix(static_cast<std::size_t>(end - packed.data()) + 1);
    return value;
}

/// The texts pack_texts packed at the start of `packed`, past them.
std::vector<std::string> unpack_texts(std::string_view& packed) {
    std::vector<std::string> out(unpack_size(packed));
    for (auto& text : out) {
        const std::size_t size = unpack_size(packed);
        text = packed.substr(0, size);
        packed.remove_prefix(size);
    }
    return out;
}

/// The column names and types of the file's first rows (read_first_rows), read by rank 0.
Table types_of_first_rows(const DataSpec& spec,
                          const CsvOptions& options,
                          std::size_t bytes,
                          Communicator& ranks) {
    std::string packed;
    on_every_rank(ranks, [&] {
        if (ranks.rank() != 0) return;  // the others would read the same rows
        const Table first = read_first_rows(spec.path, options, bytes);
        std::vector<std::string> types;
        for (std::size_t c = 0; c < first.names.size(); ++c) {
            types.push_back(std::to_string(static_cast<int>(first.type(c))));
        }
        packed = pack_texts(first.names) + pack_texts(types);
    });
    const std::string from_rank_0 = ranks.gather_text(packed).front();
    std::string_view rest = from_rank_0;
    Table header;
    header.names = unpack_texts(rest);
    for (const auto& type : unpack_texts(rest)) {
        header.types.push_back(static_cast<ColumnType>(std::stoi(type)));
    }
    return header;
}

/// Every categorical column's categories numbered as one process reading the whole file
/// numbers them (first appearance: the ranks' parts in rank order), `part`'s cells renumbered.
void number_categories_across_ranks(Table& part, Communicator& ranks) {
    const std::size_t width = part.names.size();
    std::string mine;
    for (const auto& categories : part.categories) mine += pack_texts(categories);
    std::vector<std::vector<std::string>> merged(width);
    std::vector<std::unordered_map<std::string, float>> numbers(width);
    for (const std::string& packed : ranks.gather_text(mine)) {
        std::string_view rest = packed;
        for (std::size_t c = 0; c < width; ++c) {
            for (const auto& category : unpack_texts(rest)) {
                if (numbers[c].try_emplace(category, static_cast<float>(merged[c].size())).second) {
                    merged[c].push_back(category);
                }
            }
        }
    }
    for (std::size_t c = 0; c < width; ++c) {
        if (part.type(c) != ColumnType::kCategorical) continue;
        std::vector<float> number_of;  // this part's category i's number in the whole file
        for (const auto& category : part.categories[c])
            number_of.push_back(numbers[c].at(category));
        for (float& cell : part.columns[c]) {
            if (!std::isnan(cell)) cell = number_of[static_cast<std::size_t>(cell)];
        }
        part.categories[c] = std::move(merged[c]);
    }
}

/// The file's size and a crc32 of its first and last 64 KiB: what shows that two ranks read
/// different files (or one that changed).
std::string file_signature(const std::string& path) {
    constexpr std::size_t kEnds = 64u << 10;
    FileWindow file;
    open_data_file(file, path);
    const std::uint64_t size = file.size();
    std::uint32_t crc = crc32(file.view(0, kEnds));
    crc = crc32(file.view(size > kEnds ? size - kEnds : 0, kEnds), crc);
    return fmt::format("{} bytes, crc32 of the ends {:08x}", size, crc);
}

/// Boolean columns (read as their words) as 1/0.
void resolve_booleans(const std::vector<ColumnType>& types, Table& part) {
    for (std::size_t c = 0; c < types.size(); ++c) {
        if (types[c] != ColumnType::kBoolean) continue;
        std::vector<std::optional<float>> known;
        booleans_from_words(part, c, known, part.columns[c].data());
        part.categories[c].clear();
    }
    part.types = types;
}

}  // namespace

std::vector<std::uint64_t> value_of_every_rank(Communicator& ranks, std::uint64_t value) {
    std::vector<double> all(static_cast<std::size_t>(ranks.size()), 0.0);
    all[static_cast<std::size_t>(ranks.rank())] = static_cast<double>(value);
    ranks.sum(all.data(), static_cast<std::int64_t>(all.size()));
    return {all.begin(), all.end()};
}

Table read_rank_part(const DataSpec& spec,
                     const CsvOptions& options,
                     Communicator& ranks,
                     std::size_t first_rows_bytes) {
    const Table first = types_of_first_rows(spec, options, first_rows_bytes, ranks);
    CsvPart part;
    std::uint64_t newlines = 0;
    std::string signature;
    on_every_rank(ranks, [&] {
        signature = file_signature(spec.path);
        const CsvParts parts = cut_csv(spec.path, options, ranks.size());
        part.begin = parts.bounds[static_cast<std::size_t>(ranks.rank())];
        part.end = parts.bounds[static_cast<std::size_t>(ranks.rank()) + 1];
        part.first_line = parts.first_line;
        newlines = count_newlines(spec.path, part.begin, part.end);
    });
    // Ranks on machines of their own may read different copies: the parts must be of one file.
    check_ranks_agree(ranks, "data file (its size, first and last bytes)", signature);
    const std::vector<std::uint64_t> lines = value_of_every_rank(ranks, newlines);
    std::uint64_t first_line = part.first_line;
    for (int r = 0; r < ranks.rank(); ++r) first_line += lines[static_cast<std::size_t>(r)];
    Table table;
    on_every_rank(ranks, [&] {
        if (first_line > std::numeric_limits<std::uint32_t>::max()) {
            throw DataError(
                fmt::format("{}: more than {} lines, the most dlctl reads from one file", spec.path,
                            std::numeric_limits<std::uint32_t>::max()),
                "split the file, or sample its rows");
        }
        part.first_line = static_cast<std::uint32_t>(first_line);
        table = read_csv_part(spec.path, with_types_of_rows(options, first), part);
        resolve_booleans(first.types, table);
    });
    number_categories_across_ranks(table, ranks);
    return table;
}

RankColumns::RankColumns(const Table& part, Communicator& ranks) : part_(part), ranks_(&ranks) {
    header_.source = part.source;
    header_.names = part.names;
    header_.types = part.types;
    header_.categories = part.categories;
    row_offsets_.push_back(0);
    for (const std::uint64_t rows : value_of_every_rank(ranks, part.rows())) {
        row_offsets_.push_back(row_offsets_.back() + rows);
    }
    rows_ = row_offsets_.back();
    if (rows_ == 0) {
        throw DataError("data file '" + part.source + "' has a header but no data rows");
    }
    if (rows_ > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw DataError(fmt::format("{}: {} rows; ranks gather whole columns, at most 2^31 − 1 "
                                    "values in one MPI call",
                                    part.source, rows_),
                        "sample the file's rows, or train on one process out of core "
                        "(data.in_memory: false)");
    }
}

Column RankColumns::column(int c) const {
    const Column& mine = part_.columns[static_cast<std::size_t>(c)];
    const std::vector<float> all =
        ranks_->concatenate(mine.data(), static_cast<std::int64_t>(part_.rows()));
    return Column(all.begin(), all.end());
}

std::vector<std::uint32_t> RankColumns::lines() const {
    return ranks_->concatenate(part_.lines.data(), static_cast<std::int64_t>(part_.rows()));
}

int RankColumns::rank_of_row(std::size_t row) const {
    const auto after = std::upper_bound(row_offsets_.begin(), row_offsets_.end(), row);
    return static_cast<int>(after - row_offsets_.begin()) - 1;
}

}  // namespace dlctl
