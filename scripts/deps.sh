#!/usr/bin/env bash
# Makes sure the Debian packages dlctl needs are installed: installs the missing ones when run as
# root (or with password-less sudo), otherwise prints the exact command and fails.
# Usage: scripts/deps.sh
set -euo pipefail

packages=(
    cmake ninja-build g++ git
    libcli11-dev libyaml-cpp-dev libfccp-dev libfast-float-dev zlib1g-dev libspdlog-dev libfmt-dev libeigen3-dev
    libopenblas-openmp-dev
    nlohmann-json3-dev catch2
    libonnx-dev libprotobuf-dev
    libopenmpi-dev openmpi-bin
    # tests only: SVG rendering, a single-node Slurm for scripts/sweep.sh --slurm, PyTorch +
    # numpy for the parity tests and pandas + scikit-learn for bench_quality.py's smoke test
    # (Debian's python3 runs them when the python3 on PATH lacks them), GNU time for
    # bench_rank_reads.py's peak memory a rank
    time librsvg2-bin slurmctld slurmd slurm-client munge python3-torch python3-numpy python3-pandas
    python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dlctl: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    echo "dlctl: please install them first:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
