#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/io/metrics_csv.h"
#include "dlctl/io/run_dir.h"
#include "dlctl/io/staged_file.h"
#include "support/temp_dir.h"

using namespace dlctl;
using dlctl::test::read_text;
using dlctl::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("atomic writes replace the file and leave no temporary behind", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "a.txt";
    write_file_atomic(file, "first");
    write_file_atomic(file, "second");
    CHECK(read_text(file) == "second");
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);
}

TEST_CASE("a failed atomic write is an I/O error and keeps the old file", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "keep.txt";
    write_file_atomic(file, "good");
    CHECK_THROWS_AS(write_file_atomic(dir.path() / "missing" / "x.txt", "data"), IoError);
    fs::create_directory(dir.path() / "sub");
    CHECK_THROWS_AS(write_file_atomic(dir.path() / "sub", "data"), IoError);  // a directory
    CHECK(read_text(file) == "good");
}

TEST_CASE("an atomic file destroyed uncommitted leaves the old file and no temporary", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "keep.bin";
    write_file_atomic(file, "good");
    for (const bool direct : {false, true}) {
        AtomicFileWriter writer(file, direct);
        writer.write_at(0, "partial");
    }
    CHECK(read_text(file) == "good");
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);
}

namespace {

/// Whether `dir`'s file system takes direct writes of aligned blocks.
bool takes_direct_writes(const fs::path& dir) {
    std::unique_ptr<char, decltype(&std::free)> block(
        static_cast<char*>(std::aligned_alloc(AtomicFileWriter::kBlock, AtomicFileWriter::kBlock)),
        &std::free);
    std::memset(block.get(), 'x', AtomicFileWriter::kBlock);
    AtomicFileWriter probe(dir / "probe.bin", true);
    probe.write_at(0, {block.get(), AtomicFileWriter::kBlock});
    return probe.direct();  // destroyed uncommitted: nothing is left
}

}  // namespace

TEST_CASE("a direct write the file system refuses is written cached", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "direct.bin";
    std::unique_ptr<char, decltype(&std::free)> buffer(
        static_cast<char*>(
            std::aligned_alloc(AtomicFileWriter::kBlock, 3 * AtomicFileWriter::kBlock)),
        &std::free);
    for (std::size_t i = 0; i < 3 * AtomicFileWriter::kBlock; ++i)
        buffer.get()[i] = static_cast<char>(i % 253);
    const std::string_view bytes(buffer.get(), 3 * AtomicFileWriter::kBlock);
    AtomicFileWriter writer(file, true);
    const bool direct = writer.direct();
    writer.write_at(0, bytes.substr(0, 2 * AtomicFileWriter::kBlock));  // aligned blocks
    CHECK(writer.direct() == direct);
    writer.write_at(2 * AtomicFileWriter::kBlock,
                    bytes.substr(2 * AtomicFileWriter::kBlock + 1, 100));  // unaligned
    writer.commit(2 * AtomicFileWriter::kBlock + 100);
    std::string expected(bytes.substr(0, 2 * AtomicFileWriter::kBlock));
    expected += bytes.substr(2 * AtomicFileWriter::kBlock + 1, 100);
    CHECK(read_text(file) == expected);
}

