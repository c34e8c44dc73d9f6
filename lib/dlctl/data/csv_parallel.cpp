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

bool blank(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

/// What one thread parses: whole lines of a block, into its own columns.
struct Share {
    std::string_view text;
    std::uint32_t first_line = 0;  ///< file line number of the share's first line
    std::vector<float> values;     ///< row-major: rows × width (sequential writes while parsing)
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

using Dictionaries = std::vector<std::unordered_map<std::string, float>>;

/// One cell into `value`: a missing marker (NaN), a category code of a text column, or a
/// number. False when a cell of a numeric column is not a number.
bool parse_cell(std::string_view cell,
                std::size_t column,
                const Layout& layout,
                Share& share,
                Dictionaries& dictionaries,
                float& value) {
    // Most cells are numbers: parse first unless a marker is a number itself (-999).
    if (!layout.text[column] && !layout.numeric_markers && parse_float(cell, value)) return true;
    const std::string_view t = trim_blanks(cell);
    const auto& na = *layout.na_values;
    if (std::find(na.begin(), na.end(), t) != na.end()) {
        value = std::nanf("");
        return true;
    }
    if (layout.text[column]) {
        const auto [it, added] = dictionaries[column].try_emplace(
            std::string(t), static_cast<float>(share.categories[column].size()));
        if (added) share.categories[column].emplace_back(t);
        value = it->second;
        return true;
    }
    return parse_float(cell, value);
}

enum class RowResult { kOk, kNotNumeric, kFieldCount };

/// Appends the cells of a row without quotes to share.values: the fields are the text between
/// delimiters, so there is nothing to copy or unescape. On failure share.values is unchanged.
RowResult parse_plain_row(std::string_view row,
                          const Layout& layout,
                          Share& share,
                          Dictionaries& dictionaries) {
    const std::size_t width = layout.names.size();
    std::vector<float>& out = share.values;
    const std::size_t start = out.size();
    out.resize(start + width);
    float* cells = out.data() + start;
    const char* p = row.data();
    const char* end = p + row.size();
    const bool numbers_first = !layout.numeric_markers;
    for (std::size_t c = 0; c < width; ++c) {
        const char* stop = numbers_first && !layout.text[c]
                               ? scan_short_decimal(p, end, layout.delimiter, cells[c])
                               : nullptr;
        if (stop == nullptr) {
            stop = static_cast<const char*>(std::memchr(p, layout.delimiter, end - p));
            if (stop == nullptr) stop = end;
            if (!parse_cell(std::string_view(p, stop - p), c, layout, share, dictionaries,
                            cells[c])) {
                out.resize(start);
                return RowResult::kNotNumeric;
            }
        }
        if ((stop == end) != (c + 1 == width)) {  // too few or too many fields
            out.resize(start);
            return RowResult::kFieldCount;
        }
        p = stop + 1;
    }
    return RowResult::kOk;
}

void parse_share(Share& share, const Layout& layout) {
    const std::size_t width = layout.names.size();
    share.values.clear();
    share.values.reserve(share.text.size() / 2);  // at least 2 bytes per cell
    share.lines.clear();
    share.categories.assign(width, {});
    Dictionaries dictionaries(width);
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
        if (row.find('"') == std::string_view::npos) {
            const RowResult result = parse_plain_row(row, layout, share, dictionaries);
            if (result != RowResult::kOk) {
                const std::size_t found = std::count(row.begin(), row.end(), layout.delimiter) + 1;
                if (result == RowResult::kNotNumeric) {
                    share.not_numeric = true;
                } else {
                    share.error =
                        fmt::format("{}:{}: found {} fields, expected {} (as in the header)",
                                    layout.source, line, found, width);
                    share.hint = "check the delimiter (data.delimiter) and quoting of this row";
                }
                return;
            }
            share.lines.push_back(line);
            continue;
        }
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
            float value = 0.0f;
            if (!parse_cell(fields[c], c, layout, share, dictionaries, value)) {
                share.not_numeric = true;
                return;
            }
            share.values.push_back(value);
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
    std::vector<Share> shares;
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
        // The shares keep their buffers from block to block (no fresh pages to fault in).
        const auto pieces = split_lines(text.substr(0, usable), workers);
        shares.resize(pieces.size());
        std::uint32_t line = next_line;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            shares[i].text = pieces[i];
            shares[i].first_line = line;
            shares[i].lines.clear();
            line +=
                static_cast<std::uint32_t>(std::count(pieces[i].begin(), pieces[i].end(), '\n'));
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
        // Local category codes -> the table's (in row order, so categories keep the order in
        // which they first appear).
        for (Share& share : shares) {
            for (std::size_t c = 0; c < width; ++c) {
                if (!layout.text[c]) continue;
                std::vector<float> code;
                for (const auto& category : share.categories[c]) {
                    const auto [it, added] = dictionaries[c].try_emplace(
                        category, static_cast<float>(table.categories[c].size()));
                    if (added) {
                        if (!valid_utf8(category)) {
                            throw DataError(fmt::format("{}: column '{}' has a value that is not "
                                                        "valid UTF-8",
                                                        table.source, table.names[c]),
                                            "save the file as UTF-8");
                        }
                        table.categories[c].push_back(category);
                    }
                    code.push_back(it->second);
                }
                const std::size_t rows = share.lines.size();
                for (std::size_t r = 0; r < rows; ++r) {
                    float& v = share.values[r * width + c];
                    if (!std::isnan(v)) v = code[static_cast<std::size_t>(v)];
                }
            }
        }
        // Rows -> columns, the columns split among the threads.
        std::size_t block_rows = 0;
        for (const Share& share : shares) block_rows += share.lines.size();
        const std::size_t before = table.rows();
        for (auto& column : table.columns) column.resize(before + block_rows);
        // Each thread moves a range of columns, 64 rows at a time so that the rows it reads
        // stay in cache while it writes every column.
        auto transpose = [&](std::size_t part, std::size_t parts) {
            const std::size_t first = width * part / parts, last = width * (part + 1) / parts;
            std::size_t offset = before;
            for (const Share& share : shares) {
                const std::size_t rows = share.lines.size();
                for (std::size_t r0 = 0; r0 < rows; r0 += 64) {
                    const std::size_t r1 = std::min(rows, r0 + 64);
                    for (std::size_t c = first; c < last; ++c) {
                        float* out = table.columns[c].data() + offset;
                        const float* in = share.values.data() + c;
                        for (std::size_t r = r0; r < r1; ++r) out[r] = in[r * width];
                    }
                }
                offset += rows;
            }
        };
        std::vector<std::thread> movers;
        for (std::size_t t = 1; t < workers; ++t) movers.emplace_back(transpose, t, workers);
        transpose(0, workers);
        for (auto& t : movers) t.join();
        for (const Share& share : shares) {
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
