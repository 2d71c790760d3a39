namespace GpuEnet.Kernels.Mpi;

/// <summary>One rank's part of a <see cref="ShardedBackend"/> design (see there).</summary>
internal sealed class ShardedDesign : IBoundDesign
{
    private readonly IBoundDesign _shard;
    private readonly IBoundDesign _descent;
    // Wire bytes per column-fetch collective (see Fetch): 16 MiB, or GPUENET_MPI_FETCH_CHUNK_BYTES (tests use 1: one
    // column per collective). MPI counts are ints, so one collective could never carry over 2 GiB anyway.
    private static readonly long FetchChunkBytes =
        long.TryParse(Environment.GetEnvironmentVariable("GPUENET_MPI_FETCH_CHUNK_BYTES"), out long bytes) && bytes > 0 ? bytes : 16L << 20;

    private readonly FetchedColumns _fetched;
    private readonly MpiComm _comm;
    private readonly int[] _first;
    private ColumnTransform? _transformKey, _localTransform;
    private double[]? _penaltyKey, _localPenalty;
    private double[] _localGradient = [];
    private int[]? _everyPosition, _everyLocal;

    public ShardedDesign(IColumnSource source, IBoundDesign shard, IBoundDesign descent, FetchedColumns fetched, MpiComm comm)
    {
        Source = source;
        _shard = shard;
        _descent = descent;
        _fetched = fetched;
        _comm = comm;
        _first = new int[comm.Size + 1];
        for (int r = 0; r <= comm.Size; r++)
        {
            _first[r] = (int)((long)source.Columns * r / comm.Size);
        }
    }

    public int Rows => Source.Rows;

    public int Columns => Source.Columns;

    public IColumnSource Source { get; }

    /// <summary>This rank's device traffic (its shard's backend).</summary>
    public DeviceTraffic Traffic => _shard.Traffic;

    // Gathering a full gradient would cost O(p·B) on the network per pass; with full passes only entries above their
    // limits travel, and no rank needs the per-feature bounds that listing columns would.
    public bool PrefersFullPasses => true;

    private int First => _first[_comm.Rank];

    private int Local => _first[_comm.Rank + 1] - First;

    // Whether feature j is one of this rank's columns.
    private bool Owns(int j) => j >= First && j < First + Local;

