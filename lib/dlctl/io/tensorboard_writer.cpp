#include "dlctl/io/tensorboard_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "dlctl/core/error.h"
#include "dlctl/io/protobuf_wire.h"
#include "dlctl/io/tfrecord.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

// Field numbers of tensorboard/compat/proto/event.proto and summary.proto.
constexpr int kEventWallTime = 1, kEventStep = 2, kEventFileVersion = 3, kEventSummary = 5;
constexpr int kSummaryValue = 1;
constexpr int kValueTag = 1, kValueSimpleValue = 2;

/// This machine's name, reduced to characters safe in a file name.
std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    std::string out(name);
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') c = '_';
    }
    return out;
}

std::string event_file_name() {
    static std::atomic<int> files{0};
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    return fmt::format("events.out.tfevents.{}.{}.{}.{}.dlctl", seconds, host_name(), ::getpid(),
                       files++);
}

ProtoMessage event_header(std::int64_t step, double wall_time) {
    ProtoMessage event;
    event.float64(kEventWallTime, wall_time);
    event.varint(kEventStep, static_cast<std::uint64_t>(step));
    return event;
}

}  // namespace

std::string scalar_summary_value(std::string_view tag, float value) {
    return ProtoMessage().bytes(kValueTag, tag).float32(kValueSimpleValue, value).encoded();
}

double unix_seconds_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TensorboardWriter::TensorboardWriter(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IoError("cannot create '" + dir.string() + "': " + ec.message());
    path_ = dir / event_file_name();
    file_ = std::fopen(path_.c_str(), "wbx");  // "x": never replaces a file
    if (file_ == nullptr) {
        throw IoError("cannot create '" + path_.string() + "': " + std::strerror(errno));
    }
    ProtoMessage version = event_header(0, unix_seconds_now());
    version.bytes(kEventFileVersion, "brain.Event:2");
    write_event(version.encoded());
    flush();
}

TensorboardWriter::~TensorboardWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

void TensorboardWriter::write_event(const std::string& event) {
    const std::string record = tfrecord(event);
    errno = 0;
    if (error_ == 0 && std::fwrite(record.data(), 1, record.size(), file_) != record.size()) {
        error_ = errno != 0 ? errno : EIO;
    }
}

void TensorboardWriter::add_summary(std::int64_t step,
                                    const std::vector<std::string>& values,
                                    double wall_time) {
    ProtoMessage summary;
    for (const auto& value : values) summary.bytes(kSummaryValue, value);
    write_event(event_header(step, wall_time).message(kEventSummary, summary).encoded());
}

void TensorboardWriter::add_scalars(std::int64_t step,
                                    const std::vector<std::pair<std::string, float>>& scalars,
                                    double wall_time) {
    std::vector<std::string> values;
    values.reserve(scalars.size());
    for (const auto& [tag, value] : scalars) values.push_back(scalar_summary_value(tag, value));
    add_summary(step, values, wall_time);
}

void TensorboardWriter::flush() {
    errno = 0;
    if (error_ == 0 && std::fflush(file_) != 0) error_ = errno != 0 ? errno : EIO;
    if (error_ != 0) {
        throw IoError("cannot write '" + path_.string() + "': " + std::strerror(error_));
    }
}

}  // namespace dlctl
