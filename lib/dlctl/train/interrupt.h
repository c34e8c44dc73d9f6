#pragma once

namespace dlctl {

/// While alive, Ctrl-C (SIGINT) and SIGTERM (Slurm's scancel and time limit, `kill`) only set a
/// flag that training polls after each step, so a run stops cleanly and still writes its
/// outputs; a second signal gets the action from before the guard (by default: end at once).
/// Guards nest (a cross-validation run's folds): an inner guard shares the outer one's flag.
class InterruptGuard {
  public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// Whether a signal came since the outermost guard was created.
    static bool requested();
    /// The signal that came (SIGINT or SIGTERM), 0 when none did.
    static int signal();
    /// Sets the flag as Ctrl-C does (for tests).
    static void request();
};

}  // namespace dlctl
