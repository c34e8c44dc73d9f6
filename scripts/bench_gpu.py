#!/usr/bin/env python3
"""Training throughput of dlctl (CUDA) and PyTorch (CUDA, eager) on one GPU, side by side.

The GPU counterpart of scripts/bench_train.py, whose networks, data and dlctl spec it reuses:
"seed" (64 → 512 relu → dropout 0.5 → 256 relu → dropout → 128 relu → dropout → 1 sigmoid,
binary cross-entropy) and "wide" (784 → 512 relu → 256 relu → 10 softmax, categorical
cross-entropy), Adam, batch sizes 32, 256 and 4096, on the same synthetic data.

    python3 scripts/bench_gpu.py --json bench_gpu.json      # about 2-3 minutes on an H200

dlctl: `dlctl -q train SPEC --device cuda` with bench_train.py's spec (train.device: cuda,
output.checkpoint_every: 0 so no checkpoint is written between epochs, the table cache in the
scratch directory); its time is summary.json timings.train_seconds (the training loop alone).
PyTorch: the same network on the GPU, data moved there once, each epoch a torch.randperm on the
device, batches gathered by index, forward, loss, backward, Adam step; timed after a warm-up,
with torch.cuda.synchronize() before the clock stops. Each side first runs a short probe whose
throughput sets its epochs so that a timed run trains about 2 s (× --scale); then both sides run
--repeats times, alternating, and the best of each is reported. At batch 4096 the table also
gives the fraction of the GPU's fp32 GEMM peak (torch.mm of 8192² matrices, CUDA events) that
dlctl reaches. --device cpu runs both sides on the CPU (a dry run of this script where there
is no GPU; use a small --scale and --rows).

Exit status: 0; 1 when a dlctl run failed (its error is printed, the other rows still run) or
dlctl lists no GPU while PyTorch sees one; 77 ("skipped") when PyTorch or a CUDA device is
missing, after running dlctl's side alone when dlctl can use a GPU.
"""

import argparse
import importlib
import json
import math
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import types

SCRIPTS = pathlib.Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

# Training rows (the CSV) of each network; every batch size divides them.
ROWS = {"seed": 65536, "seed-nodrop": 65536, "wide": 16384}
TARGETS = {32: 5.0, 256: 2.0, 4096: 1.0}  # dlctl / PyTorch throughput the CUDA backend aims at
RUN_SECONDS = 2.0  # training time of one timed run at --scale 1
WARMUP_STEPS = 20
PROBE_STEPS = 64  # PyTorch's probe: this many timed steps (at most one epoch)


def import_bench_train():
    """bench_train.py imports numpy and torch at its top, but only its data helpers need numpy
    and only its PyTorch helpers need torch: a missing one is replaced by an empty module for the
    import (and removed again), so its networks and dlctl spec serve either way."""
    missing = {}
    for module in ("numpy", "torch"):
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or e.g. OSError for a broken CUDA library
            missing[module] = f"{type(error).__name__}: {error}"
            sys.modules[module] = types.ModuleType(module)
    try:
        import bench_train
    finally:
        for module in missing:
            del sys.modules[module]
    np = None if "numpy" in missing else bench_train.np
    torch = None if "torch" in missing else bench_train.torch
    return bench_train, np, torch, missing


bench_train, np, torch, MISSING = import_bench_train()
NETWORKS, BATCHES = bench_train.NETWORKS, bench_train.BATCHES


# ---------------------------------------------------------------------------------------- data

def make_data_torch(name, rows, seed=0):
    """bench_train.make_data with torch instead of numpy (pip's torch does not need numpy):
    features N(0, 1), a random linear score, classes by its sign or its quantiles."""
    inputs, _, outputs = NETWORKS[name]
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, inputs, generator=generator)
    score = x @ torch.randn(inputs, generator=generator)
    if outputs == 1:
        y = (score > 0).float()
    else:  # right=True is np.digitize's side
        edges = torch.quantile(score, torch.linspace(0, 1, outputs + 1)[1:-1])
        y = torch.bucketize(score, edges, right=True).float()
    return x, y


