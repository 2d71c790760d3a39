using GpuEnet.Kernels.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// X resident on the device (float64, float32, or 2-bit codes with missing cells), plus the batch state the kernels
/// keep between calls: the per-problem transform (uploaded once per <see cref="ColumnTransform"/>), the penalty factors and
/// bounds (once per array), and the descent's residuals, weights and per-entry arrays (feature, β, curvature, weighted
/// sum), each sent only when the host's copy differs from what the device already holds (after a descent the device's
/// residuals and β are what the host received, so a repeated descent of the same entries sends nothing but the
/// per-problem scalars). A bounded gradient brings back only the entries above their limit. Calls are serialised (one
/// stream, shared workspaces).
/// </summary>
internal sealed class IlgpuBoundDesign : IBoundDesign
{
    private readonly IlgpuBackend _backend;
    private readonly Accelerator _accelerator;
    private readonly IlgpuBackend.KernelSet _kernels;
    private readonly List<IDisposable> _owned = [];
    private readonly Lock _gate = new();
    private readonly DesignView _x;
    private readonly long _columnBytes;

    // Workspaces.
    private readonly DeviceArray<double> _weights, _centre, _present, _sum, _squares;
    private readonly DeviceArray<double> _residuals, _residualSums, _gradient;
    private readonly DeviceArray<int> _columns, _problemOf;
    private readonly DeviceArray<double> _transformCentre, _transformScale, _transformFill;
    private double[]? _transformKey;
    private readonly DeviceArray<int> _cellStart, _cellRow, _cellSet;
    private readonly DeviceArray<double> _cellValue;
    private double[]? _cellKey;
    private readonly DeviceArray<int> _feature, _offsets, _descentProblem, _sweeps, _converged;
    private readonly DeviceArray<double> _beta, _entryWeightedSum, _curvature;
    private readonly DeviceArray<double> _descentResidual, _descentWeights, _problemScalars;
    private readonly DeviceArray<double> _penalty, _lowerBound, _upperBound, _threshold, _exactValue;
    private readonly DeviceArray<int> _exactIndex, _counter;
    private double[]? _penaltyKey, _lowerKey, _upperKey;
    private int[] _hostIndex = [];
    private double[] _hostValue = [];

    public IlgpuBoundDesign(IlgpuBackend backend, IColumnSource source)
    {
        _backend = backend;
        _accelerator = backend.Accelerator;
        _kernels = backend.Kernels;
        Source = source;
        Rows = source.Rows;
        Columns = source.Columns;
        _x = Upload(source);
        _columnBytes = source.StorageBytes / Math.Max(1, source.Columns);
        _weights = Array<double>();
        _centre = Array<double>();
        _present = Array<double>();
        _sum = Array<double>();
        _squares = Array<double>();
        _residuals = Array<double>();
        _residualSums = Array<double>();
        _gradient = Array<double>();
        _columns = Array<int>();
        _problemOf = Array<int>();
        _transformCentre = Array<double>();
        _transformScale = Array<double>();
        _transformFill = Array<double>();
        _cellStart = Array<int>();
        _cellRow = Array<int>();
        _cellSet = Array<int>();
        _cellValue = Array<double>();
        _feature = Array<int>();
        _offsets = Array<int>();
        _descentProblem = Array<int>();
        _sweeps = Array<int>();
        _converged = Array<int>();
        _beta = Array<double>();
        _entryWeightedSum = Array<double>();
        _curvature = Array<double>();
        _descentResidual = Array<double>();
        _descentWeights = Array<double>();
        _problemScalars = Array<double>();
        _penalty = Array<double>();
        _lowerBound = Array<double>();
        _upperBound = Array<double>();
        _threshold = Array<double>();
        _exactValue = Array<double>();
        _exactIndex = Array<int>();
        _counter = Array<int>();
    }

    public int Rows { get; }

    public int Columns { get; }

    public IColumnSource Source { get; }

    public DeviceTraffic Traffic { get; } = new();

    public bool PrefersFullPasses => true;

    private DeviceArray<T> Array<T>()
        where T : unmanaged
    {
        var array = new DeviceArray<T>(_accelerator, Traffic);
        _owned.Add(array);
        return array;
    }

    private KernelConfig Launch(int groups)
    {
        Traffic.Launch();
        return new KernelConfig(groups, _backend.GroupSize);
    }

