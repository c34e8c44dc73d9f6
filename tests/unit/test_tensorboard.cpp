#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dlctl/config/spec_loader.h"
#include "dlctl/core/crc32c.h"
#include "dlctl/core/error.h"
#include "dlctl/io/protobuf_wire.h"
#include "dlctl/io/tensorboard_hparams.h"
#include "dlctl/io/tensorboard_writer.h"
#include "dlctl/io/tfrecord.h"
#include "dlctl/train/run_tensorboard.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::read_text;
using dlctl::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::uint64_t little_endian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = bytes.size(); i-- > 0;) {
        value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    }
    return value;
}

/// The records of a TFRecord file, each one's length and both checksums checked.
std::vector<std::string> read_records(const fs::path& path) {
    const std::string file = read_text(path);
    std::vector<std::string> records;
    std::size_t at = 0;
    while (at < file.size()) {
        REQUIRE(file.size() - at >= 12);
        const std::string_view length(file.data() + at, 8);
        REQUIRE(little_endian(std::string_view(file.data() + at + 8, 4)) == masked_crc32c(length));
        const std::size_t n = little_endian(length);
        REQUIRE(file.size() - at >= 16 + n);
        const std::string data = file.substr(at + 12, n);
        REQUIRE(little_endian(std::string_view(file.data() + at + 12 + n, 4)) ==
                masked_crc32c(data));
        records.push_back(data);
        at += 16 + n;
    }
    return records;
}

/// One field of a protocol buffer message: a varint or fixed value, or length-delimited bytes.
struct Field {
    int number = 0;
    int wire_type = 0;
    std::uint64_t integer = 0;
    std::string bytes;
};

std::uint64_t read_varint(std::string_view message, std::size_t& at) {
    std::uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
        REQUIRE(at < message.size());
        const auto byte = static_cast<unsigned char>(message[at++]);
        value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return value;
    }
}

std::vector<Field> decode(std::string_view message) {
    std::vector<Field> fields;
    for (std::size_t at = 0; at < message.size();) {
        const std::uint64_t key = read_varint(message, at);
        Field f;
        f.number = static_cast<int>(key >> 3);
        f.wire_type = static_cast<int>(key & 7);
        if (f.wire_type == 0) {
            f.integer = read_varint(message, at);
        } else if (f.wire_type == 1 || f.wire_type == 5) {
            const std::size_t n = f.wire_type == 1 ? 8 : 4;
            REQUIRE(message.size() - at >= n);
            f.integer = little_endian(message.substr(at, n));
            at += n;
        } else {
            REQUIRE(f.wire_type == 2);
            const std::size_t n = read_varint(message, at);
            REQUIRE(message.size() - at >= n);
            f.bytes = std::string(message.substr(at, n));
            at += n;
        }
        fields.push_back(std::move(f));
    }
    return fields;
}

/// The only field `number` of a message.
Field field(std::string_view message, int number) {
    std::vector<Field> found;
    for (Field& f : decode(message)) {
        if (f.number == number) found.push_back(std::move(f));
    }
    REQUIRE(found.size() == 1);
    return found.front();
}

double as_double(const Field& f) {
    double value = 0;
    std::memcpy(&value, &f.integer, sizeof value);
    return value;
}

float as_float(const Field& f) {
    const auto bits = static_cast<std::uint32_t>(f.integer);
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

std::vector<fs::path> event_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
    return files;
}

constexpr const char* kSpec =
    "name: tb\n"
    "data: {path: d.csv, target: y}\n"
    "model: {layers: [{type: dense, units: 8, activation: relu}, {type: dropout, rate: 0.25},\n"
    "                 {type: dense, units: 1, activation: sigmoid}]}\n"
    "train: {loss: binary_crossentropy, batch_size: 16, optimizer: {type: sgd, lr: 0.05}}\n";

}  // namespace

TEST_CASE("crc32c is the Castagnoli CRC of TensorBoard's TFRecord files", "[tensorboard]") {
    CHECK(crc32c("123456789") == 0xE3069283u);
    CHECK(crc32c("") == 0u);
    CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);    // RFC 3720 B.4
    CHECK(crc32c("6789", crc32c("12345")) == 0xE3069283u);  // incremental
}

