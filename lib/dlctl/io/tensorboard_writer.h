#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlctl {

/// A Summary.Value message (tensorboard/compat/proto/summary.proto) holding one scalar: the
/// form TensorBoard's scalars dashboard reads (simple_value).
std::string scalar_summary_value(std::string_view tag, float value);

/// Seconds since the Unix epoch, as TensorBoard's wall times are.
double unix_seconds_now();

/// Writes one TensorBoard event file: TFRecords of Event messages
/// (tensorboard/compat/proto/event.proto), the first one saying the file's version.
class TensorboardWriter {
  public:
    /// Creates `dir` (with its parents) and a new `events.out.tfevents.<unix seconds>.<host>.
    /// <pid>.<n>.dlctl` in it, never replacing a file; IoError naming the path when it cannot.
    explicit TensorboardWriter(const std::filesystem::path& dir);
    ~TensorboardWriter();
    TensorboardWriter(const TensorboardWriter&) = delete;
    TensorboardWriter& operator=(const TensorboardWriter&) = delete;

    /// One Event at `step` whose Summary holds `values` (Summary.Value messages, e.g. from
    /// scalar_summary_value). Buffered until flush().
    void add_summary(std::int64_t step,
                     const std::vector<std::string>& values,
                     double wall_time = unix_seconds_now());
    /// One Event at `step` holding a scalar per (tag, value).
    void add_scalars(std::int64_t step,
                     const std::vector<std::pair<std::string, float>>& scalars,
                     double wall_time = unix_seconds_now());
    /// Hands everything written so far to the file system; IoError naming the path on failure.
    void flush();

    const std::filesystem::path& path() const { return path_; }

  private:
    void write_event(const std::string& event);

    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
    int error_ = 0;  ///< errno of the first write that failed
};

}  // namespace dlctl
