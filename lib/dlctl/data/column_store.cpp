#include "dlctl/data/column_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>

#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/first_rows.h"

namespace dlctl {

ColumnStore ColumnStore::write(const std::filesystem::path& csv,
                               const CsvOptions& options,
                               const std::filesystem::path& file,
                               std::size_t window_bytes) {
    ColumnStore store;
    const Table first = read_first_rows(csv, options, window_bytes);
    store.file_ = ScratchFile(file);
    store.header_.source = first.source;
    store.header_.names = first.names;
    store.header_.types = first.types;
    store.header_.categories.assign(first.names.size(), {});
    store.boolean_of_.assign(first.names.size(), {});
    const std::uint64_t size = std::filesystem::file_size(csv);
    std::uint64_t next_report = size / 10;
    const bool report = size >= (256u << 20);  // progress on files that take a while
    stream_csv(csv, with_types_of_rows(options, first), window_bytes,
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
        booleans.resize(rows);
        booleans_from_words(window, c, boolean_of_[c], booleans.data());
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
