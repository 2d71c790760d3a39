using System.Runtime.InteropServices;

namespace GpuEnet.Kernels.Cuda;

/// <summary>
/// P/Invoke binding to the CUDA driver API in <c>libcuda.so.1</c>, which every NVIDIA driver installs; no CUDA toolkit
/// is involved. Handles are <see cref="nint"/>, device pointers <see cref="ulong"/> (<c>CUdeviceptr</c>), devices
/// <see cref="int"/>. The <c>_v2</c> entry points are the ones <c>cuda.h</c> maps the plain names to since CUDA 4/11.
/// Calls return <see cref="CudaResult"/>; <see cref="Check"/> turns a failure into a <see cref="CudaException"/>.
/// </summary>
internal static unsafe partial class CudaDriver
{
    private const string Library = "libcuda.so.1";

    [LibraryImport(Library)]
    internal static partial CudaResult cuInit(uint flags);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDeviceGetCount(out int count);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDeviceTotalMem_v2(out nuint bytes, int device);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDevicePrimaryCtxRetain(out nint context, int device);

    [LibraryImport(Library)]
    internal static partial CudaResult cuDevicePrimaryCtxRelease_v2(int device);

    [LibraryImport(Library)]
    internal static partial CudaResult cuCtxSetCurrent(nint context);

    [LibraryImport(Library)]
    internal static partial CudaResult cuModuleLoadDataEx(out nint module, byte* image, uint optionCount, CudaJitOption* options, void** optionValues);

    [LibraryImport(Library)]
    internal static partial CudaResult cuModuleUnload(nint module);

    [LibraryImport(Library)]
    internal static partial CudaResult cuModuleGetFunction(out nint function, nint module, byte* name);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemAlloc_v2(out ulong pointer, nuint bytes);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemFree_v2(ulong pointer);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemGetInfo_v2(out nuint free, out nuint total);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemcpyHtoD_v2(ulong destination, void* source, nuint bytes);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);

    [LibraryImport(Library)]
    internal static partial CudaResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library)]
    internal static partial CudaResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** parameters, void** extra);

    [LibraryImport(Library)]
    internal static partial CudaResult cuStreamCreate(out nint stream, uint flags);

    [LibraryImport(Library)]
    internal static partial CudaResult cuStreamSynchronize(nint stream);

    [LibraryImport(Library)]
    internal static partial CudaResult cuStreamDestroy_v2(nint stream);

    [LibraryImport(Library)]
    internal static partial CudaResult cuEventCreate(out nint cudaEvent, uint flags);

    [LibraryImport(Library)]
    internal static partial CudaResult cuEventRecord(nint cudaEvent, nint stream);

    [LibraryImport(Library)]
    internal static partial CudaResult cuEventSynchronize(nint cudaEvent);

    [LibraryImport(Library)]
    internal static partial CudaResult cuEventElapsedTime(out float milliseconds, nint start, nint end);

    [LibraryImport(Library)]
    internal static partial CudaResult cuEventDestroy_v2(nint cudaEvent);

    [LibraryImport(Library)]
    internal static partial CudaResult cuGetErrorName(CudaResult result, out byte* name);

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="result"/> is success.</summary>
    internal static void Check(CudaResult result, string call, string? detail = null)
    {
        if (result != CudaResult.Success)
        {
            throw new CudaException(call, (int)result, ErrorName(result), detail);
        }
    }

    /// <summary>The driver's name for a result (<c>CUDA_ERROR_…</c>), or the number when the driver does not know it.</summary>
    internal static string ErrorName(CudaResult result)
    {
        try
        {
            if (cuGetErrorName(result, out byte* name) == CudaResult.Success && name != null)
            {
                return Marshal.PtrToStringAnsi((nint)name) ?? ((int)result).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (EntryPointNotFoundException)
        {
            // Very old drivers: fall through to the number.
        }

        return "CUresult " + ((int)result).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
