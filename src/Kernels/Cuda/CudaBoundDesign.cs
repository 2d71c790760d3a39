using System.Buffers;

namespace GpuEnet.Kernels.Cuda;

/// <summary>
/// X resident on the device, plus device workspaces that grow to the largest call seen. Each operation copies its
/// host inputs up, makes one kernel launch and copies the outputs back; R, W and the per-entry arrays are small next
/// to X (n × B and O(active) against n × p). Calls are serialised (one stream, shared workspaces).
/// </summary>
internal sealed unsafe class CudaBoundDesign : IBoundDesign
{
    /// <summary>Threads per block of every launch; the kernels assume this (kThreads in device.cuh).</summary>
    internal const int Threads = 256;

    /// <summary>Problems per block of the column-tile kernels (kMaxProblemsPerBlock in column_tiles.cuh).</summary>
    internal const int MaxProblemsPerBlock = 32;

    private readonly CudaContext _context;
    private readonly DeviceBuffer _x;
    private readonly bool _single;
    private readonly Lock _gate = new();
    private readonly DeviceBuffer?[] _workspace = new DeviceBuffer?[(int)Slot.Count];
    private bool _disposed;

    internal CudaBoundDesign(CudaContext context, IColumnSource source)
    {
        _context = context;
        Source = source;
        Rows = source.Rows;
        Columns = source.Columns;
        if (source.HasMissing)
        {
            throw new NotSupportedException("The CUDA backend does not support missing values in X; impute them first (--impute) or use --device cpu.");
        }

        switch (source)
        {
            case DenseMatrix dense:
                _x = context.Allocate(source.StorageBytes, $"the {Rows} × {Columns} float64 design matrix");
                context.Upload<double>(dense.Values.Span, _x);
                break;
            case DenseMatrix32 dense32:
                _single = true;
                _x = context.Allocate(source.StorageBytes, $"the {Rows} × {Columns} float32 design matrix");
                context.Upload<float>(dense32.Values.Span, _x);
                break;
            case { Precision: Precision.Float64 }:
                // Any other float64 source (a memory-mapped Fortran .npy, say): upload it column by column.
                _x = context.Allocate(source.StorageBytes, $"the {Rows} × {Columns} float64 design matrix");
                UploadColumns<double>(source, _x, context);
                break;
            case { Precision: Precision.Float32 }:
                _single = true;
                _x = context.Allocate(source.StorageBytes, $"the {Rows} × {Columns} float32 design matrix");
                UploadColumns<float>(source, _x, context);
                break;
            default:
                throw new NotSupportedException(
                    $"The CUDA backend binds float64 or float32 matrices only, not {source.Precision} storage ({source.GetType().Name}); use --device cpu.");
        }
    }

