using System.Buffers;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// CPU implementation of the kernel contract. Full passes over X are split into column blocks across threads;
/// coordinate descent runs one problem per thread. Decoding (float32, packed genotypes) goes into per-thread scratch.
/// </summary>
internal sealed class CpuBoundDesign : IBoundDesign
{
    // Columns per parallel work item: large enough to amortise scheduling, small enough to balance 2–16 cores.
    private const int ColumnBlock = 256;

    // Decoded columns kept for the descents (64 MiB: 1,600 columns of 5,000 rows; see ColumnCache for which); columns
    // beyond it are read from X on every step, float64 ones prefetched a coordinate ahead. Measured
    // (bench/results/descent-epyc-2core.md): a float32 step at n = 100 141 → 83–92 ns; float64 within the ±15 % noise.
    private const long ColumnCacheBytes = 64L << 20;

    private readonly ParallelOptions _parallel;
    private readonly ColumnCache _cache;
    private readonly SparseGenotypes? _sparse;

    public CpuBoundDesign(IColumnSource source, int threads)
    {
        Source = source;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        _cache = new ColumnCache(source, ColumnCacheBytes);
        _sparse = SparseGenotypes.AppliesTo(source) ? new SparseGenotypes(source, ColumnCacheBytes) : null;
    }

    public IColumnSource Source { get; }

    public DeviceTraffic Traffic { get; } = new();

    // On the CPU every column read costs memory bandwidth, and the bounds that let the solver skip columns are free.
    public bool PrefersFullPasses => false;

    // Bytes one full read of column storage costs (what x_bytes_read counts).
    private long ColumnBytes => Source.StorageBytes / Math.Max(1, Source.Columns);

    public int Rows => Source.Rows;

    public int Columns => Source.Columns;

