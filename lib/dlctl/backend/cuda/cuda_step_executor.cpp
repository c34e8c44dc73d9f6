#include "dlctl/backend/cuda/cuda_step_executor.h"

#include "dlctl/nn/sequential.h"

namespace dlctl {

CudaStepExecutor::CudaStepExecutor(Backend& backend,
                                   Sequential& model,
                                   const Loss& loss,
                                   const StepOptions& options)
    : StepExecutor(backend, model, loss, options),
      work_(model.make_workspace(backend, options.batch_size, true)),
      loss_scratch_(backend.allocate(
          this->loss().scratch_floats(model.output_size() * model.members() * options.batch_size))),
      prediction_scratch_(backend.allocate(model.prediction_scratch_floats(options.batch_size))) {}

void CudaStepExecutor::train_batch(const Batch& batch) {
    Backend& gpu = backend();
    const Sequential& model = this->model();
    gpu.fill(work_.gradients(), 0.0f);  // layers add to their gradients
    const ForwardContext ctx{Mode::kTrain, options().seed, batch.global_step,
                             options().first_sample};
    const Tensor logits = model.forward(gpu, work_, batch.features, ctx);
    if (options().keep_predictions) {
        model.predict(gpu, logits, prediction_scratch_.data(),
                      predictions(batch.first, batch.features.cols));
    }
    loss().forward_backward(gpu, logits, batch.targets, batch.weights, loss_scratch_.data(),
                            batch.divisor, model.logits_grad(work_, batch.features.cols),
                            loss_slot(batch.first_slot));
    model.backward(gpu, work_);
}

}  // namespace dlctl
