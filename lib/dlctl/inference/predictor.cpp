#include "dlctl/inference/predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"
#include "dlctl/core/strings.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/nn/model_weights.h"

namespace dlctl {

std::unique_ptr<Sequential> load_model(Backend& backend,
                                       const Checkpoint& checkpoint,
                                       const std::filesystem::path& path) {
    const ExperimentSpec& spec = checkpoint.spec;
    auto model = build_model(spec.model, checkpoint.preprocessor.width(), spec.train.l1,
                             spec.train.l2, checkpoint.preprocessor.input_kinds());
    model->build_for_import(backend);
    import_weights(backend, *model, checkpoint.tensors, path);
    return model;
}

Checkpoint read_checked_checkpoint(const std::filesystem::path& path) {
    Checkpoint checkpoint = read_checkpoint(path);
    const auto backend = make_backend(Device{DeviceKind::kCpu}, 1);
    load_model(*backend, checkpoint, path);
    return checkpoint;
}

Predictor::Predictor(const std::filesystem::path& path, const std::string& device, int threads)
    : path_(path), checkpoint_(read_checkpoint(path)) {
    const ExperimentSpec& spec = checkpoint_.spec;
    backend_ = make_backend(parse_device(device), threads);
    model_ = load_model(*backend_, checkpoint_, path);
    checkpoint_.tensors.clear();  // on the backend now
    loss_ = make_loss(spec.train, model_->output_activation());
}

void Predictor::reserve(std::int64_t rows) {
    // Memory for the rows at hand, up to a default batch: a one-row predict allocates little.
    const std::int64_t batch = std::clamp<std::int64_t>(rows, 1, BatchedInference::kDefaultBatch);
    if (batch <= reserved_) return;
    inference_ = std::make_unique<BatchedInference>(*backend_, *model_, loss_.get(), batch);
    inference_->set_temperature(static_cast<float>(temperature()));
    const std::int64_t calls = inference_->max_batch();
    features_ = backend_->allocate(model_->input_size() * calls);
    targets_ = backend_->allocate(calls);
    weights_ = backend_->allocate(calls);
    reserved_ = batch;
}

Predictor::~Predictor() = default;

std::int64_t Predictor::width() const { return model_->output_size(); }

TableSchema Predictor::schema(bool with_target,
                              const std::vector<std::string>& file_columns) const {
    TableSchema out;
    for (const FeatureColumn& f : checkpoint_.preprocessor.columns()) {
        out.columns.emplace_back(f.name, f.type);
    }
    out.na_values = checkpoint_.spec.data.na_values;
    if (!with_target) return out;
    const TaskInfo& task = checkpoint_.task;
    // Labels are matched as text; regression targets are numbers.
    out.columns.emplace_back(task.target,
                             task.classes == 0 ? ColumnType::kNumeric : ColumnType::kCategorical);
    const std::string& weight = checkpoint_.spec.data.sample_weight;
    if (!weight.empty() &&
        std::find(file_columns.begin(), file_columns.end(), weight) != file_columns.end()) {
        out.columns.emplace_back(weight, ColumnType::kNumeric);
    }
    return out;
}

Dataset Predictor::encode(const Table& table,
                          const std::vector<std::uint32_t>& rows,
                          bool with_target) const {
    std::vector<int> columns;
    std::vector<std::string> missing;
    for (const auto& name : feature_names()) {
        columns.push_back(table.column_index(name));
        if (columns.back() < 0) missing.push_back(name);
    }
    const TaskInfo& task = checkpoint_.task;
    const int target = with_target ? table.column_index(task.target) : -1;
    if (with_target && target < 0) missing.push_back(task.target + " (the target)");
    if (!missing.empty()) {
        throw DataError(
            fmt::format("{}: missing {} column{} the model needs: {}", table.source, missing.size(),
                        missing.size() == 1 ? "" : "s", quoted_list(missing)),
            "the CSV needs every feature column the model was trained on (by name, "
            "in any order); see 'dlctl inspect CHECKPOINT'");
    }
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const FeatureColumn& f = checkpoint_.preprocessor.columns()[k];
        const bool categorical = table.type(columns[k]) == ColumnType::kCategorical;
        if (categorical != (f.type == ColumnType::kCategorical)) {
            throw DataError(fmt::format(
                "{}: column '{}' is {}, but the model was trained on it as {}", table.source,
                f.name, to_string(table.type(columns[k])), to_string(f.type)));
        }
    }
    Dataset out;
    out.n_features = checkpoint_.preprocessor.width();
    out.n_rows = static_cast<std::int64_t>(rows.size());
    checkpoint_.preprocessor.transform(table, columns, rows, out.features);
    if (!with_target) return out;
    out.targets.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float y = table.columns[target][rows[i]];
        if (std::isnan(y)) {
            throw DataError(fmt::format("{}:{}: target '{}' is missing", table.source,
                                        table.lines[rows[i]], task.target));
        }
        if (task.classes == 0) {
            if (table.type(target) != ColumnType::kNumeric) {
                throw DataError(
                    fmt::format("{}: target '{}' is not numeric", table.source, task.target));
            }
            out.targets[i] = static_cast<float>((y - task.target_offset) / task.target_scale);
            continue;
        }
        const std::string label = table.text(static_cast<std::size_t>(target), rows[i]);
        const auto it = find_label(task.labels, label);
        if (it == task.labels.end()) {
            throw DataError(
                fmt::format("{}:{}: target '{}' is '{}', which is not one of the "
                            "model's labels ({})",
                            table.source, table.lines[rows[i]], task.target, label,
                            fmt::join(task.labels, ", ")));
        }
        out.targets[i] = static_cast<float>(it - task.labels.begin());
    }
    const std::string& weight_name = checkpoint_.spec.data.sample_weight;
    const int weight = weight_name.empty() ? -1 : table.column_index(weight_name);
    if (weight >= 0) {
        for (const auto r : rows) out.weights.push_back(table.columns[weight][r]);
    }
    return out;
}

