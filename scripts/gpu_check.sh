#!/usr/bin/env bash
# Checks dlctl's CUDA backend on a machine with an NVIDIA GPU, in one go (on an H200: about
# 2.5 minutes with --prebuilt, the benchmark most of it; building there adds the build):
#   build     cmake -DDLCTL_CUDA=ON into build-gpu/ (or --prebuilt DIR: an existing build, used as
#             is, e.g. one unpacked from scripts/pack_prebuilt.sh on a machine without the packages)
#   devices   dlctl --version and dlctl devices (and nvidia-smi -L, when there is one)
#   gpu_tests DIR/tests/dlctl_gpu_tests, run directly (exit 77: skipped, no usable GPU)
#   unit_tests DIR/tests/dlctl_unit_tests, whose device-parameterised bodies then run on cpu and
#             cuda:0 (skipped without a GPU: CTest runs them on the CPU)
#   parity    configs/{breast_cancer,wine,diabetes}.yaml trained with --device cpu and --device cuda
#             (same seed): loss and val_loss of every epoch within --rtol; each checkpoint
#             evaluated on the other device (and the CPU one on both, losses compared)
#   ranks     mpirun -np 2 dlctl train --device cuda against one CPU process (NCCL with 2+ GPUs,
#             sums through host memory on one), when dlctl has MPI and mpirun is there
#   bench     python3 scripts/bench_gpu.py (dlctl vs PyTorch on the GPU), when torch is installed
# then a summary table, one line per step: PASS / FAIL / SKIP and seconds.
# Usage: scripts/gpu_check.sh [--prebuilt DIR] [options]     (--help for the options)
# Exit status: 0 all passed; 1 something failed; 77 nothing failed but there was no GPU (the
# CUDA halves were skipped); 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'EOF'
Usage: scripts/gpu_check.sh [options]

Builds dlctl with CUDA, lists devices, runs the GPU tests and the unit tests on every device,
checks CPU/GPU parity of three example configs end to end (and cross-device eval of their
checkpoints), and benchmarks dlctl against PyTorch on the GPU. Verbose output goes to the log
directory; the console gets a few lines per step and a summary table.

Options:
  --prebuilt DIR     use the existing build in DIR (DIR/bin/dlctl, DIR/tests/dlctl_gpu_tests)
                     without configuring or building; test executables are run directly, so
                     absolute paths baked into DIR's CTest files do not matter. DIR/lib (from
                     scripts/pack_prebuilt.sh) goes on LD_LIBRARY_PATH, and so do the CUDA
                     libraries under /usr/local, /opt and /usr/lib when the loader lacks them
  --build-dir DIR    where to build (default build-gpu)
  --cuda-arch LIST   -DCMAKE_CUDA_ARCHITECTURES=LIST (default: the project's, 80;90)
  --rtol X           relative tolerance of the CPU/GPU loss comparison (default 1e-3)
  --log-dir DIR      logs and parity runs (default: a new directory under ${TMPDIR:-/tmp})
  --no-bench         skip scripts/bench_gpu.py
  --bench-args "A"   extra arguments for scripts/bench_gpu.py (word-split), e.g.
                     "--precision tf32 --tf32"; the default is "--repeats 2 --budget 120"
  -h, --help         this text

Exit status: 0 all passed; 1 a step failed; 77 nothing failed but no GPU was found (the CUDA
parts were skipped); 2 bad usage.
EOF
}

prebuilt=""
build_dir=build-gpu
cuda_arch=""
rtol=1e-3
log_dir=""
run_bench=1
bench_args=(--repeats 2 --budget 120)
while [ $# -gt 0 ]; do
    case $1 in
        --prebuilt) prebuilt=${2:?--prebuilt needs a directory}; shift 2 ;;
        --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
        --cuda-arch) cuda_arch=${2:?--cuda-arch needs a list}; shift 2 ;;
        --rtol) rtol=${2:?--rtol needs a number}; shift 2 ;;
        --log-dir) log_dir=${2:?--log-dir needs a directory}; shift 2 ;;
        --no-bench) run_bench=0; shift ;;
        --bench-args)
            read -r -a extra <<< "${2:?--bench-args needs arguments}"
            bench_args+=("${extra[@]}")
            shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "gpu_check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if ! awk -v x="$rtol" 'BEGIN { exit !(x + 0 > 0) }'; then
    echo "gpu_check.sh: --rtol must be a positive number, got '$rtol'" >&2
    exit 2
