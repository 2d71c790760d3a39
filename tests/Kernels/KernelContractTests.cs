using GpuEnet.Kernels;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// The kernel contract, checked against <see cref="ReferenceKernels"/> on seeded random problems. One sealed subclass
/// per backend supplies <see cref="CreateBackend"/>; a subclass may add a public static <c>UnavailableReason</c>
/// (see <see cref="BackendFactAttribute"/>) to skip everything with a printed reason where its device is missing.
/// </summary>
public abstract class KernelContractTests
{
    private const double Float64Tolerance = 1e-10;
    private const double Float32Tolerance = 1e-4;

    protected abstract IKernelBackend CreateBackend();

    [BackendFact]
    public void DeviceIsNamed()
    {
        using IKernelBackend backend = CreateBackend();
        Assert.False(string.IsNullOrWhiteSpace(backend.Device));
    }

    [BackendFact]
    public void ColumnMomentsMatchReference()
    {
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(37, 45, 3), (50, 300, 1), (17, 70, 33)])
            {
                IColumnSource x = RandomDesign(n, p, seed: n + p + batch, single);
                double[] weights = RandomWeights(n, batch, seed: 7 * n);
                double[] centre = RandomValues(p * batch, seed: 11 * p, 0.5);
                var present = new double[p * batch];
                var sum = new double[p * batch];
                var squares = new double[p * batch];
                var expectedPresent = new double[p * batch];
                var expectedSum = new double[p * batch];
                var expectedSquares = new double[p * batch];
                ReferenceKernels.ColumnMoments(x, weights, batch, centre, expectedPresent, expectedSum, expectedSquares);

                using IKernelBackend backend = CreateBackend();
                using IBoundDesign design = backend.Bind(x);
                design.ColumnMoments(weights, batch, centre, present, sum, squares);
                double tolerance = single ? Float32Tolerance : Float64Tolerance;
                AssertClose(expectedPresent, present, tolerance, $"presentWeight n={n} p={p} B={batch} f32={single}");
                AssertClose(expectedSum, sum, tolerance, $"sum n={n} p={p} B={batch} f32={single}");
                AssertClose(expectedSquares, squares, tolerance, $"sumSquares n={n} p={p} B={batch} f32={single}");

                // Without a centre, sumSquares is not part of the result and may be empty.
                Array.Clear(sum);
                design.ColumnMoments(weights, batch, [], present, sum, []);
                AssertClose(expectedSum, sum, tolerance, $"sum without centre n={n} p={p} B={batch} f32={single}");
            }
        }
    }

    [BackendFact]
    public void BatchedGradientOfAllColumnsMatchesReference()
    {
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(40, 33, 1), (50, 300, 2), (23, 90, 5), (31, 40, 40)])
            {
                IColumnSource x = RandomDesign(n, p, seed: 3 * p + batch, single);
                double[] residuals = RandomValues(n * batch, seed: 5 * n + batch, 0);
                ColumnTransform transform = RandomTransform(p, batch, seed: p);
                using IKernelBackend backend = CreateBackend();
                using IBoundDesign design = backend.Bind(x);
                foreach (ColumnTransform? t in (ColumnTransform?[])[null, transform])
                {
                    double[] expected = ReferenceKernels.BatchedGradient(x, [], residuals, batch, t);
                    var gradient = new double[p * batch];
                    design.BatchedGradient([], residuals, batch, t, gradient);
                    AssertClose(expected, gradient, single ? Float32Tolerance : Float64Tolerance,
                        $"all columns n={n} p={p} B={batch} transform={t is not null} f32={single}");
                }
            }
        }
    }

    [BackendFact]
    public void BatchedGradientOfAColumnListMatchesReference()
    {
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(40, 60, 1), (45, 120, 3), (19, 50, 12)])
            {
                IColumnSource x = RandomDesign(n, p, seed: 13 * p + batch, single);
                double[] residuals = RandomValues(n * batch, seed: 17 * n, 0);
                ColumnTransform transform = RandomTransform(p, batch, seed: 2 * p);
                var random = new Random(p + n);
                int[] columns = Enumerable.Range(0, 2 * p / 3).Select(_ => random.Next(p)).ToArray(); // unordered, repeats allowed
                using IKernelBackend backend = CreateBackend();
                using IBoundDesign design = backend.Bind(x);
                foreach (ColumnTransform? t in (ColumnTransform?[])[null, transform])
                {
                    double[] expected = ReferenceKernels.BatchedGradient(x, columns, residuals, batch, t);
                    var gradient = new double[columns.Length * batch];
                    design.BatchedGradient(columns, residuals, batch, t, gradient);
                    AssertClose(expected, gradient, single ? Float32Tolerance : Float64Tolerance,
                        $"column list n={n} p={p} B={batch} transform={t is not null} f32={single}");
                }
            }
        }
    }

    [BackendFact]
    public void ActiveSetDescentConvergesToReference()
    {
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(60, 25, 1), (45, 30, 4)])
            {
                IColumnSource x = RandomDesign(n, p, seed: 19 * p + batch, single);
                DescentBatch expected = DescentProblem(x, batch, seed: n + p);
                DescentBatch actual = DescentProblem(x, batch, seed: n + p);
                ReferenceKernels.ActiveSetDescent(x, expected);
                using IKernelBackend backend = CreateBackend();
                using IBoundDesign design = backend.Bind(x);
                design.ActiveSetDescent(actual);

                string what = $"n={n} p={p} B={batch} f32={single}";
                double tolerance = single ? Float32Tolerance : Float64Tolerance;
                AssertClose(expected.Beta.AsSpan(0, expected.Count), actual.Beta.AsSpan(0, actual.Count), tolerance, "beta " + what);
                AssertClose(expected.Residual, actual.Residual, tolerance, "residual " + what);
                AssertClose(expected.WeightedResidualSum, actual.WeightedResidualSum, tolerance, "weighted residual sum " + what);
                for (int b = 0; b < batch; b++)
                {
                    Assert.True(actual.Converged[b], $"problem {b} did not converge ({what})");
                    Assert.InRange(actual.Sweeps[b], 1, actual.MaxSweeps);
                }

                Assert.Contains(actual.Beta.AsSpan(0, actual.Count).ToArray(), v => v != 0);
            }
        }
    }

    [BackendFact]
    public void OneSweepMatchesReference()
    {
        IColumnSource x = RandomDesign(50, 20, seed: 5, single: false);
        DescentBatch expected = DescentProblem(x, 3, seed: 9);
        DescentBatch actual = DescentProblem(x, 3, seed: 9);
        expected.MaxSweeps = actual.MaxSweeps = 1;
        ReferenceKernels.ActiveSetDescent(x, expected);
        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        design.ActiveSetDescent(actual);
        AssertClose(expected.Beta.AsSpan(0, expected.Count), actual.Beta.AsSpan(0, actual.Count), Float64Tolerance, "beta after one sweep");
        AssertClose(expected.Residual, actual.Residual, Float64Tolerance, "residual after one sweep");
        Assert.Equal(expected.Sweeps, actual.Sweeps);
        Assert.Equal(expected.Converged, actual.Converged);
    }

    internal static IColumnSource RandomDesign(int n, int p, int seed, bool single)
    {
        var random = new Random(seed);
        var values = new double[n * p];
        for (int j = 0; j < p; j++)
        {
            double mean = (random.NextDouble() * 4) - 2;
            double spread = 0.5 + (2 * random.NextDouble());
            for (int i = 0; i < n; i++)
            {
                values[(j * n) + i] = mean + (spread * ((random.NextDouble() * 2) - 1));
            }
        }

        var dense = new DenseMatrix(n, p, values);
        return single ? DenseMatrix32.FromDouble(dense) : dense;
    }

    internal static double[] RandomValues(int count, int seed, double offset)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => offset + (random.NextDouble() * 2) - 1).ToArray();
    }

    /// <summary>Fold-style weights: problem b leaves out rows i ≡ b (mod B) when B > 1; the rest sum to 1.</summary>
    internal static double[] RandomWeights(int n, int batch, int seed)
    {
        var random = new Random(seed);
        var weights = new double[n * batch];
        for (int b = 0; b < batch; b++)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double w = batch > 1 && i % batch == b ? 0 : 0.5 + random.NextDouble();
                weights[(b * n) + i] = w;
                total += w;
            }

            for (int i = 0; i < n; i++)
            {
                weights[(b * n) + i] /= total;
            }
        }

        return weights;
    }

    internal static ColumnTransform RandomTransform(int p, int batch, int seed)
    {
        var random = new Random(seed);
        var transform = new ColumnTransform(p, batch);
        for (int k = 0; k < p * batch; k++)
        {
            transform.Centre[k] = (random.NextDouble() * 4) - 2;
            transform.InverseScale[k] = 0.3 + random.NextDouble();
        }

        return transform;
    }

    /// <summary>
    /// B standardised elastic-net problems over the same X: fold weights, per-problem centre and scale from those weights,
    /// a sparse truth plus noise, residual = y − ȳ_b, every feature active, a few box constraints.
    /// </summary>
    internal static DescentBatch DescentProblem(IColumnSource x, int batch, int seed)
    {
        int n = x.Rows, p = x.Columns;
        var random = new Random(seed);
        double[] weights = RandomWeights(n, batch, seed);
        var work = new DescentBatch(n, batch, p * batch) { MaxSweeps = 10_000 };
        weights.CopyTo(work.Weights, 0);
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (0.3 * random.NextDouble()) + (1.5 * ReferenceKernels.X(x, i, 0)) - ReferenceKernels.X(x, i, 3) + (0.5 * ReferenceKernels.X(x, i, 7));
        }

        int e = 0;
        for (int b = 0; b < batch; b++)
        {
            work.Offsets[b] = e;
            double ybar = 0;
            for (int i = 0; i < n; i++)
            {
                ybar += weights[(b * n) + i] * y[i];
            }

            for (int i = 0; i < n; i++)
            {
                work.Residual[(b * n) + i] = y[i] - ybar;
            }

            double l1Ratio = b % 2 == 0 ? 1.0 : 0.5;
            double lambda = 0.02 + (0.01 * b);
            for (int j = 0; j < p; j++, e++)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < n; i++)
                {
                    mean += weights[(b * n) + i] * ReferenceKernels.X(x, i, j);
                }

                for (int i = 0; i < n; i++)
                {
                    double d = ReferenceKernels.X(x, i, j) - mean;
                    variance += weights[(b * n) + i] * d * d;
                }

                work.Feature[e] = j;
                work.Centre[e] = mean;
                work.InverseScale[e] = 1 / Math.Sqrt(variance);
                work.Curvature[e] = 1; // Σ w x̃² of a column standardised with the same weights
                double penalty = j == 5 ? 0 : 1; // one unpenalised feature
                work.L1[e] = lambda * l1Ratio * penalty;
                work.L2[e] = lambda * (1 - l1Ratio) * penalty;
                work.Lower[e] = j == 3 ? -0.2 : double.NegativeInfinity;
                work.Upper[e] = j == 0 && b == 0 ? 0.5 : double.PositiveInfinity;
            }

            work.Tolerance[b] = 1e-24;
        }

        work.Offsets[batch] = e;
        return work;
    }

    internal static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative, string what)
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double scale = 1;
        foreach (double v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int k = 0; k < expected.Length; k++)
        {
            double error = Math.Abs(actual[k] - expected[k]);
            Assert.True(error <= relative * scale, $"{what}: element {k} is {actual[k]:R}, expected {expected[k]:R} (error {error:E2}, allowed {relative * scale:E2})");
        }
    }
}
