#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/launch.h"
#include "dlctl/core/random.h"
#include "dlctl/data/dataset.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/parallel/row_shard.h"
#include "dlctl/train/experiment.h"
#include "dlctl/train/parameter_groups.h"
#include "dlctl/train/trainer.h"
#include "support/small_network.h"
#include "support/temp_dir.h"
#include "support/thread_ranks.h"

using namespace dlctl;
using namespace dlctl::test;

namespace {

struct Trained {
    std::vector<double> losses, val_losses;
    std::vector<float> parameters;
};

/// Trains a small network on `ranks` (its block of every split) and returns what rank 0 saw.
Trained train_on(Communicator* ranks,
                 const Dataset& train,
                 const Dataset& validation,
                 int batch_size) {
    SmallNetwork network = small_binary_network(train.n_features, 16);
    Backend& backend = *network.backend;
    Sequential& model = *network.model;
    TrainerOptions o;
    o.epochs = 4;
    o.batch_size = batch_size;
    o.seed = 11;
    o.metrics = {"accuracy", "auc"};
    o.classes = 1;
    o.ranks = ranks;
    Trainer trainer(backend, model, *network.loss, *network.optimizer, o);
    const int rank = ranks ? ranks->rank() : 0, size = ranks ? ranks->size() : 1;
    const RowShard t = shard_rows(train.n_rows, rank, size);
    const RowShard v = shard_rows(validation.n_rows, rank, size);
    const Dataset train_rows = rows_of(train, t.first, t.count);
    const Dataset validation_rows = rows_of(validation, v.first, v.count);
    const DeviceDataset d = trainer.upload(train_rows, t), dv = trainer.upload(validation_rows, v);
    trainer.synchronize_model();
    Trained out;
    trainer.fit(d, &dv, [&](const EpochResult& r) {
        out.losses.push_back(r.train.loss);
        out.val_losses.push_back(r.validation->loss);
    });
    std::vector<float> host(static_cast<std::size_t>(model.parameter_count()));
    backend.download(model.parameters(), host.data());
    out.parameters = host;
    return out;
}

}  // namespace

TEST_CASE("rank blocks cover every row once, in rank order, as equal as can be", "[parallel]") {
    for (const std::int64_t total : {0, 1, 7, 100}) {
        std::int64_t next = 0;
        for (int r = 0; r < 3; ++r) {
            const RowShard s = shard_rows(total, r, 3);
            CHECK(s.first == next);
            CHECK(s.total == total);
            CHECK(s.count >= total / 3);
            CHECK(s.count <= total / 3 + 1);
            next += s.count;
        }
        CHECK(next == total);
    }
}

TEST_CASE("ranks train to one process's losses and weights", "[parallel][trainer]") {
    const Dataset all = weighted_binary_rows(130);
    const Dataset train = rows_of(all, 0, 100), validation = rows_of(all, 100, 30);
    // Batches of 24: the last is partial and the ranks' shares of a step differ; of 2 on 3
    // ranks, every step leaves a rank without a sample.
    for (const auto& [size, batch] : {std::pair{2, 24}, {3, 2}}) {
        INFO(size << " ranks, batch " << batch);
        const Trained one = train_on(nullptr, train, validation, batch);
        std::vector<Trained> ranks(static_cast<std::size_t>(size));
        ThreadRanks(size).run(
            [&](Communicator& c) { ranks[c.rank()] = train_on(&c, train, validation, batch); });
        REQUIRE(ranks[0].losses.size() == one.losses.size());
        for (std::size_t e = 0; e < one.losses.size(); ++e) {
            CHECK(ranks[0].losses[e] == Approx(one.losses[e]).epsilon(1e-6));
            CHECK(ranks[0].val_losses[e] == Approx(one.val_losses[e]).epsilon(1e-6));
        }
        for (int r = 1; r < size; ++r) CHECK(ranks[r].parameters == ranks[0].parameters);
        for (std::size_t i = 0; i < one.parameters.size(); ++i) {
            CHECK(ranks[0].parameters[i] == Approx(one.parameters[i]).margin(1e-5));
        }
    }
}