    public void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares)
    {
        int local = Local;
        bool squares = !centre.IsEmpty;
        var localCentre = squares ? Slice(centre, batch) : [];
        var present = new double[(long)local * batch];
        var first = new double[present.Length];
        var second = squares ? new double[present.Length] : [];
        _shard.ColumnMoments(weights, batch, localCentre, present, first, second);
        Gather(present, batch, presentWeight);
        Gather(first, batch, sum);
        if (squares)
        {
            Gather(second, batch, sumSquares);
        }
    }

    // Each rank updates its own columns' entries (reading only its shard) and every column's are gathered from its owner.
    public void UpdateColumns(int batch, Span<double> entries, ColumnUpdate update)
    {
        ColumnUpdates.Apply(entries, Columns, batch, First, First + Local, update);
        Gather(Slice(entries, batch), batch, entries);
    }

    public void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch, ColumnTransform? transform,
        Span<double> gradient, GradientBound? bound = null)
    {
        int count = columns.IsEmpty ? Columns : columns.Length;
        // This rank's columns and their positions k in the output (every rank can work out every other rank's the same way).
        // (For every column, the same two arrays each pass: made once.)
        int[] positions, local;
        if (columns.IsEmpty)
        {
            _everyPosition ??= Positions([], _comm.Rank);
            _everyLocal ??= Enumerable.Range(0, Local).ToArray();
            (positions, local) = (_everyPosition, _everyLocal);
        }
        else
        {
            positions = Positions(columns, _comm.Rank);
            local = new int[positions.Length];
            for (int l = 0; l < local.Length; l++)
            {
                local[l] = columns[positions[l]] - First;
            }
        }

        // One buffer for every pass: a full pass of a 10-fold CV is local × 11 doubles (22 MB at p = 500,000, K = 2),
        // and a new one per pass was 2.3 GB of garbage over a CV.
        long size = (long)local.Length * batch;
        if (_localGradient.Length < size)
        {
            _localGradient = new double[size];
        }

        var localGradient = _localGradient.AsSpan(0, (int)size);
        if (local.Length > 0)
        {
            // An empty list means "every column" to the contract: list them when the shard holds only some of a listed set.
            int[] listed = columns.IsEmpty ? [] : local;
            GradientBound? localBound = bound is null ? null : new GradientBound(LocalPenalty(bound.Penalty), bound.Threshold);
            _shard.BatchedGradient(listed, residuals, batch, LocalTransform(transform), localGradient, localBound);
        }

        if (bound is null)
        {
            var all = _comm.AllgatherV<double>(localGradient, out _);
            long offset = 0;
            for (int r = 0; r < _comm.Size; r++)
            {
                var at = r == _comm.Rank ? positions : Positions(columns, r);
                for (int q = 0; q < batch; q++)
                {
                    foreach (int k in at)
                    {
                        gradient[(q * count) + k] = all[offset++];
                    }
                }
            }

            return;
        }

        // Only the entries above their limit cross the network, as (output index, value); every other entry is its limit.
        var index = new List<int>();
        var value = new List<double>();
        for (int q = 0; q < batch; q++)
        {
            for (int l = 0; l < local.Length; l++)
            {
                double g = localGradient[(q * local.Length) + l];
                int j = local[l] + First;
                if (Math.Abs(g) > bound.Limit(q, j))
                {
                    index.Add((q * count) + positions[l]);
                    value.Add(g);
                }
            }
        }

        var indices = _comm.AllgatherV<int>(index.ToArray(), out _);
        var values = _comm.AllgatherV<double>(value.ToArray(), out _);
        GradientBound.FillLimits(bound, columns, batch, count, gradient);
        for (int e = 0; e < indices.Length; e++)
        {
            gradient[indices[e]] = values[e];
        }
    }

    public void ActiveSetDescent(DescentBatch work)
    {
        ArgumentNullException.ThrowIfNull(work);
        RefuseCells(work.Transform);
        // The same list on every rank (the solver is the same everywhere): features not fetched yet, in increasing order,
        // so that concatenating the owners' contributions in rank order gives them in list order.
        var needed = new SortedSet<int>();
        for (int k = 0; k < work.Count; k++)
        {
            if (!_fetched.Has(work.Feature[k]))
            {
                needed.Add(work.Feature[k]);
            }
        }

        if (needed.Count > 0)
        {
            // Each column crosses the network once, in the storage's own width: genotype codes as stored (2 bits a
            // call), a genotype of another view as one byte (−1 missing), a float32 value as four bytes, a float64 as
            // eight (NaN missing).
            switch (Source.Precision)
            {
                case Precision.Packed2Bit when _fetched is FetchedCodes codes:
                    FetchCodes(needed, codes);
                    break;
                case Precision.Packed2Bit:
                    FetchValues<sbyte>(needed, v => (sbyte)v, -1);
                    break;
                case Precision.Float32:
                    FetchValues(needed, v => (float)v, float.NaN);
                    break;
                default:
                    FetchValues(needed, v => v, double.NaN);
                    break;
            }
        }

        _descent.ActiveSetDescent(work);
    }

    // Sends this rank's own columns of the `needed` ones, receives the others', and keeps them all: `write` puts an owned
    // column's `width` wire values into a span, `keep` takes one received column. In chunks of about FetchChunkBytes of
    // wire (the same chunks on every rank: `needed` is the same list everywhere), so that the send and receive buffers
    // stay that size instead of the whole fetch (207 MB at once on the 5,000 × 500,000 path, one byte a genotype).
    private void Fetch<T>(SortedSet<int> needed, int width, WireWriter<T> write, WireReader<T> keep)
        where T : unmanaged
    {
        int perChunk = (int)Math.Clamp(FetchChunkBytes / ((long)width * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()), 1, int.MaxValue);
        var all = needed.ToArray();
        for (int start = 0; start < all.Length; start += perChunk)
        {
            var chunk = all.AsSpan(start, Math.Min(perChunk, all.Length - start));
            var owned = chunk.ToArray().Where(Owns).ToArray();
            var wire = new T[(long)owned.Length * width];
            for (int m = 0; m < owned.Length; m++)
            {
                write(owned[m], wire.AsSpan(m * width, width));
            }

            var received = _comm.AllgatherV<T>(wire, out _);
            for (int c = 0; c < chunk.Length; c++)
            {
                keep(chunk[c], received.AsSpan(c * width, width));
            }
        }
    }

    // Fetch for genotype codes: each owned column's code bytes as they are.
    private void FetchCodes(SortedSet<int> needed, FetchedCodes into)
    {
        var packed = (IPackedColumnSource)Source;
        Fetch<byte>(needed, into.CodeBytes, (j, wire) => packed.Codes(j).CopyTo(wire), into.Add);
    }

    // Fetch for values: n values a column in the storage's width, `missingMark` where the cell is missing.
    private void FetchValues<T>(SortedSet<int> needed, Func<double, T> narrow, T missingMark)
        where T : unmanaged, IEquatable<T>
    {
        int n = Rows;
        var scratch = new double[n];
        var into = (FetchedValues)_fetched;
        Fetch<T>(needed, n, (j, wire) =>
        {
            var column = Source.Column(j, scratch);
            for (int i = 0; i < n; i++)
            {
                wire[i] = narrow(column[i]);
            }

            foreach (int i in Source.MissingRows(j))
            {
                wire[i] = missingMark;
            }
        }, (j, wire) => into.Add(j, wire, missingMark));
    }

    private delegate void WireWriter<T>(int j, Span<T> wire);

    private delegate void WireReader<T>(int j, ReadOnlySpan<T> wire);

    // Positions k of the output (an index into `columns`, or the feature itself for all columns) that rank r computes.
    private int[] Positions(ReadOnlySpan<int> columns, int r)
    {
        int from = _first[r], to = _first[r + 1];
        if (columns.IsEmpty)
        {
            return Enumerable.Range(from, to - from).ToArray();
        }

        var positions = new List<int>();
        for (int k = 0; k < columns.Length; k++)
        {
            if (columns[k] >= from && columns[k] < to)
            {
                positions.Add(k);
            }
        }

        return [.. positions];
    }

    // Rank-major blocks of local × B values (problem b's at [b·local_r, …)) into the p × B output.
    private void Gather(double[] local, int batch, Span<double> output)
    {
        var all = _comm.AllgatherV<double>(local, out _);
        long offset = 0;
        for (int r = 0; r < _comm.Size; r++)
        {
            int from = _first[r], width = _first[r + 1] - from;
            for (int b = 0; b < batch; b++)
            {
                all.AsSpan((int)offset, width).CopyTo(output.Slice((b * Columns) + from, width));
                offset += width;
            }
        }
    }

    // This rank's columns of a p × B array.
    private double[] Slice(ReadOnlySpan<double> full, int batch)
    {
        int local = Local;
        var slice = new double[(long)local * batch];
        for (int b = 0; b < batch; b++)
        {
            full.Slice((b * Columns) + First, local).CopyTo(slice.AsSpan(b * local, local));
        }

        return slice;
    }

    // The transform restricted to this rank's columns, built once per transform (its arrays are only read).
    private ColumnTransform? LocalTransform(ColumnTransform? transform)
    {
        if (transform is null)
        {
            return null;
        }

        RefuseCells(transform);
        if (!ReferenceEquals(_transformKey?.Centre, transform.Centre))
        {
            var local = new ColumnTransform(Local, transform.Batch);
            Slice(transform.Centre, transform.Batch).CopyTo(local.Centre, 0);
            Slice(transform.InverseScale, transform.Batch).CopyTo(local.InverseScale, 0);
            Slice(transform.Fill, transform.Batch).CopyTo(local.Fill, 0);
            (_transformKey, _localTransform) = (transform, local);
        }

        return transform.ProblemOf is null ? _localTransform : _localTransform!.WithProblemMap(transform.ProblemOf);
    }

    public void RowDistances(ReadOnlySpan<int> queries, ReadOnlySpan<double> columnWeights, Span<double> distance, Span<double> shared) =>
        throw new NotSupportedException("KNN imputation is not available under mpirun yet; use mean, median, mode or drop-rows.");

    // Per-cell fills (KNN, regression, multiple imputation) are not sharded yet: the CLI refuses them under mpirun first.
    internal static void RefuseCells(ColumnTransform? transform)
    {
        if (transform?.Cells is not null)
        {
            throw new NotSupportedException("Per-cell imputation (knn, regression, multiple imputation) is not available under mpirun yet; use mean, median, mode or drop-rows.");
        }
    }

    private double[] LocalPenalty(double[] penalty)
    {
        if (!ReferenceEquals(_penaltyKey, penalty))
        {
            (_penaltyKey, _localPenalty) = (penalty, penalty.AsSpan(First, Local).ToArray());
        }

        return _localPenalty!;
    }

    public void Dispose()
    {
        _shard.Dispose();
        _descent.Dispose();
    }
}
