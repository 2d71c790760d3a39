using BenchmarkDotNet.Attributes;
using GpuEnet.Kernels;

namespace GpuEnet.Bench;

/// <summary>
/// The three kernels of the contract on JSS-style designs (ρ = 0.5), per backend and size.
/// <list type="bullet">
/// <item><c>BatchedGradient</c>: every column, B ∈ {1, 4, 16, 33} residuals (33: a three-value l1_ratio grid of 10-fold CV), with a centring/scaling transform —
/// the memory-bound pass; the "X GB/s" column is bytes of X (as stored) over the median time.</item>
/// <item><c>ColumnMoments</c>: B = 11 weight vectors (one full fit plus ten CV folds), with a centre.</item>
/// <item><c>ActiveSetDescent</c>: B = 11 problems × 200 active features, exactly <see cref="DescentSweeps"/> sweeps
/// (tolerance 0), state reset at the start of each call (a copy of n × 11 + 2,200 doubles, small next to the sweeps).</item>
/// </list>
/// </summary>
[Config(typeof(MicroConfig))]
public class KernelBenchmarks
{
    public const int MaxGradientBatch = 33;
    public const int MomentsBatch = 11;
    public const int DescentBatchSize = 11;
    public const int ActivePerProblem = 200;
    public const int DescentSweeps = 5;

    private IKernelBackend _backend = null!;
    private IBoundDesign _design = null!;
    private ColumnTransform _transform = null!;
    private double[] _residuals = [];
    private double[] _gradient = [];
    private double[] _weights = [];
    private double[] _centre = [];
    private double[] _presentWeight = [];
    private double[] _sum = [];
    private double[] _sumSquares = [];
    private DescentBatch _descent = null!;
    private double[] _descentResidual = [];
    private double[] _descentWeightedResidualSum = [];

    [ParamsSource(nameof(Backends))]
    public BackendCase Backend { get; set; } = null!;

    /// <summary>n × p.</summary>
    [Params("100x50000", "1000x20000")]
    public string Size { get; set; } = "";

    /// <summary>How X is stored; float32 is rounded from the same float64 values.</summary>
    [Params(Precision.Float64, Precision.Float32)]
    public Precision Storage { get; set; }

    public static IEnumerable<BackendCase> Backends() => BackendCase.Available();

