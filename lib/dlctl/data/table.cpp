#include "dlctl/data/table.h"

#include <algorithm>

namespace dlctl {

int Table::column_index(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace dlctl