TEST_CASE("ranks that hold no row of a split still train and evaluate with the others",
          "[parallel][trainer]") {
    const Dataset all = weighted_binary_rows(3);
    const Dataset train = rows_of(all, 0, 2), validation = rows_of(all, 2, 1);
    const Trained one = train_on(nullptr, train, validation, 2);
    std::vector<Trained> ranks(3);
    ThreadRanks(3).run(
        [&](Communicator& c) { ranks[c.rank()] = train_on(&c, train, validation, 2); });
    REQUIRE(ranks[0].losses.size() == one.losses.size());
    for (std::size_t e = 0; e < one.losses.size(); ++e) {
        CHECK(ranks[0].losses[e] == Approx(one.losses[e]).epsilon(1e-6));
        CHECK(ranks[2].val_losses[e] == Approx(one.val_losses[e]).epsilon(1e-6));
    }
}

TEST_CASE("an error on some ranks reaches every rank, naming the first", "[parallel]") {
    std::vector<std::string> messages(3);
    std::vector<ExitCode> codes(3);
    ThreadRanks(3).run([&](Communicator& c) {
        try {
            on_every_rank(c, [&] {
                if (c.rank() >= 1) throw DataError("cannot read shard " + std::to_string(c.rank()));
            });
        } catch (const RanksError& e) {
            messages[c.rank()] = e.what();
            codes[c.rank()] = e.code();
        }
    });
    for (int r = 0; r < 3; ++r) {
        CHECK(messages[r] == "rank 1 of 3: cannot read shard 1");
        CHECK(codes[r] == ExitCode::kData);
    }
}

TEST_CASE("ranks that disagree with rank 0 are named", "[parallel]") {
    std::vector<std::string> messages(3);
    ThreadRanks(3).run([&](Communicator& c) {
        try {
            check_ranks_agree(c, "resolved spec", c.rank() == 0 ? "a" : "b");
        } catch (const RanksError& e) {
            messages[c.rank()] = e.what();
        }
    });
    for (const auto& m : messages) {
        CHECK(m == "ranks 1, 2 of 3 have a different resolved spec than rank 0");
    }
    ThreadRanks(2).run([](Communicator& c) { check_ranks_agree(c, "build", "same"); });
}

TEST_CASE("a rank that fails does not leave the other ranks waiting", "[parallel]") {
    const auto fail_on_rank_1 = [](Communicator& c) {
        if (c.rank() == 1) throw DataError("rank 1 cannot go on");
        float x = 1.0f;
        c.sum(&x, 1);  // rank 0 meets nobody here
    };
    CHECK_THROWS_WITH(ThreadRanks(2).run(fail_on_rank_1), "rank 1 cannot go on");
}

TEST_CASE("ranks in different collectives fail instead of waiting", "[parallel]") {
    const auto mismatched = [](Communicator& c) {
        float x = 1.0f;
        if (c.rank() == 0) {
            c.sum(&x, 1);
        } else {
            c.broadcast(&x, 1);
        }
    };
    CHECK_THROWS_WITH(ThreadRanks(2).run(mismatched),
                      "rank 1 is in a broadcast of 1 while rank 0 is in a sum of 1");
}

TEST_CASE("a launcher's variables say how many ranks there are and where this one stands",
          "[parallel]") {
    const char* variables[] = {
        "OMPI_COMM_WORLD_SIZE",       "PMI_SIZE",        "SLURM_STEP_NUM_TASKS",
        "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE",
        "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"};
    for (const char* v : variables) unsetenv(v);
    CHECK_FALSE(parallel_launch());
    CHECK(ranks_on_this_machine() == 1);
    CHECK(rank_on_this_machine() == 0);

    setenv("SLURM_STEP_NUM_TASKS", "1", 1);  // one task is no parallel launch
    CHECK_FALSE(parallel_launch());
    setenv("PMI_SIZE", "4", 1);
    REQUIRE(parallel_launch());
    CHECK(parallel_launch()->ranks == 4);
    CHECK(parallel_launch()->variable == "PMI_SIZE");
    setenv("OMPI_COMM_WORLD_SIZE", "x2", 1);  // not a count: the next variable says
    CHECK(parallel_launch()->variable == "PMI_SIZE");

    setenv("SLURM_NTASKS_PER_NODE", "2", 1);
    setenv("SLURM_LOCALID", "1", 1);
    CHECK(ranks_on_this_machine() == 2);
    CHECK(rank_on_this_machine() == 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "3", 1);  // Open MPI's own come first
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "2", 1);
    CHECK(ranks_on_this_machine() == 3);
    CHECK(rank_on_this_machine() == 2);
    for (const char* v : variables) unsetenv(v);
    CHECK(cpus_of_this_process() >= 1);
}