fi
# A prebuilt directory from scripts/pack_prebuilt.sh carries its libraries in lib/; CUDA's runtime
# and cuBLAS are looked for where CUDA images keep them when the loader does not find them.
use_prebuilt_libraries() {
    local dirs="" dir
    if [ -d "$bin_dir/lib" ]; then dirs=$bin_dir/lib; fi
    if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.'; then
        for dir in $(find /usr/local /opt /usr/lib -xdev \( -name 'libcublas.so.*' -o \
                     -name 'libcudart.so.*' \) 2>/dev/null | xargs -r -n1 dirname | sort -u); do
            dirs=${dirs:+$dirs:}$dir
        done
    fi
    if [ -n "$dirs" ]; then
        export LD_LIBRARY_PATH=$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        echo "# LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    fi
}
if [ -n "$prebuilt" ]; then
    if [ ! -d "$prebuilt" ]; then
        echo "gpu_check.sh: --prebuilt $prebuilt is not a directory" >&2
        exit 2
    fi
    bin_dir=$(cd "$prebuilt" && pwd)
    use_prebuilt_libraries
else
    mkdir -p "$build_dir"
    bin_dir=$(cd "$build_dir" && pwd)
fi
dlctl=$bin_dir/bin/dlctl
if [ -z "$log_dir" ]; then
    log_dir=$(mktemp -d "${TMPDIR:-/tmp}/dlctl-gpu-check.XXXXXX")
else
    mkdir -p "$log_dir"
    log_dir=$(cd "$log_dir" && pwd)
fi

now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# Indented last lines of a file, for failures.
show_tail() { tail -n "$2" "$1" | cut -c1-200 | sed 's/^/     | /'; }
# One short line for the summary table (call inside a step).
note() { printf '%s' "$*" > "$log_dir/$step_id.note"; }

step_ids=()
step_results=()
step_seconds=()
step_notes=()
# run_step ID TITLE FUNCTION: runs FUNCTION in a subshell with errexit, so a failing command
# ends that step only; exit 0 is PASS, 77 SKIP, anything else FAIL.
run_step() {
    local start rc result
    step_id=$1
    echo "== $1: $2"
    start=$(now)
    rm -f "$log_dir/$step_id.note"
    set +e
    (set -e; "$3")
    rc=$?
    set -e
    case $rc in
        0) result=PASS ;;
        77) result=SKIP ;;
        *) result=FAIL ;;
    esac
    step_ids+=("$1")
    step_results+=("$result")
    step_seconds+=("$(since "$start")")
    step_notes+=("$(cat "$log_dir/$step_id.note" 2>/dev/null || true)")
    echo "   -> $result (${step_seconds[-1]} s)${step_notes[-1]:+ ${step_notes[-1]}}"
}

# ----------------------------------------------------------------------------------- steps

step_build() {
    if [ -n "$prebuilt" ]; then
        if [ ! -x "$dlctl" ]; then
            echo "   no executable $dlctl"
            note "no bin/dlctl in $prebuilt"
            return 1
        fi
        # The CUDA backend is a module beside dlctl, loaded on first use.
        local module
        module="$(dirname "$dlctl")/libdlctl_cuda.so"
        if [ ! -f "$module" ]; then
            note "no bin/libdlctl_cuda.so in $prebuilt (built without CUDA?)"
            return 1
        fi
        local binary
        for binary in "$dlctl" "$module"; do
            if ldd "$binary" 2>/dev/null | grep -q 'not found'; then
                echo "   $binary misses shared libraries here:"
                ldd "$binary" | grep 'not found' | sed 's/^/     | /'
                note "missing shared libraries"
                return 1
            fi
        done
        note "prebuilt $bin_dir used as is"
        return 77
    fi
    local configure=(cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLCTL_CUDA=ON)
    if [ -n "$cuda_arch" ]; then configure+=("-DCMAKE_CUDA_ARCHITECTURES=$cuda_arch"); fi
    echo "   ${configure[*]}"
    if ! "${configure[@]}" > "$log_dir/configure.log" 2>&1; then
        show_tail "$log_dir/configure.log" 25
        note "configure failed ($log_dir/configure.log)"
        return 1
    fi
    grep -m1 'dlctl: CUDA backend' "$log_dir/configure.log" | sed 's/^[- ]*/   /' || true
    echo "   cmake --build $build_dir -j$(nproc)"
    if ! cmake --build "$build_dir" -j"$(nproc)" > "$log_dir/build.log" 2>&1; then
        grep -E -m 20 'error|FAILED:' "$log_dir/build.log" | cut -c1-200 | sed 's/^/     | /' || true
        echo "     ..."
        show_tail "$log_dir/build.log" 10
        note "build failed ($log_dir/build.log)"
        return 1
    fi
    note "$(grep -c '^\[' "$log_dir/build.log" || true) build steps"
}