    // X goes up once, column block by column block through a host staging buffer (a memory-mapped source is never held
    // whole in host memory). Dense storage keeps its precision, a missing cell becomes NaN; 2-bit storage is re-encoded
    // from the decoded values (so any row subset of a PLINK file works). The storages not used get one-element placeholders.
    private DesignView Upload(IColumnSource source)
    {
        int n = source.Rows;
        switch (source.Precision)
        {
            case Precision.Float32:
                var single = UploadColumns<float>(source, n, (column, missing, to) =>
                {
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(column, to);
                    foreach (int i in missing)
                    {
                        to[i] = float.NaN;
                    }
                });
                return new DesignView(Placeholder<double>(), single, Placeholder<byte>(), DeviceStorage.Float32, n);
            case Precision.Packed2Bit:
                var packed = UploadColumns<byte>(source, (n + 3) / 4, Pack);
                return new DesignView(Placeholder<double>(), Placeholder<float>(), packed, DeviceStorage.Packed2Bit, n);
            default:
                var dense = UploadColumns<double>(source, n, (column, missing, to) =>
                {
                    column.CopyTo(to);
                    foreach (int i in missing)
                    {
                        to[i] = double.NaN;
                    }
                });
                return new DesignView(dense, Placeholder<float>(), Placeholder<byte>(), DeviceStorage.Float64, n);
        }
    }

    private delegate void ColumnWriter<T>(ReadOnlySpan<double> column, ReadOnlySpan<int> missing, Span<T> destination);

    // Every column of the source, as `perColumn` values of T each written by `write`, into one device buffer of p columns.
    private ArrayView<T> UploadColumns<T>(IColumnSource source, int perColumn, ColumnWriter<T> write)
        where T : unmanaged
    {
        int p = source.Columns;
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var buffer = Own(_accelerator.Allocate1D<T>(Math.Max(1, (long)perColumn * p)));
        int chunk = (int)Math.Clamp((32L << 20) / Math.Max(1, (long)perColumn * size), 1, Math.Max(1, p));
        var staging = new T[(long)chunk * perColumn];
        var scratch = new double[Math.Max(1, source.Rows)];
        for (int first = 0; first < p; first += chunk)
        {
            int count = Math.Min(chunk, p - first);
            for (int c = 0; c < count; c++)
            {
                write(source.Column(first + c, scratch), source.MissingRows(first + c), staging.AsSpan(c * perColumn, perColumn));
            }

            int length = count * perColumn;
            buffer.View.AsContiguous().SubView((long)first * perColumn, length).CopyFromCPU(staging.AsSpan(0, length));
            Traffic.ToDevice((long)length * size);
        }

        return buffer.View.AsContiguous();
    }

    private ArrayView<T> Placeholder<T>()
        where T : unmanaged => Own(_accelerator.Allocate1D<T>(1)).View.AsContiguous();

    private static void Pack(ReadOnlySpan<double> column, ReadOnlySpan<int> missing, Span<byte> packed)
    {
        packed.Clear();
        int next = 0;
        for (int i = 0; i < column.Length; i++)
        {
            bool isMissing = next < missing.Length && missing[next] == i;
            next += isMissing ? 1 : 0;
            double v = column[i];
            if (!isMissing && v != 0 && v != 1 && v != 2)
            {
                throw new ArgumentException($"2-bit storage holds dosages 0, 1 and 2 only; row {i} holds {v}.");
            }

            packed[i >> 2] |= (byte)(DesignView.Code(v, isMissing) << ((i & 3) << 1));
        }
    }

