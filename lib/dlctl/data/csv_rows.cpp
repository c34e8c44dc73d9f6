#include "dlctl/data/csv_rows.h"

#include <fmt/format.h>
#include <unistd.h>

// The library's error types copy file names with strncpy, which GCC flags once inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

/// The longest row read: a line (the line reader's limit), or lines joined by a quoted field.
constexpr std::size_t kLongestRow = 16u << 20;

bool is_blank(const char* line) {
    for (; *line != '\0'; ++line) {
        if (*line != ' ' && *line != '\t') return false;
    }
    return true;
}

/// The candidate delimiter that occurs most often outside quotes in `line` (',' when none does).
char sniff_delimiter(const char* line) {
    constexpr char kCandidates[] = {',', ';', '\t', '|'};
    std::size_t counts[4] = {0, 0, 0, 0};
    bool quoted = false;
    for (const char* p = line; *p != '\0'; ++p) {
        if (*p == '"') quoted = !quoted;
        if (quoted) continue;
        for (int c = 0; c < 4; ++c) counts[c] += *p == kCandidates[c];
    }
    const auto best = std::max_element(std::begin(counts), std::end(counts)) - std::begin(counts);
    return counts[best] > 0 ? kCandidates[best] : ',';
}

void check_readable(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
        throw DataError(
            "data file '" + path.string() + "' does not exist",
            "check data.path in the spec; relative paths are relative to the spec file");
    }
    if (fs::is_directory(status)) {
        throw DataError("data file '" + path.string() + "' is a directory, not a CSV file");
    }
}

/// Where the byte after `text` is: its line and column, continuing from `line` and `column`.
void advance_place(std::string_view text, std::uint64_t& line, std::uint64_t& column) {
    for (const char c : text) {
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

[[noreturn]] void nul_byte(const std::string& source, std::uint64_t line, std::uint64_t column) {
    throw DataError(fmt::format("{}:{}:{}: a NUL byte; CSV text has none", source, line, column),
                    "is this a binary or UTF-16 file? save it as UTF-8 text");
}

/// Text rows stop at a NUL byte, so the line reader would see a cut or a blank line (and skip
/// it): refuse one, with its place. The scan (memchr) costs a few percent of a parse.
void refuse_nul_bytes(const std::string& source, std::string_view text) {
    if (const void* at = std::memchr(text.data(), '\0', text.size())) {
        std::uint64_t line = 1, column = 1;
        advance_place(text.substr(0, static_cast<const char*>(at) - text.data()), line, column);
        nul_byte(source, line, column);
    }
}

void refuse_nul_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string chunk(1u << 20, '\0');
    std::uint64_t line = 1, column = 1;  // counted only once a NUL was seen: the error path
    bool found = false;
    std::uint64_t offset = 0, nul_at = 0;
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
        const std::string_view got(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (const void* at = std::memchr(got.data(), '\0', got.size())) {
            found = true;
            nul_at = offset + static_cast<std::uint64_t>(static_cast<const char*>(at) - got.data());
            break;
        }
        offset += got.size();
    }
    if (!found) return;
    std::ifstream again(path, std::ios::binary);
    for (std::uint64_t done = 0; done < nul_at;) {
        const auto want =
            static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), nul_at - done));
        again.read(chunk.data(), want);
        if (again.gcount() <= 0) break;
        advance_place(std::string_view(chunk.data(), static_cast<std::size_t>(again.gcount())),
                      line, column);
        done += static_cast<std::uint64_t>(again.gcount());
    }
    nul_byte(path.string(), line, column);
}

[[noreturn]] void line_too_long(const io::error::base& e) {
    throw DataError(std::string("cannot read data: ") + e.what(),
                    "lines longer than 16 MiB are not supported");
}

}  // namespace

bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80           ? 1
                                   : (c >> 5) == 0x6  ? 2
                                   : (c >> 4) == 0xE  ? 3
                                   : (c >> 3) == 0x1E ? 4
                                                      : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        i += length;
    }
    return true;
}

struct CsvRowReader::State {
    std::string source;
    std::optional<io::LineReader> reader;
    std::vector<std::string> names;
    char delimiter = ',';
    bool header = true;
    char* pending = nullptr;  ///< the first line when it is data (no header)
    unsigned pending_line = 0;
    unsigned line = 0;

    std::string record;  ///< a row whose quoted field holds newlines, its lines joined

    void split(char* text, unsigned line_number, std::vector<std::string_view>& fields) const {
        if (!split_csv_fields(text, delimiter, fields)) unterminated(line_number);
    }

    [[noreturn]] void unterminated(unsigned line_number) const {
        throw DataError(fmt::format("{}:{}: a quoted field opened on this line is never closed",
                                    source, line_number),
                        "close the field with '\"' (write a '\"' inside it as '\"\"')");
    }

