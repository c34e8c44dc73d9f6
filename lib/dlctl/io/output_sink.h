#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace dlctl {

class AtomicFileWriter;

/// Where a command's streamed output goes: standard output ("" or "-"), or a file that appears
/// only complete: written under a temporary name and renamed over the path by commit(), so a
/// failed run never replaces a good file (AtomicFileWriter). Methods throw IoError.
class OutputSink {
  public:
    explicit OutputSink(const std::string& path);
    ~OutputSink();
    OutputSink(const OutputSink&) = delete;
    OutputSink& operator=(const OutputSink&) = delete;

    bool is_stdout() const { return file_ == nullptr; }
    void write(std::string_view text);
    /// Flushes standard output, or puts the complete file in place.
    void commit();

  private:
    std::unique_ptr<AtomicFileWriter> file_;
    std::uint64_t size_ = 0;
};

}  // namespace dlctl
