#include "dlctl/data/csv_parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_rows.h"

namespace dlctl {

namespace {

constexpr std::size_t kBlockBytes = 16u << 20;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool blank(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

/// What one thread parses: whole lines of a block, into its own columns.
struct Share {
    std::string_view text;
    std::uint32_t first_line = 0;  ///< file line number of the share's first line
    std::vector<std::vector<float>> columns;
    std::vector<std::vector<std::string>> categories;  ///< local, text columns only
    std::vector<std::uint32_t> lines;
    bool not_numeric = false;
    std::string error, hint;  ///< the first error, if any
};

struct Layout {
    std::string source;
    std::vector<std::string> names;
    char delimiter = ',';
    std::vector<bool> text;  ///< declared categorical
    const std::vector<std::string>* na_values = nullptr;
    bool numeric_markers = false;  ///< a missing-value marker parses as a number
};

void parse_share(Share& share, const Layout& layout) {
    const std::size_t width = layout.names.size();
    share.columns.assign(width, {});
    share.categories.assign(width, {});
    std::vector<std::unordered_map<std::string, float>> dictionaries(width);
    std::vector<std::string_view> fields;
    std::string buffer;
    std::uint32_t line = share.first_line;
    const char* p = share.text.data();
    const char* end = p + share.text.size();
    for (; p < end; ++line) {
        const char* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
        const char* stop = newline != nullptr ? newline : end;
        std::string_view row(p, stop - p);
        p = newline != nullptr ? newline + 1 : end;
        if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
        if (blank(row)) continue;
        buffer.assign(row);
        if (!split_csv_fields(buffer.data(), layout.delimiter, fields)) {
            share.error = fmt::format("{}:{}: unterminated quoted field", layout.source, line);
            share.hint = "a newline inside a quoted field is not supported";
            return;
        }
        if (fields.size() != width) {
            share.error = fmt::format("{}:{}: found {} fields, expected {} (as in the header)",
                                      layout.source, line, fields.size(), width);
            share.hint = "check the delimiter (data.delimiter) and quoting of this row";
            return;
        }
        for (std::size_t c = 0; c < width; ++c) {
            const std::string_view cell = trimmed(fields[c]);
            const auto& na = *layout.na_values;
            float value = 0.0f;
            // Most cells are numbers: parse first unless a marker is a number itself (-999).
            if (!layout.text[c] && !layout.numeric_markers && parse_float(cell, value)) {
                share.columns[c].push_back(value);
                continue;
            }
            if (std::find(na.begin(), na.end(), cell) != na.end()) {
                value = std::nanf("");
            } else if (layout.text[c]) {
                auto& dictionary = dictionaries[c];
                const auto [it, added] = dictionary.try_emplace(
                    std::string(cell), static_cast<float>(share.categories[c].size()));
                if (added) share.categories[c].emplace_back(cell);
                value = it->second;
            } else if (!parse_float(cell, value)) {
                share.not_numeric = true;
                return;
            }
            share.columns[c].push_back(value);
        }
        share.lines.push_back(line);
    }
}

/// Splits `text` (whole lines) into up to `parts` pieces at line ends.
std::vector<std::string_view> split_lines(std::string_view text, std::size_t parts) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 1; i <= parts && start < text.size(); ++i) {
        std::size_t cut = i == parts ? text.size() : text.size() * i / parts;
        if (cut < start) cut = start;
        if (i < parts) {
            const auto nl = text.find('\n', cut);
            cut = nl == std::string_view::npos ? text.size() : nl + 1;
        }
        out.push_back(text.substr(start, cut - start));
        start = cut;
    }
    return out;
}

/// Reads up to `bytes` bytes into `out`; returns how many (0 at the end).
using ByteSource = std::function<std::size_t(char* out, std::size_t bytes)>;

std::optional<Table> read_numeric(const std::string& source,
                                  std::size_t file_size,
                                  const ByteSource& read,
                                  const CsvOptions& options,
                                  int threads,
                                  std::size_t block_bytes) {
    for (const auto& [name, type] : options.column_types) {
        if (type == ColumnType::kBoolean) return std::nullopt;
    }
    // The header (or, without one, the column count) as CsvRowReader sees it.
    std::string block(std::min<std::size_t>(block_bytes, file_size), '\0');
    block.resize(read(block.data(), block.size()));
    std::size_t header_end = 0;
    std::uint32_t header_line = 1;
    while (true) {
        const auto nl = block.find('\n', header_end);
        const std::string_view line(block.data() + header_end,
                                    (nl == std::string::npos ? block.size() : nl) - header_end);
        const bool is_blank = blank(line) || line == "\r";
        if (!is_blank || nl == std::string::npos) {
            header_end = nl == std::string::npos ? block.size() : nl + 1;
            break;
        }
        header_end = nl + 1;
        ++header_line;
    }
    if (header_end == block.size() && block.size() < file_size) return std::nullopt;  // huge line
    Layout layout;
    layout.source = source;
    {
        CsvRowReader header = CsvRowReader::from_text(
            layout.source, std::string_view(block.data(), header_end), options);
        layout.names = header.names();
        layout.delimiter = header.delimiter();
    }
    layout.na_values = &options.na_values;
    float ignored = 0.0f;
    layout.numeric_markers =
        std::any_of(options.na_values.begin(), options.na_values.end(),
                    [&](const std::string& m) { return parse_float(m, ignored); });
    layout.text.assign(layout.names.size(), false);
    for (const auto& [name, type] : options.column_types) {
        const auto it = std::find(layout.names.begin(), layout.names.end(), name);
        if (it != layout.names.end()) {
            layout.text[it - layout.names.begin()] = type == ColumnType::kCategorical;
        }
    }
    const std::size_t width = layout.names.size();
    std::size_t data_start = options.header ? header_end : 0;
    std::uint32_t next_line = options.header ? header_line + 1 : 1;
    if (!options.header) {
        // Blank lines before the first row are skipped by the parser; only the BOM goes.
        if (block.compare(0, 3, "\xEF\xBB\xBF") == 0) data_start = 3;
    }

    Table table;
    table.source = layout.source;
    table.names = layout.names;
    table.columns.assign(width, {});
    table.categories.assign(width, {});
    std::vector<std::unordered_map<std::string, float>> dictionaries(width);
    const std::size_t workers =
        threads > 0 ? static_cast<std::size_t>(threads)
                    : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    bool reserved = false;
    std::string carry;
    bool at_end = block.size() >= file_size;
    std::size_t offset = data_start;
    while (true) {
        // Whole lines of this block; a partial last line waits for the next block.
        std::string_view text(block.data() + offset, block.size() - offset);
        if (!carry.empty()) {
            carry.append(text);
            text = carry;
        }
        std::size_t usable = text.size();
        if (!at_end) {
            const auto nl = text.rfind('\n');
            usable = nl == std::string_view::npos ? 0 : nl + 1;
        }
        std::vector<Share> shares;
        std::uint32_t line = next_line;
        for (const auto piece : split_lines(text.substr(0, usable), workers)) {
            shares.push_back({piece, line, {}, {}, {}, false, {}, {}});
            line += static_cast<std::uint32_t>(std::count(piece.begin(), piece.end(), '\n'));
        }
        next_line = line;
        std::vector<std::thread> pool;
        for (std::size_t i = 1; i < shares.size(); ++i) {
            pool.emplace_back(parse_share, std::ref(shares[i]), std::cref(layout));
        }
        if (!shares.empty()) parse_share(shares[0], layout);
        for (auto& t : pool) t.join();
        for (Share& share : shares) {
            if (!share.error.empty()) throw DataError(share.error, share.hint);
            if (share.not_numeric) return std::nullopt;
        }
        if (!reserved && !shares.empty() && usable > 0) {
            // Size the columns once from the first block's bytes per row.
            std::size_t rows = 0;
            for (const Share& s : shares) rows += s.lines.size();
            const double per_row = static_cast<double>(usable) / std::max<std::size_t>(rows, 1);
            const auto expected = static_cast<std::size_t>(
                static_cast<double>(file_size - data_start) / per_row * 1.02 + 16);
            for (auto& column : table.columns) column.reserve(expected);
            table.lines.reserve(expected);
            reserved = true;
        }
        for (Share& share : shares) {
            for (std::size_t c = 0; c < width; ++c) {
                std::vector<float>& local = share.columns[c];
                if (layout.text[c]) {  // local category codes -> the table's
                    std::vector<float> code;
                    for (const auto& category : share.categories[c]) {
                        const auto [it, added] = dictionaries[c].try_emplace(
                            category, static_cast<float>(table.categories[c].size()));
                        if (added) {
                            if (!valid_utf8(category)) {
                                throw DataError(fmt::format("{}: column '{}' has a value that is "
                                                            "not valid UTF-8",
                                                            table.source, table.names[c]),
                                                "save the file as UTF-8");
                            }
                            table.categories[c].push_back(category);
                        }
                        code.push_back(it->second);
                    }
                    for (float& v : local) {
                        if (!std::isnan(v)) v = code[static_cast<std::size_t>(v)];
                    }
                }
                table.columns[c].insert(table.columns[c].end(), local.begin(), local.end());
                std::vector<float>().swap(local);
            }
            table.lines.insert(table.lines.end(), share.lines.begin(), share.lines.end());
        }
        std::string rest(text.substr(usable));  // (text may point into carry)
        carry.swap(rest);
        if (at_end) break;
        block.resize(block_bytes);
        block.resize(read(block.data(), block.size()));
        offset = 0;
        at_end = block.size() < block_bytes;
        if (block.empty() && carry.empty()) break;
    }
    if (table.rows() == 0) {
        throw DataError("data file '" + table.source + "' has a header but no data rows");
    }
    for (auto& column : table.columns) {
        if (column.capacity() > column.size() + column.size() / 8) column.shrink_to_fit();
    }
    table.types.assign(width, ColumnType::kNumeric);
    for (std::size_t c = 0; c < width; ++c) {
        if (layout.text[c]) table.types[c] = ColumnType::kCategorical;
    }
    return table;
}

}  // namespace

std::optional<Table> read_numeric_csv(const std::filesystem::path& path,
                                      const CsvOptions& options,
                                      int threads) {
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(path, ec);
    if (ec || std::filesystem::is_directory(path, ec)) return std::nullopt;  // read_csv reports
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) return std::nullopt;
    return read_numeric(
        path.string(), file_size,
        [&](char* out, std::size_t bytes) { return std::fread(out, 1, bytes, file.get()); },
        options, threads, kBlockBytes);
}

std::optional<Table> read_numeric_csv_text(const std::string& name,
                                           std::string_view text,
                                           const CsvOptions& options,
                                           int threads,
                                           std::size_t block_bytes) {
    std::size_t position = 0;
    return read_numeric(
        name, text.size(),
        [&](char* out, std::size_t bytes) {
            const std::size_t n = std::min(bytes, text.size() - position);
            std::memcpy(out, text.data() + position, n);
            position += n;
            return n;
        },
        options, threads, block_bytes);
}

}  // namespace dlctl
