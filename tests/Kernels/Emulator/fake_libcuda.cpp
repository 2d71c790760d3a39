// A stand-in for libcuda.so.1 that runs the GpuEnet kernels on the CPU, so CudaBackend's host code (P/Invoke
// declarations, argument marshalling, launch shapes, workspaces) and the kernels' CUDA C can be exercised on a
// machine without a GPU. Built and used by run-emulated.sh; never shipped.
//
// Device memory is host memory; each launch runs its blocks one after another and the threads of a block as
// coroutines (ucontext) that switch at every __syncthreads, which is exactly the synchronisation the kernels rely on.
// It implements only the driver functions CudaDriver.cs binds, with the signatures of cuda.h. Knobs (environment):
// FAKE_CUDA_MEMORY=bytes (device memory size, default 1 GiB), FAKE_CUDA_JIT_FAIL=1 (module load fails with a log).
#define GPUENET_EMULATE 1
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <ucontext.h>
#include <vector>

static int g_thread, g_block_x, g_block_y;
static std::vector<ucontext_t> g_threads;
static ucontext_t g_scheduler;

extern "C" int ge_emu_thread_x() { return g_thread; }
extern "C" int ge_emu_block_x() { return g_block_x; }
extern "C" int ge_emu_block_y() { return g_block_y; }
extern "C" void ge_emu_sync() { swapcontext(&g_threads[g_thread], &g_scheduler); }

#include "../../../src/Kernels/cuda/batched_gradient.cu"
#include "../../../src/Kernels/cuda/column_moments.cu"
#include "../../../src/Kernels/cuda/active_set_descent.cu"

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum { kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotFound = 500, kInvalidPtx = 218, kLaunchFailed = 719 };

template <typename T> static T arg(void** p, int i) { return *static_cast<T*>(p[i]); }
#define PTR(T, i) reinterpret_cast<T>(arg<CUdeviceptr>(p, i))

typedef void (*Trampoline)(void** p);
static const std::map<std::string, Trampoline> g_kernels = {
#define GRADIENT(name, TX) {#name, [](void** p) { name(PTR(const TX*, 0), arg<long long>(p, 1), PTR(const int*, 2), arg<int>(p, 3), \
    PTR(const double*, 4), arg<int>(p, 5), arg<int>(p, 6), PTR(const int*, 7), PTR(const double*, 8), PTR(const double*, 9), \
    PTR(double*, 10)); }}
    GRADIENT(batched_gradient_f64, double), GRADIENT(batched_gradient_f32, float),
#define MOMENTS(name, TX) {#name, [](void** p) { name(PTR(const TX*, 0), arg<long long>(p, 1), arg<int>(p, 2), PTR(const double*, 3), \
    arg<int>(p, 4), arg<int>(p, 5), PTR(const double*, 6), PTR(double*, 7), PTR(double*, 8), PTR(double*, 9)); }}
    MOMENTS(column_moments_f64, double), MOMENTS(column_moments_f32, float),
#define DESCENT(name, TX) {#name, [](void** p) { name(PTR(const TX*, 0), arg<long long>(p, 1), PTR(const int*, 2), PTR(const int*, 3), \
    PTR(double*, 4), PTR(const double*, 5), PTR(const double*, 6), PTR(const double*, 7), PTR(const double*, 8), \
    PTR(const double*, 9), PTR(const double*, 10), PTR(const double*, 11), PTR(const double*, 12), PTR(double*, 13), \
    PTR(const double*, 14), PTR(double*, 15), PTR(const double*, 16), arg<int>(p, 17), PTR(int*, 18), PTR(int*, 19)); }}
    DESCENT(active_set_descent_f64, double), DESCENT(active_set_descent_f32, float),
};

static std::mutex g_lock;
static std::map<CUdeviceptr, size_t> g_allocations;
static size_t g_used;
static int g_context_token, g_stream_token, g_event_token, g_module_token;

static size_t total_memory()
{
    const char* env = std::getenv("FAKE_CUDA_MEMORY");
    return env ? std::strtoull(env, nullptr, 10) : (size_t(1) << 30);
}

static Trampoline g_running;
static void** g_running_params;
static std::vector<char> g_finished;

