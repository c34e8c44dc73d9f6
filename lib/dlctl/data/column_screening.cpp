#include "dlctl/data/column_screening.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_set>

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

/// What the values of a numeric column say about it.
struct IntegerProfile {
    bool integers = true;    ///< every value (missing aside) an integer
    bool increasing = true;  ///< strictly, in file order
    std::size_t values = 0;  ///< non-missing cells
    std::size_t distinct = 0;
};

IntegerProfile profile(const Column& column) {
    IntegerProfile p;
    std::unordered_set<float> seen;
    float previous = -INFINITY;
    for (const float v : column) {
        if (std::isnan(v)) {
            p.increasing = false;
            continue;
        }
        ++p.values;
        p.integers = p.integers && v == std::round(v);
        p.increasing = p.increasing && v > previous;
        previous = v;
        seen.insert(v);
    }
    p.distinct = seen.size();
    return p;
}

bool named_in(const std::vector<std::pair<std::string, std::string>>& list,
              const std::string& name) {
    return std::any_of(list.begin(), list.end(), [&](const auto& kv) { return kv.first == name; });
}

}  // namespace

std::vector<int> screen_features(const DataSpec& spec,
                                 const Table& table,
                                 const std::vector<int>& candidates,
                                 std::vector<ScreenedColumn>& screened,
                                 bool warn) {
    std::vector<int> kept;
    std::vector<std::string> codes;
    const bool listed = !spec.features.empty();
    for (const int c : candidates) {
        const std::string& name = table.names[static_cast<std::size_t>(c)];
        const bool typed = named_in(spec.columns, name);
        if (typed) {
            const auto it = std::find_if(spec.columns.begin(), spec.columns.end(),
                                         [&](const auto& kv) { return kv.first == name; });
            if (it->second == "ignore") {
                screened.push_back({name, "data.columns: ignore"});
                continue;
            }
        }
        if (listed || typed || table.type(static_cast<std::size_t>(c)) != ColumnType::kNumeric) {
            kept.push_back(c);
            continue;
        }
        const IntegerProfile p = profile(table.columns[static_cast<std::size_t>(c)]);
        if (c == 0 && spec.header && name == "col0" && p.integers && p.increasing) {
            if (warn)
                spdlog::warn(
                    "column 1 has no name and counts up ({}...): a saved pandas index, left "
                    "out (name it in the header, or data.columns: {{col0: numeric}}, to keep "
                    "it)",
                    table.columns[0].empty() ? 0.0f : table.columns[0][0]);
            screened.push_back({name, "an unnamed index column"});
            continue;
        }
        if (id_like(name) && p.integers && p.distinct == p.values && p.values >= kFewestIdRows) {
            if (warn)
                spdlog::warn(
                    "column '{}' looks like a row id (every value a distinct integer): left "
                    "out (data.columns: {{{}: numeric}} keeps it)",
                    name, name);
            screened.push_back({name, "a row id"});
            continue;
        }
        if (p.integers && p.distinct > 2 && (p.distinct <= kMostCodes || id_like(name))) {
            codes.push_back(fmt::format("{} ({} values)", name, p.distinct));
        }
        kept.push_back(c);
    }
    if (warn && !codes.empty()) {
        spdlog::warn(
            "integer column{} that may be codes rather than amounts, read as numbers: "
            "{}; to read one as categories: --set data.columns.NAME=categorical",
            codes.size() == 1 ? "" : "s", fmt::join(codes, ", "));
    }
    return kept;
}

}  // namespace dlctl
