#!/usr/bin/env bash
# Writes the PTX of every ILGPU kernel (sm_80, CUDA 12.4 instruction set; no GPU needed) to a folder for review:
#   scripts/dump-ptx.sh [OUTPUT_DIR]      (default: ptx/)
# It runs the PTX test (tests/Kernels/IlgpuPtxTests), which also fails if a kernel spills to local memory (.local).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-ptx}" && cd "${1:-ptx}" && pwd)"
GPUENET_PTX_DUMP="$out" dotnet test "$root/tests/GpuEnet.Tests.csproj" -c Release --filter "FullyQualifiedName~IlgpuPtxTests" -v quiet --nologo
ls -l "$out"/*.ptx
