#include "dlctl/data/prepare_by_column.h"

#include <cmath>

namespace dlctl::prepare {

namespace {

/// The file's columns as prepare_data selects and screens them, screening reading one column at
/// a time (`table`: the source's header, its columns left empty).
Columns select_by_column(const DataSpec& spec,
                         const ColumnSource& source,
                         const Table& table,
                         PreparedData& data) {
    Columns columns = select_columns(spec, table);
    check_named_columns(spec, table, columns);
    Column current;
    columns.features = screen_features(spec, table, columns.features, data.screened_columns, true,
                                       [&](int c) -> const Column& {
                                           current = source.column(c);
                                           return current;
                                       });
    require_features(table, columns, data.screened_columns);
    return columns;
}

/// The target (labels checked), weights and rows to keep, as prepare_data finds them; the
/// columns this needs are read into `table` (drop_row features one at a time) and released.
Rows usable_by_column(const DataSpec& spec,
                      const ColumnSource& source,
                      const Columns& columns,
                      int classes,
                      Table& table,
                      PreparedData& data) {
    std::vector<std::uint8_t> missing_feature(source.rows(), 0);
    for (const int c : drop_row_features(spec, table, columns)) {
        const Column values = source.column(c);
        for (std::size_t r = 0; r < values.size(); ++r) missing_feature[r] |= std::isnan(values[r]);
    }
    std::vector<int> loaded = {columns.target};
    if (columns.weight >= 0) loaded.push_back(columns.weight);
    table.lines = source.lines();
    for (const int c : loaded) table.columns[c] = source.column(c);
    if (classes == 0) {
        check_regression_target(table, columns.target);
    } else {
        data.labels = label_map(table, columns.target, classes, spec.positive_label);
    }
    if (columns.weight >= 0) check_weights(table, columns.weight);
    Rows rows = usable_rows(spec, table, columns, data.labels, &missing_feature);
    for (const int c : loaded) table.columns[c] = Column();
    std::vector<std::uint32_t>().swap(table.lines);  // = {} would keep the capacity
    return rows;
}

/// The preprocessor fitted on the training rows, one column in memory at a time; each feature
/// column's missing cells counted on the way.
void fit_preprocessor(const DataSpec& spec,
                      const ColumnSource& source,
                      const Table& table,
                      const Columns& columns,
                      PreparedData& data) {
    Column current;
    data.preprocessor.fit(table, columns.features, data.split.train, feature_options(spec),
                          [&](int c) -> const Column& {
                              current = source.column(c);
                              data.feature_missing.push_back(missing_cells(current));
                              return current;
                          });
}

}  // namespace

Fitted fit_by_column(const DataSpec& spec,
                     std::uint64_t seed,
                     int classes,
                     const ColumnSource& source,
                     PreparedData& data,
                     const CvSpec& cv) {
    data.rows_read = source.rows();
    data.table = source.header();
    Table& table = data.table;
    table.columns.assign(table.names.size(), Column());
    Fitted fitted;
    fitted.columns = select_by_column(spec, source, table, data);
    fitted.rows = usable_by_column(spec, source, fitted.columns, classes, table, data);
    note_dropped_rows(fitted.rows, table.names[fitted.columns.target], data);
    data.target_name = table.names[fitted.columns.target];
    for (const int c : fitted.columns.features) data.feature_names.push_back(table.names[c]);
    data.split = split_kept(spec, fitted.rows, seed, data.labels, cv);
    if (stratified(spec, classes)) warn_missing_classes(data, fitted.rows.targets);
    fit_preprocessor(spec, source, table, fitted.columns, data);
    return fitted;
}

}  // namespace dlctl::prepare
