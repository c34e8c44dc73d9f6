#include "dlctl/data/table_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'D', 'L', 'C', 'T', 'L', 'T', 'B', '1'};

/// Writes the pieces of a table to a file, keeping a crc32 of everything written.
class Writer {
  public:
    explicit Writer(std::FILE* file) : file_(file) {}
    void u64(std::uint64_t v) { bytes(&v, sizeof v); }
    void text(const std::string& s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void bytes(const void* data, std::size_t n) {
        ok_ = ok_ && std::fwrite(data, 1, n, file_) == n;
        crc_ = crc32(std::string_view(static_cast<const char*>(data), n), crc_);
    }
    bool ok() const { return ok_; }
    std::uint32_t crc() const { return crc_; }

  private:
    std::FILE* file_;
    bool ok_ = true;
    std::uint32_t crc_ = 0;
};

/// Reads back what Writer wrote, straight into the table's buffers, keeping the same crc32.
class Reader {
  public:
    Reader(std::FILE* file, std::uint64_t size) : file_(file), left_(size) {}
    bool u64(std::uint64_t& v) { return bytes(&v, sizeof v); }
    bool text(std::string& s) {
        std::uint64_t n = 0;
        if (!u64(n) || n > left_) return false;
        s.resize(n);
        return bytes(s.data(), n);
    }
    bool bytes(void* out, std::size_t n) {
        if (n > left_ || std::fread(out, 1, n, file_) != n) return false;
        left_ -= n;
        crc_ = crc32(std::string_view(static_cast<const char*>(out), n), crc_);
        return true;
    }
    std::uint64_t left() const { return left_; }
    std::uint32_t crc() const { return crc_; }

  private:
    std::FILE* file_;
    std::uint64_t left_;
    std::uint32_t crc_ = 0;
};

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

/// The file and the parsing options: one cache entry each, replaced when the file changes.
std::string entry_key(const fs::path& path, const CsvOptions& options) {
    std::error_code ec;
    std::string key = fs::absolute(path, ec).string() + "\n" +
                      fmt::format("{}{}{}\n", static_cast<int>(options.delimiter), options.header,
                                  options.infer_types);
    for (const auto& na : options.na_values) key += "na:" + na + "\n";
    for (const auto& [name, type] : options.column_types) {
        key += fmt::format("type:{}={}\n", name, to_string(type));
    }
    return key;
}

/// Everything that decides the parsed table, as text: the entry key and the file's version.
std::string cache_key(const fs::path& path, const CsvOptions& options) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
    // A crc32 of the first, middle and last MiB: edits that keep size and time still show.
    std::uint32_t sample = 0;
    std::ifstream in(path, std::ios::binary);
    std::string chunk(1u << 20, '\0');
    for (const std::uintmax_t at :
         {std::uintmax_t{0}, size / 2, size > chunk.size() ? size - chunk.size() : 0}) {
        in.clear();
        in.seekg(static_cast<std::streamoff>(at));
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        sample =
            crc32(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())), sample);
    }
    return entry_key(path, options) + fmt::format("{}\n{}\n{:08x}\n", size, mtime, sample);
}

/// Writes `t` for `key` atomically (a temporary file renamed over `entry`).
void write_entry(const fs::path& entry, const Table& t, const std::string& key) {
    const fs::path temp = entry.string() + ".tmp-" + std::to_string(::getpid());
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(temp.c_str(), "wb"));
    if (!file) throw IoError("cannot create " + temp.string());
    std::uint32_t placeholder = 0;
    bool ok = std::fwrite(kMagic, 1, sizeof kMagic, file.get()) == sizeof kMagic &&
              std::fwrite(&placeholder, 1, 4, file.get()) == 4;
    Writer w(file.get());
    w.text(key);
    w.text(t.source);
    w.u64(t.names.size());
    for (std::size_t c = 0; c < t.names.size(); ++c) {
        w.text(t.names[c]);
        w.u64(static_cast<std::uint64_t>(t.type(c)));
        const std::size_t count = t.categories.empty() ? 0 : t.categories[c].size();
        w.u64(count);
        for (std::size_t i = 0; i < count; ++i) w.text(t.categories[c][i]);
    }
    w.u64(t.rows());
    w.bytes(t.lines.data(), t.lines.size() * sizeof(std::uint32_t));
    for (const auto& column : t.columns) w.bytes(column.data(), column.size() * sizeof(float));
    const std::uint32_t crc = w.crc();
    ok = ok && w.ok() && std::fseek(file.get(), sizeof kMagic, SEEK_SET) == 0 &&
         std::fwrite(&crc, 1, 4, file.get()) == 4 && std::fflush(file.get()) == 0 &&
         ::fsync(::fileno(file.get())) == 0;
    file.reset();
    if (!ok || std::rename(temp.c_str(), entry.c_str()) != 0) {
        std::remove(temp.c_str());
        throw IoError("cannot write " + entry.string());
    }
}

