#include "dlctl/data/column_screening.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

namespace dlctl {

namespace {

constexpr std::size_t kFewestIdRows = 20;  ///< fewer distinct values prove nothing
constexpr std::size_t kMostCodes = 10;     ///< integer columns with 3 to this many values

/// id, index, key, nr, *_id, *-id, "* id", camelCase *Id / *ID.
bool id_like(const std::string& name) {
    std::string lower;
    for (const char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* exact : {"id", "index", "idx", "key", "nr", "no", "rowid", "row_id", "uuid"}) {
        if (lower == exact) return true;
    }
    for (const char* suffix : {"_id", "-id", " id", ".id"}) {
        if (lower.ends_with(suffix)) return true;
    }
    const std::size_t n = name.size();
    return n > 2 && (name.ends_with("Id") || name.ends_with("ID")) &&
           std::islower(static_cast<unsigned char>(name[n - 3]));
}

/// Without a libm call: every float from 2^23 on is an integer, and below it the cast is exact.
bool is_integer(float v) {
    return std::fabs(v) >= 8388608.0f || static_cast<float>(static_cast<int>(v)) == v;
}

/// Integers that strictly increase in file order, none missing: a saved pandas index.
bool counts_up(const Column& column) {
    float previous = -INFINITY;
    for (const float v : column) {
        if (!(v > previous) || !is_integer(v)) return false;  // NaN fails the first test
        previous = v;
    }
    return true;
}

/// The distinct values of a column of integers (missing cells aside), and how many values it
/// has; nothing when a value is not an integer.
struct IntegerCounts {
    std::size_t distinct = 0;  ///< counted up to the cap + 1, where the count stops
    std::size_t values = 0;    ///< exact only when the count did not stop
};

/// Stops at `cap` + 1 distinct values, which a file of many numeric columns (784 pixels) reaches
/// within a few rows of each; `cap` 0 counts them all.
std::optional<IntegerCounts> count_integers(const Column& column, std::size_t cap) {
    IntegerCounts out;
    if (cap == 0) {
        std::vector<float> sorted;
        for (const float v : column) {
            if (std::isnan(v)) continue;
            if (!is_integer(v)) return std::nullopt;
            sorted.push_back(v);
        }
        std::sort(sorted.begin(), sorted.end());
        out.values = sorted.size();
        out.distinct =
            static_cast<std::size_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
        return out;
    }
    std::vector<float> seen;  // sorted
    for (const float v : column) {
        if (std::isnan(v)) continue;
        if (!is_integer(v)) return std::nullopt;
        ++out.values;
        const auto at = std::lower_bound(seen.begin(), seen.end(), v);
        if (at != seen.end() && *at == v) continue;
        seen.insert(at, v);
        if (seen.size() > cap) break;
    }
    out.distinct = seen.size();
    return out;
}

}  // namespace

std::vector<int> screen_features(const DataSpec& spec,
                                 const Table& table,
                                 const std::vector<int>& candidates,
                                 std::vector<ScreenedColumn>& screened,
                                 bool warn,
                                 const ColumnLoader& load) {
    std::vector<int> kept;
    std::vector<std::string> codes;
    const bool listed = !spec.features.empty();
    for (const int c : candidates) {
        const std::string& name = table.names[static_cast<std::size_t>(c)];
        const auto declared = std::find_if(spec.columns.begin(), spec.columns.end(),
                                           [&](const auto& kv) { return kv.first == name; });
        const bool typed = declared != spec.columns.end();
        if (typed && declared->second == "ignore") {
            screened.push_back({name, "data.columns: ignore"});
            continue;
        }
        if (listed || typed || table.type(static_cast<std::size_t>(c)) != ColumnType::kNumeric) {
            kept.push_back(c);
            continue;
        }
        const Column& values = load ? load(c) : table.columns[static_cast<std::size_t>(c)];
        if (c == 0 && spec.header && name == "col0" && counts_up(values)) {
            if (warn)
                spdlog::warn(
                    "column 1 has no name and counts up ({}...): a saved pandas index, left "
                    "out (name it in the header, or data.columns: {{col0: numeric}}, to keep "
                    "it)",
                    values.empty() ? 0.0f : values[0]);
            screened.push_back({name, "an unnamed index column"});
            continue;
        }
        const bool id = id_like(name);
        const auto counts = count_integers(values, id ? 0 : kMostCodes);
        if (id && counts && counts->distinct == counts->values && counts->values >= kFewestIdRows) {
            if (warn)
                spdlog::warn(
                    "column '{}' looks like a row id (every value a distinct integer): left "
                    "out (data.columns: {{{}: numeric}} keeps it)",
                    name, name);
            screened.push_back({name, "a row id"});
            continue;
        }
        if (counts && counts->distinct > 2 && (counts->distinct <= kMostCodes || id)) {
            codes.push_back(fmt::format("{} ({} values)", name, counts->distinct));
        }
        kept.push_back(c);
    }
    if (warn && !codes.empty()) {
        constexpr std::size_t kNamed = 8;  // a file of 784 pixel columns says "and 700 more"
        const std::size_t named = std::min(codes.size(), kNamed);
        spdlog::warn(
            "integer column{} that may be codes rather than amounts, read as numbers: "
            "{}{}; to read one as categories: --set data.columns.NAME=categorical",
            codes.size() == 1 ? "" : "s", fmt::join(codes.begin(), codes.begin() + named, ", "),
            codes.size() > named ? fmt::format(" and {} more", codes.size() - named) : "");
    }
    return kept;
}

}  // namespace dlctl
