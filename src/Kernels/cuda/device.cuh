// Device portability layer for the GpuEnet kernels.
//
// The kernels are compiled to PTX by plain clang without the CUDA toolkit (-nocudainc -nocudalib), so the
// thread-index registers and the barrier are reached through clang's NVPTX builtins rather than the toolkit's
// headers. The same sources also compile as ordinary C++ with GPUENET_EMULATE defined: the CPU emulator under
// tests/Kernels/Emulator runs every CUDA thread of a block as an OS thread, which is how the kernels are exercised
// on machines without a GPU.
#pragma once

#ifdef GPUENET_EMULATE

#define GE_KERNEL extern "C"
#define GE_DEVICE static inline
// Blocks run one at a time in the emulator, so one static array per kernel is the block's shared memory.
#define GE_SHARED static

extern "C" int ge_emu_thread_x();
extern "C" int ge_emu_block_x();
extern "C" int ge_emu_block_y();
extern "C" void ge_emu_sync();

GE_DEVICE int ge_thread_x() { return ge_emu_thread_x(); }
GE_DEVICE int ge_block_x() { return ge_emu_block_x(); }
GE_DEVICE int ge_block_y() { return ge_emu_block_y(); }
GE_DEVICE void ge_sync() { ge_emu_sync(); }

#else

#define GE_KERNEL extern "C" __attribute__((global))
#define GE_DEVICE static __attribute__((device)) inline
#define GE_SHARED __attribute__((shared))

GE_DEVICE int ge_thread_x() { return __nvvm_read_ptx_sreg_tid_x(); }
GE_DEVICE int ge_block_x() { return __nvvm_read_ptx_sreg_ctaid_x(); }
GE_DEVICE int ge_block_y() { return __nvvm_read_ptx_sreg_ctaid_y(); }
GE_DEVICE void ge_sync() { __syncthreads(); }

#endif

// Every launch uses blocks of this many threads; the host (CudaBackend) launches with the same number.
constexpr int kThreads = 256;