step_devices() {
    if [ ! -x "$dlctl" ]; then
        echo "   no executable $dlctl"
        note "no dlctl binary"
        return 1
    fi
    local rc=0
    "$dlctl" --version > "$log_dir/devices.txt" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then "$dlctl" devices >> "$log_dir/devices.txt" 2>&1 || rc=$?; fi
    sed 's/^/   /' "$log_dir/devices.txt" | head -n 12
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 132 ]; then
            echo "   (SIGILL: built for another CPU; build with -DDLCTL_NATIVE_ARCH=OFF to copy it)"
        fi
        ldd "$dlctl" 2>/dev/null | grep 'not found' | sed 's/^/   /' || true
        note "dlctl exited $rc"
        return 1
    fi
    local smi_gpus=0
    if command -v nvidia-smi > /dev/null 2>&1; then
        nvidia-smi -L > "$log_dir/nvidia-smi.txt" 2>&1 || true
        sed 's/^/   nvidia-smi: /' "$log_dir/nvidia-smi.txt" | head -n 4
        smi_gpus=$(grep -c '^GPU ' "$log_dir/nvidia-smi.txt" || true)
    fi
    if grep -q '^cuda:' "$log_dir/devices.txt"; then
        note "$(grep -m1 '^cuda:' "$log_dir/devices.txt" | tr '\t' ' ')"
        return 0
    fi
    if [ "$smi_gpus" -gt 0 ]; then
        echo "   nvidia-smi lists $smi_gpus GPU(s) but dlctl devices none"
        note "dlctl sees no GPU, nvidia-smi does"
        return 1
    fi
    note "no GPU: the CUDA parts are skipped"
}

# run_catch EXE NAME: runs a Catch test executable, its output in $log_dir/NAME.log; returns 0
# (note: its summary), 77 when it skipped itself, else 1 with its last lines shown.
run_catch() {
    local rc=0 summary
    timeout 300 "$1" > "$log_dir/$2.log" 2>&1 || rc=$?
    summary=$(grep -E 'All tests passed|test cases:' "$log_dir/$2.log" | tail -n 1 || true)
    if [ "$rc" -eq 77 ] && ! grep -q 'failed' <<< "$summary"; then return 77; fi
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ]; then echo "   timed out after 300 s"; fi
        show_tail "$log_dir/$2.log" 40
        note "exit $rc${summary:+: $summary}"
        return 1
    fi
    note "$summary"
}

step_gpu_tests() {
    local exe=$bin_dir/tests/dlctl_gpu_tests rc=0
    if [ ! -x "$exe" ]; then
        echo "   no $exe (is dlctl_gpu_tests in tests/CMakeLists.txt?)"
        note "dlctl_gpu_tests not built"
        if [ "$has_gpu" -eq 1 ]; then return 1; fi
        return 77
    fi
    run_catch "$exe" gpu_tests || rc=$?
    if [ "$rc" -eq 77 ]; then
        tail -n 3 "$log_dir/gpu_tests.log" | cut -c1-200 | sed 's/^/   /'
        note "skipped by dlctl_gpu_tests (exit 77: no usable GPU)"
    fi
    return "$rc"
}

# The unit tests whose bodies run once per device present (ops, gradient checks, trainer): on a
# GPU machine each of those runs on cpu and cuda:0. Without a GPU this is CTest's job.
step_unit_tests() {
    local exe=$bin_dir/tests/dlctl_unit_tests
    if [ "$has_gpu" -eq 0 ]; then note "no GPU (CTest runs them on the CPU)"; return 77; fi
    if [ ! -x "$exe" ]; then
        echo "   no $exe"
        note "dlctl_unit_tests not built"
        return 1
    fi
    run_catch "$exe" unit_tests
}

