using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Ilgpu;

namespace GpuEnet.Kernels.Projection;

/// <summary>
/// The SIMD backend computing, while counting the host↔device traffic, launches and X reads that the ILGPU backend would
/// make for the same calls (the rules of <c>IlgpuBoundDesign</c>, mirrors of unchanged residuals and weights included),
/// plus the coordinate steps of the descents. It is how <c>bench/gpu/project</c> counts the work of a problem far too large
/// for ILGPU's CPU accelerator; <c>tests/Kernels/ModelledTrafficTests</c> checks its counts equal the ILGPU backend's on the
/// same solve. Not a user-facing device.
/// </summary>
public sealed class ModelledGpuBackend(int threads) : IKernelBackend
{
    private readonly CpuBackend _cpu = new(threads);

    /// <inheritdoc/>
    public string Device => "cpu (GPU traffic modelled)";

    /// <summary>The designs bound so far (their counts).</summary>
    public List<ModelledGpuDesign> Designs { get; } = [];

    /// <inheritdoc/>
    public IBoundDesign Bind(IColumnSource x)
    {
        var design = new ModelledGpuDesign(_cpu.Bind(x));
        Designs.Add(design);
        return design;
    }

    /// <inheritdoc/>
    public void Dispose() => _cpu.Dispose();
}

/// <summary>A bound design of <see cref="ModelledGpuBackend"/>: the SIMD design, with the ILGPU backend's counts.</summary>
public sealed class ModelledGpuDesign : IBoundDesign
{
    private const int Double = sizeof(double);
    private const int Int = sizeof(int);

    private readonly IBoundDesign _inner;
    private readonly long _columnBytes;
    private double[]? _transformKey, _penaltyKey, _lowerKey, _upperKey;
    private double[] _residualMirror = [];
    private double[] _weightsMirror = [];
    private double[] _betaMirror = [], _weightedSumMirror = [], _curvatureMirror = [];
    private int[] _featureMirror = [];

    internal ModelledGpuDesign(IBoundDesign inner)
    {
        _inner = inner;
        var x = inner.Source;
        _columnBytes = x.StorageBytes / Math.Max(1, x.Columns);
        long perColumn = x.Precision switch
        {
            Precision.Float32 => (long)x.Rows * sizeof(float),
            Precision.Packed2Bit => (x.Rows + 3) / 4,
            _ => (long)x.Rows * Double,
        };
        XUploadBytes = perColumn * x.Columns;
        Traffic.ToDevice(XUploadBytes);
    }

    /// <summary>Bytes of the one upload of X (part of <see cref="DeviceTraffic.ToDeviceBytes"/>).</summary>
    public long XUploadBytes { get; }

    /// <summary>Coordinate steps of all descents (entries × sweeps, summed over problems).</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// The descents' critical path in coordinate steps: per call, the largest entries × sweeps of one problem (a GPU runs
    /// the problems of a call side by side, one group each), summed over calls.
    /// </summary>
    public long CriticalSteps { get; private set; }

    /// <summary>Descent calls (one launch each).</summary>
    public long DescentCalls { get; private set; }

    /// <summary>
    /// Host↔device bytes that grow with p (moments and gradients brought back, transforms and column lists sent), the
    /// one upload of X excluded: what a projection scales with p besides the reads of X.
    /// </summary>
    public long ColumnProportionalBytes { get; private set; }

    /// <summary>Host↔device bytes of the descent calls (entries, residuals, weights and per-problem scalars).</summary>
    public long DescentBytes { get; private set; }

    /// <summary>Host↔device bytes of the KKT passes' residuals and of the gradient entries above their limit brought back.</summary>
    public long PassBytes { get; private set; }

    /// <summary>Passes over X (moments and gradients).</summary>
    public long Passes { get; private set; }

    /// <inheritdoc/>
    public int Rows => _inner.Rows;

    /// <inheritdoc/>
    public int Columns => _inner.Columns;

    /// <inheritdoc/>
    public IColumnSource Source => _inner.Source;

    /// <inheritdoc/>
    public DeviceTraffic Traffic { get; } = new();

    /// <inheritdoc/>
    public bool PrefersFullPasses => true;

