#include "dlctl/io/output_sink.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl {

OutputSink::OutputSink(const std::string& path) {
    if (!path.empty() && path != "-") file_ = std::make_unique<AtomicFileWriter>(path, false);
}

OutputSink::~OutputSink() = default;

void OutputSink::write(std::string_view text) {
    if (file_ != nullptr) {
        file_->write_at(size_, text);
        size_ += text.size();
        return;
    }
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        throw IoError("cannot write to standard output: " + std::string(std::strerror(errno)));
    }
}

void OutputSink::commit() {
    if (file_ != nullptr) {
        file_->commit(size_);
        return;
    }
    if (std::fflush(stdout) != 0) {
        throw IoError("cannot write to standard output: " + std::string(std::strerror(errno)));
    }
}

}  // namespace dlctl
