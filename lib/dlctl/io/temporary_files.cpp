#include "dlctl/io/temporary_files.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace dlctl {

namespace {

constexpr int kSlots = 64;
constexpr std::size_t kPathBytes = 4096;
enum SlotState : int { kFree, kFilling, kWatched };

// Fixed storage: the signal handler may only read memory, never allocate or lock.
std::array<std::atomic<int>, kSlots> g_state{};
std::array<std::array<char, kPathBytes>, kSlots> g_paths{};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free slots");

void remove_and_die(int signal) {
    for (int i = 0; i < kSlots; ++i) {
        if (g_state[i].load() == kWatched) ::unlink(g_paths[i].data());
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void install_handlers() {
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction current {};
        sigaction(signal, nullptr, &current);
        if (current.sa_handler != SIG_DFL) continue;  // ignored (nohup) or handled already
        struct sigaction action {};
        action.sa_handler = remove_and_die;
        sigemptyset(&action.sa_mask);
        sigaction(signal, &action, nullptr);
    }
}

}  // namespace

TemporaryFileGuard::TemporaryFileGuard(const std::filesystem::path& path) {
    static std::once_flag installed;
    std::call_once(installed, install_handlers);
    const std::string& text = path.native();
    if (text.size() >= kPathBytes) return;
    for (int i = 0; i < kSlots; ++i) {
        int expected = kFree;
        if (!g_state[i].compare_exchange_strong(expected, kFilling)) continue;
        std::memcpy(g_paths[i].data(), text.c_str(), text.size() + 1);
        g_state[i].store(kWatched);
        slot_ = i;
        return;
    }
}

TemporaryFileGuard::~TemporaryFileGuard() {
    if (slot_ >= 0) g_state[slot_].store(kFree);
}

}  // namespace dlctl
