#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/prepare_on_ranks.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/parallel/row_shard.h"
#include "support/mixed_data.h"
#include "support/temp_dir.h"
#include "support/thread_ranks.h"

using namespace dlctl;
using namespace dlctl::test;
using Catch::Matchers::Contains;

namespace {

/// Whether two columns hold the same cells (NaN where the other has NaN).
bool same_cells(const Column& a, const Column& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && a[i] != b[i])) {
            return false;
        }
    }
    return true;
}

/// Column 0 and the line numbers of every part of `csv` cut into `parts`, read one after the
/// other as ranks read them (lines numbered from the newlines before each part).
std::pair<Column, std::vector<std::uint32_t>> read_in_parts(const std::filesystem::path& csv,
                                                            const CsvOptions& options,
                                                            int parts) {
    const CsvParts cut = cut_csv(csv, options, parts);
    REQUIRE(cut.bounds.size() == static_cast<std::size_t>(parts) + 1);
    Column column;
    std::vector<std::uint32_t> lines;
    std::uint32_t line = cut.first_line;
    for (int p = 0; p < parts; ++p) {
        const CsvPart part{cut.bounds[p], cut.bounds[p + 1], line};
        const Table table = read_csv_part(csv, options, part);
        column.insert(column.end(), table.columns[0].begin(), table.columns[0].end());
        lines.insert(lines.end(), table.lines.begin(), table.lines.end());
        line += static_cast<std::uint32_t>(count_newlines(csv, part.begin, part.end));
    }
    return {column, lines};
}

/// Checks that `ranks` ranks preparing `spec`'s data each hold what one process prepares: the
/// same fit, split, targets and weights, and the features of their block of every split.
void check_like_one_process(const DataSpec& spec, int classes, int ranks, const CvSpec& cv = {}) {
    const PreparedData one = prepare_data(spec, 3, classes, cv);
    std::vector<PreparedData> prepared(static_cast<std::size_t>(ranks));
    ThreadRanks(ranks).run([&](Communicator& c) {
        prepared[static_cast<std::size_t>(c.rank())] =
            prepare_data_on_ranks(spec, 3, classes, c, cv);
    });
    for (int r = 0; r < ranks; ++r) {
        INFO("rank " << r << " of " << ranks);
        const PreparedData& data = prepared[static_cast<std::size_t>(r)];
        CHECK(data.rows_read == one.rows_read);
        CHECK(data.table.categories == one.table.categories);
        CHECK(data.table.types == one.table.types);
        CHECK(data.labels == one.labels);
        CHECK(data.feature_names == one.feature_names);
        CHECK(data.feature_missing == one.feature_missing);
        CHECK(data.dropped_missing_target == one.dropped_missing_target);
        CHECK(data.split.train == one.split.train);
        CHECK(data.split.validation == one.split.validation);
        CHECK(data.preprocessor.to_json() == one.preprocessor.to_json());
        CHECK(data.target_offset == one.target_offset);
        const Dataset* mine[] = {&data.train, &data.validation, &data.test};
        const Dataset* whole[] = {&one.train, &one.validation, &one.test};
        for (int s = 0; s < 3; ++s) {
            INFO("split " << s);
            const RowShard block = shard_rows(whole[s]->n_rows, r, ranks);
            CHECK(mine[s]->rank_block);
            CHECK(mine[s]->n_rows == whole[s]->n_rows);
            CHECK(mine[s]->targets == whole[s]->targets);
            CHECK(mine[s]->weights == whole[s]->weights);
            CHECK(mine[s]->outside_vocabulary == whole[s]->outside_vocabulary);
            CHECK(mine[s]->features_first == block.first);
            CHECK(mine[s]->features == rows_of(*whole[s], block.first, block.count).features);
        }
    }
}

}  // namespace

TEST_CASE("ranks exchange values and gather line numbers in rank order", "[parallel]") {
    ThreadRanks(3).run([](Communicator& c) {
        const auto me = static_cast<float>(c.rank());
        // Rank r sends d + 1 copies of 10·r + d to each rank d (none to itself on rank 1).
        std::vector<float> out;
        std::vector<std::int64_t> counts;
        for (int d = 0; d < 3; ++d) {
            const std::int64_t n = c.rank() == 1 && d == 1 ? 0 : d + 1;
            counts.push_back(n);
            out.insert(out.end(), static_cast<std::size_t>(n), 10 * me + static_cast<float>(d));
        }
        std::vector<float> expected;
        for (int from = 0; from < 3; ++from) {
            if (from == 1 && c.rank() == 1) continue;
            expected.insert(expected.end(), static_cast<std::size_t>(c.rank() + 1),
                            static_cast<float>(10 * from + c.rank()));
        }
        CHECK(c.exchange(out.data(), counts) == expected);
        const std::uint32_t big = 4000000000u + static_cast<std::uint32_t>(c.rank());
        CHECK(c.concatenate(&big, 1) ==
              std::vector<std::uint32_t>{4000000000u, 4000000001u, 4000000002u});
    });
}

TEST_CASE("a CSV cut into parts gives every row once, with the file's line numbers",
          "[data][parallel]") {
    TempDir dir;
    std::string text = "a,b\r\n";
    for (int r = 0; r < 300; ++r) {
        text += std::to_string(r) + "," + (r % 5 == 0 ? "x" : "y") + "\r\n";
        if (r % 50 == 7) text += "\r\n";  // blank lines shift the line numbers
    }
    const auto csv = dir.write("p.csv", text);
    CsvOptions options;
    options.column_types = {{"a", ColumnType::kNumeric}, {"b", ColumnType::kCategorical}};
    const Table whole = read_csv(csv, options);
    for (const int parts : {1, 2, 3, 7, 400}) {
        INFO(parts << " parts");
        const auto [column, lines] = read_in_parts(csv, options, parts);
        CHECK(same_cells(column, whole.columns[0]));
        CHECK(lines == whole.lines);
    }
}

