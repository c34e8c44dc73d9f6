#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace dlctl {
class Error;
}

namespace dlctl::cli {

/// Prints `e` as dlctl reports every error ("dlctl: error: …" and its hint) on stderr and
/// returns its exit code.
int report(const Error& e);

/// What a parsed subcommand does; set by the subcommand's parse callback, run by main() inside
/// the error-to-exit-code mapping. Returns the exit code.
using Action = std::function<int()>;

/// Each adds one subcommand (its flags, help and worked example) to `app`.
void add_train_command(CLI::App& app, Action& action);
void add_validate_command(CLI::App& app, Action& action);
void add_init_command(CLI::App& app, Action& action);
void add_eval_command(CLI::App& app, Action& action);
void add_calibrate_command(CLI::App& app, Action& action);
void add_predict_command(CLI::App& app, Action& action);
void add_explain_command(CLI::App& app, Action& action);
void add_export_command(CLI::App& app, Action& action);
void add_inspect_command(CLI::App& app, Action& action);
void add_devices_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);

}  // namespace dlctl::cli
