using System.Globalization;
using System.Runtime.InteropServices;

namespace GpuEnet.Kernels.Mpi;

/// <summary>
/// MPI_COMM_WORLD of a run started by <c>mpirun</c>, with the typed collectives the sharded backend needs. Every
/// collective is called by all ranks in the same order (the solver runs identically on every rank), from the thread that
/// created the communicator. Counts bytes and collective calls for <c>GPUENET_PROFILE</c>.
/// </summary>
public sealed unsafe class MpiComm : IDisposable
{
    /// <summary>The variable OpenMPI's launcher sets in every rank's environment.</summary>
    public const string SizeVariable = "OMPI_COMM_WORLD_SIZE";

    private readonly MpiNative _mpi;
    private bool _finalized;

    private MpiComm(MpiNative mpi)
    {
        _mpi = mpi;
        int rank = 0, size = 0;
        _mpi.Check(_mpi.CommRank(_mpi.World, &rank), "MPI_Comm_rank");
        _mpi.Check(_mpi.CommSize(_mpi.World, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's rank, 0 … Size − 1.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks K.</summary>
    public int Size { get; }

    /// <summary>Bytes this rank received through collectives.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Collective calls made.</summary>
    public long Collectives { get; private set; }

    /// <summary>True when this process was started by OpenMPI's <c>mpirun</c> with more than one rank.</summary>
    public static bool Launched =>
        int.TryParse(Environment.GetEnvironmentVariable(SizeVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int size) && size > 1;

    /// <summary>Initialises MPI when <see cref="Launched"/>; null otherwise (no MPI library is touched).</summary>
    public static MpiComm? FromEnvironment() => Launched ? new MpiComm(MpiNative.Open()) : null;

    /// <summary>Every rank's <paramref name="value"/>, in rank order.</summary>
    public long[] AllgatherOne(long value)
    {
        var all = new long[Size];
        fixed (long* result = all)
        {
            _mpi.Check(_mpi.Allgather(&value, 1, _mpi.Long, result, 1, _mpi.Long, _mpi.World), "MPI_Allgather");
        }

        Count((long)Size * sizeof(long));
        return all;
    }

    /// <summary>
    /// Concatenates every rank's <paramref name="mine"/> in rank order into a new array; <paramref name="counts"/>
    /// receives each rank's length.
    /// </summary>
    public T[] AllgatherV<T>(ReadOnlySpan<T> mine, out int[] counts)
        where T : unmanaged
    {
        var lengths = AllgatherOne(mine.Length);
        counts = lengths.Select(l => checked((int)l)).ToArray();
        long total = lengths.Sum();
        var all = new T[total];
        var byteCounts = new int[Size];
        var displacements = new int[Size];
        long offset = 0;
        for (int r = 0; r < Size; r++)
        {
            byteCounts[r] = checked(counts[r] * sizeof(T));
            displacements[r] = checked((int)offset);
            offset += byteCounts[r];
        }

        fixed (T* send = mine)
        fixed (T* receive = all)
        fixed (int* c = byteCounts)
        fixed (int* d = displacements)
        {
            // MPI rejects a null send buffer even for a count of 0 on some transports: point it at the result instead.
            void* source = mine.IsEmpty ? receive : send;
            _mpi.Check(_mpi.Allgatherv(source, byteCounts[Rank], _mpi.Byte, receive, c, d, _mpi.Byte, _mpi.World), "MPI_Allgatherv");
        }

        Count(offset);
        return all;
    }

    /// <summary>Ends every rank of the job with <paramref name="code"/> (mpirun kills the others).</summary>
    public void Abort(int code)
    {
        _mpi.Abort(_mpi.World, code);
    }

    private void Count(long bytes)
    {
        BytesReceived += bytes;
        Collectives++;
    }

    /// <summary>Finalises MPI (once).</summary>
    public void Dispose()
    {
        if (!_finalized)
        {
            _finalized = true;
            _mpi.Finalize();
        }
    }
}
