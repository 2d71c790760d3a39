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

    /// <summary>
    /// Whether the backend binds a source with missing cells (<see cref="DenseMatrix.WithMissing"/>); the tests marked
    /// <c>NeedsMissingValues</c> are skipped, with that reason, for a backend that overrides this to false.
    /// </summary>
    public virtual bool SupportsMissing => true;

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
                AssertMomentsMatchReference(x, batch, single ? Float32Tolerance : Float64Tolerance, $"n={n} p={p} B={batch} f32={single}");
            }
        }
    }

    [BackendFact]
    public void BatchedGradientOfAllColumnsMatchesReference()
    {
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(40, 33, 1), (50, 300, 2), (23, 90, 5), (31, 40, 40), (300, 70, 33), (260, 51, 11), (270, 40, 10)])
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
            foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(40, 60, 1), (45, 120, 3), (19, 50, 12), (280, 50, 13)])
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

    /// <summary>Whether the backend returns bounded gradient entries below their limit as codes (an upper bound of |G|).</summary>
    protected virtual bool CompactsBoundedGradients => false;

    [BackendFact]
    public void BoundedGradientIsExactAboveItsLimitAndAnUpperBoundWithinItBelow()
    {
        const int N = 40, P = 70, Batch = 5;
        IColumnSource x = RandomDesign(N, P, seed: 31, single: false);
        double[] residuals = RandomValues(N * Batch, seed: 12, 0);
        ColumnTransform transform = RandomTransform(P, Batch, seed: 8);
        double[] expected = ReferenceKernels.BatchedGradient(x, [], residuals, Batch, transform);
        var penalty = new double[P];
        var random = new Random(4);
        for (int j = 0; j < P; j++)
        {
            penalty[j] = j % 9 == 0 ? 0 : 0.2 + (2 * random.NextDouble());
        }

        // Thresholds that put about half of each column's entries above their limit.
        var threshold = new double[Batch];
        for (int q = 0; q < Batch; q++)
        {
            var ratios = Enumerable.Range(0, P).Where(j => penalty[j] > 0).Select(j => Math.Abs(expected[(q * P) + j]) / penalty[j]).Order().ToArray();
            threshold[q] = ratios[ratios.Length / 2] * (1 + 1e-6); // off the median entry: no entry within rounding of a limit
        }

        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        var gradient = new double[P * Batch];
        long fromDevice = design.Traffic.FromDeviceBytes;
        design.BatchedGradient([], residuals, Batch, transform, gradient, new GradientBound(penalty, threshold));
        fromDevice = design.Traffic.FromDeviceBytes - fromDevice;
        int bounded = 0, exact = 0;
        for (int q = 0; q < Batch; q++)
        {
            for (int j = 0; j < P; j++)
            {
                double g = expected[(q * P) + j], actual = gradient[(q * P) + j], limit = threshold[q] * penalty[j];
                double magnitude = Math.Abs(g);
                string where = $"entry {j} of column {q}: expected {g}, limit {limit}, got {actual}";
                exact += magnitude > limit ? 1 : 0;
                if (magnitude > limit * (1 + 1e-9) || Math.Abs(actual - g) <= 1e-10 * Math.Max(1, magnitude))
                {
                    Assert.True(Math.Abs(actual - g) <= 1e-10 * Math.Max(1, magnitude), where);
                    continue;
                }

                // A bound: |G| ≤ value ≤ limit.
                bounded++;
                Assert.True(actual >= magnitude * (1 - 1e-12) && actual <= limit * (1 + 1e-12), where);
            }
        }

        Assert.Equal(CompactsBoundedGradients, bounded > 0);
        if (CompactsBoundedGradients)
        {
            // Only the entries above their limit came back (index and value each), with their count: no p × B output.
            Assert.Equal(sizeof(int) + (exact * (sizeof(int) + sizeof(double))), fromDevice);
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

    [BackendFact]
    public void BatchedGradientWithAProblemMapMatchesReference()
    {
        // Residual column q uses transform problem ProblemOf[q]: several λ of one problem share its centring and scaling,
        // so the transform holds fewer problems than the gradient has residual columns.
        (int N, int P, int Problems, int[] Map)[] cases =
        [
            (40, 50, 3, [2, 0, 0, 1, 2, 2, 1]),
            (30, 70, 4, [3, 3, 1, 3, 1]), // problems 0 and 2 unused
            (20, 30, 4, [0, 1, 2, 3]), // identity map
            (25, 40, 5, Enumerable.Range(0, 37).Select(q => (q * 3) % 5).ToArray()), // more than one problem tile
        ];
        foreach (bool single in (bool[])[false, true])
        {
            foreach ((int n, int p, int problems, int[] map) in cases)
            {
                int batch = map.Length;
                IColumnSource x = RandomDesign(n, p, seed: 29 * p + batch, single);
                double[] residuals = RandomValues(n * batch, seed: 31 * n + batch, 0);
                ColumnTransform transform = RandomTransform(p, problems, seed: 3 * p).WithProblemMap(map);
                var random = new Random(n * p);
                int[] list = Enumerable.Range(0, p / 2).Select(_ => random.Next(p)).ToArray();
                using IKernelBackend backend = CreateBackend();
                using IBoundDesign design = backend.Bind(x);
                foreach (int[] columns in (int[][])[[], list])
                {
                    double[] expected = ReferenceKernels.BatchedGradient(x, columns, residuals, batch, transform);
                    int count = columns.Length == 0 ? p : columns.Length;
                    var gradient = new double[count * batch];
                    design.BatchedGradient(columns, residuals, batch, transform, gradient);
                    AssertClose(expected, gradient, single ? Float32Tolerance : Float64Tolerance,
                        $"problem map [{string.Join(",", map)}] n={n} p={p} K={count} f32={single}");
                }
            }
        }
    }

    [BackendFact]
    public void AnyDenseColumnSourceCanBeBound()
    {
        // Neither DenseMatrix nor DenseMatrix32 (as a memory-mapped .npy): the backend reads it through Column(j).
        foreach (bool single in (bool[])[false, true])
        {
            IColumnSource dense = RandomDesign(33, 70, seed: 40, single);
            var x = new ColumnsOnly(dense);
            double[] residuals = RandomValues(33 * 3, seed: 41, 0);
            ColumnTransform transform = RandomTransform(70, 3, seed: 42);
            double[] expected = ReferenceKernels.BatchedGradient(dense, [], residuals, 3, transform);
            using IKernelBackend backend = CreateBackend();
            using IBoundDesign design = backend.Bind(x);
            var gradient = new double[70 * 3];
            design.BatchedGradient([], residuals, 3, transform, gradient);
            AssertClose(expected, gradient, single ? Float32Tolerance : Float64Tolerance, $"wrapped source f32={single}");
        }
    }

    private sealed class ColumnsOnly(IColumnSource inner) : IColumnSource
    {
        public int Rows => inner.Rows;

        public int Columns => inner.Columns;

        public Precision Precision => inner.Precision;

        public long StorageBytes => inner.StorageBytes;

        public bool HasMissing => false;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch) => inner.Column(j, scratch);

        public ReadOnlySpan<int> MissingRows(int j) => [];
    }

    // ColumnMoments with a centre (present weight, sum, sum of squares) and without one (sum only) against the reference.
    private void AssertMomentsMatchReference(IColumnSource x, int batch, double tolerance, string label)
    {
        int n = x.Rows, p = x.Columns;
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
        AssertClose(expectedPresent, present, tolerance, $"presentWeight {label}");
        AssertClose(expectedSum, sum, tolerance, $"sum {label}");
        AssertClose(expectedSquares, squares, tolerance, $"sumSquares {label}");

        // Without a centre, sumSquares is not part of the result and may be empty.
        Array.Clear(sum);
        design.ColumnMoments(weights, batch, [], present, sum, []);
        AssertClose(expectedSum, sum, tolerance, $"sum without centre {label}");
    }

    [BackendFact(NeedsMissingValues = true)]
    public void ColumnMomentsSkipMissingCells()
    {
        foreach ((int n, int p, int batch) in (ReadOnlySpan<(int, int, int)>)[(37, 45, 3), (50, 70, 1)])
        {
            IColumnSource x = RandomMissingDesign(n, p, seed: n + p);
            AssertMomentsMatchReference(x, batch, Float64Tolerance, $"with missing n={n} p={p} B={batch}");
        }
    }

    [BackendFact(NeedsMissingValues = true)]
    public void BatchedGradientFillsMissingCells()
    {
        const int p = 60, problems = 3;
        ColumnTransform transform = RandomTransform(p, problems, seed: 4);
        int[] eleven = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];
        // n = 300 with 9 and 11 residuals takes the CPU's wide kernel (unpadded and padded remainder).
        foreach ((int n, int[]? map, int batch) in ((int, int[]?, int)[])[(41, null, problems), (41, [1, 1, 0, 2, 1], 5), (300, eleven, 11), (300, eleven[..9], 9)])
        {
            IColumnSource x = RandomMissingDesign(n, p, seed: 3);
            ColumnTransform t = map is null ? transform : transform.WithProblemMap(map);
            double[] residuals = RandomValues(n * batch, seed: 5 + batch, 0);
            using IKernelBackend backend = CreateBackend();
            using IBoundDesign design = backend.Bind(x);
            foreach (int[] columns in (int[][])[[], [7, 3, 3, 59, 0]])
            {
                foreach (ColumnTransform? withTransform in (ColumnTransform?[])[null, t])
                {
                    double[] expected = ReferenceKernels.BatchedGradient(x, columns, residuals, batch, withTransform);
                    var gradient = new double[(columns.Length == 0 ? p : columns.Length) * batch];
                    design.BatchedGradient(columns, residuals, batch, withTransform, gradient);
                    AssertClose(expected, gradient, Float64Tolerance,
                        $"missing cells, n={n}, B={batch}, K={columns.Length}, map={map is not null}, transform={withTransform is not null}");
                }
            }
        }
    }

    [BackendFact(NeedsMissingValues = true)]
    public void ActiveSetDescentFillsMissingCells()
    {
        IColumnSource x = RandomMissingDesign(60, 25, seed: 8);
        DescentBatch expected = DescentProblem(x, 3, seed: 12);
        DescentBatch actual = DescentProblem(x, 3, seed: 12);
        ReferenceKernels.ActiveSetDescent(x, expected);
        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        design.ActiveSetDescent(actual);
        AssertDescentMatches(expected, actual, Float64Tolerance, "missing cells");
    }

    [BackendFact(NeedsMissingValues = true)]
    public void BatchedGradientAddsCellFills()
    {
        const int p = 50, problems = 3;
        int[] eleven = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];
        foreach ((int n, int[]? map, int batch) in ((int, int[]?, int)[])[(41, null, problems), (41, [1, 1, 0, 2, 1], 5), (300, eleven, 11)])
        {
            IColumnSource x = RandomMissingDesign(n, p, seed: 13);
            ColumnTransform transform = RandomTransform(p, problems, seed: 6);
            // Problems 0 and 2 share a fill set, as the l1_ratios of one fold do.
            transform.Cells = RandomCells(x, [0, 1, 0], sets: 2, seed: 9);
            ColumnTransform t = map is null ? transform : transform.WithProblemMap(map);
            double[] residuals = RandomValues(n * batch, seed: 7 + batch, 0);
            using IKernelBackend backend = CreateBackend();
            using IBoundDesign design = backend.Bind(x);
            foreach (int[] columns in (int[][])[[], [7, 3, 3, 49, 0]])
            {
                double[] expected = ReferenceKernels.BatchedGradient(x, columns, residuals, batch, t);
                var gradient = new double[(columns.Length == 0 ? p : columns.Length) * batch];
                design.BatchedGradient(columns, residuals, batch, t, gradient);
                AssertClose(expected, gradient, Float64Tolerance, $"cell fills, n={n}, B={batch}, K={columns.Length}, map={map is not null}");
            }
        }
    }

    [BackendFact(NeedsMissingValues = true)]
    public void ActiveSetDescentAddsCellFills()
    {
        IColumnSource x = RandomMissingDesign(60, 25, seed: 8);
        DescentBatch expected = DescentProblem(x, 3, seed: 12);
        DescentBatch actual = DescentProblem(x, 3, seed: 12);
        foreach (DescentBatch work in (DescentBatch[])[expected, actual])
        {
            work.Transform.Cells = RandomCells(x, [1, 0, 1], sets: 2, seed: 3);
            // Σ w x̃ of every entry with the cells' values (the kernels track Σ w r through it).
            for (int b = 0; b < work.Batch; b++)
            {
                for (int e = work.Offsets[b]; e < work.Offsets[b + 1]; e++)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Rows; i++)
                    {
                        sum += work.Weights[(b * x.Rows) + i] * ReferenceKernels.Transformed(x, work.Transform, i, work.Feature[e], b);
                    }

                    work.WeightedSum[e] = sum;
                }
            }
        }

        ReferenceKernels.ActiveSetDescent(x, expected);
        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        design.ActiveSetDescent(actual);
        AssertDescentMatches(expected, actual, Float64Tolerance, "cell fills");
    }

    [BackendFact(NeedsMissingValues = true)]
    public void RowDistancesAreExactOverSharedColumns()
    {
        foreach ((int n, int p) in (ReadOnlySpan<(int, int)>)[(37, 70), (130, 9)])
        {
            IColumnSource x = RandomMissingDesign(n, p, seed: n);
            double[] weight = RandomValues(p, seed: 2, 0).Select(Math.Abs).ToArray();
            int[] queries = [n - 1, 0, 5, 5, 17];
            using IKernelBackend backend = CreateBackend();
            using IBoundDesign design = backend.Bind(x);
            var distance = new double[queries.Length * n];
            var shared = new double[queries.Length * n];
            design.RowDistances(queries, weight, distance, shared);
            for (int q = 0; q < queries.Length; q++)
            {
                for (int d = 0; d < n; d++)
                {
                    double sum = 0, count = 0;
                    for (int j = 0; j < p; j++)
                    {
                        if (!ReferenceKernels.IsMissing(x, queries[q], j) && !ReferenceKernels.IsMissing(x, d, j))
                        {
                            double diff = ReferenceKernels.X(x, d, j) - ReferenceKernels.X(x, queries[q], j);
                            sum += weight[j] * (diff * diff);
                            count++;
                        }
                    }

                    // Bitwise: both backends sum the columns in order, so KNN picks the same donors on every backend.
                    Assert.Equal(sum, distance[(q * n) + d]);
                    Assert.Equal(count, shared[(q * n) + d]);
                }
            }
        }
    }

    [BackendFact]
    public void ActiveSetDescentTracksTheWeightedResidualSumOffCentre()
    {
        // Centres away from the weighted mean: Σ w x̃ (WeightedSum) is not 0, so the tracked Σ w r moves with every step.
        foreach (bool single in (bool[])[false, true])
        {
            IColumnSource x = RandomDesign(50, 20, seed: 21, single);
            DescentBatch expected = DescentProblem(x, 3, seed: 4, centreShift: 0.4);
            DescentBatch actual = DescentProblem(x, 3, seed: 4, centreShift: 0.4);
            Assert.Contains(actual.WeightedSum.AsSpan(0, actual.Count).ToArray(), v => Math.Abs(v) > 0.1);
            ReferenceKernels.ActiveSetDescent(x, expected);
            using IKernelBackend backend = CreateBackend();
            using IBoundDesign design = backend.Bind(x);
            design.ActiveSetDescent(actual);
            AssertDescentMatches(expected, actual, single ? Float32Tolerance : Float64Tolerance, $"off centre f32={single}");
        }
    }

    [BackendFact]
    public void UnusableEntriesAreSkipped()
    {
        IColumnSource x = RandomDesign(45, 16, seed: 6, single: false);
        DescentBatch expected = DescentProblem(x, 2, seed: 3);
        DescentBatch actual = DescentProblem(x, 2, seed: 3);
        (int Entry, double Beta)[] unusable = [(0, 0.7), (4, -0.3), (16 + 1, 0.2), (16 + 9, 0)];
        foreach (DescentBatch work in (DescentBatch[])[expected, actual])
        {
            // Every problem lists all 16 features in order, so entry e is transform index e.
            work.Curvature[0] = 0;
            work.Transform.InverseScale[4] = 0;
            work.Curvature[16 + 1] = -1;
            work.Transform.InverseScale[16 + 9] = 0;
            foreach ((int e, double beta) in unusable)
            {
                work.Beta[e] = beta;
            }
        }

        ReferenceKernels.ActiveSetDescent(x, expected);
        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        design.ActiveSetDescent(actual);
        AssertDescentMatches(expected, actual, Float64Tolerance, "unusable entries");
        foreach ((int e, double beta) in unusable)
        {
            Assert.Equal(beta, actual.Beta[e]);
        }
    }

    [BackendFact]
    public void AnEmptyActiveSetIsOneConvergedSweep()
    {
        IColumnSource x = RandomDesign(40, 12, seed: 2, single: false);
        DescentBatch full = DescentProblem(x, 3, seed: 5);
        DescentBatch expected = KeepProblems(full, [false, true, false]);
        DescentBatch actual = KeepProblems(full, [false, true, false]);
        double[] residualBefore = actual.Residual.ToArray();
        double[] sumBefore = actual.WeightedResidualSum.ToArray();
        ReferenceKernels.ActiveSetDescent(x, expected);
        using IKernelBackend backend = CreateBackend();
        using IBoundDesign design = backend.Bind(x);
        design.ActiveSetDescent(actual);
        AssertDescentMatches(expected, actual, Float64Tolerance, "one non-empty problem");
        int n = x.Rows;
        foreach (int b in (int[])[0, 2])
        {
            Assert.Equal(1, actual.Sweeps[b]);
            Assert.True(actual.Converged[b]);
            Assert.Equal(residualBefore.AsSpan(b * n, n).ToArray(), actual.Residual.AsSpan(b * n, n).ToArray());
            Assert.Equal(sumBefore[b], actual.WeightedResidualSum[b]);
        }

        // Every problem empty.
        DescentBatch none = KeepProblems(full, [false, false, false]);
        design.ActiveSetDescent(none);
        Assert.Equal([1, 1, 1], none.Sweeps);
        Assert.Equal([true, true, true], none.Converged);
    }

    private static void AssertDescentMatches(DescentBatch expected, DescentBatch actual, double tolerance, string what)
    {
        AssertClose(expected.Beta.AsSpan(0, expected.Count), actual.Beta.AsSpan(0, actual.Count), tolerance, "beta " + what);
        AssertClose(expected.Residual, actual.Residual, tolerance, "residual " + what);
        AssertClose(expected.WeightedResidualSum, actual.WeightedResidualSum, tolerance, "weighted residual sum " + what);
        for (int b = 0; b < actual.Batch; b++)
        {
            Assert.True(actual.Converged[b], $"problem {b} did not converge ({what})");
            Assert.InRange(actual.Sweeps[b], 1, actual.MaxSweeps);
        }
    }

    /// <summary>A copy of <paramref name="work"/> in which problem b keeps its entries only where <paramref name="keep"/>[b].</summary>
    internal static DescentBatch KeepProblems(DescentBatch work, bool[] keep)
    {
        var copy = new DescentBatch(work.Rows, work.Batch, work.Count)
        {
            MaxSweeps = work.MaxSweeps,
            Transform = work.Transform,
            Penalty = work.Penalty,
            LowerBound = work.LowerBound,
            UpperBound = work.UpperBound,
        };
        work.Residual.CopyTo(copy.Residual, 0);
        work.Weights.CopyTo(copy.Weights, 0);
        work.WeightedResidualSum.CopyTo(copy.WeightedResidualSum, 0);
        work.Tolerance.CopyTo(copy.Tolerance, 0);
        work.L1Scale.CopyTo(copy.L1Scale, 0);
        work.L2Scale.CopyTo(copy.L2Scale, 0);
        work.TargetScale.CopyTo(copy.TargetScale, 0);
        int to = 0;
        for (int b = 0; b < work.Batch; b++)
        {
            copy.Offsets[b] = to;
            if (!keep[b])
            {
                continue;
            }

            for (int e = work.Offsets[b]; e < work.Offsets[b + 1]; e++, to++)
            {
                copy.Feature[to] = work.Feature[e];
                copy.Beta[to] = work.Beta[e];
                copy.WeightedSum[to] = work.WeightedSum[e];
                copy.Curvature[to] = work.Curvature[e];
            }
        }

        copy.Offsets[work.Batch] = to;
        return copy;
    }

    /// <summary>A float64 design with about one cell in eight missing (stored as 0, declared by WithMissing).</summary>
    internal static IColumnSource RandomMissingDesign(int n, int p, int seed)
    {
        var dense = (DenseMatrix)RandomDesign(n, p, seed, single: false);
        var random = new Random(seed + 1);
        var missing = new int[p][];
        Span<double> values = dense.Values.Span;
        for (int j = 0; j < p; j++)
        {
            missing[j] = Enumerable.Range(0, n).Where(_ => random.Next(8) == 0).ToArray();
            foreach (int i in missing[j])
            {
                values[(j * n) + i] = 0;
            }
        }

        return dense.WithMissing(missing);
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

    // Random per-cell fills for every missing cell of x, in `sets` sets; transform problem b uses set setOf[b].
    internal static CellFills RandomCells(IColumnSource x, int[] setOf, int sets, int seed)
    {
        var random = new Random(seed);
        var cells = new CellFills(x, setOf, sets);
        Assert.True(cells.Cells > 0, "the design has no missing cells");
        for (long k = 0; k < cells.Value.Length; k++)
        {
            cells.Value[k] = (random.NextDouble() * 3) - 1.5;
        }

        return cells;
    }

    internal static ColumnTransform RandomTransform(int p, int batch, int seed)
    {
        var random = new Random(seed);
        var transform = new ColumnTransform(p, batch);
        for (int k = 0; k < p * batch; k++)
        {
            transform.Centre[k] = (random.NextDouble() * 4) - 2;
            transform.InverseScale[k] = 0.3 + random.NextDouble();
            transform.Fill[k] = (random.NextDouble() * 2) - 1;
        }

        return transform;
    }

    /// <summary>
    /// B standardised elastic-net problems over the same X: fold weights, per-problem centre (the weighted mean, plus
    /// <paramref name="centreShift"/>) and scale from those weights, a sparse truth plus noise, residual = y − ȳ_b, every
    /// feature active, a few box constraints. A missing cell (the source's MissingRows) takes the entry's Fill, the
    /// present cells' weighted mean plus 0.25. Curvature, WeightedSum and WeightedResidualSum are computed exactly.
    /// </summary>
    internal static DescentBatch DescentProblem(IColumnSource x, int batch, int seed, double centreShift = 0)
    {
        int n = x.Rows, p = x.Columns;
        var random = new Random(seed);
        double[] weights = RandomWeights(n, batch, seed);
        var transform = new ColumnTransform(p, batch);
        var penalty = new double[p];
        var lower = new double[p];
        var upper = new double[p];
        for (int j = 0; j < p; j++)
        {
            penalty[j] = j == 5 ? 0 : 1; // one unpenalised feature
            lower[j] = j == 3 ? -0.2 : double.NegativeInfinity;
            upper[j] = j == 0 ? 0.5 : double.PositiveInfinity;
        }

        var work = new DescentBatch(n, batch, p * batch)
        {
            MaxSweeps = 10_000,
            Transform = transform,
            Penalty = penalty,
            LowerBound = lower,
            UpperBound = upper,
        };
        weights.CopyTo(work.Weights, 0);
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (0.3 * random.NextDouble()) + (1.5 * ReferenceKernels.X(x, i, 0)) - ReferenceKernels.X(x, i, 3) + (0.5 * ReferenceKernels.X(x, i, 7));
        }

        var v = new double[n];
        int e = 0;
        for (int b = 0; b < batch; b++)
        {
            work.Offsets[b] = e;
            double ybar = 0;
            for (int i = 0; i < n; i++)
            {
                ybar += weights[(b * n) + i] * y[i];
            }

            double wrs = 0;
            for (int i = 0; i < n; i++)
            {
                work.Residual[(b * n) + i] = y[i] - ybar;
                wrs += weights[(b * n) + i] * work.Residual[(b * n) + i];
            }

            work.WeightedResidualSum[b] = wrs;
            double l1Ratio = b % 2 == 0 ? 1.0 : 0.5;
            double lambda = 0.02 + (0.01 * b);
            work.L1Scale[b] = lambda * l1Ratio;
            work.L2Scale[b] = lambda * (1 - l1Ratio);
            // Bounds are on the original scale: the target scale (with 1/s_j) maps them onto β̃, differently per problem.
            work.TargetScale[b] = 1 + (0.5 * b);
            for (int j = 0; j < p; j++, e++)
            {
                double presentWeight = 0, presentSum = 0;
                for (int i = 0; i < n; i++)
                {
                    if (!ReferenceKernels.IsMissing(x, i, j))
                    {
                        presentWeight += weights[(b * n) + i];
                        presentSum += weights[(b * n) + i] * ReferenceKernels.X(x, i, j);
                    }
                }

                double fill = (presentSum / presentWeight) + 0.25;
                double mean = 0, variance = 0;
                for (int i = 0; i < n; i++)
                {
                    v[i] = ReferenceKernels.IsMissing(x, i, j) ? fill : ReferenceKernels.X(x, i, j);
                    mean += weights[(b * n) + i] * v[i];
                }

                for (int i = 0; i < n; i++)
                {
                    double d = v[i] - mean;
                    variance += weights[(b * n) + i] * d * d;
                }

                double centre = mean + centreShift, inverseScale = 1 / Math.Sqrt(variance);
                double weightedSum = 0, curvature = 0;
                for (int i = 0; i < n; i++)
                {
                    double xt = (v[i] - centre) * inverseScale;
                    weightedSum += weights[(b * n) + i] * xt;
                    curvature += weights[(b * n) + i] * xt * xt;
                }

                long at = ((long)b * p) + j;
                transform.Centre[at] = centre;
                transform.InverseScale[at] = inverseScale;
                transform.Fill[at] = fill;
                work.Feature[e] = j;
                work.WeightedSum[e] = weightedSum;
                work.Curvature[e] = curvature; // 1 when the centre is the weighted mean
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