    /// The row that starts with the line `text` (line `line_number`): that line, or, when a
    /// quoted field goes on over newlines, the lines up to its closing quote joined by '\n'.
    char* whole_row(char* text, unsigned line_number) {
        if (std::strchr(text, '"') == nullptr || !quoted_field_open_after(text, delimiter, false)) {
            return text;
        }
        record.assign(text);
        for (bool open = true; open;) {
            const char* more = reader->next_line();
            if (more == nullptr) unterminated(line_number);
            record.push_back('\n');
            record.append(more);
            if (record.size() > kLongestRow) {
                throw DataError(
                    fmt::format("{}:{}: a quoted field opened on this line runs over {} MiB",
                                source, line_number, kLongestRow >> 20),
                    "is its closing '\"' missing? Rows longer than that are not supported");
            }
            open = quoted_field_open_after(more, delimiter, true);
        }
        return record.data();
    }

    /// Reads the first non-blank line: the header, or the first row without one.
    void start(const CsvOptions& options) {
        char* line_text = reader->next_line();
        while (line_text != nullptr && is_blank(line_text)) line_text = reader->next_line();
        if (line_text == nullptr) {
            throw DataError("data file '" + source + "' is empty",
                            "a CSV file needs a header row and at least one data row");
        }
        if (std::strncmp(line_text, "\xEF\xBB\xBF", 3) == 0) line_text += 3;  // byte-order mark
        delimiter = options.delimiter != '\0' ? options.delimiter : sniff_delimiter(line_text);
        header = options.header;
        const unsigned first_line = reader->get_file_line();
        line_text = whole_row(line_text, first_line);
        std::vector<std::string_view> fields;
        if (!options.header) {
            // The fields are needed only to count columns; split a copy, keep the line for next().
            std::string copy(line_text);
            split(copy.data(), first_line, fields);
            for (std::size_t i = 0; i < fields.size(); ++i)
                names.push_back("col" + std::to_string(i));
            pending = line_text;
            pending_line = first_line;
            return;
        }
        split(line_text, first_line, fields);
        std::set<std::string> seen;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string name(fields[i]);
            if (!valid_utf8(name)) {
                throw DataError(fmt::format("{}:{}: column {} has a name that is not valid UTF-8",
                                            source, first_line, i + 1),
                                "save the file as UTF-8");
            }
            if (name.empty()) name = "col" + std::to_string(i);
            if (!seen.insert(name).second) {
                throw DataError(
                    fmt::format("{}:{}: duplicate column name '{}'", source, first_line, name),
                    "rename one of the columns so every name is unique");
            }
            names.push_back(std::move(name));
        }
    }
};

CsvRowReader::CsvRowReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
CsvRowReader::CsvRowReader(CsvRowReader&&) noexcept = default;
CsvRowReader& CsvRowReader::operator=(CsvRowReader&&) noexcept = default;
CsvRowReader::~CsvRowReader() = default;

CsvRowReader CsvRowReader::open(const fs::path& path, const CsvOptions& options) {
    auto state = std::make_unique<State>();
    try {
        if (path == "-") {
            state->source = "(stdin)";
            // The reader closes its FILE; give it a duplicate so stdin itself stays open.
            std::FILE* in = ::fdopen(::dup(STDIN_FILENO), "rb");
            if (in == nullptr) throw DataError("cannot read standard input");
            state->reader.emplace(state->source, in);
        } else {
            check_readable(path);
            refuse_nul_bytes(path);
            state->source = path.string();
            state->reader.emplace(state->source);
        }
        state->start(options);
    } catch (const io::error::base& e) {
        line_too_long(e);
    }
    return CsvRowReader(std::move(state));
}

CsvRowReader CsvRowReader::from_text(const std::string& name,
                                     std::string_view text,
                                     const CsvOptions& options) {
    auto state = std::make_unique<State>();
    state->source = name;
    if (text.data() == nullptr) text = "";  // LineReader copies from the pointer even when empty
    refuse_nul_bytes(name, text);
    try {
        state->reader.emplace(name, text.data(), text.data() + text.size());
        state->start(options);
    } catch (const io::error::base& e) {
        line_too_long(e);
    }
    return CsvRowReader(std::move(state));
}

const std::string& CsvRowReader::source() const { return state_->source; }
const std::vector<std::string>& CsvRowReader::names() const { return state_->names; }
unsigned CsvRowReader::line() const { return state_->line; }
char CsvRowReader::delimiter() const { return state_->delimiter; }

bool CsvRowReader::next(std::vector<std::string_view>& fields) {
    State& s = *state_;
    char* text = nullptr;
    if (s.pending != nullptr) {
        text = s.pending;
        s.line = s.pending_line;
        s.pending = nullptr;
    } else {
        try {
            do {
                text = s.reader->next_line();
            } while (text != nullptr && is_blank(text));
        } catch (const io::error::base& e) {
            line_too_long(e);
        }
        if (text == nullptr) return false;
        s.line = s.reader->get_file_line();
        try {
            text = s.whole_row(text, s.line);
        } catch (const io::error::base& e) {
            line_too_long(e);
        }
    }
    s.split(text, s.line, fields);
    if (fields.size() != s.names.size()) {
        throw DataError(
            fmt::format("{}:{}: found {} fields, expected {} (as in the {})", s.source, s.line,
                        fields.size(), s.names.size(), s.header ? "header" : "first row"),
            "check the delimiter (data.delimiter) and quoting of this row");
    }
    return true;
}

}  // namespace dlctl