    public unsafe void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares)
    {
        // Outputs are written in place through pinned pointers (lambdas cannot capture spans): no p × B temporaries.
        fixed (double* pw = presentWeight)
        fixed (double* s1 = sum)
        fixed (double* s2 = sumSquares)
        {
            Moments(weights.ToArray(), batch, centre.IsEmpty ? null : centre.ToArray(), (nint)pw, (nint)s1, centre.IsEmpty ? 0 : (nint)s2);
        }
    }

    private unsafe void Moments(double[] w, int batch, double[]? c, nint presentWeight, nint sum, nint sumSquares)
    {
        int n = Rows, p = Columns;
        Traffic.ReadX(ColumnBytes * p);
        var totalWeight = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            totalWeight[b] = System.Numerics.Tensors.TensorPrimitives.Sum(w.AsSpan(b * n, n));
        }

        ForEachColumnBlock(p, (start, end, scratch) =>
        {
            double* pw = (double*)presentWeight, s1 = (double*)sum, s2 = (double*)sumSquares;
            for (int j = start; j < end; j++)
            {
                var x = Source.Column(j, scratch);
                var missing = Source.MissingRows(j);
                for (int b = 0; b < batch; b++)
                {
                    var wb = w.AsSpan(b * n, n);
                    long at = ((long)b * p) + j;
                    double missingWeight = 0;
                    foreach (int i in missing)
                    {
                        missingWeight += wb[i];
                    }

                    pw[at] = totalWeight[b] - missingWeight;
                    if (c is null)
                    {
                        s1[at] = SimdOps.Dot(wb, x);
                        continue;
                    }

                    // Σ_present w (x − c)²: over all rows, then remove the missing rows (stored as 0, so they added w c²).
                    double cj = c[at];
                    (s1[at], double squares) = SimdOps.WeightedMoments(wb, x, cj);
                    s2[at] = squares - (missingWeight * cj * cj);
                }
            }
        }, n);
    }

    // Host memory: every entry is returned exactly, whatever the bound allows.
    public unsafe void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch,
        ColumnTransform? transform, Span<double> gradient, GradientBound? bound = null)
    {
        fixed (double* output = gradient)
        {
            Gradient(columns, residuals, batch, transform, (nint)output);
        }
    }

    private unsafe void Gradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch,
        ColumnTransform? transform, nint output)
    {
        int count = columns.IsEmpty ? Columns : columns.Length;
        Traffic.ReadX(ColumnBytes * count);
        var pass = new GradientPass(Source, columns.IsEmpty ? null : columns.ToArray(), count, residuals.ToArray(), batch,
            transform, (double*)output);
        ForEachColumnBlock(count, pass.Block, pass.ScratchLength);
    }

    // Column blocks of RowDistances: each query's output row stays in cache while a block of columns is added to it.
    private const int DistanceColumnBlock = 64;

    public unsafe void RowDistances(ReadOnlySpan<int> queries, ReadOnlySpan<double> columnWeights, Span<double> distance, Span<double> shared)
    {
        int n = Rows, p = Columns, count = queries.Length;
        if ((long)count * n > distance.Length || (long)count * n > shared.Length || columnWeights.Length < p)
        {
            throw new ArgumentException($"RowDistances needs {p} column weights and |queries| × n = {(long)count * n} outputs.");
        }

        distance[..(count * n)].Clear();
        shared[..(count * n)].Clear();
        Traffic.ReadX(ColumnBytes * p);
        int[] rows = queries.ToArray();
        double[] weight = columnWeights[..p].ToArray();
        fixed (double* dist = distance)
        fixed (double* both = shared)
        {
            nint distAt = (nint)dist, bothAt = (nint)both;
            var scratch = new double[(long)n * DistanceColumnBlock];
            for (int start = 0; start < p; start += DistanceColumnBlock)
            {
                int width = Math.Min(DistanceColumnBlock, p - start);
                var present = new double[width][];
                for (int c = 0; c < width; c++)
                {
                    var column = scratch.AsSpan(c * n, n);
                    var x = Source.Column(start + c, column);
                    if (!x.Overlaps(column))
                    {
                        x.CopyTo(column);
                    }

                    var missing = Source.MissingRows(start + c);
                    if (!missing.IsEmpty)
                    {
                        // 1 where present, 0 where missing: a missing donor adds exactly 0 (no add-then-subtract rounding).
                        present[c] = new double[n];
                        Array.Fill(present[c], 1.0);
                        foreach (int i in missing)
                        {
                            present[c][i] = 0;
                        }
                    }
                }

                Parallel.For(0, count, _parallel, q =>
                {
                    var row = new Span<double>((double*)distAt + ((long)q * n), n);
                    var counted = new Span<double>((double*)bothAt + ((long)q * n), n);
                    int i = rows[q];
                    for (int c = 0; c < width; c++)
                    {
                        double[]? mask = present[c];
                        if (mask is not null && mask[i] == 0)
                        {
                            continue;
                        }

                        var column = scratch.AsSpan(c * n, n);
                        SimdOps.AddWeightedSquaredDistance(row, column, column[i], weight[start + c], mask);
                        if (mask is null)
                        {
                            System.Numerics.Tensors.TensorPrimitives.Add(counted, 1.0, counted);
                        }
                        else
                        {
                            System.Numerics.Tensors.TensorPrimitives.Add(counted, mask, counted);
                        }
                    }
                });
            }
        }
    }

    public void ActiveSetDescent(DescentBatch work)
    {
        int n = Rows;
        var features = work.Feature.AsSpan(0, work.Count);
        if (_sparse is null)
        {
            _cache.Prepare(features, reused: work.MaxSweeps > 1);
        }
        else
        {
            // Genotype columns one value dominates are stepped from their listed rows; the others are cached decoded.
            _sparse.Prepare(features);
            var dense = new List<int>(features.Length);
            foreach (int j in features)
            {
                if (!_sparse.TryGet(j, out _, out _, out _))
                {
                    dense.Add(j);
                }
            }

            _cache.Prepare(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense), reused: work.MaxSweeps > 1);
        }

        if (work.Batch == 1)
        {
            DescendOne(work, 0, n);
            return;
        }

        Parallel.For(0, work.Batch, _parallel, b => DescendOne(work, b, n));
    }

    // One coordinate's constants for a whole call, gathered once instead of read on every step from the transform's
    // p × B arrays (random accesses at large p) through four small calls with two divisions each.
    private struct StepEntry
    {
        public double InverseScale;
        public double Centre;
        public double Fill;
        public double L1;
        public double Denominator;
        public double Lower;
        public double Upper;
    }

    private void DescendOne(DescentBatch work, int b, int n)
    {
        int from = work.Offsets[b], to = work.Offsets[b + 1];
        var r = work.Residual.AsSpan(b * n, n);
        var w = work.Weights.AsSpan(b * n, n);
        double[] scratch = ArrayPool<double>.Shared.Rent(n);
        var entries = ArrayPool<StepEntry>.Shared.Rent(Math.Max(1, to - from));
        try
        {
            bool inPlace = Source.Precision == Precision.Float64;
            bool hasMissing = Source.HasMissing;
            var transform = work.Transform;
            int problem = transform.Problem(b);
            for (int k = from; k < to; k++)
            {
                int j = work.Feature[k];
                long at = work.TransformAt(b, j);
                double inv = transform.InverseScale[at];
                entries[k - from] = new StepEntry
                {
                    InverseScale = inv,
                    Centre = transform.Centre[at],
                    Fill = transform.Fill[at],
                    L1 = work.L1At(b, j),
                    Denominator = work.Curvature[k] + work.L2At(b, j),
                    Lower = work.LowerAt(b, j, inv),
                    Upper = work.UpperAt(b, j, inv),
                };
            }

            double swr = work.WeightedResidualSum[b];

            // Σ_i w_i r_i for listed genotype steps: summed once per call, then moved by each step as WeightedResidualSum is
            // (by Σ w x̃, zero for a column centred with these weights), so a step that changes nothing reads no full row.
            double weightedResidual = 0;
            bool weightedResidualStale = true;
            int major = 0;
            ReadOnlySpan<int> firstRows = default, secondRows = default;
            double tol = work.Tolerance[b];
            int sweeps = 0;
            bool converged = false;
            while (sweeps < work.MaxSweeps)
            {
                sweeps++;
                double maxChange = 0;
                for (int k = from; k < to; k++)
                {
                    double cv = work.Curvature[k];
                    ref readonly var e = ref entries[k - from];
                    double inv = e.InverseScale;
                    if (cv <= 0 || inv == 0)
                    {
                        continue;
                    }

                    int j = work.Feature[k];
                    if (inPlace && k + 1 < to && _cache.Column(work.Feature[k + 1]).IsEmpty)
                    {
                        SimdOps.Prefetch(Source.Column(work.Feature[k + 1], scratch));
                    }

                    double c = e.Centre;
                    double dot;
                    ReadOnlySpan<double> x = default;
                    bool listed = _sparse is not null && _sparse.TryGet(j, out major, out firstRows, out secondRows);
                    if (listed)
                    {
                        // Σ w (x − c) r = Σ_listed w (x − major) r + (major − c) Σ w r, the last sum kept current.
                        if (weightedResidualStale)
                        {
                            weightedResidual = SimdOps.Dot(w, r);
                            weightedResidualStale = false;
                        }

                        var (first, second) = PackedDots.Others(major);
                        dot = ((first - major) * SparseDot(firstRows, w, r)) + ((second - major) * SparseDot(secondRows, w, r))
                            + ((major - c) * weightedResidual);
                    }
                    else
                    {
                        // From the column cache; else float64 storage in place, other storage decoded.
                        x = _cache.Column(j);
                        if (x.IsEmpty)
                        {
                            x = Source.Column(j, scratch);
                        }

                        dot = SimdOps.CentredDot3(w, x, c, r);
                    }

                    var missing = hasMissing ? Source.MissingRows(j) : [];
                    if (hasMissing)
                    {
                        dot += MissingShare(transform, problem, j, missing, e.Fill, w, r);
                    }

                    double old = work.Beta[k];
                    double z = (inv * dot) + (cv * old);
                    double l1 = e.L1;
                    double shrunk = Math.Abs(z) <= l1 ? 0 : (z - (Math.Sign(z) * l1)) / e.Denominator;
                    double updated = Math.Min(Math.Max(shrunk, e.Lower), e.Upper);
                    if (updated == old)
                    {
                        continue;
                    }

                    double delta = updated - old;
                    work.Beta[k] = updated;
                    double a = delta * inv;
                    if (listed)
                    {
                        // r −= a (x − c): a (major − c) from every row, a (x − major) from the listed ones.
                        System.Numerics.Tensors.TensorPrimitives.Subtract(r, a * (major - c), r);
                        var (first, second) = PackedDots.Others(major);
                        double change = a * (first - major);
                        foreach (int i in firstRows)
                        {
                            r[i] -= change;
                        }

                        change = a * (second - major);
                        foreach (int i in secondRows)
                        {
                            r[i] -= change;
                        }
                    }
                    else
                    {
                        SimdOps.AxpyCentred(r, x, a, c);
                    }

                    weightedResidual -= delta * work.WeightedSum[k];
                    if (hasMissing)
                    {
                        SubtractMissing(transform, problem, j, missing, e.Fill, a, r);
                    }

                    swr -= delta * work.WeightedSum[k];
                    maxChange = Math.Max(maxChange, cv * delta * delta);
                }

                if (maxChange < tol)
                {
                    converged = true;
                    break;
                }
            }

            work.WeightedResidualSum[b] = swr;
            work.Sweeps[b] = sweeps;
            work.Converged[b] = converged;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scratch);
            ArrayPool<StepEntry>.Shared.Return(entries);
        }
    }

    // Σ over the listed rows of w_i · r_i.
    private static double SparseDot(ReadOnlySpan<int> rows, ReadOnlySpan<double> w, ReadOnlySpan<double> r)
    {
        double s0 = 0, s1 = 0;
        int t = 0;
        for (; t + 2 <= rows.Length; t += 2)
        {
            int i0 = rows[t], i1 = rows[t + 1];
            s0 += w[i0] * r[i0];
            s1 += w[i1] * r[i1];
        }

        if (t < rows.Length)
        {
            s0 += w[rows[t]] * r[rows[t]];
        }

        return s0 + s1;
    }

    // Σ_i w_i r_i x_i over the missing cells of column j (stored as 0 in x): the column fill, plus each cell's own value.
    private static double MissingShare(ColumnTransform transform, int problem, int j, ReadOnlySpan<int> missing, double fill,
        ReadOnlySpan<double> w, ReadOnlySpan<double> r)
    {
        double missingWr = 0;
        foreach (int i in missing)
        {
            missingWr += w[i] * r[i];
        }

        double share = fill * missingWr;
        return transform.Cells is { } cells ? share + cells.WeightedDot(problem, j, w, r) : share;
    }

    // r −= a x over the missing cells of column j (the dense update already subtracted −a c there).
    private static void SubtractMissing(ColumnTransform transform, int problem, int j, ReadOnlySpan<int> missing, double fill,
        double a, Span<double> r)
    {
        foreach (int i in missing)
        {
            r[i] -= a * fill;
        }

        transform.Cells?.Subtract(problem, j, a, r);
    }

    private void ForEachColumnBlock(int count, Action<int, int, double[]> body, int scratchLength)
    {
        int blocks = (count + ColumnBlock - 1) / ColumnBlock;
        Parallel.For(0, blocks, _parallel,
            () => ArrayPool<double>.Shared.Rent(Math.Max(1, scratchLength)),
            (block, _, scratch) =>
            {
                int start = block * ColumnBlock;
                body(start, Math.Min(count, start + ColumnBlock), scratch);
                return scratch;
            },
            scratch => ArrayPool<double>.Shared.Return(scratch));
    }

    public void Dispose() { }
}