std::vector<float> Predictor::predict(const Dataset& data, std::vector<float>* each_member) {
    reserve(data.n_rows);
    const std::int64_t outputs = model_->output_size(), batch = inference_->max_batch();
    const std::int64_t members = model_->members();
    // A plain model's one member is its mean, copied at the end.
    std::vector<float>* ensemble_members = members > 1 ? each_member : nullptr;
    std::vector<float> out(static_cast<std::size_t>(outputs * data.n_rows));
    if (ensemble_members != nullptr) {
        ensemble_members->resize(out.size() * static_cast<std::size_t>(members));
    }
    for (std::int64_t first = 0; first < data.n_rows; first += batch) {
        const std::int64_t count = std::min(batch, data.n_rows - first);
        const Tensor x = features_.view(data.n_features, count);
        backend_->upload(data.features.data() + first * data.n_features, x);
        backend_->download(inference_->predict(x), out.data() + first * outputs);
        if (ensemble_members != nullptr) {
            backend_->download(inference_->member_predictions(),
                               ensemble_members->data() + first * members * outputs);
        }
    }
    const TaskInfo& task = checkpoint_.task;
    if (task.classes == 0) {
        const auto to_target_units = [&task](float& y) {
            y = static_cast<float>(y * task.target_scale + task.target_offset);
        };
        std::for_each(out.begin(), out.end(), to_target_units);
        if (ensemble_members != nullptr) {
            std::for_each(ensemble_members->begin(), ensemble_members->end(), to_target_units);
        }
    }
    if (each_member != nullptr && members == 1) *each_member = out;
    return out;
}

std::vector<float> Predictor::logits(const Dataset& data) {
    reserve(data.n_rows);
    const std::int64_t per_row = model_->output_size() * model_->members();
    const std::int64_t batch = inference_->max_batch();
    std::vector<float> out(static_cast<std::size_t>(per_row * data.n_rows));
    for (std::int64_t first = 0; first < data.n_rows; first += batch) {
        const std::int64_t count = std::min(batch, data.n_rows - first);
        const Tensor x = features_.view(data.n_features, count);
        backend_->upload(data.features.data() + first * data.n_features, x);
        backend_->download(inference_->logits(x), out.data() + first * per_row);
    }
    return out;
}

double Predictor::loss(const Dataset& data) {
    reserve(data.n_rows);
    const bool weighted = !data.weights.empty();
    const std::int64_t batch = inference_->max_batch();
    LossSum total;
    for (std::int64_t first = 0; first < data.n_rows; first += batch) {
        const std::int64_t count = std::min(batch, data.n_rows - first);
        const Tensor x = features_.view(data.n_features, count);
        const Tensor y = targets_.view(1, count);
        const Tensor w = weighted ? weights_.view(1, count) : Tensor{};
        backend_->upload(data.features.data() + first * data.n_features, x);
        backend_->upload(data.targets.data() + first, y);
        if (weighted) backend_->upload(data.weights.data() + first, w);
        inference_->predict(x);
        total += inference_->loss(y, w);
    }
    return total.mean();
}

}  // namespace dlctl
