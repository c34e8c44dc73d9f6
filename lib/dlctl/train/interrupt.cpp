#include "dlctl/train/interrupt.h"

#include <atomic>
#include <csignal>

namespace dlctl {

namespace {

std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");
struct sigaction g_previous {};

void on_interrupt(int) {
    g_requested.store(true);
    // The next Ctrl-C gets the default action: terminate now.
    std::signal(SIGINT, SIG_DFL);
}

}  // namespace

InterruptGuard::InterruptGuard() {
    g_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;  // writes to the terminal are not cut short by Ctrl-C
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &g_previous);
}

InterruptGuard::~InterruptGuard() { sigaction(SIGINT, &g_previous, nullptr); }

bool InterruptGuard::requested() { return g_requested.load(); }

void InterruptGuard::request() { g_requested.store(true); }

}  // namespace dlctl