    /// <inheritdoc/>
    public void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares)
    {
        _inner.ColumnMoments(weights, batch, centre, presentWeight, sum, sumSquares);
        long pb = (long)Columns * batch;
        if (pb == 0)
        {
            return;
        }

        bool squares = !centre.IsEmpty;
        Traffic.ToDevice(((long)Rows * batch * Double) + (squares ? pb * Double : 0));
        Traffic.Launch();
        Traffic.ReadX(_columnBytes * Columns);
        Traffic.FromDevice(pb * Double * (squares ? 3 : 2));
        ColumnProportionalBytes += (pb * Double * (squares ? 3 : 2)) + (squares ? pb * Double : 0);
        Passes++;
    }

    /// <inheritdoc/>
    public void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch, ColumnTransform? transform,
        Span<double> gradient, GradientBound? bound = null)
    {
        _inner.BatchedGradient(columns, residuals, batch, transform, gradient);
        int count = columns.IsEmpty ? Columns : columns.Length;
        long kb = (long)count * batch;
        if (kb == 0)
        {
            return;
        }

        Traffic.ToDevice(((long)Rows * batch * Double) + ((long)columns.Length * Int));
        PassBytes += (long)Rows * batch * Double;
        if (transform is not null)
        {
            ResidentTransform(transform, batch);
            Traffic.Launch();
        }

        Traffic.Launch();
        Traffic.ReadX(_columnBytes * count);
        ColumnProportionalBytes += (long)columns.Length * Int;
        if (bound is null)
        {
            Traffic.FromDevice(kb * Double);
            ColumnProportionalBytes += kb * Double;
            Passes++;
            return;
        }

        Resident(ref _penaltyKey, bound.Penalty);

        // Thresholds and a zeroed counter up; the counter and the entries above their limit down.
        Traffic.ToDevice(((long)batch * Double) + Int);
        // The solver gets what the ILGPU backend would give it: entries at or below their limit as that limit.
        long exact = 0;
        for (int q = 0; q < batch; q++)
        {
            for (int k = 0; k < count; k++)
            {
                double limit = bound.Limit(q, columns.IsEmpty ? k : columns[k]);
                int at = (q * count) + k;
                if (Math.Abs(gradient[at]) > limit)
                {
                    exact++;
                }
                else
                {
                    gradient[at] = limit;
                }
            }
        }

        Traffic.FromDevice(Int + (exact * (Int + Double)));
        PassBytes += Int + (exact * (Int + Double));
        Passes++;
    }

    // The transform's arrays once per identity (p-proportional), the problem map with every call.
    private void ResidentTransform(ColumnTransform transform, int batch)
    {
        if (!ReferenceEquals(_transformKey, transform.Centre))
        {
            long bytes = (transform.Centre.LongLength + transform.InverseScale.LongLength + transform.Fill.LongLength) * Double;
            Traffic.ToDevice(bytes);
            ColumnProportionalBytes += bytes;
            _transformKey = transform.Centre;
        }

        Traffic.ToDevice((long)batch * Int);
    }

    // A per-feature array sent once per identity (p-proportional).
    private void Resident(ref double[]? key, double[]? values)
    {
        if (values is not null && !ReferenceEquals(key, values))
        {
            Traffic.ToDevice(values.LongLength * Double);
            ColumnProportionalBytes += values.LongLength * Double;
            key = values;
        }
    }

    /// <inheritdoc/>
    public void RowDistances(ReadOnlySpan<int> queries, ReadOnlySpan<double> columnWeights, Span<double> distance, Span<double> shared)
    {
        _inner.RowDistances(queries, columnWeights, distance, shared);
        long size = (long)queries.Length * Rows;
        Traffic.ToDevice(((long)queries.Length * Int) + ((long)Columns * Double));
        Traffic.Launch();
        Traffic.ReadX(_columnBytes * Columns * queries.Length);
        Traffic.FromDevice(2 * size * Double);
    }

    /// <inheritdoc/>
    public void ActiveSetDescent(DescentBatch work)
    {
        int batch = work.Batch, count = work.Count;
        int nb = Rows * batch;
        long before = Traffic.ToDeviceBytes + Traffic.FromDeviceBytes;
        Traffic.ToDevice(Mirror(ref _residualMirror, work.Residual.AsSpan(0, nb)) + Mirror(ref _weightsMirror, work.Weights.AsSpan(0, nb)));
        // The resident handles (transform, penalty, bounds) only when new; the problem map with every call.
        ResidentTransform(work.Transform, batch);
        Resident(ref _penaltyKey, work.Penalty);
        Resident(ref _lowerKey, work.LowerBound);
        Resident(ref _upperKey, work.UpperBound);
        // Feature (int) and three float64 arrays per entry, each only when changed; offsets and five scalars per problem.
        long sent = Mirror(ref _featureMirror, work.Feature.AsSpan(0, count)) + Mirror(ref _betaMirror, work.Beta.AsSpan(0, count))
            + Mirror(ref _weightedSumMirror, work.WeightedSum.AsSpan(0, count)) + Mirror(ref _curvatureMirror, work.Curvature.AsSpan(0, count));
        Traffic.ToDevice(sent + ((batch + 1L) * Int) + (5L * batch * Double));
        Traffic.Launch();
        _inner.ActiveSetDescent(work);
        Traffic.FromDevice(((long)count * Double) + ((long)nb * Double) + ((long)batch * (Double + Int + Int)));
        _residualMirror = work.Residual.AsSpan(0, nb).ToArray();
        _betaMirror = work.Beta.AsSpan(0, count).ToArray();
        DescentCalls++;
        DescentBytes += Traffic.ToDeviceBytes + Traffic.FromDeviceBytes - before;
        long longest = 0;
        for (int b = 0; b < batch; b++)
        {
            long steps = (long)work.Sweeps[b] * (work.Offsets[b + 1] - work.Offsets[b]);
            Steps += steps;
            longest = Math.Max(longest, steps);
        }

        CriticalSteps += longest;
    }

    // The bytes an upload-if-changed sends: none when the device already holds exactly these values.
    private static unsafe long Mirror<T>(ref T[] mirror, ReadOnlySpan<T> values)
        where T : unmanaged, IEquatable<T>
    {
        if (values.SequenceEqual(mirror))
        {
            return 0;
        }

        mirror = values.ToArray();
        return (long)values.Length * sizeof(T);
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();
}
