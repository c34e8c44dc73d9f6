#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <new>

#include "commands.h"
#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"

namespace {

std::string version_text() {
    const dlctl::BuildInfo& b = dlctl::build_info();
    return fmt::format("dlctl {} (commit {}, {} build, CUDA {}, MPI {})", b.version, b.git_commit,
                       b.build_type, b.cuda ? "on" : "off", b.mpi ? "on" : "off");
}

/// Logs go to stderr (stdout carries only results); -q shows warnings and errors only. The level
/// applies to the console alone: a run's train.log always records info and above.
void setup_logging(int verbosity) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern("%^[%l]%$ %v");
    console->set_level(verbosity < 0   ? spdlog::level::warn
                       : verbosity > 0 ? spdlog::level::debug
                                       : spdlog::level::info);
    auto logger = std::make_shared<spdlog::logger>("dlctl", console);
    logger->set_level(verbosity > 0 ? spdlog::level::debug : spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"dlctl - train, evaluate and serve neural networks on CSV data from YAML specs"};
    app.set_version_flag("--version", version_text());
    app.require_subcommand(1);
    app.fallthrough();
    bool quiet = false;
    bool verbose = false;
    app.add_flag("-q,--quiet", quiet, "only warnings and errors on stderr");
    app.add_flag("-v,--verbose", verbose, "debug messages on stderr");
    app.footer(
        "Examples:\n"
        "  dlctl train configs/breast_cancer.yaml\n"
        "  run=$(dlctl train configs/breast_cancer.yaml --set train.epochs=5 | tail -1)\n"
        "  dlctl validate configs/breast_cancer.yaml --set model.layers.0.units=64\n"
        "Run 'dlctl SUBCOMMAND --help' for a subcommand's options. Exit codes: 0 ok, 1 internal,\n"
        "2 usage/spec, 3 data, 4 file/checkpoint I/O, 5 device, 6 diverged, 7 unsupported.");

    dlctl::cli::Action action;
    dlctl::cli::add_train_command(app, action);
    dlctl::cli::add_validate_command(app, action);
    dlctl::cli::add_init_command(app, action);
    dlctl::cli::add_eval_command(app, action);
    dlctl::cli::add_calibrate_command(app, action);
    dlctl::cli::add_predict_command(app, action);
    dlctl::cli::add_explain_command(app, action);
    dlctl::cli::add_export_command(app, action);
    dlctl::cli::add_inspect_command(app, action);
    dlctl::cli::add_devices_command(app, action);
    dlctl::cli::add_report_command(app, action);

    // CLI11 reports a mistyped subcommand only as "a subcommand is required"; name it instead.
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (argc > 1 && argv[1][0] != '-' &&
        std::find(names.begin(), names.end(), argv[1]) == names.end()) {
        std::fprintf(stderr, "dlctl: error: unknown subcommand '%s'%s\n  hint: one of %s\n",
                     argv[1], dlctl::did_you_mean(argv[1], names).c_str(),
                     dlctl::quoted_list(names).c_str());
        return static_cast<int>(dlctl::ExitCode::kUsage);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr,
                     "dlctl: error: %s\n  hint: run 'dlctl --help' or 'dlctl SUBCOMMAND --help'\n",
                     e.what());
        return static_cast<int>(dlctl::ExitCode::kUsage);
    }
    if (quiet && verbose) {
        std::fprintf(stderr, "dlctl: error: --quiet and --verbose exclude each other\n");
        return static_cast<int>(dlctl::ExitCode::kUsage);
    }
    setup_logging(quiet ? -1 : verbose ? 1 : 0);

    try {
        return action();
    } catch (const dlctl::Error& e) {
        return dlctl::cli::report(e);
    } catch (const std::filesystem::filesystem_error& e) {
        std::fprintf(stderr, "dlctl: error: %s\n", e.what());
        return static_cast<int>(dlctl::ExitCode::kIo);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "dlctl: error: out of memory\n");
        return static_cast<int>(dlctl::ExitCode::kInternal);
    } catch (const std::exception& e) {
        std::fprintf(stderr,
                     "dlctl: internal error: %s\n  hint: this is a bug in dlctl; please "
                     "report it with the command that triggered it\n",
                     e.what());
        return static_cast<int>(dlctl::ExitCode::kInternal);
    }
}

namespace dlctl::cli {

int report(const Error& e) {
    std::fprintf(stderr, "dlctl: error: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
    return static_cast<int>(e.code());
}

}  // namespace dlctl::cli
