#!/usr/bin/env bash
# Runs the CUDA conformance suite (CudaKernelContractTests) against fake_libcuda.cpp, a CPU stand-in for
# libcuda.so.1 that executes the real kernel sources (src/Kernels/cuda/*.cu) with CUDA's block/barrier semantics.
# This checks CudaBackend's host code and the kernels' logic on machines without a GPU; it says nothing about
# speed, the PTX the driver JITs, or the real driver's behaviour. Needs clang++ (apt-get install -y clang).
# usage: tests/Kernels/Emulator/run-emulated.sh [extra dotnet test arguments]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
lib="$(mktemp -d)"
trap 'rm -rf "$lib"' EXIT
clang++ -std=c++17 -O2 -g -shared -fPIC -Wall -Wno-unknown-pragmas -Wno-unused-function \
    -o "$lib/libcuda.so.1" "$root/tests/Kernels/Emulator/fake_libcuda.cpp"
cd "$root"
LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" dotnet test tests \
    --filter "FullyQualifiedName~GpuEnet.Tests.Kernels.Cuda" --logger "console;verbosity=normal" "$@"