# train_one CONFIG DEVICE TAG: trains configs/CONFIG.yaml into $work/CONFIG-TAG.
train_one() {
    local out=$work/$1-$3 rc=0
    timeout 300 "$dlctl" -q train "configs/$1.yaml" --device "$2" --seed 42 --run-dir "$out" \
        > "$out.stdout" 2> "$out.stderr" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "   $1: train --device $2 failed (exit $rc)"
        show_tail "$out.stderr" 8
        return 1
    fi
    # A run that quietly fell back to the CPU would pass the comparison trivially.
    if [ "$2" != cpu ] && ! grep -Eq '"device": *"cuda' "$out/summary.json"; then
        echo "   $1: train --device $2 did not run on the GPU: $(grep -Eo '"device": *"[^"]*"' \
            "$out/summary.json" || echo 'no device in summary.json')"
        return 1
    fi
}

# compare_metrics A.csv B.csv: loss and val_loss of every epoch; prints one line, fails when a
# value differs by more than rtol (relative) or the epochs differ.
compare_metrics() {
    awk -F, -v rtol="$rtol" '
        function abs(v) { return v < 0 ? -v : v }
        BEGIN { name[1] = "loss"; name[2] = "val_loss" }
        FNR == 1 { file++; for (i = 1; i <= NF; i++) col[file, $i] = i; next }
        file == 1 {
            rows1++
            for (k = 1; k <= 2; k++) if (col[1, name[k]]) v[k, $col[1, "epoch"]] = $col[1, name[k]]
            next
        }
        {
            rows2++
            e = $col[2, "epoch"]
            for (k = 1; k <= 2; k++) {
                c = col[2, name[k]]
                if (!c || !col[1, name[k]]) { if (c || col[1, name[k]]) columns++; continue }
                if (!((k, e) in v)) { extra++; continue }
                a = v[k, e]; b = $c
                if (a == "" && b == "") continue
                if (a == "" || b == "") { blank++; continue }
                m = abs(a); if (abs(b) > m) m = abs(b)
                r = m > 0 ? abs(a - b) / m : 0
                n++
                if (r > worst) { worst = r; worst_epoch = e; worst_name = name[k] }
                if (r > rtol + 0) bad++
            }
        }
        END {
            if (!col[1, "loss"] || !col[2, "loss"]) { print "no loss column"; exit 1 }
            printf "%d epochs, %d values, max rel diff %.2e", rows1, n, worst
            if (n && worst > 0) printf " (epoch %s %s)", worst_epoch, worst_name
            if (bad) printf ", %d over %s", bad, rtol
            if (rows1 != rows2) printf ", EPOCHS DIFFER: %d vs %d", rows1, rows2
            if (columns) printf ", val_loss in one file only"
            if (blank) printf ", %d values empty in one file only", blank
            printf "\n"
            exit (bad || blank || extra || columns || rows1 != rows2) ? 1 : 0
        }' "$1" "$2"
}

# eval_one CHECKPOINT DEVICE NAME: dlctl eval on DEVICE; its stdout in $work/NAME.eval.
eval_one() {
    local rc=0
    timeout 120 "$dlctl" -q eval --checkpoint "$1" --device "$2" > "$work/$3.eval" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "   eval of $3 with --device $2 failed (exit $rc)"
        show_tail "$work/$3.eval" 8
        return 1
    fi
}

eval_loss() { awk '$1 == "loss" { print $2; exit }' "$work/$1.eval"; }

step_parity() {
    work=$log_dir/parity
    rm -rf "$work"
    mkdir -p "$work"
    local failed=0 config line cpu_loss gpu_loss
    for config in breast_cancer wine diabetes; do
        if ! train_one "$config" cpu cpu; then failed=$((failed + 1)); continue; fi
        if [ "$has_gpu" -eq 0 ]; then
            # No GPU: a second CPU run (determinism) keeps the comparison itself exercised.
            if ! train_one "$config" cpu cpu2; then failed=$((failed + 1)); continue; fi
            if line=$(compare_metrics "$work/$config-cpu/metrics.csv" \
                                      "$work/$config-cpu2/metrics.csv"); then
                echo "   $config: cpu vs cpu: $line"
            else
                echo "   $config: cpu vs cpu: $line  FAIL"
                failed=$((failed + 1))
            fi
            eval_one "$work/$config-cpu/checkpoints/last.safetensors" cpu "$config-cpu-on-cpu" ||
                failed=$((failed + 1))
            continue
        fi
        if ! train_one "$config" cuda cuda; then failed=$((failed + 1)); continue; fi
        if line=$(compare_metrics "$work/$config-cpu/metrics.csv" \
                                  "$work/$config-cuda/metrics.csv"); then
            echo "   $config: cpu vs cuda: $line"
        else
            echo "   $config: cpu vs cuda: $line  FAIL"
            failed=$((failed + 1))
        fi
        # Checkpoints are device-independent: each is evaluated on the other device, and the
        # CPU one on both (same loss expected).
        local ok=1
        eval_one "$work/$config-cuda/checkpoints/last.safetensors" cpu "$config-cuda-on-cpu" || ok=0
        eval_one "$work/$config-cpu/checkpoints/last.safetensors" cuda "$config-cpu-on-cuda" || ok=0
        eval_one "$work/$config-cpu/checkpoints/last.safetensors" cpu "$config-cpu-on-cpu" || ok=0
        if [ "$ok" -eq 1 ]; then
            cpu_loss=$(eval_loss "$config-cpu-on-cpu")
            gpu_loss=$(eval_loss "$config-cpu-on-cuda")
            if awk -v a="$cpu_loss" -v b="$gpu_loss" -v t="$rtol" 'BEGIN {
                    d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; if (b > m) m = b; if (-b > m) m = -b
                    exit !(a != "" && b != "" && d <= t * m) }'; then
                echo "   $config: eval cuda ckpt on cpu, cpu ckpt on cuda: exit 0; test loss of the cpu ckpt: cpu $cpu_loss, cuda $gpu_loss"
            else
                echo "   $config: eval: test loss of the cpu ckpt differs: cpu '$cpu_loss', cuda '$gpu_loss'  FAIL"
                ok=0
            fi
        fi
        if [ "$ok" -eq 0 ]; then failed=$((failed + 1)); fi
    done
    if [ "$failed" -gt 0 ]; then
        note "$failed of 3 configs failed (runs in $work)"
        return 1
    fi
    if [ "$has_gpu" -eq 0 ]; then
        note "no GPU: cuda half skipped (cpu vs cpu and cpu eval passed)"
        return 77
    fi
    note "3 configs within rtol $rtol; cross-device evals exit 0"
}