TEST_CASE("a staged file holds every byte given and its head as replaced", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "staged.bin";
    const bool direct_here = takes_direct_writes(dir.path());
    constexpr std::uint64_t kMiB = 1u << 20;
    // Cached and direct, inside one chunk and across several, ending inside a block or on one.
    for (const std::uint64_t size : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{4096}, kMiB,
                                     kMiB + 1, 3 * kMiB + 123}) {
        for (const std::size_t head : {std::size_t{0}, std::size_t{5}, std::size_t{5000}}) {
            if (head > size) continue;
            std::string expected(size, '\0');
            for (std::uint64_t i = 0; i < size; ++i) expected[i] = static_cast<char>(i * 7 % 251);
            StagedFileWriter writer(file, size, head);
            // Half the bytes through append() in pieces of 1000, the rest through room().
            std::uint64_t at = 0;
            for (; at < size / 2; at += 1000) {
                writer.append(std::string_view(expected).substr(
                    at, std::min<std::uint64_t>(1000, size / 2 - at)));
            }
            at = size / 2;
            while (at < size) {
                const std::span<char> room = writer.room();
                const std::size_t n = std::min<std::uint64_t>(room.size(), size - at);
                std::memcpy(room.data(), expected.data() + at, n);
                writer.advance(n);
                at += n;
            }
            const std::string new_head(head, 'H');
            writer.finish(new_head);
            // Large files stay direct where the file system allows: every write was aligned.
            CHECK(writer.direct() == (direct_here && size >= StagedFileWriter::kDirectFrom));
            expected.replace(0, head, new_head);
            INFO("size " << size << ", head " << head);
            CHECK(read_text(file) == expected);
            CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);
        }
    }
}

TEST_CASE("a linked name keeps its content when the original is rewritten", "[io]") {
    TempDir dir;
    const fs::path last = dir.path() / "last.bin", best = dir.path() / "best.bin";
    write_file_atomic(best, "old best");
    write_file_atomic(last, "epoch 1");
    link_file_atomic(last, best);
    CHECK(read_text(best) == "epoch 1");
    link_file_atomic(last, best);  // already one file: stays so, no temporary left behind
    write_file_atomic(last, "epoch 2");
    CHECK(read_text(best) == "epoch 1");
    CHECK(read_text(last) == "epoch 2");
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 2);
    CHECK_THROWS_AS(link_file_atomic(dir.path() / "missing.bin", best), IoError);
    CHECK(read_text(best) == "epoch 1");
}

TEST_CASE("run directories are fresh and claimed by their train.log", "[io]") {
    TempDir dir;
    const fs::path a = create_run_dir(dir.path() / "runs", {});
    const fs::path b = create_run_dir(dir.path() / "runs", {});
    CHECK(a != b);
    CHECK(fs::is_regular_file(a / "train.log"));
    CHECK(fs::is_regular_file(b / "train.log"));

    const fs::path exact = dir.path() / "exact" / "run1";
    CHECK(create_run_dir({}, exact) == exact);
    CHECK(fs::is_regular_file(exact / "train.log"));
    CHECK_THROWS_WITH(create_run_dir({}, exact), Catch::Matchers::Contains("is not empty"));

    const fs::path empty = dir.path() / "empty";
    fs::create_directory(empty);
    CHECK(create_run_dir({}, empty) == empty);  // an existing empty directory is fine

    const fs::path other = dir.path() / "other";
    write_file_atomic(dir.path() / "notes.txt", "keep");
    fs::create_directory(other);
    write_file_atomic(other / "notes.txt", "keep");
    CHECK_THROWS_AS(create_run_dir({}, other), IoError);
    CHECK(read_text(other / "notes.txt") == "keep");
    CHECK_FALSE(fs::exists(other / "train.log"));

    CHECK_THROWS_WITH(create_run_dir({}, dir.path() / "notes.txt" / "run"),
                      Catch::Matchers::Contains("cannot create run directory"));
}

TEST_CASE("metrics.csv has a header and one exact row per call", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "metrics.csv";
    {
        MetricsCsvWriter csv(file, {"epoch", "loss"});
        csv.write_row({"1", "0.1"});
        CHECK(read_text(file) == "epoch,loss\n1,0.1\n");  // flushed per row
        csv.write_row({"2", ""});
    }
    CHECK(read_text(file) == "epoch,loss\n1,0.1\n2,\n");
    CHECK_THROWS_AS(MetricsCsvWriter(dir.path() / "no" / "m.csv", {"a"}), IoError);
    CHECK_THROWS_AS(MetricsCsvWriter(file, {"a"}), IoError);  // never replaces a file
    CHECK(read_text(file) == "epoch,loss\n1,0.1\n2,\n");
}
