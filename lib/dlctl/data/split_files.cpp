#include "dlctl/data/split_files.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "dlctl/core/random.h"
#include "dlctl/data/feature_file.h"

namespace dlctl {

namespace {

/// Where each row of the file goes: its split (1 train, 2 validation, 3 test; 0 none) and its
/// place in that split's file.
struct Destinations {
    std::vector<std::uint8_t> split;
    std::vector<std::uint32_t> place;
};

/// The window of each of `rows` training rows (taken in file order): every window's slots once,
/// in a seeded random order.
std::vector<std::uint32_t> dealt_windows(std::size_t rows, const SplitLayout& layout) {
    std::vector<std::uint32_t> window(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        window[i] = static_cast<std::uint32_t>(i / static_cast<std::size_t>(layout.window_rows));
    }
    Rng rng(layout.seed, RngStream::kShuffle, 0);  // epochs shuffle with substreams from 1
    for (std::size_t i = rows; i > 1; --i) std::swap(window[i - 1], window[rng.below(i)]);
    return window;
}

Destinations destinations(const SplitIndices& split, std::size_t rows, const SplitLayout& layout) {
    Destinations out{std::vector<std::uint8_t>(rows, 0), std::vector<std::uint32_t>(rows, 0)};
    const std::vector<std::uint32_t>* parts[] = {&split.train, &split.validation, &split.test};
    for (std::uint8_t s = 0; s < 3; ++s) {
        for (std::size_t i = 0; i < parts[s]->size(); ++i) {
            out.split[(*parts[s])[i]] = static_cast<std::uint8_t>(s + 1);
            out.place[(*parts[s])[i]] = static_cast<std::uint32_t>(i);
        }
    }
    if (!layout.shuffled) return out;
    const std::vector<std::uint32_t> window = dealt_windows(split.train.size(), layout);
    std::vector<std::uint32_t> next(window.empty() ? 0
                                                   : split.train.size() / layout.window_rows + 1);
    std::uint32_t in_file_order[3] = {0, 0, 0};
    for (std::size_t r = 0, k = 0; r < rows; ++r) {
        if (out.split[r] == 1) {
            const std::uint32_t w = window[k++];
            out.place[r] = static_cast<std::uint32_t>(w * layout.window_rows) + next[w]++;
        } else if (out.split[r] != 0) {
            out.place[r] = in_file_order[out.split[r] - 1]++;
        }
    }
    return out;
}

/// Rows bound for places of a feature file, gathered per stretch of `stretch_rows` places into
/// runs of consecutive places, each written in one go when it is full or broken.
class PlacedRows {
  public:
    PlacedRows(std::shared_ptr<FeatureFile> file, std::int64_t stretch_rows, std::int64_t run_rows)
        : file_(std::move(file)),
          stretch_rows_(std::max<std::int64_t>(stretch_rows, 1)),
          run_rows_(std::max<std::int64_t>(run_rows, 1)),
          runs_(static_cast<std::size_t>(file_->rows() / stretch_rows_ + 1)) {}

    void add(std::uint32_t place, const float* row) {
        Run& run = runs_[place / stretch_rows_];
        if (run.count > 0 && place != run.first + run.count) write(run);
        if (run.count == 0) run.first = place;
        run.rows.insert(run.rows.end(), row, row + file_->n_features());
        if (++run.count == run_rows_) write(run);
    }
    void flush() {
        for (Run& run : runs_) write(run);
    }

  private:
    struct Run {
        std::int64_t first = 0, count = 0;
        std::vector<float> rows;
    };
    void write(Run& run) {
        if (run.count > 0) file_->write(run.first, run.count, run.rows.data());
        run.rows.clear();
        run.count = 0;
    }

