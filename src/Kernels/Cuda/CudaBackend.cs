namespace GpuEnet.Kernels.Cuda;

/// <summary>
/// The CUDA backend: device 0 through the NVIDIA driver API (<c>libcuda.so.1</c>), kernels from the embedded PTX
/// (<c>src/Kernels/cuda/*.cu</c>). Needs an NVIDIA driver for CUDA 11.0 or later and a GPU of compute capability 8.0
/// (A100) or newer; no CUDA toolkit. Create it with <see cref="TryCreate"/>.
/// </summary>
public sealed class CudaBackend : IKernelBackend
{
    private readonly CudaContext _context;
    private bool _disposed;

    private CudaBackend(CudaContext context)
    {
        _context = context;
        Device = $"cuda:0 ({context.Name})";
    }

    /// <inheritdoc/>
    public string Device { get; }

    /// <summary>Total memory of the device in bytes.</summary>
    public long TotalMemoryBytes => Run(_context.TotalMemory);

    /// <summary>Milliseconds the kernels have run on the device so far (CUDA events around each launch).</summary>
    public double KernelMilliseconds => _context.KernelMilliseconds;

    /// <summary>
    /// Opens device 0 and loads the kernels. Returns false, with <paramref name="reason"/> saying why in one sentence,
    /// when there is no NVIDIA driver, no CUDA device, or the driver cannot load the PTX; never throws for those.
    /// </summary>
    public static bool TryCreate(out CudaBackend? backend, out string reason)
    {
        backend = null;
        try
        {
            backend = new CudaBackend(CudaContext.Open());
            reason = string.Empty;
            return true;
        }
        catch (DllNotFoundException)
        {
            reason = "no NVIDIA driver found (libcuda.so.1 could not be loaded).";
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"the NVIDIA driver is too old for GpuEnet ({e.Message}).";
        }
        catch (CudaException e) when (e.Code == (int)CudaResult.NoDevice || e.Call.Length == 0)
        {
            reason = "no CUDA device found (" + e.Message + ")";
        }
        catch (CudaException e) when (e.Call == "cuModuleLoadDataEx" || e.Call == "cuModuleGetFunction")
        {
            reason = "the driver could not load the GpuEnet kernels: " + e.Message;
        }
        catch (CudaException e)
        {
            reason = "the CUDA device could not be initialised: " + e.Message;
        }

        return false;
    }

    /// <summary>
    /// Uploads X to the device once (float64 from <see cref="DenseMatrix"/>, float32 from <see cref="DenseMatrix32"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">For other sources (packed genotypes) and for sources with missing values.</exception>
    /// <exception cref="CudaException">When the device has no room for X (the message says how many bytes are needed and free).</exception>
    public IBoundDesign Bind(IColumnSource x)
    {
        ArgumentNullException.ThrowIfNull(x);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Run(() => new CudaBoundDesign(_context, x));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _context.Dispose();
        }
    }

    private T Run<T>(Func<T> action)
    {
        _context.MakeCurrent();
        return action();
    }
}