def write_csv_plain(path, x_rows, y_values):
    """bench_train.write_csv without numpy: lists of rows and of targets."""
    with open(path, "w") as f:
        f.write(",".join([f"f{i}" for i in range(len(x_rows[0]))] + ["y"]) + "\n")
        for row, target in zip(x_rows, y_values):
            f.write(",".join(map("{:.6g}".format, row)) + f",{target:.6g}\n")


def make_dataset(name, rows, csv):
    """Writes the CSV; returns (x, y) as numpy arrays or torch tensors (CPU)."""
    if np is not None:
        x, y = bench_train.make_data(name, rows, np.random.default_rng(0))
        bench_train.write_csv(csv, x, y)
    else:
        x, y = make_data_torch(name, rows)
        write_csv_plain(csv, x.tolist(), y.tolist())
    return x, y


def to_device(name, x, y, device):
    """Features [rows, inputs] and targets (BCE: float [rows, 1]; CE: long [rows]) on device."""
    if np is not None and isinstance(x, np.ndarray):
        try:
            x, y = torch.from_numpy(x), torch.from_numpy(y)
        except (RuntimeError, TypeError):  # a torch built against another numpy
            x, y = torch.tensor(x.tolist()), torch.tensor(y.tolist())
    features = x.to(device=device, dtype=torch.float32)
    y = y.to(device)
    targets = y.float().unsqueeze(1) if NETWORKS[name][2] == 1 else y.long()
    return features, targets


# --------------------------------------------------------------------------------------- dlctl