    /// <summary>
    /// Copies a column source into <paramref name="x"/> (column-major, element type <typeparamref name="T"/>) through a host
    /// staging buffer of about 32 MiB, so a memory-mapped X is read once and never held whole in host memory (a copy from
    /// pageable memory returns once the driver has taken the bytes, so the buffer can be refilled at once).
    /// </summary>
    private static void UploadColumns<T>(IColumnSource source, DeviceBuffer x, CudaContext context)
        where T : unmanaged
    {
        int n = source.Rows, p = source.Columns;
        if ((long)n * p == 0)
        {
            return;
        }

        int perChunk = (int)Math.Clamp((32L << 20) / ((long)n * sizeof(T)), 1, p);
        T[] staging = new T[(long)perChunk * n];
        double[] scratch = new double[n];
        for (int first = 0; first < p; first += perChunk)
        {
            int count = Math.Min(perChunk, p - first);
            for (int c = 0; c < count; c++)
            {
                ReadOnlySpan<double> column = source.Column(first + c, scratch);
                Span<T> to = staging.AsSpan(c * n, n);
                if (typeof(T) == typeof(double))
                {
                    column.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(to));
                }
                else
                {
                    // Float32 storage widened by Column: narrowing back is exact.
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(column,
                        System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(to));
                }
            }

            context.Upload<T>(staging.AsSpan(0, count * n), x, (long)first * n * sizeof(T));
        }
    }

    private enum Slot
    {
        Residual,
        Weights,
        Columns,
        Centre,
        InverseScale,
        ProblemMap,
        WeightedSum,
        Output0,
        Output1,
        Output2,
        Offsets,
        Feature,
        Beta,
        Curvature,
        L1,
        L2,
        Lower,
        Upper,
        WeightedResidualSum,
        Tolerance,
        Sweeps,
        Converged,
        Count,
    }

    public int Rows { get; }

    public int Columns { get; }

    public IColumnSource Source { get; }

    public void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares)
    {
        long n = Rows;
        long pb = (long)Columns * batch;
        Require(batch >= 1, "batch must be at least 1.");
        Require(weights.Length >= n * batch, $"weights holds {weights.Length} values, expected n × B = {n * batch}.");
        Require(presentWeight.Length >= pb && sum.Length >= pb, $"presentWeight and sum must hold p × B = {pb} values.");
        bool squares = !centre.IsEmpty;
        Require(!squares || (centre.Length >= pb && sumSquares.Length >= pb), $"centre and sumSquares must hold p × B = {pb} values.");
        if (pb == 0)
        {
            return;
        }

        lock (_gate)
        {
            Prepare();
            DeviceBuffer w = Put(Slot.Weights, weights[..(int)(n * batch)]);
            DeviceBuffer? c = squares ? Put(Slot.Centre, centre[..(int)pb]) : null;
            DeviceBuffer present = Ensure(Slot.Output0, pb * sizeof(double));
            DeviceBuffer first = Ensure(Slot.Output1, pb * sizeof(double));
            DeviceBuffer? second = squares ? Ensure(Slot.Output2, pb * sizeof(double)) : null;

            (int bt, uint gridX, uint gridY) = TileLaunch(Columns, batch);
            ulong xPtr = _x.Pointer, wPtr = w.Pointer, cPtr = c?.Pointer ?? 0, presentPtr = present.Pointer, firstPtr = first.Pointer,
                secondPtr = second?.Pointer ?? 0;
            int columnCount = Columns;
            void** args = stackalloc void*[10];
            args[0] = &xPtr;
            args[1] = &n;
            args[2] = &columnCount;
            args[3] = &wPtr;
            args[4] = &batch;
            args[5] = &bt;
            args[6] = &cPtr;
            args[7] = &presentPtr;
            args[8] = &firstPtr;
            args[9] = &secondPtr;
            _context.Launch(_single ? "column_moments_f32" : "column_moments_f64", gridX, gridY, Threads, args);

            _context.Download(present, presentWeight[..(int)pb]);
            _context.Download(first, sum[..(int)pb]);
            if (second is not null)
            {
                _context.Download(second, sumSquares[..(int)pb]);
            }
        }
    }

    public void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch, ColumnTransform? transform,
        Span<double> gradient)
    {
        long n = Rows;
        int count = columns.IsEmpty ? Columns : columns.Length;
        long kb = (long)count * batch;
        Require(batch >= 1, "batch must be at least 1.");
        Require(residuals.Length >= n * batch, $"residuals holds {residuals.Length} values, expected n × B = {n * batch}.");
        Require(gradient.Length >= kb, $"gradient holds {gradient.Length} values, expected |columns| × B = {kb}.");
        foreach (int j in columns)
        {
            Require((uint)j < (uint)Columns, $"column {j} is outside 0..{Columns - 1}.");
        }

        if (transform is not null)
        {
            Require(transform.Columns == Columns, $"the transform has {transform.Columns} columns, the design {Columns}.");
            Require(transform.ProblemOf is not null || transform.Batch >= batch,
                $"the transform holds {transform.Batch} problems and has no problem map, but the gradient has {batch} residual columns.");
            Require(transform.ProblemOf is null || transform.ProblemOf.Length >= batch,
                $"the transform's problem map has {transform.ProblemOf?.Length} entries, expected at least {batch}.");
            for (int q = 0; q < batch; q++)
            {
                int u = transform.Problem(q);
                Require((uint)u < (uint)transform.Batch, $"residual column {q} maps to transform problem {u}, outside 0..{transform.Batch - 1}.");
            }
        }

        if (kb == 0)
        {
            return;
        }

        lock (_gate)
        {
            Prepare();
            DeviceBuffer r = Put(Slot.Residual, residuals[..(int)(n * batch)]);
            DeviceBuffer? list = columns.IsEmpty ? null : Put(Slot.Columns, columns);
            DeviceBuffer? centre = null;
            DeviceBuffer? inverseScale = null;
            DeviceBuffer? map = null;
            if (transform is not null)
            {
                // The kernel reads the transform as K × U: the U transform problems the B residual columns use (several λ
                // of one problem share one), restricted to the K listed columns, plus a B-entry map to them. So each
                // used transform column goes up once, never once per residual column.
                (int[] used, int[]? compact) = UsedProblems(transform, batch);
                centre = PutTransform(Slot.Centre, transform.Centre, columns, used);
                inverseScale = PutTransform(Slot.InverseScale, transform.InverseScale, columns, used);
                map = compact is null ? null : Put<int>(Slot.ProblemMap, compact);
            }

            DeviceBuffer g = Ensure(Slot.Output0, kb * sizeof(double));
            (int bt, uint gridX, uint gridY) = TileLaunch(count, batch);
            ulong xPtr = _x.Pointer, listPtr = list?.Pointer ?? 0, rPtr = r.Pointer, mapPtr = map?.Pointer ?? 0,
                centrePtr = centre?.Pointer ?? 0, scalePtr = inverseScale?.Pointer ?? 0, gPtr = g.Pointer;
            void** args = stackalloc void*[11];
            args[0] = &xPtr;
            args[1] = &n;
            args[2] = &listPtr;
            args[3] = &count;
            args[4] = &rPtr;
            args[5] = &batch;
            args[6] = &bt;
            args[7] = &mapPtr;
            args[8] = &centrePtr;
            args[9] = &scalePtr;
            args[10] = &gPtr;
            _context.Launch(_single ? "batched_gradient_f32" : "batched_gradient_f64", gridX, gridY, Threads, args);
            _context.Download(g, gradient[..(int)kb]);
        }
    }

    public void ActiveSetDescent(DescentBatch work)
    {
        ArgumentNullException.ThrowIfNull(work);
        long n = Rows;
        int batch = work.Batch;
        Require(work.Rows == Rows, $"the batch has {work.Rows} rows, the design {Rows}.");
        int entries = work.Count;
        int previous = 0;
        for (int b = 0; b <= batch; b++)
        {
            Require(work.Offsets[b] >= previous, "Offsets must be non-decreasing from 0.");
            previous = work.Offsets[b];
        }

        for (int e = 0; e < entries; e++)
        {
            Require((uint)work.Feature[e] < (uint)Columns, $"entry {e} names feature {work.Feature[e]}, outside 0..{Columns - 1}.");
        }

        if (batch == 0)
        {
            return;
        }

        lock (_gate)
        {
            Prepare();
            DeviceBuffer offsets = Put(Slot.Offsets, work.Offsets.AsSpan(0, batch + 1));
            DeviceBuffer feature = Put(Slot.Feature, work.Feature.AsSpan(0, entries));
            DeviceBuffer beta = Put(Slot.Beta, work.Beta.AsSpan(0, entries));
            DeviceBuffer centre = Put(Slot.Centre, work.Centre.AsSpan(0, entries));
            DeviceBuffer inverseScale = Put(Slot.InverseScale, work.InverseScale.AsSpan(0, entries));
            DeviceBuffer weightedSum = Put(Slot.WeightedSum, work.WeightedSum.AsSpan(0, entries));
            DeviceBuffer curvature = Put(Slot.Curvature, work.Curvature.AsSpan(0, entries));
            DeviceBuffer l1 = Put(Slot.L1, work.L1.AsSpan(0, entries));
            DeviceBuffer l2 = Put(Slot.L2, work.L2.AsSpan(0, entries));
            DeviceBuffer lower = Put(Slot.Lower, work.Lower.AsSpan(0, entries));
            DeviceBuffer upper = Put(Slot.Upper, work.Upper.AsSpan(0, entries));
            DeviceBuffer residual = Put(Slot.Residual, work.Residual.AsSpan(0, (int)(n * batch)));
            DeviceBuffer weights = Put(Slot.Weights, work.Weights.AsSpan(0, (int)(n * batch)));
            DeviceBuffer wrsum = Put(Slot.WeightedResidualSum, work.WeightedResidualSum.AsSpan(0, batch));
            DeviceBuffer tolerance = Put(Slot.Tolerance, work.Tolerance.AsSpan(0, batch));
            DeviceBuffer sweeps = Ensure(Slot.Sweeps, (long)batch * sizeof(int));
            DeviceBuffer converged = Ensure(Slot.Converged, (long)batch * sizeof(int));

            ulong xPtr = _x.Pointer, offsetsPtr = offsets.Pointer, featurePtr = feature.Pointer, betaPtr = beta.Pointer,
                centrePtr = centre.Pointer, scalePtr = inverseScale.Pointer, weightedSumPtr = weightedSum.Pointer, curvaturePtr = curvature.Pointer, l1Ptr = l1.Pointer,
                l2Ptr = l2.Pointer, lowerPtr = lower.Pointer, upperPtr = upper.Pointer, residualPtr = residual.Pointer,
                weightsPtr = weights.Pointer, wrsumPtr = wrsum.Pointer, tolerancePtr = tolerance.Pointer, sweepsPtr = sweeps.Pointer,
                convergedPtr = converged.Pointer;
            int maxSweeps = work.MaxSweeps;
            void** args = stackalloc void*[20];
            args[0] = &xPtr;
            args[1] = &n;
            args[2] = &offsetsPtr;
            args[3] = &featurePtr;
            args[4] = &betaPtr;
            args[5] = &centrePtr;
            args[6] = &scalePtr;
            args[7] = &weightedSumPtr;
            args[8] = &curvaturePtr;
            args[9] = &l1Ptr;
            args[10] = &l2Ptr;
            args[11] = &lowerPtr;
            args[12] = &upperPtr;
            args[13] = &residualPtr;
            args[14] = &weightsPtr;
            args[15] = &wrsumPtr;
            args[16] = &tolerancePtr;
            args[17] = &maxSweeps;
            args[18] = &sweepsPtr;
            args[19] = &convergedPtr;
            _context.Launch(_single ? "active_set_descent_f32" : "active_set_descent_f64", (uint)batch, 1, Threads, args);

            _context.Download(beta, work.Beta.AsSpan(0, entries));
            _context.Download(residual, work.Residual.AsSpan(0, (int)(n * batch)));
            _context.Download(wrsum, work.WeightedResidualSum.AsSpan(0, batch));
            _context.Download(sweeps, work.Sweeps.AsSpan(0, batch));
            int[] flags = ArrayPool<int>.Shared.Rent(batch);
            try
            {
                _context.Download(converged, flags.AsSpan(0, batch));
                for (int b = 0; b < batch; b++)
                {
                    work.Converged[b] = flags[b] != 0;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(flags);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DeviceBuffer? buffer in _workspace)
            {
                buffer?.Dispose();
            }

            _x.Dispose();
        }
    }

    /// <summary>
    /// The launch shape of the column-tile kernels: BT = smallest power of two ≥ B, at most 32; CT = max(32, 256 / BT)
    /// columns per block (column_tiles.cuh); grid = (ceil(K / CT), ceil(B / BT)).
    /// </summary>
    internal static (int ProblemsPerBlock, uint GridX, uint GridY) TileLaunch(int columnCount, int batch)
    {
        int bt = 1;
        while (bt < batch && bt < MaxProblemsPerBlock)
        {
            bt *= 2;
        }

        int ct = Math.Max(32, Threads / bt);
        long gridX = ((long)columnCount + ct - 1) / ct;
        long gridY = ((long)batch + bt - 1) / bt;
        if (gridX > int.MaxValue || gridY > 65535)
        {
            throw new NotSupportedException($"{columnCount} columns × {batch} problems exceed one CUDA launch; split the batch.");
        }

        return (bt, (uint)gridX, (uint)gridY);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("CUDA backend: " + message);
        }
    }

    private void Prepare()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _context.MakeCurrent();
    }

    private DeviceBuffer Ensure(Slot slot, long bytes)
    {
        DeviceBuffer? buffer = _workspace[(int)slot];
        if (buffer is null || buffer.Bytes < bytes)
        {
            buffer?.Dispose();
            _workspace[(int)slot] = null;
            // Grow geometrically so a path of slowly growing active sets does not reallocate at every λ.
            long size = buffer is null ? bytes : Math.Max(bytes, buffer.Bytes + (buffer.Bytes / 2));
            buffer = _context.Allocate(size, $"the {slot} workspace");
            _workspace[(int)slot] = buffer;
        }

        return buffer;
    }

    private DeviceBuffer Put<T>(Slot slot, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        DeviceBuffer buffer = Ensure(slot, (long)values.Length * sizeof(T));
        _context.Upload(values, buffer);
        return buffer;
    }

    /// <summary>
    /// The transform problems residual columns 0..B−1 use, in order of first use, and the map from residual column to
    /// position in that list; the map is null when it is the identity (no ProblemOf, or one that maps q to q).
    /// </summary>
    internal static (int[] Used, int[]? Map) UsedProblems(ColumnTransform transform, int batch)
    {
        if (transform.ProblemOf is null)
        {
            return (Enumerable.Range(0, batch).ToArray(), null);
        }

        var position = new Dictionary<int, int>();
        var used = new List<int>();
        var map = new int[batch];
        bool identity = true;
        for (int q = 0; q < batch; q++)
        {
            int u = transform.Problem(q);
            if (!position.TryGetValue(u, out int at))
            {
                at = used.Count;
                position.Add(u, at);
                used.Add(u);
            }

            map[q] = at;
            identity &= u == q;
        }

        return (used.ToArray(), identity ? null : map);
    }

    /// <summary>Uploads the K × U transform values the kernel reads: problem used[u]'s values at the listed columns (all when empty).</summary>
    private DeviceBuffer PutTransform(Slot slot, double[] values, ReadOnlySpan<int> columns, int[] used)
    {
        int p = Columns;
        if (columns.IsEmpty && IsPrefix(used))
        {
            return Put<double>(slot, values.AsSpan(0, p * used.Length)); // problems 0..U−1 in order: already contiguous
        }

        int count = columns.IsEmpty ? p : columns.Length;
        long total = (long)count * used.Length;
        double[] gathered = ArrayPool<double>.Shared.Rent((int)total);
        try
        {
            for (int u = 0; u < used.Length; u++)
            {
                ReadOnlySpan<double> problem = values.AsSpan(used[u] * p, p);
                Span<double> to = gathered.AsSpan(u * count, count);
                if (columns.IsEmpty)
                {
                    problem.CopyTo(to);
                    continue;
                }

                for (int k = 0; k < count; k++)
                {
                    to[k] = problem[columns[k]];
                }
            }

            return Put<double>(slot, gathered.AsSpan(0, (int)total));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(gathered);
        }
    }

    private static bool IsPrefix(int[] used)
    {
        for (int u = 0; u < used.Length; u++)
        {
            if (used[u] != u)
            {
                return false;
            }
        }

        return true;
    }
}