static void thread_main()
{
    g_running(g_running_params);
    g_finished[g_thread] = 1; // then uc_link returns to the scheduler
}

static CUresult run_block(Trampoline kernel, void** params, unsigned threads)
{
    static const size_t kStack = 128 * 1024;
    static std::vector<std::vector<char>> stacks;
    stacks.resize(threads, std::vector<char>(kStack));
    g_threads.assign(threads, ucontext_t());
    g_finished.assign(threads, 0);
    g_running = kernel;
    g_running_params = params;
    for (unsigned t = 0; t < threads; ++t)
    {
        getcontext(&g_threads[t]);
        g_threads[t].uc_stack.ss_sp = stacks[t].data();
        g_threads[t].uc_stack.ss_size = kStack;
        g_threads[t].uc_link = &g_scheduler;
        makecontext(&g_threads[t], thread_main, 0);
    }

    // One phase: every thread runs to its next barrier or to its end. A barrier reached by only some threads is a
    // kernel bug (a hang or undefined behaviour on a GPU) and fails the launch.
    for (;;)
    {
        for (unsigned t = 0; t < threads; ++t)
        {
            g_thread = (int)t;
            swapcontext(&g_scheduler, &g_threads[t]);
        }

        unsigned done = 0;
        for (unsigned t = 0; t < threads; ++t)
        {
            done += g_finished[t] ? 1 : 0;
        }

        if (done == threads)
        {
            return kSuccess;
        }

        if (done != 0)
        {
            std::fprintf(stderr, "fake libcuda: %u of %u threads ended while the others wait at a barrier\n", done, threads);
            return kLaunchFailed;
        }
    }
}

static CUresult check_pointer(const void* p) { return p ? kSuccess : kInvalidValue; }

extern "C" {

CUresult cuInit(unsigned flags) { return flags == 0 ? kSuccess : kInvalidValue; }
CUresult cuDeviceGetCount(int* count) { *count = 1; return kSuccess; }
CUresult cuDeviceGet(int* device, int ordinal) { if (ordinal != 0) return 101; *device = 0; return kSuccess; }
CUresult cuDeviceGetName(char* name, int length, int device)
{
    if (device != 0 || length < 1) return kInvalidValue;
    std::snprintf(name, (size_t)length, "%s", "GpuEnet CPU emulator");
    return kSuccess;
}
CUresult cuDeviceTotalMem_v2(size_t* bytes, int device) { *bytes = total_memory(); return device == 0 ? kSuccess : kInvalidValue; }
CUresult cuDevicePrimaryCtxRetain(void** context, int device) { *context = &g_context_token; return device == 0 ? kSuccess : kInvalidValue; }
CUresult cuDevicePrimaryCtxRelease_v2(int device) { return device == 0 ? kSuccess : kInvalidValue; }
CUresult cuCtxSetCurrent(void* context) { return context == &g_context_token ? kSuccess : kInvalidValue; }

CUresult cuModuleLoadDataEx(void** module, const void* image, unsigned count, int* options, void** values)
{
    const char* text = static_cast<const char*>(image);
    if (!text || std::strncmp(text, "//", 2) != 0 || !std::strstr(text, ".entry")) return kInvalidPtx;
    if (std::getenv("FAKE_CUDA_JIT_FAIL"))
    {
        char* log = nullptr;
        size_t size = 0;
        for (unsigned i = 0; i < count; ++i)
        {
            if (options[i] == 5) log = static_cast<char*>(values[i]);
            if (options[i] == 6) size = (size_t)(uintptr_t)values[i];
        }
        if (log && size > 0) std::snprintf(log, size, "ptxas application ptx input, line 1; fatal : emulated JIT failure");
        return kInvalidPtx;
    }
    *module = &g_module_token;
    return kSuccess;
}
CUresult cuModuleUnload(void* module) { return module == &g_module_token ? kSuccess : kInvalidValue; }
CUresult cuModuleGetFunction(void** function, void* module, const char* name)
{
    auto found = g_kernels.find(name);
    if (module != &g_module_token || found == g_kernels.end()) return kNotFound;
    *function = (void*)&found->second;
    return kSuccess;
}

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes)
{
    std::lock_guard<std::mutex> guard(g_lock);
    if (bytes == 0) return kInvalidValue;
    if (g_used + bytes > total_memory()) return kOutOfMemory;
    void* p = std::malloc(bytes);
    std::memset(p, 0xff, bytes); // NaN garbage, as uninitialised device memory can be
    *pointer = (CUdeviceptr)(uintptr_t)p;
    g_allocations[*pointer] = bytes;
    g_used += bytes;
    return kSuccess;
}
CUresult cuMemFree_v2(CUdeviceptr pointer)
{
    std::lock_guard<std::mutex> guard(g_lock);
    auto found = g_allocations.find(pointer);
    if (found == g_allocations.end()) return kInvalidValue;
    g_used -= found->second;
    g_allocations.erase(found);
    std::free((void*)(uintptr_t)pointer);
    return kSuccess;
}
CUresult cuMemGetInfo_v2(size_t* free, size_t* total)
{
    std::lock_guard<std::mutex> guard(g_lock);
    *total = total_memory();
    *free = *total - g_used;
    return kSuccess;
}

