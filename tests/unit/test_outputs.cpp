// What commands write, tested without the binary: predict's rows, the output sink that replaces a
// file only when complete, and how --run-dir and --resume resolve.
#include <catch2/catch.hpp>
#include <filesystem>

#include "dlctl/core/error.h"
#include "dlctl/inference/prediction_format.h"
#include "dlctl/io/output_sink.h"
#include "dlctl/train/resume.h"
#include "support/temp_dir.h"

using namespace dlctl;
using namespace dlctl::test;
namespace fs = std::filesystem;

namespace {

TaskInfo task(const std::string& kind, int classes, std::vector<std::string> labels) {
    return {kind, classes, std::string("y"), std::move(labels)};
}

}  // namespace

TEST_CASE("binary predictions: a label at P >= 0.5 and both probabilities", "[predict]") {
    PredictionFormat format;
    format.id_columns = {"id"};
    const PredictionFormatter f(task("binary", 1, {"no", "yes, sure"}), format);
    CHECK(f.header() == "id,prediction,prob_no,\"prob_yes, sure\"\n");
    const float p = 0.75f, q = 0.5f;
    CHECK(f.row({"7"}, &p) == "7,\"yes, sure\",0.25,0.75\n");
    CHECK(f.row({"a\"b"}, &q) == "\"a\"\"b\",\"yes, sure\",0.5,0.5\n");  // quotes doubled
}

TEST_CASE("multiclass predictions: top-k labels, ties kept in class order", "[predict]") {
    PredictionFormat format;
    format.top_k = 5;  // more than the classes: all three
    const PredictionFormatter f(task("multiclass", 3, {"a", "b", "c"}), format);
    CHECK(f.header() ==
          "prediction,top1_label,top1_prob,top2_label,top2_prob,top3_label,top3_prob\n");
    const float probs[] = {0.25f, 0.5f, 0.25f};
    CHECK(f.row({}, probs) == "b,b,0.5,a,0.25,c,0.25\n");
    format.format = "jsonl";
    format.top_k = 1;
    const PredictionFormatter json(task("multiclass", 3, {"a", "b", "c"}), format);
    CHECK(json.header().empty());
    CHECK(json.row({}, probs) ==
          "{\"prediction\":\"b\",\"top_k\":[{\"label\":\"b\",\"prob\":0.5}]}\n");
}

TEST_CASE("regression predictions are the value, in CSV and JSON lines", "[predict]") {
    PredictionFormat format;
    format.id_columns = {"row"};
    const float value = -1.5f;
    CHECK(PredictionFormatter(task("regression", 0, {}), format).row({"3"}, &value) == "3,-1.5\n");
    format.format = "jsonl";
    CHECK(PredictionFormatter(task("regression", 0, {}), format).row({"3"}, &value) ==
          "{\"prediction\":-1.5,\"row\":\"3\"}\n");
}

TEST_CASE("an output file is replaced only by a complete one", "[io]") {
    TempDir dir;
    const fs::path path = dir.write("out.csv", "good\n");
    {
        OutputSink sink(path.string());
        CHECK_FALSE(sink.is_stdout());
        sink.write("new ");
        sink.write("rows\n");
        CHECK(read_text(path) == "good\n");  // not yet committed
    }                                        // destroyed without commit: an error happened
    CHECK(read_text(path) == "good\n");
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
    OutputSink sink(path.string());
    sink.write("new rows\n");
    sink.commit();
    CHECK(read_text(path) == "new rows\n");
    CHECK_THROWS_AS(OutputSink((dir.path() / "no/such/dir.csv").string()), IoError);
    CHECK(OutputSink("-").is_stdout());
}

TEST_CASE("a resumed run resolves to a checkpoint and says whether it continues in place",
          "[train]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    CHECK_THROWS_AS(resume_options("", "auto"), UsageError);
    SECTION("no resume: a new run") {
        const ExperimentOptions o = resume_options(run.string(), "");
        CHECK(o.resume.empty());
        CHECK_FALSE(o.in_place);
    }
    SECTION("auto before any checkpoint: from the start, in place once train.log exists") {
        CHECK_FALSE(resume_options(run.string(), "auto").in_place);
        fs::create_directories(run);
        dir.write("run/train.log", "");
        const ExperimentOptions o = resume_options(run.string(), "auto");
        CHECK(o.resume.empty());
        CHECK(o.in_place);
    }
    SECTION("auto with a last checkpoint, or that checkpoint named: in place") {
        fs::create_directories(run / "checkpoints");
        const fs::path last = dir.write("run/checkpoints/last.safetensors", "x");
        for (const std::string& resume : {std::string("auto"), last.string()}) {
            INFO(resume);
            const ExperimentOptions o = resume_options(run.string(), resume);
            CHECK(o.resume == last);
            CHECK(o.in_place);
        }
        // Another run directory continues from it as a new run; so does no run directory.
        CHECK_FALSE(resume_options((dir.path() / "other").string(), last.string()).in_place);
        CHECK_FALSE(resume_options("", last.string()).in_place);
    }
}