def dlctl_gpus(binary):
    """(lines of `dlctl devices` naming a GPU, its whole output)."""
    try:
        proc = subprocess.run([binary, "devices"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [], f"dlctl devices failed: {error}"
    text = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        return [], f"dlctl devices exited {proc.returncode}: {text}"
    return [line for line in proc.stdout.splitlines() if line.startswith("cuda:")], text


def dlctl_spec(name, csv, batch, epochs, device, threads):
    text = bench_train.dlctl_config(name, csv, batch, epochs, threads)
    if "  device: cpu\n" not in text:
        raise RuntimeError("bench_train.dlctl_config no longer writes '  device: cpu'")
    text = text.replace("  device: cpu\n", f"  device: {device}\n")
    return text + "output:\n  checkpoint_every: 0\n"


class Dlctl:
    def __init__(self, binary, workdir, device, threads, precision):
        self.binary, self.workdir, self.device = binary, workdir, device
        self.threads, self.precision = threads, precision
        self.runs = 0
        self.env = dict(os.environ, DLCTL_CACHE_DIR=str(workdir / "cache"))

    def command(self, spec, run_dir):
        command = [self.binary, "-q", "train", str(spec), "--run-dir", str(run_dir),
                   "--device", self.device]
        if self.precision:
            command += ["--set", f"train.precision={self.precision}"]
        return command

    def run(self, name, csv, batch, epochs, timeout):
        """Returns {"samples_per_s", "train_seconds", "device"} or {"error", "command"}."""
        self.runs += 1
        spec = self.workdir / f"{name}-{batch}-{self.runs}.yaml"
        spec.write_text(dlctl_spec(name, csv, batch, epochs, self.device, self.threads))
        run_dir = self.workdir / f"run-{name}-{batch}-{self.runs}"
        command = self.command(spec, run_dir)
        shown = shlex.join(command)
        try:
            proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, timeout=timeout, env=self.env)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s", "command": shown}
        except OSError as error:
            return {"error": str(error), "command": shown}
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
            return {"error": f"exit {proc.returncode}: {tail}", "command": shown}
        try:
            summary = json.loads((run_dir / "summary.json").read_text())
            timings = summary["timings"]
            result = {"samples_per_s": float(timings["samples_per_second"]),
                      "train_seconds": float(timings["train_seconds"]),
                      "device": summary.get("device", "?")}
        except (OSError, ValueError, KeyError) as error:
            return {"error": f"unreadable summary.json: {error}", "command": shown}
        if result["samples_per_s"] <= 0:
            return {"error": "summary.json reports no throughput", "command": shown}
        if self.device.startswith("cuda") and not str(result["device"]).startswith("cuda"):
            return {"error": f"asked for {self.device}, summary.json says it ran on "
                             f"{result['device']}", "command": shown}
        shutil.rmtree(run_dir, ignore_errors=True)
        spec.unlink()
        return result


# ------------------------------------------------------------------------------------- PyTorch

def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def torch_run(name, features, targets, batch, device, adam, epochs=None):
    """A fresh model, WARMUP_STEPS untimed steps, then `epochs` timed epochs; epochs=None is the
    probe: PROBE_STEPS timed steps (at most one epoch). Returns samples/s."""
    torch.manual_seed(0)
    model = bench_train.torch_model(name).to(device)
    options = {} if adam == "default" else {adam: True}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, **options)
    loss_fn = (torch.nn.BCEWithLogitsLoss() if NETWORKS[name][2] == 1
               else torch.nn.CrossEntropyLoss())
    rows = features.shape[0]

    def step(index):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(features[index]), targets[index]).backward()
        optimizer.step()

    model.train()
    order = torch.randperm(rows, device=device)
    warmup = order[: min(rows, WARMUP_STEPS * batch)]
    for first in range(0, len(warmup), batch):
        step(warmup[first:first + batch])
    sync(device)
    if epochs is None:
        steps = max(1, min(PROBE_STEPS, rows // batch))
        order = torch.randperm(rows, device=device)
        start = time.perf_counter()
        for i in range(steps):
            step(order[i * batch:(i + 1) * batch])
        sync(device)
        return steps * batch / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(rows, device=device)
        for first in range(0, rows, batch):
            step(order[first:first + batch])
    sync(device)
    return rows * epochs / (time.perf_counter() - start)


def cuda_gemm_peak_gflops(tf32, n=8192, repeats=10):
    """torch.mm of n² float32 matrices, timed with CUDA events; TF32 on or off for the call."""
    saved = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        a = torch.randn(n, n, device="cuda")
        b = torch.randn(n, n, device="cuda")
        c = torch.empty(n, n, device="cuda")
        for _ in range(3):
            torch.mm(a, b, out=c)
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeats):
            torch.mm(a, b, out=c)
        end.record()
        end.synchronize()
        seconds = start.elapsed_time(end) / 1e3
        del a, b, c
        torch.cuda.empty_cache()
        return 2 * n ** 3 * repeats / seconds / 1e9
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved


# ---------------------------------------------------------------------------------------- main

def epochs_for(rate, rows, seconds):
    return max(1, min(100_000, round(seconds * rate / rows)))


def fmt_rate(value):
    return f"{value:.0f}" if value else "—"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Exit status: 0; 1 when a dlctl run failed or dlctl lists no GPU that PyTorch "
               "sees; 77 (skipped) without PyTorch or a CUDA device (dlctl's side still runs "
               "when it can use a GPU).")
    default_binary = ("build-gpu/bin/dlctl" if (ROOT / "build-gpu/bin/dlctl").exists()
                      else "build/bin/dlctl")
    parser.add_argument("--dlctl", default=str(ROOT / default_binary),
                        help="dlctl binary (default: build-gpu/bin/dlctl if it exists, else "
                             "build/bin/dlctl)")
    parser.add_argument("--device", default="cuda",
                        help="cuda (default), cuda:N, or cpu: both sides on the CPU, a dry run "
                             "of this script without a GPU")
    parser.add_argument("--precision",
                        help="dlctl's train.precision (passed as --set train.precision=P; "
                             "default: not passed, i.e. dlctl's fp32)")
    parser.add_argument("--tf32", action="store_true",
                        help="PyTorch: torch.backends.cuda.matmul.allow_tf32 = True (the GEMM "
                             "peak is measured without TF32 either way, and also with it here)")
    parser.add_argument("--adam", choices=["default", "foreach", "fused"], default="default",
                        help="PyTorch's Adam implementation (default: torch's own choice, "
                             "foreach on CUDA)")
    parser.add_argument("--networks", default=",".join(NETWORKS),
                        help="comma-separated subset of " + ",".join(NETWORKS))
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)),
                        help="comma-separated batch sizes (default %(default)s)")
    parser.add_argument("--rows", type=int,
                        help="training rows of every network (default: seed 65536, wide 16384)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help=f"multiply the work per run (1: each timed run trains about "
                             f"{RUN_SECONDS:g} s)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs of each side, alternating; the best is reported")
    parser.add_argument("--budget", type=float, default=180,
                        help="seconds: past this, cells run one repeat; past 1.5× it, the "
                             "remaining cells are left out (default %(default)s)")
    parser.add_argument("--threads", type=int, default=0,
                        help="--device cpu: threads of both sides (0: all cores)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    started = time.perf_counter()
    device = args.device
    on_gpu = device.startswith("cuda")
    binary = str(pathlib.Path(args.dlctl).resolve())
    networks = [n for n in args.networks.split(",") if n]
    batches = [int(b) for b in args.batches.split(",") if b]
    for n in networks:
        if n not in NETWORKS:
            parser.error(f"unknown network {n!r} (known: {', '.join(NETWORKS)})")
    threads = args.threads or os.cpu_count() or 1
    run_seconds = RUN_SECONDS * args.scale
    command = shlex.join(["python3", os.path.relpath(__file__)] + sys.argv[1:])
    print(f"# command: {command}  (in {os.getcwd()})", flush=True)

    # What can run.
    torch_problem = None
    if torch is None:
        torch_problem = f"PyTorch is not importable ({MISSING['torch']}; pip install torch)"
    elif on_gpu and not torch.cuda.is_available():
        torch_problem = (f"PyTorch {torch.__version__} sees no CUDA device "
                         f"(torch.cuda.is_available() is False; built for CUDA "
                         f"{torch.version.cuda})")
    dlctl_problem, dlctl_gpu = None, ""
    if not os.access(binary, os.X_OK):
        dlctl_problem = f"no dlctl binary at {binary} (--dlctl)"
    elif on_gpu:
        gpus, devices_text = dlctl_gpus(binary)
        if gpus:
            index = int(device.split(":")[1]) if ":" in device else 0
            dlctl_gpu = next((g for g in gpus if g.startswith(f"cuda:{index}\t")), gpus[0])
        else:
            dlctl_problem = "dlctl can use no GPU; `dlctl devices` says:\n    " + \
                devices_text.replace("\n", "\n    ")
    if np is None and torch is None:
        print("skipped: writing the data needs numpy or torch (pip install numpy torch)")
        return 77
    if dlctl_problem:
        print(f"# dlctl: {dlctl_problem}", flush=True)
    if torch_problem:
        print(f"# skipped PyTorch's side: {torch_problem}", flush=True)
    if dlctl_problem and torch_problem:
        print("skipped: neither side can run")
        return 77

    info = {"device": device, "dlctl": binary, "dlctl_gpu": dlctl_gpu,
            "precision": args.precision or "default (fp32)", "torch_tf32": args.tf32,
            "torch_adam": args.adam, "torch": torch.__version__ if torch else None}
    peak = peak_tf32 = None
    if not torch_problem:
        if on_gpu:
            if ":" in device:
                torch.cuda.set_device(torch.device(device))
            info["torch_gpu"] = torch.cuda.get_device_name()
            info["torch_cuda"] = torch.version.cuda
            peak = cuda_gemm_peak_gflops(tf32=False)
            if args.tf32 or args.precision:
                peak_tf32 = cuda_gemm_peak_gflops(tf32=True)
            torch.backends.cuda.matmul.allow_tf32 = args.tf32
        else:
            torch.set_num_threads(threads)
            peak, _ = bench_train.gemm_peak_gflops(threads)
    info["gemm_peak_gflops_fp32"], info["gemm_peak_gflops_tf32"] = peak, peak_tf32
    where = (f"GPU {dlctl_gpu.replace(chr(9), ', ') or info.get('torch_gpu', '?')}" if on_gpu
             else f"CPU, {threads} threads")
    print(f"# dlctl vs PyTorch {info['torch'] or '(not installed)'} eager on {device}: {where}; "
          f"Adam; dlctl precision {info['precision']}; torch TF32 {'on' if args.tf32 else 'off'}"
          f", Adam {args.adam}", flush=True)
    if peak:
        print(f"# {'fp32 GEMM peak (torch.mm 8192², CUDA events)' if on_gpu else 'GEMM peak'}: "
              f"{peak:.0f} GFLOP/s" + (f"; with TF32 {peak_tf32:.0f} GFLOP/s" if peak_tf32
                                       else ""), flush=True)

    results, failures, shown_errors = [], 0, set()
    with tempfile.TemporaryDirectory(prefix="dlctl-bench-gpu-") as tmp:
        workdir = pathlib.Path(tmp)
        dlctl = Dlctl(binary, workdir, device, 0 if on_gpu else threads, args.precision)
        for name in networks:
            inputs, hidden, outputs = NETWORKS[name]
            rows = args.rows or ROWS[name]
            csv = workdir / f"{name}.csv"
            t = time.perf_counter()
            x, y = make_dataset(name, rows, csv)
            print(f"# {name}: {rows} rows × {inputs} features written in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
            features = targets = None
            if not torch_problem:
                features, targets = to_device(name, x, y, device)
            del x, y
            flops = bench_train.training_flops_per_sample(inputs, hidden, outputs)
            for batch in batches:
                elapsed = time.perf_counter() - started
                row = {"network": name, "batch": batch, "rows": rows,
                       "dlctl_samples_per_s": None, "torch_samples_per_s": None,
                       "ratio": None, "target_ratio": TARGETS.get(batch),
                       "training_flops_per_sample": flops}
                results.append(row)
                if elapsed > 1.5 * args.budget:
                    row["error"] = "left out: over the time budget (--budget)"
                    print(f"{name:5} batch {batch:5}: left out, {elapsed:.0f} s is over 1.5× the "
                          f"time budget (--budget {args.budget:g})", flush=True)
                    continue
                repeats = args.repeats if elapsed <= args.budget else 1
                # Probes: each side's rough throughput sets its epochs.
                ours_ok = not dlctl_problem
                theirs_ok = not torch_problem
                dlctl_epochs = torch_epochs = None
                if ours_ok:
                    probe_epochs = max(1, math.ceil(PROBE_STEPS * batch / rows))
                    probe = dlctl.run(name, csv, batch, probe_epochs, timeout=180)
                    if "error" in probe:
                        ours_ok = False
                        row["dlctl_error"], row["dlctl_command"] = probe["error"], probe["command"]
                    else:
                        dlctl_epochs = epochs_for(probe["samples_per_s"], rows, run_seconds)
                        row["dlctl_device"] = probe["device"]
                if theirs_ok:
                    try:
                        rate = torch_run(name, features, targets, batch, device, args.adam)
                        torch_epochs = epochs_for(rate, rows, run_seconds)
                    except RuntimeError as error:  # CUDA errors, out of memory
                        theirs_ok = False
                        row["torch_error"] = str(error).splitlines()[0]
                ours = theirs = 0.0
                for _ in range(repeats):
                    if ours_ok:
                        result = dlctl.run(name, csv, batch, dlctl_epochs,
                                           timeout=60 + 10 * run_seconds)
                        if "error" in result:
                            ours_ok = False
                            row["dlctl_error"] = result["error"]
                            row["dlctl_command"] = result["command"]
                        else:
                            ours = max(ours, result["samples_per_s"])
                    if theirs_ok:
                        try:
                            theirs = max(theirs, torch_run(name, features, targets, batch,
                                                           device, args.adam, torch_epochs))
                        except RuntimeError as error:
                            theirs_ok = False
                            row["torch_error"] = str(error).splitlines()[0]
                    if time.perf_counter() - started > args.budget:
                        break
                row["dlctl_epochs"], row["torch_epochs"] = dlctl_epochs, torch_epochs
                row["dlctl_samples_per_s"] = ours or None
                row["torch_samples_per_s"] = theirs or None
                if ours and theirs:
                    row["ratio"] = ours / theirs
                if ours and peak and batch == max(batches):
                    row["dlctl_gflops"] = ours * flops / 1e9
                    row["dlctl_fraction_of_fp32_peak"] = row["dlctl_gflops"] / peak
                line = (f"{name:5} batch {batch:5}: dlctl {fmt_rate(ours):>10}/s  "
                        f"torch {fmt_rate(theirs):>10}/s")
                if row["ratio"]:
                    target = TARGETS.get(batch)
                    line += f"  ratio {row['ratio']:5.2f}x"
                    if target:
                        met = "met" if row["ratio"] >= target else "NOT met"
                        line += f" (target ≥{target:g}x: {met})"
                if "dlctl_fraction_of_fp32_peak" in row:
                    line += (f"  dlctl {row['dlctl_gflops']:.0f} GFLOP/s = "
                             f"{100 * row['dlctl_fraction_of_fp32_peak']:.1f}% of GEMM peak")
                print(line, flush=True)
                if "dlctl_error" in row:
                    failures += 1
                    error = row["dlctl_error"]
                    if error in shown_errors:
                        print("    dlctl failed: the same error as above", flush=True)
                    else:
                        shown_errors.add(error)
                        print(f"    dlctl failed: {row['dlctl_command']}\n      " +
                              error.replace("\n", "\n      "), flush=True)
                if "torch_error" in row:
                    print(f"    PyTorch failed: {row['torch_error']}", flush=True)
            del features, targets
            if not torch_problem and on_gpu:
                torch.cuda.empty_cache()

    # The table.
    peak_label = "fp32 GEMM peak" if on_gpu else "GEMM peak"
    print(f"\n| network | batch | dlctl samples/s | PyTorch samples/s | dlctl / PyTorch | target "
          f"| dlctl % of {peak_label} |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    met = judged = 0
    for r in results:
        ours, theirs = r["dlctl_samples_per_s"], r["torch_samples_per_s"]
        ours_text = fmt_rate(ours) if ours else ("failed" if "dlctl_error" in r else "—")
        theirs_text = fmt_rate(theirs) if theirs else ("failed" if "torch_error" in r else "—")
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] else "—"
        target = r["target_ratio"]
        target_text = ""
        if target:
            target_text = f"≥{target:g}×"
            if r["ratio"]:
                judged += 1
                met += r["ratio"] >= target
                target_text += " met" if r["ratio"] >= target else " NOT met"
        fraction = (f"{100 * r['dlctl_fraction_of_fp32_peak']:.1f}%"
                    if "dlctl_fraction_of_fp32_peak" in r else "")
        print(f"| {r['network']} | {r['batch']} | {ours_text} | {theirs_text} | {ratio} | "
              f"{target_text} | {fraction} |")
    total = time.perf_counter() - started
    if judged:
        print(f"\ntargets met: {met} of {judged}")
    print(f"# {total:.0f} s; command: {command}", flush=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"command": command, "info": info, "seconds": round(total, 1),
             "skipped": torch_problem, "dlctl_problem": dlctl_problem, "results": results},
            indent=2))
    if failures or (dlctl_problem and not torch_problem):
        print(f"FAILED: {failures} dlctl row(s) failed" if failures else
              f"FAILED: dlctl could not run: {dlctl_problem.splitlines()[-1].strip()}")
        return 1
    if torch_problem:
        print(f"skipped (77): {torch_problem}; the table has dlctl's numbers alone")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