static CUresult check_range(CUdeviceptr p, size_t bytes)
{
    std::lock_guard<std::mutex> guard(g_lock);
    auto it = g_allocations.upper_bound(p);
    if (it == g_allocations.begin()) return kInvalidValue;
    --it;
    return p + bytes <= it->first + it->second ? kSuccess : kInvalidValue;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void* s, size_t bytes)
{
    if (CUresult r = check_range(d, bytes)) return r;
    std::memcpy((void*)(uintptr_t)d, s, bytes);
    return check_pointer(s);
}
CUresult cuMemcpyDtoH_v2(void* d, CUdeviceptr s, size_t bytes)
{
    if (CUresult r = check_range(s, bytes)) return r;
    std::memcpy(d, (const void*)(uintptr_t)s, bytes);
    return check_pointer(d);
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* s, size_t bytes, void*) { return cuMemcpyHtoD_v2(d, s, bytes); }
CUresult cuMemcpyDtoHAsync_v2(void* d, CUdeviceptr s, size_t bytes, void*) { return cuMemcpyDtoH_v2(d, s, bytes); }

CUresult cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
    unsigned shared, void* stream, void** params, void** extra)
{
    (void)stream;
    if (!function || !params || extra || gz != 1 || by != 1 || bz != 1 || shared != 0 || bx != (unsigned)kThreads) return kInvalidValue;
    std::lock_guard<std::mutex> guard(g_lock); // one launch at a time: shared memory is static
    Trampoline kernel = *static_cast<Trampoline*>(function);
    for (unsigned y = 0; y < gy; ++y)
    {
        for (unsigned x = 0; x < gx; ++x)
        {
            g_block_x = (int)x;
            g_block_y = (int)y;
            if (CUresult r = run_block(kernel, params, bx)) return r;
        }
    }
    return kSuccess;
}

CUresult cuStreamCreate(void** stream, unsigned) { *stream = &g_stream_token; return kSuccess; }
CUresult cuStreamSynchronize(void*) { return kSuccess; }
CUresult cuStreamDestroy_v2(void*) { return kSuccess; }
CUresult cuEventCreate(void** e, unsigned) { *e = &g_event_token; return kSuccess; }
CUresult cuEventRecord(void*, void*) { return kSuccess; }
CUresult cuEventSynchronize(void*) { return kSuccess; }
CUresult cuEventElapsedTime(float* ms, void*, void*) { *ms = 0.0f; return kSuccess; }
CUresult cuEventDestroy_v2(void*) { return kSuccess; }

CUresult cuGetErrorName(CUresult r, const char** name)
{
    switch (r)
    {
    case kSuccess: *name = "CUDA_SUCCESS"; return kSuccess;
    case kInvalidValue: *name = "CUDA_ERROR_INVALID_VALUE"; return kSuccess;
    case kOutOfMemory: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return kSuccess;
    case kInvalidPtx: *name = "CUDA_ERROR_INVALID_PTX"; return kSuccess;
    case kNotFound: *name = "CUDA_ERROR_NOT_FOUND"; return kSuccess;
    case kLaunchFailed: *name = "CUDA_ERROR_LAUNCH_FAILED"; return kSuccess;
    default: *name = nullptr; return kInvalidValue;
    }
}

} // extern "C"
