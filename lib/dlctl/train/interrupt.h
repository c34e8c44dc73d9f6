#pragma once

namespace dlctl {

/// While alive, Ctrl-C (SIGINT) only sets a flag that training polls after each step, so a run
/// stops cleanly and still writes its outputs; a second Ctrl-C ends the process at once.
class InterruptGuard {
  public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// Whether Ctrl-C was pressed since the guard was created.
    static bool requested();
    /// Sets the flag as Ctrl-C does (for tests).
    static void request();
};

}  // namespace dlctl
