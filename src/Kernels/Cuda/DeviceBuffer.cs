namespace GpuEnet.Kernels.Cuda;

/// <summary>One device allocation (<c>cuMemAlloc_v2</c>), freed on dispose. Owned by one <see cref="CudaContext"/>.</summary>
internal sealed class DeviceBuffer : IDisposable
{
    private readonly CudaContext _context;

    internal DeviceBuffer(CudaContext context, ulong pointer, long bytes)
    {
        _context = context;
        Pointer = pointer;
        Bytes = bytes;
    }

    /// <summary>The device address (<c>CUdeviceptr</c>); 0 once disposed.</summary>
    public ulong Pointer { get; private set; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    public void Dispose()
    {
        if (Pointer != 0)
        {
            _context.Free(Pointer);
            Pointer = 0;
        }
    }
}
