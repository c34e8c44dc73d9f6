#!/usr/bin/env python3
"""Numerical parity of dlctl with PyTorch: same network, same initial weights, same batches.

For each case the script builds the network in PyTorch, writes its initial weights to a
safetensors file, trains dlctl from those weights (model.init_from) and PyTorch side by side on the
same rows in the same order (no shuffling, no dropout, whose masks come from different random
generators), and reports the largest difference of the training loss per epoch and of the final
weights (read back from dlctl's model.safetensors).

    pip install torch numpy            # once
    python3 scripts/parity_torch.py    # after scripts/build.sh; about 20 seconds
"""

import argparse
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as missing:  # the CTest wrapper treats 77 as "skipped"
    print(f"skipped: {missing.name} is not installed (pip install torch numpy)")
    sys.exit(77)

ROOT = pathlib.Path(__file__).resolve().parent.parent

# name: data file, target, layers (type, units, activation), loss, optimizer, epochs, batch size
CASES = [
    ("binary, adam, full batch", "breast_cancer.csv", "target", ["id"],
     [("dense", 64, "relu"), ("dense", 32, "tanh"), ("dense", 1, "sigmoid")],
     "binary_crossentropy", {"type": "adam", "lr": 0.001}, 100, 0),
    # 2049 floats of activations a sample: dlctl's CPU trains each batch in passes of 64
    # columns and adds their gradients (training_pass_plan).
    ("binary, adam, full batch in passes", "breast_cancer.csv", "target", ["id"],
     [("dense", 2048, "relu"), ("dense", 1, "sigmoid")],
     "binary_crossentropy", {"type": "adam", "lr": 0.001}, 30, 0),
    ("binary, sgd nesterov, batch 32", "breast_cancer.csv", "target", ["id"],
     [("dense", 64, "relu"), ("dense", 1, "sigmoid")],
     "binary_crossentropy", {"type": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True}, 10, 32),
    ("3 classes, adamw + batch_norm, batch 64", "wine.csv", "cultivar", [],
     [("dense", 32, "gelu"), ("batch_norm", 32, None), ("dense", 3, "softmax")],
     "categorical_crossentropy", {"type": "adamw", "lr": 0.003, "weight_decay": 0.01}, 20, 64),
    ("regression, rmsprop, batch 16", "diabetes.csv", "progression", [],
     [("dense", 16, "elu"), ("dense", 1, "linear")],
     "mse", {"type": "rmsprop", "lr": 0.001}, 10, 16),
    # Inputs max(x - 0.5, 0): about 30% nonzero, so dlctl's CPU products skip their zeros
    # (backend/cpu/cpu_sparse_products.h), as they do after relu and dropout.
    ("binary, adam, batch 32, mostly-zero inputs", "breast_cancer.csv", "target", ["id"],
     [("dense", 64, "relu"), ("dense", 1, "sigmoid")],
     "binary_crossentropy", {"type": "adam", "lr": 0.001}, 10, 32, "mostly-zero inputs"),
]

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU,
               "elu": torch.nn.ELU}


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    raw = path.read_bytes()
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + length])
    start = 8 + length
    return {name: np.frombuffer(raw[start + e["data_offsets"][0]:start + e["data_offsets"][1]],
                                dtype="<f4").reshape(e["shape"])
            for name, e in header.items() if name != "__metadata__"}


def build_torch(layers, inputs):
    """The torch modules and, for each, the name prefix dlctl gives its tensors."""
    modules, names, width = [], [], inputs
    for index, (kind, units, activation) in enumerate(layers):
        if kind == "dense":
            modules.append(torch.nn.Linear(width, units))
            names.append(f"layers.{index}.dense")
            if activation in ACTIVATIONS:
                modules.append(ACTIVATIONS[activation]())
                names.append(None)
            width = units
        elif kind == "batch_norm":
            modules.append(torch.nn.BatchNorm1d(width))
            names.append(f"layers.{index}.batch_norm")
    return torch.nn.Sequential(*modules), names


def torch_state(model, names):
    tensors = {}
    for module, prefix in zip(model, names):
        if prefix is None:
            continue
        for key, value in module.state_dict().items():
            if key != "num_batches_tracked":
                tensors[f"{prefix}.{key}"] = value.detach().numpy().copy()
    return tensors


DEVICE = "cpu"  # dlctl's device; --device cuda compares dlctl's GPU backend with PyTorch


def spec_yaml(csv, target, drop, layers, loss, optimizer, epochs, batch, init):
    layer_lines = []
    for kind, units, activation in layers:
        if kind == "dense":
            layer_lines.append(f"    - {{type: dense, units: {units}, activation: {activation}}}")
        else:
            layer_lines.append(f"    - {{type: {kind}}}")
    opt = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}"
                    for k, v in optimizer.items())
    return "\n".join([
        "name: parity", "data:", f"  path: {csv}", f"  target: {target}",
        "  normalize: none", "  split: {test: 0, validation: 0, shuffle: false}",
        "model:", f"  init_from: {init}", "  layers:", *layer_lines,
        "train:", f"  epochs: {epochs}", f"  batch_size: {batch}", "  shuffle: false",
        f"  loss: {loss}", f"  optimizer: {{{opt}}}", "  metrics: []", f"  device: {DEVICE}",
        "  threads: 1", ""])