    std::shared_ptr<FeatureFile> file_;
    std::int64_t stretch_rows_, run_rows_;
    std::vector<Run> runs_;
};

/// The stretches of a split's file that take rows in turn: the training split's windows when
/// they are dealt at random, else the whole file.
std::int64_t stretch_rows(int split, const Dataset& d, const SplitLayout& layout) {
    return split == 0 && layout.shuffled ? layout.window_rows : std::max<std::int64_t>(d.n_rows, 1);
}

/// The splits' Datasets sized, their feature files (`prefix`.train, ...) and a writer for each,
/// whose buffers take about `buffer_bytes` in all.
std::vector<PlacedRows> open_split_files(PreparedData& data,
                                         bool weighted,
                                         const SplitLayout& layout,
                                         std::size_t buffer_bytes,
                                         const std::filesystem::path& prefix) {
    Dataset* splits[3] = {&data.train, &data.validation, &data.test};
    const std::vector<std::uint32_t>* parts[] = {&data.split.train, &data.split.validation,
                                                 &data.split.test};
    const char* names[] = {".train", ".validation", ".test"};
    const std::int64_t width = data.preprocessor.width();
    std::int64_t stretches = 0;
    std::vector<std::shared_ptr<FeatureFile>> files;
    for (int s = 0; s < 3; ++s) {
        Dataset& d = *splits[s];
        d.n_features = width;
        d.n_rows = static_cast<std::int64_t>(parts[s]->size());
        d.targets.resize(parts[s]->size());
        if (weighted) d.weights.resize(parts[s]->size());
        d.outside_vocabulary.assign(data.preprocessor.columns().size(), 0);
        files.push_back(std::make_shared<FeatureFile>(prefix.string() + names[s], width, d.n_rows));
        d.on_disk = files.back();
        stretches += d.n_rows / stretch_rows(s, d, layout) + 1;
    }
    const auto run_rows = static_cast<std::int64_t>(
        buffer_bytes / (static_cast<std::size_t>(stretches * width) * sizeof(float)));
    std::vector<PlacedRows> writers;
    for (int s = 0; s < 3; ++s) {
        writers.emplace_back(files[s], stretch_rows(s, *splits[s], layout), run_rows);
    }
    return writers;
}

}  // namespace

void encode_to_disk(const ColumnStore& store,
                    const prepare::Columns& columns,
                    const prepare::Rows& rows,
                    const SplitLayout& layout,
                    std::size_t buffer_bytes,
                    const std::filesystem::path& prefix,
                    PreparedData& data) {
    std::vector<PlacedRows> writers =
        open_split_files(data, columns.weight >= 0, layout, buffer_bytes, prefix);
    Dataset* splits[3] = {&data.train, &data.validation, &data.test};
    const Destinations to = destinations(data.split, store.rows(), layout);
    std::vector<int> needed = columns.features;
    if (columns.weight >= 0) needed.push_back(columns.weight);
    const auto width = static_cast<std::size_t>(data.preprocessor.width());
    // A slice's encoded rows take about as many bytes as the buffers.
    const std::size_t slice = std::max<std::size_t>(1, buffer_bytes / (width * sizeof(float)));
    std::vector<std::uint32_t> local;
    std::vector<float> encoded;
    std::vector<std::int64_t> outside;
    for (std::size_t g = 0; g < store.groups(); ++g) {
        const Table window = store.group(g, needed);
        const std::size_t first = store.group_first(g);
        for (std::uint8_t s = 0; s < 3; ++s) {
            Dataset& d = *splits[s];
            for (std::size_t begin = 0; begin < window.rows(); begin += slice) {
                local.clear();
                for (std::size_t r = begin; r < std::min(window.rows(), begin + slice); ++r) {
                    if (to.split[first + r] == s + 1)
                        local.push_back(static_cast<std::uint32_t>(r));
                }
                if (local.empty()) continue;
                data.preprocessor.transform(window, columns.features, local, encoded, &outside);
                for (std::size_t f = 0; f < outside.size(); ++f)
                    d.outside_vocabulary[f] += outside[f];
                for (std::size_t i = 0; i < local.size(); ++i) {
                    const std::uint32_t place = to.place[first + local[i]];
                    writers[s].add(place, encoded.data() + i * width);
                    d.targets[place] = rows.targets[first + local[i]];
                    if (columns.weight >= 0) {
                        d.weights[place] = window.columns[columns.weight][local[i]];
                    }
                }
            }
        }
    }
    for (PlacedRows& writer : writers) writer.flush();
}

}  // namespace dlctl
