#include "dlctl/backend/cpu/cpu_step_executor.h"

#include <fmt/format.h>

#include <algorithm>

#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/error.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

namespace {

/// A pass keeps about this many floats of layer outputs (1 MB), so that the elementwise passes
/// and the products that read them find them in cache (docs/benchmarks.md: pass sizes).
constexpr std::int64_t kPassActivationFloats = std::int64_t{1} << 18;
/// A lane's share of a batch is rounded up to this many columns (SIMD-friendly widths; dropout
/// counters need multiples of 8).
constexpr std::int64_t kLaneShareGranule = 16;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

CpuPassPlan plan_cpu_passes(int threads,
                            std::int64_t batch,
                            std::int64_t floats_per_sample,
                            bool mixes_samples) {
    if (mixes_samples) return {batch, 1};
    const std::int64_t granule = cpu::kPassColumnGranule;
    const std::int64_t fitting =
        kPassActivationFloats / std::max<std::int64_t>(floats_per_sample, 1);
    CpuPassPlan plan{std::min(batch, std::max(granule, fitting / granule * granule)), 1};
    // A lane a thread when each thread gets a pass of at least a granule (otherwise the products
    // use all threads in one lane); the passes then share the batch about evenly.
    if (threads > 1 && batch >= threads * granule) {
        const std::int64_t share = ceil_div(batch, threads);
        plan.columns =
            std::min(plan.columns, ceil_div(share, kLaneShareGranule) * kLaneShareGranule);
        plan.lanes =
            static_cast<int>(std::min<std::int64_t>(threads, ceil_div(batch, plan.columns)));
    }
    return plan;
}

CpuStepExecutor::CpuStepExecutor(CpuBackend& backend,
                                 Sequential& model,
                                 const Loss& loss,
                                 const StepOptions& options)
    : StepExecutor(backend, model, loss, options), cpu_(backend), program_(model) {
    const std::int64_t batch = options.batch_size;
    plan_ = plan_cpu_passes(cpu_.threads(), batch, program_.activation_floats_per_sample(),
                            model.mixes_samples());
    if (options.pass_columns > 0 && !model.mixes_samples()) {
        // Multiples of 8 columns: a pass's dropout counters start on a Philox block.
        plan_.columns = std::min<std::int64_t>(ceil_div(options.pass_columns, 8) * 8, batch);
        plan_.lanes = static_cast<int>(
            std::min<std::int64_t>(cpu_.threads(), ceil_div(batch, plan_.columns)));
    }
    DLCTL_CHECK(plan_.columns > 0 && plan_.lanes >= 1);
    const std::int64_t scratch =
        this->loss().scratch_floats(model.output_size() * model.members() * plan_.columns);
    for (int lane = 0; lane < plan_.lanes; ++lane) {
        lanes_.push_back({program_.make_workspace(cpu_, plan_.columns), cpu_.allocate(scratch),
                          cpu_.allocate(model.prediction_scratch_floats(plan_.columns))});
    }
    cpu_.set_parameter_layout(model.parameter_tensors());
}

std::string CpuStepExecutor::describe() const {
    if (plan_.columns >= options().batch_size) return {};
    return fmt::format(
        "each batch of {} rows is trained in passes of {}, {} at a time (activations kept in "
        "cache; their gradients add up to the batch's)",
        options().batch_size, plan_.columns, plan_.lanes);
}

std::int64_t CpuStepExecutor::passes(std::int64_t count) const {
    return ceil_div(count, plan_.columns);
}

void CpuStepExecutor::train_batch(const Batch& batch) {
    const int lanes =
        static_cast<int>(std::min<std::int64_t>(plan_.lanes, passes(batch.features.cols)));
    if (lanes == 1) {
        run_lane(batch, 0, 1, cpu_);
        return;
    }
    // Three pointers: std::function keeps them without allocating.
    cpu_.run_lanes(lanes, [this, &batch, lanes](int lane, CpuBackend& backend) {
        run_lane(batch, lane, lanes, backend);
    });
    for (int lane = 1; lane < lanes; ++lane) {
        cpu_.add(lanes_[static_cast<std::size_t>(lane)].work.gradients(), gradients());
    }
}

void CpuStepExecutor::run_lane(const Batch& batch, int lane, int lanes, CpuBackend& backend) {
    Lane& memory = lanes_[static_cast<std::size_t>(lane)];
    const Sequential& model = this->model();
    const std::int64_t count = batch.features.cols;
    const auto columns = [&](const Tensor& t, std::int64_t first, std::int64_t width) {
        return t.data == nullptr ? Tensor{} : Tensor{t.data + first * t.rows, t.rows, width};
    };
    for (std::int64_t pass = lane; pass < passes(count); pass += lanes) {
        const std::int64_t column = pass * plan_.columns;
        const std::int64_t width = std::min(plan_.columns, count - column);
        const Tensor x = columns(batch.features, column, width);
        const ForwardContext ctx{Mode::kTrain, options().seed, batch.global_step,
                                 options().first_sample + column};
        const Tensor logits = program_.forward(backend, memory.work, x, ctx);
        if (options().keep_predictions) {
            model.predict(backend, logits, memory.prediction_scratch.data(),
                          predictions(batch.first + column, width));
        }
        loss().forward_backward(backend, logits, columns(batch.targets, column, width),
                                columns(batch.weights, column, width), memory.loss_scratch.data(),
                                batch.divisor, program_.logits_grad(memory.work, width),
                                loss_slot(batch.first_slot + pass));
        program_.backward(backend, memory.work, pass < lanes);
    }
}

}  // namespace dlctl