    public static (int Rows, int Columns) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GlobalSetup]
    public void Setup()
    {
        var (n, p) = ParseSize(Size);
        var data = JssDesign.Generate(n, p, rho: 0.5, seed: 20100101);
        var x = data.X;
        IColumnSource source = Storage == Precision.Float32 ? DenseMatrix32.FromDouble(x) : x;
        _backend = Backend.Create();
        _design = _backend.Bind(source);

        // Population mean and sd per column (equal weights): the transform the solver would pass.
        var mean = new double[p];
        var inverseSd = new double[p];
        for (int j = 0; j < p; j++)
        {
            var column = x.Values.Span.Slice(j * n, n);
            double m = System.Numerics.Tensors.TensorPrimitives.Sum(column) / n;
            double ss = 0;
            foreach (double v in column)
            {
                ss += (v - m) * (v - m);
            }

            mean[j] = m;
            inverseSd[j] = 1 / Math.Sqrt(ss / n);
        }

        _transform = new ColumnTransform(p, MaxGradientBatch);
        for (int b = 0; b < MaxGradientBatch; b++)
        {
            mean.CopyTo(_transform.Centre.AsSpan(b * p, p));
            inverseSd.CopyTo(_transform.InverseScale.AsSpan(b * p, p));
        }

        var rng = new JssDesign.Gaussian(7);
        _residuals = new double[n * MaxGradientBatch];
        rng.Fill(_residuals);
        _gradient = new double[(long)p * MaxGradientBatch];

        _weights = FoldWeights(n, MomentsBatch);
        _centre = new double[(long)p * MomentsBatch];
        for (int b = 0; b < MomentsBatch; b++)
        {
            mean.CopyTo(_centre.AsSpan(b * p, p));
        }

        _presentWeight = new double[(long)p * MomentsBatch];
        _sum = new double[(long)p * MomentsBatch];
        _sumSquares = new double[(long)p * MomentsBatch];

        SetupDescent(x, data.Y, rng);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _design.Dispose();
        _backend.Dispose();
    }

    [Benchmark]
    [Arguments(1)]
    [Arguments(4)]
    [Arguments(16)]
    [Arguments(33)]
    public double BatchedGradient(int batch)
    {
        int n = _design.Rows, p = _design.Columns;
        _design.BatchedGradient([], _residuals.AsSpan(0, n * batch), batch, _transform, _gradient.AsSpan(0, p * batch));
        return _gradient[0];
    }

    [Benchmark]
    public double ColumnMoments()
    {
        _design.ColumnMoments(_weights, MomentsBatch, _centre, _presentWeight, _sum, _sumSquares);
        return _sumSquares[0];
    }

    [Benchmark]
    public double ActiveSetDescent()
    {
        _descentResidual.CopyTo(_descent.Residual, 0);
        _descentWeightedResidualSum.CopyTo(_descent.WeightedResidualSum, 0);
        Array.Clear(_descent.Beta, 0, _descent.Count);
        _design.ActiveSetDescent(_descent);
        return _descent.Beta[0];
    }

    /// <summary>
    /// Bytes of X one call reads, as stored (8 or 4 per element), for the bandwidth column; null where a figure would
    /// mislead. The full passes read X once whatever B is. Descent reads 11 × 200 columns per sweep (twice when a
    /// coefficient moves), which stay in cache across sweeps, so it is reported as time per coordinate step instead.
    /// </summary>
    public static long? BytesOfXRead(string method, string size, Precision storage)
    {
        var (n, p) = ParseSize(size);
        long element = storage == Precision.Float32 ? sizeof(float) : sizeof(double);
        return method is nameof(BatchedGradient) or nameof(ColumnMoments) ? (long)n * p * element : null;
    }

    /// <summary>Coordinate steps per call of the descent benchmark.</summary>
    public static long DescentSteps => (long)DescentBatchSize * ActivePerProblem * DescentSweeps;

    /// <summary>Problem 0 trains on every row, problem f ≥ 1 leaves out rows i with i mod 10 = f − 1; each sums to 1.</summary>
    private static double[] FoldWeights(int n, int batch)
    {
        var w = new double[n * batch];
        for (int b = 0; b < batch; b++)
        {
            var wb = w.AsSpan(b * n, n);
            for (int i = 0; i < n; i++)
            {
                wb[i] = b == 0 || i % (batch - 1) != b - 1 ? 1 : 0;
            }

            double total = System.Numerics.Tensors.TensorPrimitives.Sum(wb);
            System.Numerics.Tensors.TensorPrimitives.Divide(wb, total, wb);
        }

        return w;
    }

    /// <summary>
    /// Eleven CV-like problems, each with 200 distinct random features standardised on its own training rows,
    /// residual y − ȳ_w, and λ = 0.1 · max |gradient| over its active set, so most coefficients move every sweep.
    /// </summary>
    private void SetupDescent(DenseMatrix x, double[] y, JssDesign.Gaussian rng)
    {
        int n = x.Rows, p = x.Columns;
        int count = DescentBatchSize * ActivePerProblem;
        var transform = new ColumnTransform(p, DescentBatchSize);
        _descent = new DescentBatch(n, DescentBatchSize, count) { MaxSweeps = DescentSweeps, Transform = transform, Penalty = new double[p] };
        Array.Fill(_descent.Penalty, 1.0);
        FoldWeights(n, DescentBatchSize).CopyTo(_descent.Weights, 0);
        var chosen = new HashSet<int>();
        for (int b = 0; b < DescentBatchSize; b++)
        {
            var w = _descent.Weights.AsSpan(b * n, n);
            var r = _descent.Residual.AsSpan(b * n, n);
            double yMean = System.Numerics.Tensors.TensorPrimitives.Dot(w, y);
            for (int i = 0; i < n; i++)
            {
                r[i] = y[i] - yMean;
            }

            _descent.WeightedResidualSum[b] = System.Numerics.Tensors.TensorPrimitives.Dot(w, r);
            _descent.Tolerance[b] = 0;
            int from = b * ActivePerProblem;
            _descent.Offsets[b] = from;
            _descent.Offsets[b + 1] = from + ActivePerProblem;
            chosen.Clear();
            double maxGradient = 0;
            for (int k = from; k < from + ActivePerProblem; k++)
            {
                int j;
                do
                {
                    j = rng.NextInt(p);
                }
                while (!chosen.Add(j));

                var column = x.Values.Span.Slice(j * n, n);
                double c = System.Numerics.Tensors.TensorPrimitives.Dot(w, column);
                double variance = 0, xr = 0;
                for (int i = 0; i < n; i++)
                {
                    variance += w[i] * (column[i] - c) * (column[i] - c);
                    xr += w[i] * (column[i] - c) * r[i];
                }

                double inv = 1 / Math.Sqrt(variance);
                _descent.Feature[k] = j;
                transform.Centre[((long)b * p) + j] = c;
                transform.InverseScale[((long)b * p) + j] = inv;
                _descent.WeightedSum[k] = 0;
                _descent.Curvature[k] = 1;
                maxGradient = Math.Max(maxGradient, Math.Abs(xr * inv));
            }

            _descent.L1Scale[b] = 0.1 * maxGradient;
        }

        _descentResidual = (double[])_descent.Residual.Clone();
        _descentWeightedResidualSum = (double[])_descent.WeightedResidualSum.Clone();
    }
}