# Data-parallel training on GPUs: two ranks (mpirun -np 2, --device cuda) against one CPU
# process, the breast-cancer network without its dropout (each rank draws its own masks). With
# two GPUs or more the ranks sum gradients with NCCL; with one they share it and sum through
# host memory; train.log must say which.
step_ranks() {
    if [ "$has_gpu" -eq 0 ] || ! command -v mpirun > /dev/null 2>&1 ||
        ! "$dlctl" --version | grep -q 'MPI on'; then
        note "needs a GPU, mpirun and a dlctl built with MPI"
        return 77
    fi
    work=$log_dir/ranks
    rm -rf "$work"
    mkdir -p "$work"
    grep -v dropout configs/breast_cancer.yaml | sed "s#\.\./data/#$PWD/data/#" > "$work/spec.yaml"
    local gpus expected rc=0 line
    gpus=$(grep -c '^cuda:' "$log_dir/devices.txt" || true)
    expected="summed in rank order through host memory"
    [ "$gpus" -ge 2 ] && expected="summed by the GPUs (NCCL)"
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    timeout 300 "$dlctl" -q train "$work/spec.yaml" --device cpu --run-dir "$work/one" \
        > /dev/null 2> "$work/one.stderr" || rc=$?
    timeout 300 mpirun -np 2 "$dlctl" -q train "$work/spec.yaml" --device cuda \
        --run-dir "$work/two" > /dev/null 2> "$work/two.stderr" || rc=$?
    if [ "$rc" -ne 0 ]; then
        show_tail "$work/two.stderr" 8
        note "a training failed (exit $rc)"
        return 1
    fi
    if ! grep -q "$expected" "$work/two/train.log"; then
        note "train.log does not say: $expected"
        return 1
    fi
    if line=$(compare_metrics "$work/one/metrics.csv" "$work/two/metrics.csv"); then
        echo "   2 ranks on $gpus GPU(s) vs 1 CPU process: $line"
        note "$gpus GPU(s), $expected; within rtol $rtol of the CPU"
    else
        echo "   2 ranks on $gpus GPU(s) vs 1 CPU process: $line  FAIL"
        note "2 GPU ranks differ from the CPU beyond rtol $rtol"
        return 1
    fi
}

