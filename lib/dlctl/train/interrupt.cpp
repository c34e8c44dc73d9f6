#include "dlctl/train/interrupt.h"

#include <atomic>
#include <csignal>

namespace dlctl {

namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_depth{0};  ///< guards alive; the outermost installs and restores the handlers
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

void on_signal(int signal) {
    int none = 0;
    g_signal.compare_exchange_strong(none, signal);
    // The next signal gets the action from before the guard: by default, terminate now.
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
}

}  // namespace

InterruptGuard::InterruptGuard() {
    if (g_depth++ > 0) return;
    g_signal.store(0);
    struct sigaction action {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;  // writes to the terminal are not cut short by Ctrl-C
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &g_previous_int);
    sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
    if (--g_depth > 0) return;
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool InterruptGuard::requested() { return g_signal.load() != 0; }

int InterruptGuard::signal() { return g_signal.load(); }

void InterruptGuard::request() { g_signal.store(SIGINT); }

}  // namespace dlctl
