#include "dlctl/data/csv_parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dlctl/core/error.h"
#include "dlctl/data/column_arena.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_numeric_row.h"
#include "dlctl/data/csv_rows.h"
#include "dlctl/data/file_window.h"

namespace dlctl {

namespace {

constexpr std::size_t kBlockBytes = 16u << 20;
/// A line longer than this is left to the typed reader (and its line-length error).
constexpr std::size_t kLongestLine = 64u << 20;
bool blank(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

struct Layout {
    std::string source;
    std::vector<std::string> names;
    char delimiter = ',';
    std::vector<unsigned char> text;  ///< declared categorical (bytes: scan_numeric_row reads them)
    std::vector<std::size_t> text_columns;  ///< the indices of the declared categorical ones
    const std::vector<std::string>* na_values = nullptr;
    bool numeric_markers = false;  ///< a missing-value marker parses as a number
    bool plain_numbers = false;    ///< no numeric marker: rows may take scan_numeric_row
};

/// What one thread parses: whole lines of a block, into the table's columns from `first_row` on.
struct Piece {
    std::string_view text;
    const char* readable_end = nullptr;  ///< the block's end: bytes before it may be read
    std::uint32_t first_line = 0;        ///< file line number of the piece's first line
    std::size_t newlines = 0;
    std::size_t line_count = 0;  ///< lines, the last one maybe without newline: rows at most
    std::size_t first_row = 0;   ///< table row of its first row
    std::size_t rows = 0;        ///< rows parsed (fewer than line_count with blank lines)
    std::vector<float> tile;     ///< kTileRows rows of cells, row-major
    std::string padded;          ///< a row near the block's end, copied with scan padding
    std::vector<std::vector<std::string>> categories;  ///< local, text columns only
    /// A row this parser leaves to the typed reader: a cell of a numeric column that is not a
    /// number, or a quoted field that goes on over a newline.
    bool needs_typed_reader = false;
    std::uint32_t typed_line = 0;  ///< the line of that row
    int typed_column = -1;         ///< its first cell that is not a number (-1: a quoted newline)
    std::string typed_cell;
    std::string error, hint;  ///< the first error, if any
};

using Dictionaries = std::vector<std::unordered_map<std::string, float>>;

/// Runs work(0..parts-1), each on its own thread (part 0 on this one).
template <class Work>
void run_parallel(std::size_t parts, const Work& work) {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < parts; ++i) threads.emplace_back([&work, i] { work(i); });
    if (parts > 0) work(0);
    for (auto& t : threads) t.join();
}

/// One cell into `value`: a missing marker (NaN), a category code of a text column, or a
/// number. False when a cell of a numeric column is not a number.
bool parse_cell(std::string_view cell,
                std::size_t column,
                const Layout& layout,
                Piece& piece,
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
            std::string(t), static_cast<float>(piece.categories[column].size()));
        if (added) piece.categories[column].emplace_back(t);
        value = it->second;
        return true;
    }
    return parse_float(cell, value);
}

enum class RowResult { kOk, kNotNumeric, kFieldCount };

/// The first cell of a numeric column in `row` (unquoted) that is neither a number nor a
/// missing-value marker, into the piece's typed_column and typed_cell.
void find_non_number(std::string_view row, const Layout& layout, Piece& piece) {
    std::string copy(row);
    std::vector<std::string_view> fields;
    if (!split_csv_fields(copy.data(), layout.delimiter, fields)) return;
    const auto& na = *layout.na_values;
    float value = 0.0f;
    for (std::size_t c = 0; c < fields.size() && c < layout.text.size(); ++c) {
        const std::string_view cell = trim_blanks(fields[c]);
        if (layout.text[c] || parse_float(cell, value) ||
            std::find(na.begin(), na.end(), cell) != na.end()) {
            continue;
        }
        piece.typed_column = static_cast<int>(c);
        piece.typed_cell = cell;
        return;
    }
}