    private T Own<T>(T resource)
        where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares)
    {
        long n = Rows, pb = (long)Columns * batch;
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
            var w = _weights.Upload(weights[..(int)(n * batch)]);
            var c = squares ? _centre.Upload(centre[..(int)pb]) : _centre.View;
            var present = _present.Ensure(pb);
            var first = _sum.Ensure(pb);
            var second = _squares.Ensure(squares ? pb : 1);
            _kernels.ColumnMoments(Launch(Columns), _x, w, batch, c, squares ? 1 : 0, present, first, second);
            Traffic.ReadX(_columnBytes * Columns);
            _present.Download(presentWeight[..(int)pb]);
            _sum.Download(sum[..(int)pb]);
            if (squares)
            {
                _squares.Download(sumSquares[..(int)pb]);
            }
        }
    }

    public void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch, ColumnTransform? transform,
        Span<double> gradient, GradientBound? bound = null)
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

        if (kb == 0)
        {
            return;
        }

        lock (_gate)
        {
            var r = _residuals.Upload(residuals[..(int)(n * batch)]);
            var listed = columns.IsEmpty ? _columns.View : _columns.Upload(columns);
            TransformView view = Transform(transform, batch);
            var sums = _residualSums.Ensure(batch);
            if (transform is not null)
            {
                _kernels.ResidualSums(Launch(batch), r, Rows, sums);
            }

            var g = _gradient.Ensure(bound is null ? kb : 1);
            BoundView compact = Bound(bound, batch, kb);
            _kernels.BatchedGradient(Launch(count), _x, listed, columns.IsEmpty ? 0 : 1, r, batch, sums, view, g, compact);
            Traffic.ReadX(_columnBytes * count);
            if (bound is null)
            {
                _gradient.Download(gradient[..(int)kb]);
            }
            else
            {
                Expand(columns, bound, batch, count, gradient);
            }
        }
    }

    // The bounded gradient's device arrays: the penalty once per array identity, the thresholds per call, a zeroed counter.
    private BoundView Bound(GradientBound? bound, int batch, long kb)
    {
        if (bound is null)
        {
            return new BoundView(_penalty.View, _threshold.View, _exactIndex.View, _exactValue.View, _counter.View, 0);
        }

        Require(bound.Penalty.Length == Columns, $"the bound has {bound.Penalty.Length} penalty factors, X has {Columns} columns.");
        Require(bound.Threshold.Length >= batch, $"the bound has {bound.Threshold.Length} thresholds, expected one per residual column ({batch}).");
        Require(kb <= int.MaxValue, "a bounded gradient holds at most 2³¹ − 1 entries.");
        return new BoundView(Resident(_penalty, ref _penaltyKey, bound.Penalty), _threshold.Upload(bound.Threshold.AsSpan(0, batch)),
            _exactIndex.Ensure(kb), _exactValue.Ensure(kb), _counter.Upload([0]), 1);
    }

    // A per-feature array the host keeps unchanged for many calls (penalty factors, bounds): sent once per array identity.
    private ArrayView<double> Resident(DeviceArray<double> device, ref double[]? key, double[] values)
    {
        if (!ReferenceEquals(key, values))
        {
            device.Upload(values);
            key = values;
        }

        return device.View;
    }

    // Brings back only the entries above their limit (the counter, then index and value of each) and writes every other
    // entry of G on the host as its limit: the upper bound of |G| the contract allows there.
    private void Expand(ReadOnlySpan<int> columns, GradientBound bound, int batch, int count, Span<double> gradient)
    {
        Span<int> exactCount = stackalloc int[1];
        _counter.Download(exactCount);
        int exact = exactCount[0];
        if (_hostIndex.Length < exact)
        {
            _hostIndex = new int[Math.Max(exact, _hostIndex.Length * 2)];
            _hostValue = new double[_hostIndex.Length];
        }

        _exactIndex.Download(_hostIndex.AsSpan(0, exact));
        _exactValue.Download(_hostValue.AsSpan(0, exact));
        GradientBound.FillLimits(bound, columns, batch, count, gradient);
        for (int e = 0; e < exact; e++)
        {
            gradient[_hostIndex[e]] = _hostValue[e];
        }
    }

    // The transform's arrays go up once per ColumnTransform (their identity is the key: a batch's standardisation is learnt
    // once and then only read); the problem map of each call is small (one int per residual column).
    private TransformView Transform(ColumnTransform? transform, int batch)
    {
        if (transform is null)
        {
            return new TransformView(_transformCentre.View, _transformScale.View, _transformFill.View, _problemOf.View, Columns, 0,
                _cellStart.View, _cellRow.View, _cellValue.View, _cellSet.View, 0, 0);
        }

        return ResidentTransform(transform, batch, _problemOf);
    }

    // The transform's p × B arrays go up once per identity; the problem map (one int per residual column or descent
    // problem) goes up with every call, into `map`.
    private TransformView ResidentTransform(ColumnTransform transform, int batch, DeviceArray<int> map)
    {
        Require(transform.Columns == Columns, $"the transform has {transform.Columns} columns, X has {Columns}.");
        if (!ReferenceEquals(_transformKey, transform.Centre))
        {
            _transformCentre.Upload(transform.Centre);
            _transformScale.Upload(transform.InverseScale);
            _transformFill.Upload(transform.Fill);
            _transformKey = transform.Centre;
        }

        var problems = new int[batch];
        for (int q = 0; q < batch; q++)
        {
            problems[q] = transform.Problem(q);
            Require((uint)problems[q] < (uint)transform.Batch, $"column {q} maps to problem {problems[q]}, outside 0..{transform.Batch - 1}.");
        }

        map.Upload(problems);
        var cells = transform.Cells;
        if (cells is not null && !ReferenceEquals(_cellKey, cells.Value))
        {
            // Cell fills go up once per identity, like the transform (cells × sets values, one int per cell and column).
            _cellStart.Upload(cells.Start);
            _cellRow.Upload(cells.Row.Length > 0 ? cells.Row : [0]);
            _cellSet.Upload(cells.Set);
            _cellValue.Upload(cells.Value.Length > 0 ? cells.Value : [0.0]);
            _cellKey = cells.Value;
        }

        return new TransformView(_transformCentre.View, _transformScale.View, _transformFill.View, map.View, Columns, 1,
            _cellStart.View, _cellRow.View, _cellValue.View, _cellSet.View, cells?.Cells ?? 0, cells is null ? 0 : 1);
    }

    public void ActiveSetDescent(DescentBatch work)
    {
        int n = Rows, batch = work.Batch, count = work.Count;
        for (int k = 0; k < count; k++)
        {
            Require((uint)work.Feature[k] < (uint)Columns, $"entry {k} names feature {work.Feature[k]}, outside 0..{Columns - 1}.");
        }

        Require(work.Penalty.Length == Columns, $"the descent has {work.Penalty.Length} penalty factors, X has {Columns} columns.");
        Require(work.LowerBound is null || work.LowerBound.Length == Columns, "the descent's lower bounds need one value per column.");
        Require(work.UpperBound is null || work.UpperBound.Length == Columns, "the descent's upper bounds need one value per column.");
        lock (_gate)
        {
            long nb = (long)n * batch;
            var residual = _descentResidual.UploadIfChanged(work.Residual.AsSpan(0, (int)nb));
            var weights = _descentWeights.UploadIfChanged(work.Weights.AsSpan(0, (int)nb));
            var shared = new DescentShared(
                ResidentTransform(work.Transform, batch, _descentProblem),
                Resident(_penalty, ref _penaltyKey, work.Penalty),
                work.LowerBound is null ? _lowerBound.View : Resident(_lowerBound, ref _lowerKey, work.LowerBound),
                work.UpperBound is null ? _upperBound.View : Resident(_upperBound, ref _upperKey, work.UpperBound),
                work.LowerBound is null ? 0 : 1,
                work.UpperBound is null ? 0 : 1);
            var entries = new DescentEntries(
                _feature.UploadIfChanged(work.Feature.AsSpan(0, count)),
                _beta.UploadIfChanged(work.Beta.AsSpan(0, count)),
                _entryWeightedSum.UploadIfChanged(work.WeightedSum.AsSpan(0, count)),
                _curvature.UploadIfChanged(work.Curvature.AsSpan(0, count)));
            // The per-problem scalars in one array: Σ w r, tolerance, λ·a, λ·(1−a), target scale (B each).
            var scalars = new double[DescentProblems.ScalarCount * batch];
            work.WeightedResidualSum.AsSpan(0, batch).CopyTo(scalars);
            work.Tolerance.AsSpan(0, batch).CopyTo(scalars.AsSpan(batch));
            work.L1Scale.AsSpan(0, batch).CopyTo(scalars.AsSpan(2 * batch));
            work.L2Scale.AsSpan(0, batch).CopyTo(scalars.AsSpan(3 * batch));
            work.TargetScale.AsSpan(0, batch).CopyTo(scalars.AsSpan(4 * batch));
            var problems = new DescentProblems(
                _offsets.Upload(work.Offsets.AsSpan(0, batch + 1)),
                residual,
                weights,
                _problemScalars.Upload(scalars),
                batch,
                _sweeps.Ensure(batch),
                _converged.Ensure(batch));
            _kernels.ActiveSetDescent(Launch(batch), _x, shared, entries, problems, work.MaxSweeps);
            _beta.DownloadMirrored(work.Beta.AsSpan(0, count));
            _descentResidual.DownloadMirrored(work.Residual.AsSpan(0, (int)nb));
            _problemScalars.Download(work.WeightedResidualSum.AsSpan(0, batch));
            _sweeps.Download(work.Sweeps.AsSpan(0, batch));
            var converged = new int[batch];
            _converged.Download(converged);
            for (int b = 0; b < batch; b++)
            {
                work.Converged[b] = converged[b] != 0;
            }
        }
    }

    public void RowDistances(ReadOnlySpan<int> queries, ReadOnlySpan<double> columnWeights, Span<double> distance, Span<double> shared)
    {
        long size = (long)queries.Length * Rows;
        Require(columnWeights.Length >= Columns, $"RowDistances needs {Columns} column weights, got {columnWeights.Length}.");
        Require(distance.Length >= size && shared.Length >= size, $"RowDistances needs |queries| × n = {size} outputs.");
        foreach (int i in queries)
        {
            Require((uint)i < (uint)Rows, $"query row {i} is outside 0..{Rows - 1}.");
        }

        if (size == 0)
        {
            return;
        }

        lock (_gate)
        {
            var rows = _columns.Upload(queries);
            var weights = _centre.Upload(columnWeights[..Columns]);
            var first = _present.Ensure(size);
            var second = _sum.Ensure(size);
            _kernels.RowDistances(Launch(queries.Length), _x, rows, weights, Columns, first, second);
            Traffic.ReadX(_columnBytes * Columns * queries.Length);
            _present.Download(distance[..(int)size]);
            _sum.Download(shared[..(int)size]);
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    public void Dispose()
    {
        foreach (var resource in _owned)
        {
            resource.Dispose();
        }

        _owned.Clear();
    }
}
