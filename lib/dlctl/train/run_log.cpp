#include "dlctl/train/run_log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "dlctl/core/error.h"

namespace dlctl {

RunLog::RunLog(const std::filesystem::path& path) {
    try {
        sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string(), false);
    } catch (const spdlog::spdlog_ex& e) {
        throw IoError("cannot open '" + path.string() + "': " + e.what());
    }
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    sink_->set_level(spdlog::level::info);
    spdlog::default_logger()->sinks().push_back(sink_);
}

RunLog::~RunLog() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

}  // namespace dlctl