namespace {

/// A run's metrics.csv without its last column (each epoch's seconds).
std::vector<std::string> metrics_without_seconds(const std::filesystem::path& run_dir) {
    std::istringstream csv(read_text(run_dir / "metrics.csv"));
    std::vector<std::string> out;
    for (std::string line; std::getline(csv, line);) out.push_back(line.substr(0, line.rfind(',')));
    return out;
}

/// 200 rows of four features, a binary target y and a numeric one z.
std::string two_target_csv() {
    std::ostringstream csv;
    csv << "x0,x1,x2,x3,y,z\n";
    Rng rng(7, RngStream::kInit);
    for (int i = 0; i < 200; ++i) {
        double sum = 0.0;
        for (int f = 0; f < 4; ++f) {
            const double x = rng.uniform() * 2 - 1;
            sum += x;
            csv << x << ",";
        }
        csv << (sum > 0 ? 1 : 0) << "," << 3 * sum + rng.uniform() << "\n";
    }
    return csv.str();
}

}  // namespace

TEST_CASE("rank 0's run and the other ranks' follow make the same collectives",
          "[parallel][experiment]") {
    TempDir dir;
    dir.write("d.csv", two_target_csv());
    // Batch norm, dropout, early stopping restoring the best weights, metrics gathered, a test
    // split; then regression without metrics or a validation split.
    const std::pair<const char*, const char*> specs[] = {
        {"classify",
         "data: {path: d.csv, target: y, drop: [z], cache: false,\n"
         "       split: {test: 0.2, validation: 0.2}}\n"
         "model:\n  layers:\n"
         "    - {type: dense, units: 8, activation: relu}\n    - {type: batch_norm}\n"
         "    - {type: dropout, rate: 0.1}\n    - {type: dense, units: 1, activation: sigmoid}\n"
         "train: {epochs: 6, batch_size: 16, loss: binary_crossentropy, threads: 1,\n"
         "        optimizer: {type: adam, lr: 0.01}, metrics: [accuracy, auc],\n"
         "        early_stopping: {monitor: val_loss, patience: 2, restore_best: true}}\n"},
        {"regress",
         "data: {path: d.csv, target: z, drop: [y], cache: false,\n"
         "       split: {test: 0.2, validation: 0}}\n"
         "model:\n  layers:\n"
         "    - {type: dense, units: 8, activation: relu}\n"
         "    - {type: dense, units: 1, activation: linear}\n"
         "train: {epochs: 3, batch_size: 16, loss: mse, threads: 1, metrics: [],\n"
         "        optimizer: {type: adam, lr: 0.01}}\n"},
    };
    for (const auto& [name, yaml] : specs) {
        INFO(name);
        const ExperimentSpec spec = load_spec_from_string(yaml, "spec.yaml", dir.path());
        ThreadRanks(2).run([&](Communicator& c) {
            ExperimentOptions options;
            options.run_dir = dir.path() / name;
            options.ranks = &c;
            run_experiment(spec, options);
        });
        const std::string summary = read_text(dir.path() / name / "summary.json");
        CHECK(summary.find("\"ranks\": 2") != std::string::npos);
        CHECK(summary.find("\"status\": \"completed\"") != std::string::npos);
    }
}

TEST_CASE("ranks reading their parts of the file train as ranks reading all of it",
          "[parallel][experiment]") {
    TempDir dir;
    dir.write("d.csv", two_target_csv());
    // model.data_init samples training rows that several ranks hold.
    const std::string yaml =
        "data: {path: d.csv, target: y, drop: [z], cache: false,\n"
        "       split: {test: 0.2, validation: 0.2}}\n"
        "model:\n  data_init: true\n  layers:\n"
        "    - {type: dense, units: 8, activation: relu}\n"
        "    - {type: dense, units: 1, activation: sigmoid}\n"
        "train: {epochs: 4, batch_size: 16, loss: binary_crossentropy, threads: 1,\n"
        "        optimizer: {type: adam, lr: 0.01}, metrics: [accuracy, auc]}\n";
    for (const char* reads : {"part", "whole"}) {
        ExperimentSpec spec = load_spec_from_string(yaml, "spec.yaml", dir.path());
        spec.data.rank_reads = reads;
        ThreadRanks(3).run([&](Communicator& c) {
            ExperimentOptions options;
            options.run_dir = dir.path() / reads;
            options.ranks = &c;
            run_experiment(spec, options);
        });
    }
    CHECK(metrics_without_seconds(dir.path() / "part") ==
          metrics_without_seconds(dir.path() / "whole"));
    CHECK(read_text(dir.path() / "part" / "data_summary.json") ==
          read_text(dir.path() / "whole" / "data_summary.json"));
}
