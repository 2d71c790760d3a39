#!/usr/bin/env bash
# Regenerates src/Kernels/cuda/*.ptx from src/Kernels/cuda/*.cu with clang (no CUDA toolkit needed:
# apt-get install -y clang). The generated PTX is committed and embedded in GpuEnet.Kernels, so neither building
# nor running GpuEnet needs clang; tests/Kernels/PtxMatchesSourceTests checks the committed files are current.
#
# usage: scripts/build-ptx.sh [OUTPUT_DIR]   (default: src/Kernels/cuda, i.e. in place)
# Each .ptx starts with a comment naming the clang that produced it: another LLVM version emits different (but
# equally valid) PTX, so the check only compares files produced by the same clang version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/src/Kernels/cuda"
out="${1:-$src}"
mkdir -p "$out"
clang="${CLANG:-clang}"
if ! command -v "$clang" > /dev/null; then
    echo "build-ptx.sh: $clang not found (apt-get install -y clang)" >&2
    exit 2
fi
version="$("$clang" --version | head -n 1)"
for cu in "$src"/*.cu; do
    name="$(basename "$cu" .cu)"
    tmp="$(mktemp)"
    # sm_80 (A100) PTX is JIT-compiled by the driver for any newer GPU (H100, H200, L40S...).
    "$clang" -x cuda --cuda-device-only --cuda-gpu-arch=sm_80 -nocudainc -nocudalib -O3 -S -o "$tmp" "$cu"
    { echo "// Generated from $name.cu by scripts/build-ptx.sh with $version. Do not edit."; cat "$tmp"; } > "$out/$name.ptx"
    rm -f "$tmp"
done
