#include "dlctl/inference/labelled_rows.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/inference/csv_columns.h"

namespace dlctl {

namespace {

/// The data file of a run, checked to be the one it trained on.
void require_training_file(const Checkpoint& c) {
    const auto crc = crc32_of_file(c.data.path);
    if (!crc) {
        throw DataError("the run's data file '" + c.data.path + "' cannot be read (moved?)",
                        "pass the data with --data FILE");
    }
    if (*crc != c.data.crc32) {
        throw DataError("the run's data file '" + c.data.path +
                            "' changed since training, so its test split cannot be re-created",
                        "pass a labelled CSV with --data FILE");
    }
}

/// UsageError unless `names`, the columns of `source`, hold the --group-by column `column`.
void require_group_column(const std::string& column,
                          const std::vector<std::string>& names,
                          const std::string& source) {
    if (std::find(names.begin(), names.end(), column) != names.end()) return;
    throw UsageError(fmt::format("--group-by '{}': {} has no such column{}", column, source,
                                 did_you_mean(column, names)),
                     "group by one of its columns: " + quoted_list(names));
}

}  // namespace

/// Every labelled row of a CSV: the features, the target and (when present) the sample weights.
LabelledRows read_labelled_rows(const std::string& path,
                                const Ensemble& ensemble,
                                const std::string& group_by) {
    CsvRowReader reader = CsvRowReader::open(path, csv_format('\0'));
    const std::string& target_name = ensemble.first().task().target;
    const std::vector<std::string>& names = reader.names();
    if (std::find(names.begin(), names.end(), target_name) == names.end()) {
        throw DataError(
            fmt::format("{}: no column '{}', the target the model predicts: scoring "
                        "the model needs labelled rows",
                        path, target_name),
            fmt::format("pass a CSV that has the '{}' column (dlctl predict needs none)",
                        target_name));
    }
    if (!group_by.empty()) require_group_column(group_by, names, "'" + path + "'");
    const Ensemble::Reading reading = ensemble.reading(true, names);
    std::vector<std::string> text;
    if (!group_by.empty()) text.push_back(group_by);
    CsvColumnChunks chunks(std::move(reader), reading.schemas, text, BadRows::kError);
    LabelledRows out;
    std::vector<std::vector<std::string>> cells;
    if (!chunks.next(std::numeric_limits<std::int64_t>::max(), out.owned, cells)) {
        throw DataError("'" + path + "' has no data rows");
    }
    out.tables = reading.member_tables(out.owned);
    const Table& first = *out.tables.front();
    const Column& target = first.columns[static_cast<std::size_t>(first.column_index(target_name))];
    std::size_t unlabelled = 0;
    for (std::uint32_t r = 0; r < first.rows(); ++r) {
        if (std::isnan(target[r])) {
            ++unlabelled;
        } else {
            out.rows.push_back(r);
        }
    }
    if (unlabelled > 0)
        spdlog::warn("skipped {} rows without a value for '{}'", unlabelled, target_name);
    if (out.rows.empty()) throw DataError("'" + path + "' has no labelled rows");
    out.description = fmt::format("{} ({} rows)", path, out.rows.size());
    if (!group_by.empty()) {
        const auto& na = ensemble.first().checkpoint().spec.data.na_values;
        for (const auto r : out.rows) {
            const std::string_view cell = trim_blanks(cells[r].front());
            const bool missing = cell.empty() || std::find(na.begin(), na.end(), cell) != na.end();
            out.groups.emplace_back(missing ? std::string_view{} : cell);
        }
    }
    return out;
}

/// The runs' held-out test split, re-created from each member's saved data settings and seed;
/// the members must agree on its rows.
LabelledRows held_out_test_rows(const Ensemble& ensemble, const std::string& group_by) {
    const Checkpoint& c = ensemble.first().checkpoint();
    if (!c.spec.data.test_file.empty()) {
        for (const auto& model : ensemble.models()) {
            if (model->checkpoint().spec.data.test_file != c.spec.data.test_file) {
                throw UsageError(
                    "the checkpoints were tested on different files, so they have "
                    "no common test split",
                    "evaluate the ensemble on a labelled CSV with --data FILE");
            }
        }
        LabelledRows rows = read_labelled_rows(c.spec.data.test_file, ensemble, group_by);
        rows.description = "the run's test file " + rows.description;
        return rows;
    }
    if (c.spec.data.split.test == 0.0) {
        throw UsageError("the run has no test split (data.split.test: 0)",
                         "evaluate on a labelled CSV with --data FILE");
    }
    LabelledRows out;
    std::vector<std::uint32_t> first_lines;
    for (const auto& model : ensemble.models()) {
        const Checkpoint& m = model->checkpoint();
        require_training_file(m);
        HeldOutRows held = held_out_rows(m.spec.data, m.spec.seed, m.task.classes);
        std::vector<std::uint32_t> lines;
        for (const auto r : held.rows) lines.push_back(held.table.lines[r]);
        if (out.owned.empty()) {
            first_lines = std::move(lines);
            out.rows = std::move(held.rows);
        } else if (lines != first_lines || m.data.path != c.data.path) {
            throw UsageError(fmt::format("checkpoints '{}' and '{}' come from runs with "
                                         "different test splits (data file, seed or split "
                                         "settings)",
                                         ensemble.first().path().string(), model->path().string()),
                             "evaluate the ensemble on a labelled CSV with --data FILE");
        }
        out.owned.push_back(std::move(held.table));
    }
    for (const Table& table : out.owned) out.tables.push_back(&table);
    if (!group_by.empty()) {  // the table holds every column of the file
        const Table& table = out.owned.front();
        require_group_column(group_by, table.names, "the run's data file '" + c.data.path + "'");
        const auto column = static_cast<std::size_t>(table.column_index(group_by));
        for (const auto r : out.rows) out.groups.push_back(table.text(column, r));
    }
    out.description = fmt::format("the held-out test split of {} ({} rows, seed {})", c.data.path,
                                  out.rows.size(), c.spec.seed);
    return out;
}

}  // namespace dlctl