/// The table in `entry`, or false when it is not a complete, intact entry for `key`.
bool read_entry(const fs::path& entry, const std::string& key, Table& t) {
    std::error_code ec;
    const auto size = fs::file_size(entry, ec);
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(entry.c_str(), "rb"));
    if (ec || !file || size < sizeof kMagic + 4) return false;
    char magic[sizeof kMagic];
    std::uint32_t crc = 0;
    if (std::fread(magic, 1, sizeof magic, file.get()) != sizeof magic ||
        std::memcmp(magic, kMagic, sizeof kMagic) != 0 || std::fread(&crc, 1, 4, file.get()) != 4) {
        return false;
    }
    Reader r(file.get(), size - sizeof kMagic - 4);
    std::string stored_key;
    std::uint64_t width = 0, rows = 0;
    if (!r.text(stored_key) || stored_key != key || !r.text(t.source) || !r.u64(width) ||
        width > r.left()) {
        return false;
    }
    t.names.resize(width);
    t.types.resize(width);
    t.categories.assign(width, {});
    for (std::size_t c = 0; c < width; ++c) {
        std::uint64_t type = 0, count = 0;
        if (!r.text(t.names[c]) || !r.u64(type) || type > 2 || !r.u64(count) || count > r.left()) {
            return false;
        }
        t.types[c] = static_cast<ColumnType>(type);
        t.categories[c].resize(count);
        for (auto& category : t.categories[c]) {
            if (!r.text(category)) return false;
        }
    }
    if (!r.u64(rows) || rows * (sizeof(std::uint32_t) + width * sizeof(float)) != r.left()) {
        return false;
    }
    t.lines.resize(rows);
    if (!r.bytes(t.lines.data(), rows * sizeof(std::uint32_t))) return false;
    t.columns.assign(width, {});
    for (auto& column : t.columns) {
        column.resize(rows);
        if (!r.bytes(column.data(), rows * sizeof(float))) return false;
    }
    return r.left() == 0 && r.crc() == crc;
}

}  // namespace

fs::path table_cache_dir(const TableCacheOptions& options) {
    if (!options.dir.empty()) return options.dir;
    if (const char* env = std::getenv("DLCTL_CACHE_DIR"); env != nullptr && *env != '\0')
        return env;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
        return fs::path(xdg) / "dlctl";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : ".") / ".cache" / "dlctl";
}

Table read_csv_cached(const fs::path& path,
                      const CsvOptions& options,
                      const TableCacheOptions& cache) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!cache.enabled || ec || size < cache.min_bytes) return read_csv(path, options);
    const std::string key = cache_key(path, options);
    const fs::path dir = table_cache_dir(cache);
    const std::string name = entry_key(path, options);
    const fs::path entry =
        dir / fmt::format("{:08x}{:08x}.table", crc32(name), crc32(name, 0x5bd1e995u));
    Table table;
    if (fs::exists(entry, ec)) {
        if (read_entry(entry, key, table)) {
            spdlog::debug("parsed table of {} from the cache ({})", path.string(), entry.string());
            return table;
        }
        spdlog::info("ignoring a stale or damaged cache entry for {}; parsing again",
                     path.string());
    }
    table = read_csv(path, options);
    try {
        fs::create_directories(dir);
        write_entry(entry, table, key);
    } catch (const std::exception& e) {
        spdlog::warn("could not cache the parsed table of {}: {}", path.string(), e.what());
    }
    return table;
}

}  // namespace dlctl
