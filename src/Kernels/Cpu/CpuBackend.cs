namespace GpuEnet.Kernels.Cpu;

/// <summary>The multi-threaded SIMD CPU backend; always available.</summary>
public sealed class CpuBackend : IKernelBackend
{
    /// <summary>Uses every core.</summary>
    public CpuBackend() : this(Environment.ProcessorCount) { }

    /// <summary>Uses at most <paramref name="threads"/> threads (≥ 1).</summary>
    public CpuBackend(int threads) => Threads = Math.Max(1, threads);

    /// <summary>Worker threads the kernels may use.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Device => "cpu";

    /// <inheritdoc/>
    public IBoundDesign Bind(IColumnSource x) => new CpuBoundDesign(x, Threads);

    /// <inheritdoc/>
    public void Dispose() { }
}
