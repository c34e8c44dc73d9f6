#include "dlctl/config/task.h"

namespace dlctl {

int target_classes(const ExperimentSpec& spec) {
    if (spec.train.loss == "binary_crossentropy") return 1;
    if (spec.train.loss != "categorical_crossentropy") return 0;
    int units = 0;
    for (const LayerSpec& layer : spec.model.layers) {
        if (layer.type == "dense") units = layer.units;
    }
    return units;
}

}  // namespace dlctl
