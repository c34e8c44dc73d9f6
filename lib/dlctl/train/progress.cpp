#include "dlctl/train/progress.h"

#include <fmt/format.h>

#include <cstdio>

namespace dlctl {

bool ProgressLine::due() const {
    return enabled_ &&
           std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100);
}

void ProgressLine::start_epoch() {
    epoch_start_ = std::chrono::steady_clock::now();
    last_draw_ = epoch_start_;
}

void ProgressLine::draw(
    int epoch, int epochs, std::int64_t step, std::int64_t steps, double running_loss) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    last_draw_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * step / std::max<std::int64_t>(steps, 1));
    std::string bar(kWidth, '.');
    for (int i = 0; i < filled; ++i) bar[i] = '=';
    if (filled < kWidth) bar[filled] = '>';
    const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
    const double eta = step > 0 ? elapsed * static_cast<double>(steps - step) / step : 0.0;
    std::fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %lld/%lld - ETA %.1fs - loss %.4f", epoch,
                 epochs, bar.c_str(), static_cast<long long>(step), static_cast<long long>(steps),
                 eta, running_loss);
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressLine::clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace dlctl