/// The cells of a row without quotes, any spelling: the fields are the text between
/// delimiters, so there is nothing to copy or unescape.
RowResult parse_plain_row(std::string_view row,
                          const Layout& layout,
                          Piece& piece,
                          Dictionaries& dictionaries,
                          float* cells) {
    const std::size_t width = layout.names.size();
    const char* p = row.data();
    const char* end = p + row.size();
    for (std::size_t c = 0; c < width; ++c) {
        const char* stop = static_cast<const char*>(std::memchr(p, layout.delimiter, end - p));
        if (stop == nullptr) stop = end;
        if (!parse_cell(std::string_view(p, stop - p), c, layout, piece, dictionaries, cells[c])) {
            return RowResult::kNotNumeric;
        }
        if ((stop == end) != (c + 1 == width)) return RowResult::kFieldCount;
        p = stop + 1;
    }
    return RowResult::kOk;
}

/// Rows of numbers (and text in the declared text columns) take scan_numeric_row; the
/// rows it refuses take parse_plain_row, or the quote-aware splitter.
void parse_piece(Piece& piece, const Layout& layout, float* const* columns, std::uint32_t* lines) {
    const std::size_t width = layout.names.size();
    piece.rows = 0;
    piece.tile.resize(kTileRows * width);
    piece.categories.assign(width, {});
    Dictionaries dictionaries(width);
    std::vector<std::string_view> fields;
    std::vector<std::string_view> texts(width);  // the text columns' cells of a scanned row
    std::string buffer;
    std::size_t tiled = 0;
    const unsigned char* text_flags = layout.text_columns.empty() ? nullptr : layout.text.data();
    const auto flush = [&] {
        spread_tile(piece.tile.data(), tiled, width, columns, piece.first_row + piece.rows);
        piece.rows += tiled;
        tiled = 0;
    };
    std::uint32_t line = piece.first_line;
    const char* p = piece.text.data();
    const char* end = p + piece.text.size();
    for (; p < end; ++line) {
        const char* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
        const char* stop = newline != nullptr ? newline : end;
        std::string_view row(p, stop - p);
        p = newline != nullptr ? newline + 1 : end;
        if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
        if (blank(row)) continue;
        float* cells = piece.tile.data() + tiled * width;
        bool parsed = false;
        if (layout.plain_numbers) {
            const char* row_begin = row.data();
            if (static_cast<std::size_t>(piece.readable_end - (row_begin + row.size())) <
                kRowScanPadding) {
                piece.padded.assign(row);
                piece.padded.append(kRowScanPadding, '\0');
                row_begin = piece.padded.data();
            }
            parsed = scan_numeric_row(row_begin, row_begin + row.size(), layout.delimiter, width,
                                      text_flags, cells, texts.data());
            for (std::size_t i = 0; parsed && i < layout.text_columns.size(); ++i) {
                const std::size_t c = layout.text_columns[i];
                parse_cell(texts[c], c, layout, piece, dictionaries, cells[c]);
            }
        }
        if (!parsed && row.find('"') == std::string_view::npos) {
            const RowResult result = parse_plain_row(row, layout, piece, dictionaries, cells);
            if (result == RowResult::kNotNumeric) {
                piece.needs_typed_reader = true;
                piece.typed_line = line;
                find_non_number(row, layout, piece);
                return;
            }
            if (result == RowResult::kFieldCount) {
                const std::size_t found = std::count(row.begin(), row.end(), layout.delimiter) + 1;
                piece.error = fmt::format("{}:{}: found {} fields, expected {} (as in the header)",
                                          layout.source, line, found, width);
                piece.hint = "check the delimiter (data.delimiter) and quoting of this row";
                return;
            }
        } else if (!parsed) {
            buffer.assign(row);
            if (!split_csv_fields(buffer.data(), layout.delimiter, fields)) {
                piece.needs_typed_reader = true;  // its lines are split apart here
                piece.typed_line = line;
                return;
            }
            if (fields.size() != width) {
                piece.error = fmt::format("{}:{}: found {} fields, expected {} (as in the header)",
                                          layout.source, line, fields.size(), width);
                piece.hint = "check the delimiter (data.delimiter) and quoting of this row";
                return;
            }
            for (std::size_t c = 0; c < width; ++c) {
                if (!parse_cell(fields[c], c, layout, piece, dictionaries, cells[c])) {
                    piece.needs_typed_reader = true;
                    piece.typed_line = line;
                    piece.typed_column = static_cast<int>(c);
                    piece.typed_cell = trim_blanks(fields[c]);
                    return;
                }
            }
        }
        lines[piece.first_row + piece.rows + tiled] = line;
        if (++tiled == kTileRows) flush();
    }
    flush();
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

/// Bytes [offset, offset + length) of the input, clipped to its end; valid until the next call.
using ByteView = std::function<std::string_view(std::uint64_t offset, std::size_t length)>;

/// Columns for about `rows` rows (more grow as vectors do) in a ColumnArena owned by the table.
void allocate_columns(Table& table, std::size_t width, std::size_t rows) {
    auto arena = std::make_shared<ColumnArena>(width, rows * sizeof(float));
    table.columns.clear();
    table.columns.reserve(width);
    for (std::size_t c = 0; c < width; ++c) {
        table.columns.emplace_back(std::pmr::polymorphic_allocator<float>(arena.get()));
        table.columns.back().reserve(rows);
    }
    table.column_memory = std::move(arena);
    table.lines.reserve(rows);
}

/// Maps the local category codes of each piece's text columns to the table's (in row order, so
/// categories keep the order in which they first appear).
void merge_categories(std::vector<Piece>& pieces,
                      const Layout& layout,
                      Dictionaries& dictionaries,
                      Table& table) {
    for (Piece& piece : pieces) {
        for (std::size_t c = 0; c < layout.names.size(); ++c) {
            if (!layout.text[c]) continue;
            std::vector<float> code;
            for (const auto& category : piece.categories[c]) {
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
            float* column = table.columns[c].data() + piece.first_row;
            for (std::size_t r = 0; r < piece.rows; ++r) {
                if (!std::isnan(column[r])) column[r] = code[static_cast<std::size_t>(column[r])];
            }
        }
    }
}

/// Moves the pieces' rows together when blank lines left fewer rows than lines; returns the
/// table's row count.
std::size_t close_gaps(const std::vector<Piece>& pieces, std::size_t first_row, Table& table) {
    std::size_t row = first_row;
    for (const Piece& piece : pieces) {
        if (piece.first_row != row) {
            for (auto& column : table.columns) {
                std::memmove(column.data() + row, column.data() + piece.first_row,
                             piece.rows * sizeof(float));
            }
            std::memmove(table.lines.data() + row, table.lines.data() + piece.first_row,
                         piece.rows * sizeof(std::uint32_t));
        }
        row += piece.rows;
    }
    return row;
}

/// Where the data starts: after blank lines and the header line (CsvRowReader's view of it,
/// which also gives the names and the delimiter).
struct Header {
    std::size_t end = 0;     ///< the byte after the header line
    std::uint32_t line = 1;  ///< the header's line number
    bool bom = false;
};

/// The header found in the first block (or more until it ends), names and delimiter into
/// `layout`; nullopt past the longest line or for a header this reader cannot split (the typed
/// reader reads it, or reports what is wrong).
std::optional<Header> read_header(const ByteView& view,
                                  std::uint64_t size,
                                  std::size_t block_bytes,
                                  const CsvOptions& options,
                                  Layout& layout) {
    Header header;
    std::string_view head;
    for (std::size_t length = block_bytes;; length *= 2) {
        head = view(0, length);
        header.end = 0;
        header.line = 1;
        while (true) {
            const auto nl = head.find('\n', header.end);
            const std::string_view line =
                head.substr(header.end, (nl == std::string::npos ? head.size() : nl) - header.end);
            if (!(blank(line) || line == "\r") || nl == std::string::npos) {
                header.end = nl == std::string::npos ? head.size() : nl + 1;
                break;
            }
            header.end = nl + 1;
            ++header.line;
        }
        if (header.end < head.size() || head.size() >= size) break;
        if (length > kLongestLine) return std::nullopt;
    }
    std::optional<CsvRowReader> reader;
    try {
        reader.emplace(CsvRowReader::from_text(layout.source, head.substr(0, header.end), options));
    } catch (const DataError&) {
        return std::nullopt;  // e.g. a name with a newline: the typed reader joins its lines
    }
    layout.names = reader->names();
    layout.delimiter = reader->delimiter();
    header.bom = head.substr(0, 3) == "\xEF\xBB\xBF";
    return header;
}

/// The missing-value markers and the declared categorical (text) columns into `layout`.
void configure_columns(const CsvOptions& options, Layout& layout) {
    layout.na_values = &options.na_values;
    float ignored = 0.0f;
    layout.numeric_markers =
        std::any_of(options.na_values.begin(), options.na_values.end(),
                    [&](const std::string& m) { return parse_float(m, ignored); });
    layout.plain_numbers = !layout.numeric_markers;
    layout.text.assign(layout.names.size(), 0);
    for (const auto& [name, type] : options.column_types) {
        const auto it = std::find(layout.names.begin(), layout.names.end(), name);
        if (it != layout.names.end()) {
            layout.text[it - layout.names.begin()] = type == ColumnType::kCategorical;
        }
    }
    for (std::size_t c = 0; c < layout.text.size(); ++c) {
        if (layout.text[c]) layout.text_columns.push_back(c);
    }
}

/// The whole lines of the block at `offset` (a partial last line waits for the next block), and
/// the bytes readable after them; nullopt past the longest line.
std::optional<std::pair<std::string_view, const char*>> whole_lines(const ByteView& view,
                                                                    std::uint64_t offset,
                                                                    std::uint64_t size,
                                                                    std::size_t block_bytes) {
    for (std::size_t length = block_bytes;; length *= 2) {
        const std::string_view block = view(offset, length);
        const char* end = block.data() + block.size();
        if (offset + block.size() >= size) return std::pair{block, end};
        const auto nl = block.rfind('\n');
        if (nl != std::string_view::npos) return std::pair{block.substr(0, nl + 1), end};
        if (length > kLongestLine) return std::nullopt;
    }
}

/// A file's blocks of whole lines parsed in order into one table, each block's lines split
/// between `workers` threads.
class BlockParser {
  public:
    BlockParser(const Layout& layout,
                std::size_t workers,
                std::uint32_t first_line,
                std::uint64_t data_bytes)
        : layout_(layout),
          workers_(workers),
          next_line_(first_line),
          data_bytes_(data_bytes),
          width_(layout.names.size()),
          dictionaries_(width_),
          column_data_(width_) {
        table_.source = layout.source;
        table_.names = layout.names;
        table_.categories.assign(width_, {});
        table_.types.assign(width_, ColumnType::kNumeric);
        for (std::size_t c = 0; c < width_; ++c) {
            if (layout_.text[c]) table_.types[c] = ColumnType::kCategorical;
        }
    }

    /// Parses `lines` (whole lines; bytes up to `readable_end` may be read past them); false
    /// when a row needs the typed reader (Piece::needs_typed_reader).
    bool parse(std::string_view lines, const char* readable_end) {
        const std::size_t bound = split_into_pieces(lines, readable_end);
        if (table_.columns.empty()) {
            // Size the columns once from the first block's bytes per line.
            const double per_line = static_cast<double>(lines.size()) /
                                    static_cast<double>(std::max<std::size_t>(bound, 1));
            allocate_columns(
                table_, width_,
                static_cast<std::size_t>(static_cast<double>(data_bytes_) / per_line * 1.02 + 16));
        }
        grow_to(bound);
        run_parallel(pieces_.size(), [&](std::size_t i) {
            parse_piece(pieces_[i], layout_, column_data_.data(), table_.lines.data());
        });
        for (const Piece& piece : pieces_) {
            if (!piece.error.empty()) throw DataError(piece.error, piece.hint);
            if (piece.needs_typed_reader) {
                typed_line_ = piece.typed_line;
                typed_column_ = piece.typed_column;
                typed_cell_ = piece.typed_cell;
                return false;
            }
        }
        merge_categories(pieces_, layout_, dictionaries_, table_);
        rows_ = close_gaps(pieces_, rows_, table_);
        if (rows_ != bound) {
            for (auto& column : table_.columns) column.resize(rows_);
            table_.lines.resize(rows_);
        }
        return true;
    }

    /// The table of every row parsed (DataError when there are none and `rows_required`).
    Table finish(bool rows_required = true) {
        if (rows_ == 0 && rows_required) {
            throw DataError("data file '" + table_.source + "' has a header but no data rows");
        }
        if (table_.columns.empty()) table_.columns.resize(width_);  // nothing was parsed
        for (auto& column : table_.columns) {
            if (column.capacity() > column.size() + column.size() / 8) column.shrink_to_fit();
        }
        return std::move(table_);
    }

    /// The rows parsed since the last drain(), with every category seen so far.
    const Table& window() const { return table_; }
    std::size_t rows() const { return rows_; }
    /// Forgets the rows parsed so far (their memory is reused); categories keep their numbers.
    void drain() {
        for (auto& column : table_.columns) column.clear();
        table_.lines.clear();
        rows_ = 0;
    }
    /// The column whose cell made parse() return false; empty for a row over several lines.
    std::string typed_column() const {
        return typed_column_ < 0 ? std::string()
                                 : layout_.names[static_cast<std::size_t>(typed_column_)];
    }
    /// Why parse() returned false, for a message: "file:line: what".
    std::string typed_reason() const {
        if (typed_column_ < 0) {
            return fmt::format("{}:{}: a quoted field goes on over a newline", layout_.source,
                               typed_line_);
        }
        return fmt::format("{}:{}: column '{}' holds '{}', which is not a number", layout_.source,
                           typed_line_, layout_.names[static_cast<std::size_t>(typed_column_)],
                           typed_cell_);
    }

  private:
    /// One piece of `lines` a worker, numbered; returns the row count if no line is blank.
    std::size_t split_into_pieces(std::string_view lines, const char* readable_end) {
        const auto parts = split_lines(lines, workers_);
        pieces_.resize(parts.size());
        run_parallel(parts.size(), [&](std::size_t i) {
            Piece& piece = pieces_[i];
            piece.text = parts[i];
            piece.readable_end = readable_end;
            piece.newlines =
                static_cast<std::size_t>(std::count(piece.text.begin(), piece.text.end(), '\n'));
            piece.line_count = piece.newlines + (piece.text.back() != '\n' ? 1 : 0);
            piece.needs_typed_reader = false;
            piece.error.clear();
        });
        std::size_t bound = rows_;
        for (Piece& piece : pieces_) {
            piece.first_line = next_line_;
            piece.first_row = bound;
            next_line_ += static_cast<std::uint32_t>(piece.newlines);
            bound += piece.line_count;
        }
        return bound;
    }

    /// Every column (and the line numbers) `rows` long, the columns resized side by side.
    void grow_to(std::size_t rows) {
        run_parallel(workers_, [&](std::size_t part) {
            for (std::size_t c = width_ * part / workers_; c < width_ * (part + 1) / workers_;
                 ++c) {
                table_.columns[c].resize(rows);
            }
        });
        table_.lines.resize(rows);
        for (std::size_t c = 0; c < width_; ++c) column_data_[c] = table_.columns[c].data();
    }

    const Layout& layout_;
    std::size_t workers_;
    std::uint32_t next_line_;
    std::uint64_t data_bytes_;
    std::size_t width_;
    Table table_;
    Dictionaries dictionaries_;
    std::vector<Piece> pieces_;
    std::vector<float*> column_data_;
    std::size_t rows_ = 0;
    std::uint32_t typed_line_ = 0;
    int typed_column_ = -1;
    std::string typed_cell_;
};

/// Where reading a file's rows starts: its layout (header read, columns configured), the first
/// data byte and line, and the parser threads.
struct Start {
    Layout layout;
    std::uint64_t data_start = 0;
    std::uint32_t first_line = 1;
    std::size_t workers = 1;
};

/// nullopt when the header cannot be read a block at a time (read_header).
std::optional<Start> start_reading(const std::string& source,
                                   std::uint64_t size,
                                   const ByteView& view,
                                   const CsvOptions& options,
                                   int threads,
                                   std::size_t block_bytes) {
    Start start;
    start.layout.source = source;
    const std::optional<Header> header =
        read_header(view, size, block_bytes, options, start.layout);
    if (!header) return std::nullopt;
    configure_columns(options, start.layout);
    // Without a header, blank lines before the first row are skipped by the parser; only the
    // BOM goes.
    start.data_start = options.header ? header->end : (header->bom ? 3 : 0);
    start.first_line = options.header ? header->line + 1 : 1;
    start.workers = threads > 0 ? static_cast<std::size_t>(threads)
                                : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    return start;
}

std::optional<Table> read_numeric(const std::string& source,
                                  std::uint64_t size,
                                  const ByteView& view,
                                  const CsvOptions& options,
                                  int threads,
                                  std::size_t block_bytes) {
    for (const auto& [name, type] : options.column_types) {
        if (type == ColumnType::kBoolean) return std::nullopt;
    }
    const std::optional<Start> start =
        start_reading(source, size, view, options, threads, block_bytes);
    if (!start) return std::nullopt;
    BlockParser parser(start->layout, start->workers, start->first_line, size - start->data_start);
    for (std::uint64_t offset = start->data_start; offset < size;) {
        const auto block = whole_lines(view, offset, size, block_bytes);
        if (!block) return std::nullopt;  // the typed reader's error
        if (block->first.empty()) break;
        if (!parser.parse(block->first, block->second)) return std::nullopt;
        offset += block->first.size();
    }
    return parser.finish();
}

/// start_reading for the readers that take a file a part at a time: DataError when the header
/// cannot be read so.
Start start_reading_in_blocks(const std::string& source,
                              std::uint64_t size,
                              const ByteView& view,
                              const CsvOptions& options,
                              int threads) {
    std::optional<Start> start = start_reading(source, size, view, options, threads, kBlockBytes);
    if (!start) {
        throw DataError(source +
                            ": the header cannot be read a block at a time (a line over 64 "
                            "MiB, or a quoted name over several lines)",
                        "read the whole file at once (data.in_memory: true; on several ranks, "
                        "data.rank_reads: whole)");
    }
    return std::move(*start);
}

/// Where `parts` parts of the data rows begin: each nominal cut moved to the next line's start.
CsvParts cut_rows(const std::string& source,
                  std::uint64_t size,
                  const ByteView& view,
                  const CsvOptions& options,
                  int parts) {
    const Start start = start_reading_in_blocks(source, size, view, options, 1);
    CsvParts out;
    out.first_line = start.first_line;
    out.bounds.push_back(start.data_start);
    for (int i = 1; i < parts; ++i) {
        std::uint64_t cut = start.data_start + (size - start.data_start) *
                                                   static_cast<std::uint64_t>(i) /
                                                   static_cast<std::uint64_t>(parts);
        cut = std::max(cut, out.bounds.back());
        // To the start of the line after the one holding byte cut − 1 (unchanged when that
        // byte is a newline).
        while (cut > start.data_start && cut < size) {
            const std::string_view after = view(cut - 1, kBlockBytes);
            const auto nl = after.find('\n');
            if (nl != std::string_view::npos) {
                cut += nl;
                break;
            }
            cut += after.size();
        }
        out.bounds.push_back(std::min(cut, size));
    }
    out.bounds.push_back(size);
    return out;
}

/// The DataError for a row `parser` refused, read `how` (a part at a time: every row one line,
/// the types of the file's first rows); `otherwise` says how to read the file instead.
DataError refused_row(const BlockParser& parser, const char* how, const std::string& otherwise) {
    const std::string column = parser.typed_column();
    return DataError(
        fmt::format("{} ({}, the first rows of the file fix each column's type, and every row is "
                    "one line)",
                    parser.typed_reason(), how),
        column.empty() ? otherwise
                       : fmt::format("declare its type (data.columns: {{{}: categorical}}), or {}",
                                     column, otherwise));
}

/// Parses the whole lines of bytes [begin, end) into `parser` a block of `block_bytes` at a time,
/// calling `after_block` with the offset reached after each; throws `refused(parser)` for a row
/// the parser refuses, and a DataError for a line over 64 MiB.
void parse_blocks(const std::string& source,
                  const ByteView& view,
                  std::uint64_t begin,
                  std::uint64_t end,
                  std::size_t block_bytes,
                  BlockParser& parser,
                  const std::function<DataError(const BlockParser&)>& refused,
                  const std::function<void(std::uint64_t)>& after_block) {
    const ByteView until_end = [&](std::uint64_t offset, std::size_t length) {
        return offset >= end
                   ? std::string_view()
                   : view(offset,
                          static_cast<std::size_t>(std::min<std::uint64_t>(length, end - offset)));
    };
    for (std::uint64_t offset = begin; offset < end;) {
        const auto block = whole_lines(until_end, offset, end, block_bytes);
        if (!block) {
            throw DataError(
                fmt::format("{}: a line after byte {} is longer than 64 MiB", source, offset));
        }
        if (block->first.empty()) break;
        if (!parser.parse(block->first, block->second)) throw refused(parser);
        offset += block->first.size();
        after_block(offset);
    }
}

/// The rows of bytes [begin, end) (whole lines), every column typed, into one table.
Table read_part(const std::string& source,
                std::uint64_t size,
                const ByteView& view,
                const CsvOptions& options,
                const CsvPart& part,
                int threads) {
    for (const auto& [name, type] : options.column_types) DLCTL_CHECK(type != ColumnType::kBoolean);
    const Start start = start_reading_in_blocks(source, size, view, options, threads);
    BlockParser parser(start.layout, start.workers, part.first_line, part.end - part.begin);
    parse_blocks(
        source, view, part.begin, part.end, kBlockBytes, parser,
        [](const BlockParser& p) {
            return refused_row(p, "read a part at a time",
                               "have every rank read the whole file (data.rank_reads: whole)");
        },
        [](std::uint64_t) {});
    return parser.finish(false);
}

void stream_numeric(const std::string& source,
                    std::uint64_t size,
                    const ByteView& view,
                    const CsvOptions& options,
                    int threads,
                    std::size_t window_bytes,
                    const CsvWindowSink& sink) {
    for (const auto& [name, type] : options.column_types) DLCTL_CHECK(type != ColumnType::kBoolean);
    const Start start = start_reading_in_blocks(source, size, view, options, threads);
    // Blocks of a quarter window, flushed before the next one would overfill the window.
    const std::size_t block_bytes =
        std::min(kBlockBytes, std::max<std::size_t>(window_bytes / 4, 64));
    BlockParser parser(start.layout, start.workers, start.first_line, window_bytes);
    std::uint64_t pending = start.data_start;
    bool any_rows = false;
    const auto flush = [&](std::uint64_t offset) {
        sink(parser.window(), offset);
        any_rows = true;
        parser.drain();
    };
    parse_blocks(
        source, view, start.data_start, size, block_bytes, parser,
        [](const BlockParser& p) {
            return refused_row(p, "out of core", "train in memory (data.in_memory: true)");
        },
        [&](std::uint64_t offset) {
            if (offset - pending + block_bytes > window_bytes && parser.rows() > 0) {
                flush(offset);
                pending = offset;
            }
        });
    if (parser.rows() > 0) flush(size);
    if (!any_rows) throw DataError("data file '" + source + "' has a header but no data rows");
}

/// The bytes of `text` as a ByteView.
ByteView text_view(std::string_view text) {
    return [text](std::uint64_t offset, std::size_t length) {
        return offset >= text.size() ? std::string_view() : text.substr(offset, length);
    };
}

/// `read(view)` over the mapped `file` (opened from `path`), as a DataError saying so when the
/// file became shorter while it was read: the zeros in place of the lost bytes misparse, or
/// parse as numbers.
template <class Read>
auto read_mapped(FileWindow& file, const std::filesystem::path& path, const Read& read) {
    auto changed = [&] {
        return DataError(
            "data file '" + path.string() + "' changed while it was read (it became shorter)",
            "let whatever writes the file finish, then run again");
    };
    try {
        auto result = read(
            [&](std::uint64_t offset, std::size_t length) { return file.view(offset, length); });
        if (file.cut()) throw changed();
        return result;
    } catch (const DataError&) {
        if (file.cut()) throw changed();
        throw;
    }
}

}  // namespace

std::optional<Table> read_numeric_csv(const std::filesystem::path& path,
                                      const CsvOptions& options,
                                      int threads) {
    FileWindow file;
    if (!file.open(path)) return std::nullopt;  // read_csv reports
    return read_mapped(file, path, [&](const ByteView& view) {
        return read_numeric(path.string(), file.size(), view, options, threads, kBlockBytes);
    });
}

std::optional<Table> read_numeric_csv_text(const std::string& name,
                                           std::string_view text,
                                           const CsvOptions& options,
                                           int threads,
                                           std::size_t block_bytes) {
    return read_numeric(name, text.size(), text_view(text), options, threads, block_bytes);
}

void stream_csv(const std::filesystem::path& path,
                const CsvOptions& options,
                std::size_t window_bytes,
                const CsvWindowSink& sink,
                int threads) {
    FileWindow file;
    open_data_file(file, path);
    read_mapped(file, path, [&](const ByteView& view) {
        stream_numeric(path.string(), file.size(), view, options, threads, window_bytes, sink);
        return true;
    });
}

CsvParts cut_csv(const std::filesystem::path& path, const CsvOptions& options, int parts) {
    FileWindow file;
    open_data_file(file, path);
    return read_mapped(file, path, [&](const ByteView& view) {
        return cut_rows(path.string(), file.size(), view, options, parts);
    });
}

std::uint64_t count_newlines(const std::filesystem::path& path,
                             std::uint64_t begin,
                             std::uint64_t end) {
    FileWindow file;
    open_data_file(file, path);
    return read_mapped(file, path, [&](const ByteView& view) {
        std::uint64_t newlines = 0;
        for (std::uint64_t offset = begin; offset < end;) {
            const std::string_view block =
                view(offset,
                     static_cast<std::size_t>(std::min<std::uint64_t>(kBlockBytes, end - offset)));
            if (block.empty()) break;
            newlines += static_cast<std::uint64_t>(std::count(block.begin(), block.end(), '\n'));
            offset += block.size();
        }
        return newlines;
    });
}

Table read_csv_part(const std::filesystem::path& path,
                    const CsvOptions& options,
                    const CsvPart& part,
                    int threads) {
    FileWindow file;
    open_data_file(file, path);
    if (part.end > file.size()) {
        throw DataError(
            "data file '" + path.string() + "' changed while it was read (it became shorter)",
            "let whatever writes the file finish, then run again");
    }
    DLCTL_CHECK(part.begin <= part.end);
    return read_mapped(file, path, [&](const ByteView& view) {
        return read_part(path.string(), file.size(), view, options, part, threads);
    });
}

void stream_csv_text(const std::string& name,
                     std::string_view text,
                     const CsvOptions& options,
                     std::size_t window_bytes,
                     const CsvWindowSink& sink,
                     int threads) {
    stream_numeric(name, text.size(), text_view(text), options, threads, window_bytes, sink);
}

}  // namespace dlctl