step_torch_parity() {
    if [ "$has_gpu" -eq 0 ]; then note "no GPU"; return 77; fi
    if ! python3 -c 'import torch, numpy' > /dev/null 2>&1; then
        note "torch or numpy not installed"
        return 77
    fi
    local rc=0
    timeout 300 python3 scripts/parity_torch.py --dlctl "$dlctl" --device cuda --check \
        > "$log_dir/parity_torch.log" 2>&1 || rc=$?
    grep '^|' "$log_dir/parity_torch.log" | cut -c1-200 | sed 's/^/   /' || true
    if [ "$rc" -ne 0 ]; then
        show_tail "$log_dir/parity_torch.log" 10
        note "parity_torch.py --device cuda exit $rc"
        return 1
    fi
    note "dlctl on the GPU agrees with PyTorch (losses 1e-5, weights 1e-3)"
}

step_bench() {
    if [ "$run_bench" -eq 0 ]; then note "--no-bench"; return 77; fi
    if ! command -v python3 > /dev/null 2>&1; then note "no python3"; return 77; fi
    if ! python3 -c 'import torch' > /dev/null 2>&1; then
        note "torch not installed (pip install torch numpy)"
        return 77
    fi
    local rc=0
    echo "   python3 scripts/bench_gpu.py --dlctl $dlctl --json $log_dir/bench_gpu.json ${bench_args[*]}"
    timeout 420 python3 scripts/bench_gpu.py --dlctl "$dlctl" --json "$log_dir/bench_gpu.json" \
        "${bench_args[@]}" > "$log_dir/bench_gpu.log" 2>&1 || rc=$?
    grep -E '^(\||# (fp32|GEMM)|targets met|FAILED|skipped)|dlctl failed' "$log_dir/bench_gpu.log" |
        cut -c1-200 | sed 's/^/   /' || true
    case $rc in
        0) note "$(grep -m1 '^targets met' "$log_dir/bench_gpu.log" || true)" ;;
        77) note "bench_gpu.py skipped (exit 77)"; return 77 ;;
        *)
            if [ "$rc" -eq 124 ]; then echo "   timed out after 420 s"; fi
            show_tail "$log_dir/bench_gpu.log" 15
            note "bench_gpu.py exit $rc"
            return 1 ;;
    esac
}

# ------------------------------------------------------------------------------------- main

started=$(now)
echo "# scripts/gpu_check.sh $*"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname), $(nproc) cores;" \
     "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
     "$( [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null || true)" ] && echo '(modified)')"
echo "# build: $bin_dir; logs: $log_dir"
has_gpu=0
run_step build "configure and build with CUDA" step_build
run_step devices "dlctl devices" step_devices
if grep -q '^cuda:' "$log_dir/devices.txt" 2>/dev/null; then has_gpu=1; fi
run_step gpu_tests "GPU unit tests (dlctl_gpu_tests)" step_gpu_tests
run_step unit_tests "unit tests on every device (dlctl_unit_tests)" step_unit_tests
run_step parity "CPU/GPU parity: breast_cancer, wine, diabetes" step_parity
run_step ranks "2 MPI ranks on the GPU(s) vs 1 CPU process" step_ranks
run_step torch_parity "dlctl on the GPU vs PyTorch (scripts/parity_torch.py)" step_torch_parity
run_step bench "benchmark against PyTorch (scripts/bench_gpu.py)" step_bench

echo
echo "== summary (logs: $log_dir)"
printf '   %-10s %-6s %8s  %s\n' step result seconds note
failed=0
for i in "${!step_ids[@]}"; do
    printf '   %-10s %-6s %8s  %s\n' "${step_ids[$i]}" "${step_results[$i]}" \
        "${step_seconds[$i]}" "${step_notes[$i]}"
    if [ "${step_results[$i]}" = FAIL ]; then failed=$((failed + 1)); fi
done
echo "   total $(since "$started") s"
if [ "$failed" -gt 0 ]; then
    echo "gpu_check: $failed step(s) FAILED"
    exit 1
fi
if [ "$has_gpu" -eq 0 ]; then
    echo "gpu_check: nothing failed, but there was no GPU: the CUDA parts were skipped (exit 77)"
    exit 77
fi
echo "gpu_check: all passed"