TEST_CASE("a part names the file's line where a row breaks its column's type", "[data][parallel]") {
    TempDir dir;
    std::string text = "a,b\n";
    for (int r = 0; r < 300; ++r) text += std::to_string(r) + ",1\n";
    const auto csv = dir.write("p.csv", text + "seven,2\n\"7\n8\",3\n");
    CsvOptions options;
    options.column_types = {{"a", ColumnType::kNumeric}, {"b", ColumnType::kNumeric}};
    const CsvParts cut = cut_csv(csv, options, 2);
    const auto lines_before =
        static_cast<std::uint32_t>(count_newlines(csv, cut.bounds[0], cut.bounds[1]));
    const CsvPart second{cut.bounds[1], cut.bounds[2], cut.first_line + lines_before};
    CHECK_THROWS_WITH(read_csv_part(csv, options, second),
                      Contains("p.csv:302: column 'a' holds 'seven', which is not a number"));
}

TEST_CASE("ranks reading their parts of the file prepare what one process prepares",
          "[data][parallel]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", mixed_csv(2000));
    for (const bool stratify : {true, false}) {
        DataSpec spec = mixed_spec(csv, dir.path());
        spec.split.stratify = stratify ? "true" : "false";
        for (const int ranks : {2, 3}) check_like_one_process(spec, 3, ranks);
    }
    // A cross-validation fold's split (train.cv.fold on the ranks).
    CvSpec fold;
    fold.folds = 4;
    fold.fold = 3;
    check_like_one_process(mixed_spec(csv, dir.path()), 3, 2, fold);
    // More ranks than some parts have rows: ranks with an empty part still take their blocks.
    const auto small = dir.write("s.csv", mixed_csv(12));
    check_like_one_process(mixed_spec(small, dir.path()), 3, 7);
}

TEST_CASE("ranks reading their parts prepare regression targets and dropped rows as one process",
          "[data][parallel]") {
    TempDir dir;
    std::string text = "a,kind,y\n";
    for (int r = 0; r < 900; ++r) {
        text += (r % 11 == 0 ? std::string() : std::to_string(r * 0.37)) + "," +
                (r % 3 == 0   ? "left"
                 : r % 7 == 0 ? "up"
                              : "right") +
                "," + (r % 13 == 0 ? std::string() : std::to_string(r % 17 * 1.5)) + "\n";
    }
    DataSpec spec;
    spec.path = dir.write("r.csv", text).string();
    spec.target = "y";
    spec.cache = false;
    spec.missing.numeric = "drop_row";
    spec.target_normalize = "standard";
    spec.normalize = "quantile";
    check_like_one_process(spec, 0, 2);
}

TEST_CASE("a bad row in one rank's part stops every rank, naming the rank and the line",
          "[data][parallel]") {
    TempDir dir;
    std::string text = "a,b,y\n";
    for (int r = 0; r < 400; ++r)
        text += std::to_string(r) + ",yes," + std::to_string(r % 2) + "\n";
    DataSpec spec;
    spec.target = "y";
    spec.cache = false;
    // The types come from the first 1000 bytes: rank 1's part breaks them, or its rows.
    for (const auto& [tail, message, hint] :
         {std::tuple{"1,2\n", "bad.csv:402: found 2 fields", "data.delimiter"},
          {"x,1,0\n", "bad.csv:402: column 'a' holds 'x', which is not a number",
           "declare its type (data.columns: {a: categorical}), or have every rank read the whole "
           "file (data.rank_reads: whole)"},
          {"1,maybe,0\n", "bad.csv:402: column 'b' holds 'maybe'", "{b: categorical}"}}) {
        spec.path = dir.write("bad.csv", text + tail).string();
        std::vector<std::string> messages(2), hints(2);
        std::vector<ExitCode> codes(2);
        ThreadRanks(2).run([&](Communicator& c) {
            try {
                prepare_data_on_ranks(spec, 1, 1, c, {}, 1000);
            } catch (const RanksError& e) {
                const auto r = static_cast<std::size_t>(c.rank());
                messages[r] = e.what();
                hints[r] = e.hint();
                codes[r] = e.code();
            }
        });
        for (std::size_t r = 0; r < 2; ++r) {
            CHECK_THAT(messages[r], Contains("rank 1 of 2: ") && Contains(message));
            CHECK_THAT(hints[r], Contains(hint));
            CHECK(codes[r] == ExitCode::kData);
        }
    }
}

TEST_CASE("ranks that read different files are named before they read their parts",
          "[data][parallel]") {
    TempDir dir;
    const auto a = dir.write("a.csv", mixed_csv(300)), b = dir.write("b.csv", mixed_csv(301));
    std::vector<std::string> messages(2);
    std::vector<ExitCode> codes(2);
    ThreadRanks(2).run([&](Communicator& c) {
        try {
            prepare_data_on_ranks(mixed_spec(c.rank() == 0 ? a : b, dir.path()), 1, 3, c);
        } catch (const RanksError& e) {
            messages[static_cast<std::size_t>(c.rank())] = e.what();
            codes[static_cast<std::size_t>(c.rank())] = e.code();
        }
    });
    for (std::size_t r = 0; r < 2; ++r) {
        CHECK(messages[r] ==
              "rank 1 of 2 has a different data file (its size, first and last bytes) than "
              "rank 0");
        CHECK(codes[r] == ExitCode::kUsage);
    }
}
