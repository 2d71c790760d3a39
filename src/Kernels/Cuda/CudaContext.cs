using System.Runtime.InteropServices;
using System.Text;

namespace GpuEnet.Kernels.Cuda;

/// <summary>
/// Device 0's primary context, one stream and the loaded GpuEnet kernels. Every public entry point makes the context
/// current on the calling thread first (<see cref="MakeCurrent"/>), so callers may come from any thread.
/// </summary>
internal sealed unsafe class CudaContext : IDisposable
{
    private static readonly string[] s_modules = ["batched_gradient", "column_moments", "active_set_descent"];

    private readonly int _device;
    private readonly List<nint> _modules = [];
    private readonly Dictionary<string, nint> _functions = new(StringComparer.Ordinal);
    private nint _context;
    private nint _stream;
    private nint _start;
    private nint _stop;

    private CudaContext(int device, string name)
    {
        _device = device;
        Name = name;
    }

    /// <summary>The device's name as the driver reports it, e.g. <c>NVIDIA H100 80GB HBM3</c>.</summary>
    public string Name { get; }

    /// <summary>Milliseconds of kernel time, summed over launches (CUDA events around each launch).</summary>
    public double KernelMilliseconds { get; private set; }

    /// <summary>Opens device 0. Throws <see cref="DllNotFoundException"/> without a driver, <see cref="CudaException"/> otherwise.</summary>
    public static CudaContext Open()
    {
        CudaDriver.Check(CudaDriver.cuInit(0), "cuInit");
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out int count), "cuDeviceGetCount");
        if (count < 1)
        {
            throw new CudaException("The NVIDIA driver reports no CUDA device.");
        }

        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, 0), "cuDeviceGet");
        byte* name = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        var context = new CudaContext(device, Marshal.PtrToStringAnsi((nint)name) ?? "unknown device");
        try
        {
            context.Initialise();
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private void Initialise()
    {
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, _device), "cuDevicePrimaryCtxRetain");
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamCreate(out _stream, 0), "cuStreamCreate");
        CudaDriver.Check(CudaDriver.cuEventCreate(out _start, 0), "cuEventCreate");
        CudaDriver.Check(CudaDriver.cuEventCreate(out _stop, 0), "cuEventCreate");
        foreach (string module in s_modules)
        {
            LoadModule(module);
        }
    }

    /// <summary>Makes the primary context current on this thread (cheap; the driver keeps one current context per thread).</summary>
    public void MakeCurrent() => CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context), "cuCtxSetCurrent");

    /// <summary>Free and total device memory in bytes.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        CudaDriver.Check(CudaDriver.cuMemGetInfo_v2(out nuint free, out nuint total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    /// <summary>Total device memory in bytes.</summary>
    public long TotalMemory()
    {
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem_v2(out nuint total, _device), "cuDeviceTotalMem_v2");
        return (long)total;
    }

    /// <summary>
    /// Allocates <paramref name="bytes"/> (at least one) of device memory. Out of memory is reported as a
    /// <see cref="CudaException"/> saying what needed how many bytes and how many are free.
    /// </summary>
    public DeviceBuffer Allocate(long bytes, string purpose)
    {
        long size = Math.Max(bytes, 1);
        CudaResult result = CudaDriver.cuMemAlloc_v2(out ulong pointer, (nuint)size);
        if (result == CudaResult.OutOfMemory)
        {
            (long free, long total) = MemoryInfo();
            throw new CudaException("cuMemAlloc_v2", (int)result, CudaDriver.ErrorName(result),
                $"Out of GPU memory on {Name}: {purpose} needs {size:N0} bytes but only {free:N0} of {total:N0} bytes are free.");
        }

        CudaDriver.Check(result, "cuMemAlloc_v2", $"Allocating {size:N0} bytes for {purpose}.");
        return new DeviceBuffer(this, pointer, size);
    }

    internal void Free(ulong pointer)
    {
        // Freeing happens in Dispose paths: a failure here must not mask the exception that caused the dispose.
        _ = CudaDriver.cuCtxSetCurrent(_context);
        _ = CudaDriver.cuMemFree_v2(pointer);
    }

    /// <summary>Copies host values to the start of <paramref name="destination"/> (ordered on the context's stream).</summary>
    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination)
        where T : unmanaged => Upload(source, destination, 0);

    /// <summary>Copies host values to <paramref name="destination"/> at <paramref name="byteOffset"/> (ordered on the context's stream).</summary>
    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer destination, long byteOffset)
        where T : unmanaged
    {
        long bytes = (long)source.Length * sizeof(T);
        if (bytes == 0)
        {
            return;
        }

        if (byteOffset < 0 || byteOffset + bytes > destination.Bytes)
        {
            throw new ArgumentException($"Upload of {bytes} bytes at offset {byteOffset} into a {destination.Bytes}-byte device buffer.", nameof(source));
        }

        fixed (T* p = source)
        {
            // Pageable host memory: the driver stages the copy, and the call returns once the source may be reused.
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync_v2(destination.Pointer + (ulong)byteOffset, p, (nuint)bytes, _stream),
                "cuMemcpyHtoDAsync_v2");
        }
    }

    /// <summary>Copies the start of <paramref name="source"/> into host memory, after all work queued on the stream.</summary>
    public void Download<T>(DeviceBuffer source, Span<T> destination)
        where T : unmanaged
    {
        long bytes = (long)destination.Length * sizeof(T);
        if (bytes == 0)
        {
            return;
        }

        if (bytes > source.Bytes)
        {
            throw new ArgumentException($"Download of {bytes} bytes from a {source.Bytes}-byte device buffer.", nameof(destination));
        }

        fixed (T* p = destination)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync_v2(p, source.Pointer, (nuint)bytes, _stream), "cuMemcpyDtoHAsync_v2");
            CudaDriver.Check(CudaDriver.cuStreamSynchronize(_stream), "cuStreamSynchronize");
        }
    }

    /// <summary>
    /// Launches kernel <paramref name="name"/> on the context's stream and waits for it, so a fault is reported by this
    /// call (naming the kernel) rather than by some later copy. <paramref name="arguments"/> point at each argument's value.
    /// </summary>
    public void Launch(string name, uint gridX, uint gridY, uint blockX, void** arguments)
    {
        nint function = _functions[name];
        CudaDriver.Check(CudaDriver.cuEventRecord(_start, _stream), "cuEventRecord");
        CudaDriver.Check(CudaDriver.cuLaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, 0, _stream, arguments, null), "cuLaunchKernel",
            $"Kernel {name}, grid ({gridX}, {gridY}), block {blockX}.");
        CudaDriver.Check(CudaDriver.cuEventRecord(_stop, _stream), "cuEventRecord");
        CudaDriver.Check(CudaDriver.cuStreamSynchronize(_stream), "cuStreamSynchronize", $"Running kernel {name}.");
        CudaDriver.Check(CudaDriver.cuEventElapsedTime(out float milliseconds, _start, _stop), "cuEventElapsedTime");
        KernelMilliseconds += milliseconds;
    }

    private void LoadModule(string module)
    {
        byte[] ptx = ReadPtx(module + ".ptx");
        const int logSize = 16 * 1024;
        byte* errorLog = stackalloc byte[logSize];
        errorLog[0] = 0;
        CudaJitOption* options = stackalloc CudaJitOption[2];
        void** values = stackalloc void*[2];
        options[0] = CudaJitOption.ErrorLogBuffer;
        values[0] = errorLog;
        options[1] = CudaJitOption.ErrorLogBufferSizeBytes;
        values[1] = (void*)(nint)logSize;

        nint handle;
        CudaResult result;
        fixed (byte* image = ptx)
        {
            result = CudaDriver.cuModuleLoadDataEx(out handle, image, 2, options, values);
        }

        if (result != CudaResult.Success)
        {
            string log = Marshal.PtrToStringAnsi((nint)errorLog)?.Trim() ?? string.Empty;
            CudaDriver.Check(result, "cuModuleLoadDataEx",
                $"Loading {module}.ptx on {Name}" + (log.Length > 0 ? $"; JIT log: {log}" : "; the JIT wrote no log."));
        }

        _modules.Add(handle);
        foreach (string suffix in (string[])["_f64", "_f32"])
        {
            string function = module + suffix;
            byte[] ascii = Encoding.ASCII.GetBytes(function + "\0");
            fixed (byte* p = ascii)
            {
                CudaDriver.Check(CudaDriver.cuModuleGetFunction(out nint f, handle, p), "cuModuleGetFunction", $"Looking up {function} in {module}.ptx.");
                _functions[function] = f;
            }
        }
    }

    /// <summary>The embedded PTX text, NUL-terminated as <c>cuModuleLoadDataEx</c> requires.</summary>
    internal static byte[] ReadPtx(string resource)
    {
        using Stream stream = typeof(CudaContext).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The kernel resource {resource} is missing from {typeof(CudaContext).Assembly.GetName().Name}.");
        byte[] bytes = new byte[stream.Length + 1];
        stream.ReadExactly(bytes.AsSpan(0, (int)stream.Length));
        return bytes;
    }

    public void Dispose()
    {
        if (_context == 0)
        {
            return;
        }

        _ = CudaDriver.cuCtxSetCurrent(_context);
        foreach (nint module in _modules)
        {
            _ = CudaDriver.cuModuleUnload(module);
        }

        _modules.Clear();
        if (_start != 0)
        {
            _ = CudaDriver.cuEventDestroy_v2(_start);
        }

        if (_stop != 0)
        {
            _ = CudaDriver.cuEventDestroy_v2(_stop);
        }

        if (_stream != 0)
        {
            _ = CudaDriver.cuStreamDestroy_v2(_stream);
        }

        _ = CudaDriver.cuDevicePrimaryCtxRelease_v2(_device);
        _context = 0;
    }
}
