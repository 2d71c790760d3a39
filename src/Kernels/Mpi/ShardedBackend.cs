using GpuEnet.Kernels.Cpu;

namespace GpuEnet.Kernels.Mpi;

/// <summary>
/// The kernel contract over MPI ranks: X split by columns (rank r holds columns [p·r/K, p·(r+1)/K)), each rank's shard
/// served by its own backend (SIMD or GPU). The solver runs identically on every rank and does not know: moments and
/// KKT passes run on the local shard and are gathered (a KKT pass gathers only the entries above their limit), and the
/// descent runs on every rank over the strong-set columns, each fetched once from its owner. Every per-column result is
/// computed by the same code as in one process, so K ranks reproduce the single-process path.
/// </summary>
public sealed class ShardedBackend(IKernelBackend inner, MpiComm comm, int threads) : IKernelBackend
{
    private readonly CpuBackend _descent = new(threads);

    /// <inheritdoc/>
    public string Device => $"{inner.Device} × {comm.Size} MPI ranks";

    /// <summary>The communicator (its counters: bytes received and collective calls).</summary>
    public MpiComm Comm => comm;

    /// <inheritdoc/>
    public IBoundDesign Bind(IColumnSource x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int first = (int)((long)x.Columns * comm.Rank / comm.Size);
        int end = (int)((long)x.Columns * (comm.Rank + 1) / comm.Size);
        var shard = inner.Bind(ColumnRange.Of(x, first, end - first));
        var fetched = FetchedColumns.For(x);
        return new ShardedDesign(x, shard, _descent.Bind(fetched), fetched, comm);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _descent.Dispose();
        inner.Dispose();
    }
}