TEST_CASE("a TensorBoard TFRecord is the length, its masked crc32c, the data and its masked crc32c",
          "[tensorboard]") {
    CHECK(masked_crc32c("hello") == 0x191C1FBBu);
    const std::string record = tfrecord("hello");
    const std::string expected =
        std::string("\x05\0\0\0\0\0\0\0", 8) + "\xea\xb2\x04\x3e" + "hello" + "\xbb\x1f\x1c\x19";
    CHECK(record == expected);
    CHECK(tfrecord("").size() == 16);
}

TEST_CASE("protocol buffer fields are written in the wire format TensorBoard reads",
          "[tensorboard]") {
    // Summary.Value{tag: "loss", simple_value: 0.5}, as Python's protobuf writes it.
    CHECK(scalar_summary_value("loss", 0.5f) == std::string("\x0a\x04loss\x15\0\0\0\x3f", 11));
    ProtoMessage m;
    m.varint(1, 300).varint(2, 0).float64(3, 1.0).bytes(20, "");
    CHECK(m.encoded() ==
          std::string("\x08\xac\x02\x10\x00\x19\0\0\0\0\0\0\xf0\x3f\xa2\x01\x00", 17));
    CHECK(ProtoMessage().varint(1, static_cast<std::uint64_t>(std::int64_t{-1})).encoded().size() ==
          11);
}

TEST_CASE("a TensorBoard event file starts with its version and holds one event per summary",
          "[tensorboard]") {
    TempDir dir;
    fs::path path;
    {
        TensorboardWriter writer(dir.path() / "tb");
        path = writer.path();
        CHECK(path.parent_path() == dir.path() / "tb");
        CHECK_THAT(path.filename().string(), Contains("events.out.tfevents."));
        CHECK(read_records(path).size() == 1);  // the version, flushed at once
        writer.add_scalars(3, {{"loss", 0.25f}, {"val_loss", 1.5f}}, 1234.5);
        writer.flush();
    }
    const std::vector<std::string> records = read_records(path);
    REQUIRE(records.size() == 2);
    CHECK(field(records[0], 3).bytes == "brain.Event:2");
    CHECK(as_double(field(records[0], 1)) > 1.6e9);  // wall time: now
    CHECK(as_double(field(records[1], 1)) == 1234.5);
    CHECK(field(records[1], 2).integer == 3);
    std::vector<Field> values = decode(field(records[1], 5).bytes);
    REQUIRE(values.size() == 2);
    CHECK(field(values[0].bytes, 1).bytes == "loss");
    CHECK(as_float(field(values[0].bytes, 2)) == 0.25f);
    CHECK(field(values[1].bytes, 1).bytes == "val_loss");
    CHECK(as_float(field(values[1].bytes, 2)) == 1.5f);

    const fs::path blocked = dir.write("file", "not a directory");
    CHECK_THROWS_WITH(TensorboardWriter(blocked / "tb"),
                      Contains("cannot create") && Contains((blocked / "tb").string()));
}

TEST_CASE("TensorBoard hparams summaries carry the plugin data its hparams plugin reads",
          "[tensorboard]") {
    const std::string start =
        hparams_session_start_value({{"lr", 0.5}, {"opt", std::string("sgd")}, {"b", false}}, 7.0);
    CHECK(field(start, 1).bytes == "_hparams_/session_start_info");
    // An empty float tensor, as TensorBoard's own hparams summaries hold.
    CHECK(field(start, 8).bytes == std::string("\x08\x01\x12\x02\x12\x00", 6));
    const std::string plugin = field(field(start, 9).bytes, 1).bytes;
    CHECK(field(plugin, 1).bytes == "hparams");
    const std::string content = field(plugin, 2).bytes;  // HParamsPluginData, version 0
    const std::string session = field(content, 3).bytes;
    CHECK(as_double(field(session, 5)) == 7.0);
    std::vector<Field> entries;
    for (Field& f : decode(session)) {
        if (f.number == 1) entries.push_back(std::move(f));
    }
    REQUIRE(entries.size() == 3);
    CHECK(field(entries[0].bytes, 1).bytes == "lr");
    CHECK(as_double(field(field(entries[0].bytes, 2).bytes, 2)) == 0.5);
    CHECK(field(field(entries[1].bytes, 2).bytes, 3).bytes == "sgd");
    const Field flag = field(field(entries[2].bytes, 2).bytes, 4);  // false, yet written
    CHECK((flag.wire_type == 0 && flag.integer == 0));

    const std::string end = hparams_session_end_value(SessionStatus::kFailure, 9.0);
    CHECK(field(end, 1).bytes == "_hparams_/session_end_info");
    const std::string ended = field(field(field(field(end, 9).bytes, 1).bytes, 2).bytes, 4).bytes;
    CHECK(field(ended, 1).integer == 2);
    CHECK(as_double(field(ended, 2)) == 9.0);
}