def run_case(binary, workdir, case):
    name, data_file, target, drop, layers, loss, optimizer, epochs, batch, *options = case
    table = np.genfromtxt(ROOT / "data" / data_file, delimiter=",", names=True)
    columns = [c for c in table.dtype.names if c != target and c not in drop]
    x = np.column_stack([table[c] for c in columns]).astype(np.float32)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)  # already normalised for both
    if "mostly-zero inputs" in options:
        x = np.maximum(x - 0.5, 0).astype(np.float32)
    y = table[target].astype(np.float32)
    batch = batch or len(y)
    csv = workdir / f"{data_file}"
    np.savetxt(csv, np.column_stack([x, y]), delimiter=",", comments="", fmt="%.9g",
               header=",".join(columns + [target]))

    torch.manual_seed(0)
    model, names = build_torch(layers, x.shape[1])
    init = workdir / "init.safetensors"
    write_safetensors(init, torch_state(model, names))

    spec = workdir / "parity.yaml"
    spec.write_text(spec_yaml(csv, target, drop, layers, loss, optimizer, epochs, batch, init))
    run = workdir / f"run-{len(list(workdir.glob('run-*')))}"
    subprocess.run([binary, "-q", "train", str(spec), "--run-dir", str(run)], check=True,
                   stdout=subprocess.DEVNULL)
    dlctl_losses = [float(line.split(",")[2])
                    for line in (run / "metrics.csv").read_text().splitlines()[1:]]
    dlctl_weights = read_safetensors(run / "model.safetensors")

    opt = dict(optimizer)
    kind = opt.pop("type")
    optim = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD,
             "rmsprop": torch.optim.RMSprop}[kind](model.parameters(), **opt)
    if loss == "binary_crossentropy":
        loss_fn, targets = torch.nn.BCEWithLogitsLoss(), torch.from_numpy(y).unsqueeze(1)
    elif loss == "categorical_crossentropy":
        loss_fn, targets = torch.nn.CrossEntropyLoss(), torch.from_numpy(y).long()
    else:
        loss_fn, targets = torch.nn.MSELoss(), torch.from_numpy(y).unsqueeze(1)
    features = torch.from_numpy(x)
    model.train()
    torch_losses = []
    for _ in range(epochs):
        total = 0.0
        for first in range(0, len(y), batch):
            optim.zero_grad()
            value = loss_fn(model(features[first:first + batch]), targets[first:first + batch])
            value.backward()
            optim.step()
            total += value.item() * len(y[first:first + batch])
        torch_losses.append(total / len(y))

    torch_weights = torch_state(model, names)
    loss_diff = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(dlctl_losses, torch_losses))
    weight_abs = max(float(np.max(np.abs(dlctl_weights[k] - v))) for k, v in torch_weights.items())
    weight_rel = max(float(np.max(np.abs(dlctl_weights[k] - v) / np.maximum(np.abs(v), 1e-2)))
                     for k, v in torch_weights.items())
    steps = epochs * ((len(y) + batch - 1) // batch)
    return {"case": name, "steps": steps, "max_rel_loss_diff": loss_diff,
            "max_abs_weight_diff": weight_abs, "max_rel_weight_diff": weight_rel,
            "final_loss_dlctl": dlctl_losses[-1], "final_loss_torch": torch_losses[-1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", default=str(ROOT / "build/bin/dlctl"))
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless epoch losses agree to 1e-5 and weights to 1e-3 "
                             "(relative)")
    parser.add_argument("--device", default="cpu",
                        help="dlctl's device: cpu (default) or cuda (PyTorch stays on the CPU)")
    args = parser.parse_args()
    global DEVICE
    DEVICE = args.device
    torch.set_num_threads(1)
    results = []
    with tempfile.TemporaryDirectory(prefix="dlctl-parity-") as tmp:
        for case in CASES:
            results.append(run_case(str(pathlib.Path(args.dlctl).resolve()), pathlib.Path(tmp), case))
    print(f"# dlctl ({DEVICE}) vs PyTorch {torch.__version__} (CPU), float32, same initial "
          f"weights and batches\n")
    print("| case | steps | max rel. diff of epoch loss | max abs. diff of final weights | "
          "max rel. diff of final weights |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['case']} | {r['steps']} | {r['max_rel_loss_diff']:.1e} | "
              f"{r['max_abs_weight_diff']:.1e} | {r['max_rel_weight_diff']:.1e} |")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    if args.check:
        bad = [r["case"] for r in results
               if r["max_rel_loss_diff"] > 1e-5 or r["max_rel_weight_diff"] > 1e-3]
        if bad:
            print("parity check failed: " + ", ".join(bad))
            return 1
        print("parity check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
