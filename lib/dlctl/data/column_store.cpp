#include "dlctl/data/column_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>

#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/file_window.h"

namespace dlctl {

namespace {

/// The whole lines of the file's first `bytes` read as read_csv reads a file (types inferred).
Table read_first_window(const std::filesystem::path& csv,
                        const CsvOptions& options,
                        std::size_t bytes) {
    FileWindow file;
    if (!file.open(csv)) return read_csv(csv, options);  // read_csv says what is wrong
    std::string_view text = file.view(0, bytes);
    if (text.size() < file.size()) {
        const auto end = text.rfind('\n');
        if (end != std::string_view::npos) text = text.substr(0, end + 1);
    }
    return read_csv_text(csv.string(), text, options);
}

/// `options` with every column's type given: the first window's, booleans read as categories.
CsvOptions with_types(CsvOptions options, const Table& first) {
    options.column_types.clear();
    options.require_typed_columns = false;
    for (std::size_t c = 0; c < first.names.size(); ++c) {
        options.column_types.emplace_back(first.names[c], first.type(c) == ColumnType::kNumeric
                                                              ? ColumnType::kNumeric
                                                              : ColumnType::kCategorical);
    }
    return options;
}

}  // namespace

ColumnStore ColumnStore::write(const std::filesystem::path& csv,
                               const CsvOptions& options,
                               const std::filesystem::path& file,
                               std::size_t window_bytes) {
    ColumnStore store;
    const Table first = read_first_window(csv, options, window_bytes);
    store.file_ = ScratchFile(file);
    store.header_.source = first.source;
    store.header_.names = first.names;
    store.header_.types = first.types;
    store.header_.categories.assign(first.names.size(), {});
    store.boolean_of_.assign(first.names.size(), {});
    const std::uint64_t size = std::filesystem::file_size(csv);
    std::uint64_t next_report = size / 10;
    const bool report = size >= (256u << 20);  // progress on files that take a while
    stream_csv(csv, with_types(options, first), window_bytes,
               [&](const Table& window, std::uint64_t bytes_read) {
                   store.append(window);
                   if (report && bytes_read >= next_report && bytes_read < size) {
                       spdlog::info("read {:.0f}% of {} ({} rows)", 100.0 * bytes_read / size,
                                    byte_size_text(size), store.rows_);
                       next_report += size / 10;
                   }
               });
    return store;
}

void ColumnStore::append(const Table& window) {
    const std::size_t width = header_.names.size(), rows = window.rows();
    if (rows_ + rows > std::numeric_limits<std::uint32_t>::max()) {
        throw DataError(fmt::format("{}: more than {} rows, the most dlctl reads from one file",
                                    header_.source, std::numeric_limits<std::uint32_t>::max()),
                        "split the file, or sample its rows");
    }
    const Group group{rows_, rows, bytes_};
    std::vector<float> booleans;
    for (std::size_t c = 0; c < width; ++c) {
        const Column& values = window.columns[c];
        if (header_.type(c) != ColumnType::kBoolean) {
            auto& known = header_.categories[c];  // the window's categories go on from these
            known.insert(known.end(), window.categories[c].begin() + known.size(),
                         window.categories[c].end());
            file_.write(column_offset(group, c), values.data(), rows * sizeof(float));
            continue;
        }
        auto& known = boolean_of_[c];
        while (known.size() < window.categories[c].size()) {
            known.push_back(parse_boolean(window.categories[c][known.size()]));
        }
        booleans.resize(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            if (std::isnan(values[r])) {
                booleans[r] = values[r];
                continue;
            }
            const auto category = static_cast<std::size_t>(values[r]);
            if (!known[category]) {
                throw DataError(
                    fmt::format("{}:{}: column '{}' holds '{}', which is not a boolean word "
                                "(its type, declared or from the first rows of the file)",
                                header_.source, window.lines[r], header_.names[c],
                                window.categories[c][category]),
                    fmt::format("declare its type (data.columns: {{{}: categorical}}), or train "
                                "in memory (data.in_memory: true)",
                                header_.names[c]));
            }
            booleans[r] = *known[category];
        }
        file_.write(column_offset(group, c), booleans.data(), rows * sizeof(float));
    }
    file_.write(column_offset(group, width), window.lines.data(), rows * sizeof(std::uint32_t));
    groups_.push_back(group);
    rows_ += rows;
    bytes_ += (width * sizeof(float) + sizeof(std::uint32_t)) * rows;
}

Column ColumnStore::column(int c) const {
    Column out(rows_);
    for (const Group& group : groups_) {
        file_.read(column_offset(group, static_cast<std::size_t>(c)), out.data() + group.first,
                   group.rows * sizeof(float));
    }
    return out;
}

std::vector<std::uint32_t> ColumnStore::lines() const {
    std::vector<std::uint32_t> out(rows_);
    for (const Group& group : groups_) {
        file_.read(column_offset(group, header_.names.size()), out.data() + group.first,
                   group.rows * sizeof(std::uint32_t));
    }
    return out;
}

Table ColumnStore::group(std::size_t g, const std::vector<int>& columns) const {
    const Group& group = groups_[g];
    Table out;
    out.source = header_.source;
    out.names = header_.names;
    out.types = header_.types;
    out.categories.resize(header_.names.size());
    out.columns.resize(header_.names.size());
    for (const int c : columns) {
        out.categories[static_cast<std::size_t>(c)] =
            header_.categories[static_cast<std::size_t>(c)];
        Column& column = out.columns[static_cast<std::size_t>(c)];
        column.resize(group.rows);
        file_.read(column_offset(group, static_cast<std::size_t>(c)), column.data(),
                   group.rows * sizeof(float));
    }
    out.lines.resize(group.rows);
    file_.read(column_offset(group, header_.names.size()), out.lines.data(),
               group.rows * sizeof(std::uint32_t));
    return out;
}

}  // namespace dlctl
