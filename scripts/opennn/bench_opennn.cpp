// Training throughput of OpenNN on bench_train.py's seed network, for its --opennn column.
//
//   bench_opennn BATCH DROPOUT EPOCHS THREADS   ->   "samples_per_second <value>" on stdout
//
// 8192 rows of 64 uniform features in [-1, 1], label 1[x · w > 0] (w ~ N(0, 1)); every row is a
// training row. Network: 64 → 512 relu → 256 relu → 128 relu → 1 sigmoid, OpenNN's dropout
// (Dense::set_dropout_rate: on the layer's output, forward only) after each hidden layer, binary
// cross-entropy, Adam (lr 0.001, no gradient clipping, no regularization). Only
// TrainingStrategy::train() is timed. Built against an OpenNN source tree by build.sh.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "opennn.h"

using namespace opennn;

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: bench_opennn BATCH DROPOUT EPOCHS THREADS\n");
        return 2;
    }
    const Index batch = std::atol(argv[1]);
    const auto dropout = static_cast<type>(std::atof(argv[2]));
    const Index epochs = std::atol(argv[3]);
    const int threads = std::atoi(argv[4]);

    // OpenNN's Device makes a thread pool of hardware_concurrency() threads and sets OpenMP's
    // count to it, whatever OMP_NUM_THREADS says; both are reset here.
    Device::instance().set_threads_number(threads);
    Eigen::setNbThreads(threads);
    set_seed(42);

    constexpr Index kRows = 8192, kFeatures = 64;
    std::mt19937 generator(42);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> w(kFeatures);
    for (float& v : w) v = normal(generator);
    MatrixR data(kRows, kFeatures + 1);
    for (Index i = 0; i < kRows; ++i) {
        float dot = 0.0f;
        for (Index j = 0; j < kFeatures; ++j) {
            data(i, j) = uniform(generator);
            dot += data(i, j) * w[j];
        }
        data(i, kFeatures) = dot > 0.0f ? 1.0f : 0.0f;
    }
    Dataset dataset(kRows, Shape{kFeatures}, Shape{1});
    dataset.set_display(false);
    dataset.set_data(data);
    dataset.set_sample_roles("Training");

    NeuralNetwork network;
    const Index widths[] = {kFeatures, 512, 256, 128, 1};
    for (int i = 0; i < 4; ++i) {
        auto layer = std::make_unique<opennn::Dense<2>>(Shape{widths[i]}, Shape{widths[i + 1]},
                                                        i < 3 ? "RectifiedLinear" : "Sigmoid",
                                                        false, "dense_" + std::to_string(i));
        if (i < 3) layer->set_dropout_rate(dropout);
        network.add_layer(std::move(layer));
    }
    network.set_parameters_glorot();
    network.set_display(false);

    TrainingStrategy strategy(&network, &dataset);
    strategy.set_loss("CrossEntropyError2d");
    strategy.get_loss()->set_regularization_method("None");
    strategy.set_optimization_algorithm("AdaptiveMomentEstimation");
    auto* adam = dynamic_cast<AdaptiveMomentEstimation*>(strategy.get_optimization_algorithm());
    adam->set_learning_rate(type(0.001));
    adam->set_batch_size(batch);
    adam->set_maximum_epochs(epochs - 1);  // OpenNN runs epochs 0 ... maximum_epochs
    adam->set_gradient_clip_norm(type(0));
    adam->set_display(false);

    const auto start = std::chrono::steady_clock::now();
    const TrainingResults results = strategy.train();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Index epochs_run = results.training_error_history.size();
    std::printf("samples_per_second %.1f\nepochs %ld\nloss_first %g\nloss_last %g\n",
                static_cast<double>(kRows * epochs_run) / seconds, static_cast<long>(epochs_run),
                static_cast<double>(results.training_error_history(0)),
                static_cast<double>(results.training_error_history(epochs_run - 1)));
    return 0;
}
