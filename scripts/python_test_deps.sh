#!/usr/bin/env bash
# Installs the PyPI packages some tests compare dlctl with or read its outputs with (ONNX Runtime,
# TensorBoard's own reader; Debian has neither) into the python3 on
# PATH, when it lacks them and pip can reach PyPI. Best effort: without them those tests report
# themselves skipped. Nothing dlctl builds or links comes from PyPI.
# Usage: scripts/python_test_deps.sh
set -uo pipefail

python=$(command -v python3) || exit 0
declare -A module_of=([onnxruntime]=onnxruntime [numpy]=numpy [pandas]=pandas [tensorboard]=tensorboard)
missing=()
for package in "${!module_of[@]}"; do
    "$python" -c "import ${module_of[$package]}" 2>/dev/null || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "dlctl: installing test packages from PyPI into $python: ${missing[*]}" >&2
if ! "$python" -m pip install --quiet "${missing[@]}" >&2; then
    echo "dlctl: could not install them; the tests that need them will be skipped" >&2
fi
exit 0
