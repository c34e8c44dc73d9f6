"""The benchmark networks and their dlctl spec, shared by bench_train.py (and through it
bench_compare.py and bench_gpu.py) and bench_scale.py. Standard library only."""

# name: inputs, hidden layers (units, dropout rate after it), outputs
NETWORKS = {
    "seed": (64, [(512, 0.5), (256, 0.5), (128, 0.5)], 1),
    "seed-nodrop": (64, [(512, 0.0), (256, 0.0), (128, 0.0)], 1),  # what dropout costs
    "wide": (784, [(512, 0.0), (256, 0.0)], 10),
}


def dlctl_spec(name, csv, batch, epochs, threads, data_lines=(), prefix="bench"):
    """The YAML spec of network `name` on `csv` (features, then column y): no split, no
    scaling, Adam, no metrics, on the CPU. `data_lines`: more lines of its data section."""
    _, hidden, outputs = NETWORKS[name]
    layers = []
    for units, rate in hidden:
        layers.append(f"    - {{type: dense, units: {units}, activation: relu}}")
        if rate > 0:
            layers.append(f"    - {{type: dropout, rate: {rate}}}")
    if outputs == 1:
        layers.append("    - {type: dense, units: 1, activation: sigmoid}")
        loss = "binary_crossentropy"
    else:
        layers.append(f"    - {{type: dense, units: {outputs}, activation: softmax}}")
        loss = "categorical_crossentropy"
    return "\n".join([
        f"name: {prefix}-{name}",
        "data:",
        f"  path: {csv}",
        "  target: y",
        "  normalize: none",
        "  split: {test: 0, validation: 0}",
        *data_lines,
        "model:",
        "  layers:",
        *layers,
        "train:",
        f"  epochs: {epochs}",
        f"  batch_size: {batch}",
        f"  loss: {loss}",
        "  optimizer: {type: adam, lr: 0.001}",
        "  metrics: []",
        "  device: cpu",
        f"  threads: {threads}",
        "",
    ])