TEST_CASE("a run's TensorBoard hyperparameters are the spec keys a sweep varies", "[tensorboard]") {
    const ExperimentSpec spec = load_spec_from_string(kSpec, "spec.yaml", "/");
    const std::vector<HParam> hparams = tensorboard_hparams(spec);
    auto value = [&](const std::string& name) {
        for (const HParam& h : hparams) {
            if (h.name == name) return h.value;
        }
        FAIL("no hparam " << name);
        return HParam::Value{};
    };
    CHECK(std::get<std::string>(value("name")) == "tb");
    CHECK(std::get<double>(value("model.layers")) == 3.0);
    CHECK(std::get<double>(value("model.layers.0.units")) == 8.0);
    CHECK(std::get<double>(value("model.layers.1.rate")) == 0.25);
    CHECK(std::get<double>(value("train.batch_size")) == 16.0);
    CHECK(std::get<std::string>(value("train.optimizer.type")) == "sgd");
    CHECK(std::get<double>(value("train.optimizer.lr")) == 0.05);
    for (const HParam& h : hparams) CHECK(h.name != "train.cv.fold");
}

TEST_CASE(
    "a run's TensorBoard event file mirrors metrics.csv; continued in place it replaces the older",
    "[tensorboard]") {
    TempDir dir;
    const ExperimentSpec spec = load_spec_from_string(kSpec, "spec.yaml", "/");
    const std::vector<std::string> columns = {"epoch", "lr", "loss", "val_loss", "seconds"};
    {
        RunTensorboard tb(dir.path(), spec, columns, {}, false);
        tb.add_epoch({"1", "0.05", "0.5", "", "0.1"});
    }
    const std::vector<fs::path> first = event_files(dir.path() / "tensorboard");
    REQUIRE(first.size() == 1);
    {
        RunTensorboard tb(dir.path(), spec, columns, {{"1", "0.05", "0.5", "0.75", "0.1"}}, true);
        tb.add_epoch({"2", "0.05", "nan", "0.5", "0.1"});
        tb.finish(SessionStatus::kSuccess);
    }
    const std::vector<fs::path> files = event_files(dir.path() / "tensorboard");
    REQUIRE(files.size() == 1);
    CHECK(files.front() != first.front());
    const std::vector<std::string> records = read_records(files.front());
    REQUIRE(records.size() == 5);  // version, session start, epochs 1 and 2, session end
    CHECK(field(field(field(records[1], 5).bytes, 1).bytes, 1).bytes ==
          "_hparams_/session_start_info");
    std::vector<std::string> tags;
    for (int record : {2, 3}) {
        CHECK(field(records[record], 2).integer == static_cast<std::uint64_t>(record - 1));
        for (const Field& value : decode(field(records[record], 5).bytes)) {
            tags.push_back(field(value.bytes, 1).bytes);
        }
    }
    CHECK(tags == std::vector<std::string>{"lr", "loss", "val_loss", "seconds", "lr", "loss",
                                           "val_loss", "seconds"});
    const Field nan_loss = field(decode(field(records[3], 5).bytes)[1].bytes, 2);
    CHECK(std::isnan(as_float(nan_loss)));
    CHECK(field(records[4], 2).integer == 2);  // the session ends at the last epoch
}
