// libFuzzer target for the spec reader: any bytes must give a spec or a dlctl Error (a usage
// error with every problem located), never a crash, a hang or a sanitizer report. The first
// byte also picks an override to apply, as --set does. Built and run by scripts/fuzz_spec.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* const kSets[] = {"train.epochs=3", "model.layers.0.units=8",
                                        "data.split.test=0.5", "train.optimizer.lr=1e-3"};
    std::vector<std::string> sets;
    if ((data[0] & 4) != 0) sets.emplace_back(kSets[data[0] % 4]);
    const std::string yaml(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const dlctl::ExperimentSpec spec =
            dlctl::load_spec_from_string(yaml, "fuzz.yaml", "/", sets);
        // What validate prints (the resolved spec) must load again.
        const std::string again = dlctl::to_yaml(spec);
        try {
            dlctl::load_spec_from_string(again, "again.yaml", "/");
        } catch (const dlctl::Error&) {
            __builtin_trap();
        }
    } catch (const dlctl::Error&) {
    }
    return 0;
}
