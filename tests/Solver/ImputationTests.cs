using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Ilgpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Imputation;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>KNN, regression and multiple imputation: against plain references, exact relations and the pooling rules.</summary>
public sealed class ImputationTests
{
    private const int N = 40, P = 8;

    public static TheoryData<string> Backends => ["cpu", "ilgpu-cpu"];

    private static IKernelBackend Backend(string name) => name == "cpu" ? new CpuBackend(2) : IlgpuBackend.CreateCpu();

    [Theory]
    [MemberData(nameof(Backends))]
    public void KnnFillsEqualAPlainReference(string backendName)
    {
        var (x, _) = WithMissing(RandomProblems.Make(N, P, seed: 3, rho: 0.6), share: 0.12, seed: 4);
        double[] weights = FoldWeights(N, heldOut: 10);
        double[] mean = PresentMeans(x, weights, 2);
        var settings = new EnetSettings { Impute = ImputeStrategy.Knn, Neighbours = 3 };
        using var backend = Backend(backendName);
        using var design = backend.Bind(x);
        var (cells, model) = CellImputer.Learn(design, weights, 2, [0, 0], mean, [true, false], settings);
        Assert.NotNull(model);
        Assert.Equal(2, cells.Sets);
        int checkedCells = 0;
        for (int b = 0; b < 2; b++)
        {
            var w = weights.AsSpan(b * N, N).ToArray();
            for (int j = 0; j < P; j++)
            {
                var rows = x.MissingRows(j);
                var values = cells.ValuesOf(cells.Set[b], j);
                for (int k = 0; k < rows.Length; k++)
                {
                    double expected = ReferenceKnn(x, w, rows[k], j, 3);
                    Assert.True(Math.Abs(expected - values[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected)),
                        $"problem {b}, row {rows[k]}, column {j}: {values[k]:R}, expected {expected:R}");
                    checkedCells++;
                }
            }
        }

        Assert.True(checkedCells > 40, $"only {checkedCells} cells checked");
    }

    [Fact]
    public void RegressionRecoversAnExactLinearRelation()
    {
        // x1 = 2·x0 + 1 exactly: a cell of x1 is filled from x0 (its most correlated feature) almost exactly.
        var (x0, _) = RandomProblems.Make(N, P, seed: 9);
        var values = x0.Values.ToArray();
        for (int i = 0; i < N; i++)
        {
            values[N + i] = (2 * values[i]) + 1;
        }

        int[][] missing = new int[P][];
        for (int j = 0; j < P; j++)
        {
            missing[j] = j == 1 ? [3, 17, 25] : [];
        }

        foreach (int i in missing[1])
        {
            values[N + i] = 0;
        }

        var x = new DenseMatrix(N, P, values).WithMissing(missing);
        double[] weights = FoldWeights(N, heldOut: 5);
        var settings = new EnetSettings { Impute = ImputeStrategy.Regression, ImputePredictors = 2 };
        using var backend = new CpuBackend(2);
        using var design = backend.Bind(x);
        var (cells, model) = CellImputer.Learn(design, weights, 2, [0, 0], PresentMeans(x, weights, 2), [true, false], settings);
        for (int b = 0; b < 2; b++)
        {
            var filled = cells.ValuesOf(cells.Set[b], 1);
            for (int k = 0; k < 3; k++)
            {
                int i = missing[1][k];
                double truth = (2 * x0.Values.Span[i]) + 1;
                Assert.True(Math.Abs(filled[k] - truth) < 0.02 * Math.Max(1, Math.Abs(truth)), $"row {i}: {filled[k]}, truth {truth}");
            }
        }

        Assert.Contains(0, model!.Rounds[0].Single().Predictors);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BackendsImputeTheSameCells(string backendName)
    {
        var (x, _) = WithMissing(RandomProblems.Make(N, P, seed: 5, rho: 0.5), share: 0.1, seed: 6);
        double[] weights = FoldWeights(N, heldOut: 8);
        double[] mean = PresentMeans(x, weights, 2);
        foreach (var impute in new[] { ImputeStrategy.Knn, ImputeStrategy.Regression })
        {
            var settings = new EnetSettings { Impute = impute, Neighbours = 4, ImputeRounds = 2, ImputePredictors = 3 };
            using var cpu = new CpuBackend(1);
            using var cpuDesign = cpu.Bind(x);
            using var other = Backend(backendName);
            using var otherDesign = other.Bind(x);
            var expected = CellImputer.Learn(cpuDesign, weights, 2, [0, 0], mean, [true, false], settings).Cells.Value;
            var actual = CellImputer.Learn(otherDesign, weights, 2, [0, 0], mean, [true, false], settings).Cells.Value;
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-10 * Math.Max(1, Math.Abs(expected[k])), $"{impute} value {k}: {actual[k]:R} vs {expected[k]:R}");
            }
        }
    }

    [Theory]
    [InlineData(ImputeStrategy.Knn)]
    [InlineData(ImputeStrategy.Regression)]
    public void MultipleImputationPoolsTheDraws(ImputeStrategy impute)
    {
        var (x, y) = WithMissing(RandomProblems.Make(80, 15, seed: 12, rho: 0.7), share: 0.08, seed: 13);
        var data = new TrainingData { X = x, Y = y, Features = Enumerable.Range(0, 15).Select(j => $"g{j}").ToArray() };
        EnetModel Cv(int imputations, bool noise, int seed = 1)
        {
            var settings = new EnetSettings
            {
                L1Ratios = [1, 0.5],
                Impute = impute,
                Imputations = imputations,
                ImputationNoise = noise,
                ImputeSeed = seed,
                NLambda = 30,
            };
            using var backend = new CpuBackend(2);
            return new EnetFitter(backend, settings).CrossValidate(data, new CvOptions { Folds = 5, Seed = 3 });
        }

        var single = Cv(1, noise: true);
        Assert.Null(single.Pooling);

        // Three imputations without draws are three copies of the single imputation: pooling them changes nothing but
        // the rounding of an average of equal numbers.
        var copies = Cv(3, noise: false);
        Assert.NotNull(copies.Pooling);
        AssertSamePaths(single, copies, 1e-12);
        Assert.All(copies.Pooling!.SelectionFrequency, f => Assert.True(f is 0 or 1, $"frequency {f}"));
        Assert.All(copies.Pooling.CoefficientSpread, s => Assert.True(s < 1e-12, $"spread {s}"));

        // With draws, the imputations differ, and the same seed reproduces them bit for bit.
        var drawn = Cv(3, noise: true, seed: 7);
        var again = Cv(3, noise: true, seed: 7);
        AssertSamePaths(drawn, again, 0);
        Assert.Contains(drawn.Pooling!.CoefficientSpread, s => s > 1e-6);
        var perImputation = drawn.Paths[0].Cv!.ImputationCvm!;
        Assert.Equal(3, perImputation.Length);
        Assert.NotEqual(perImputation[0], perImputation[1]);
        var other = Cv(3, noise: true, seed: 8);
        Assert.NotEqual(drawn.Paths[0].Cv!.Cvm, other.Paths[0].Cv!.Cvm);
    }

    private static void AssertSamePaths(EnetModel a, EnetModel b, double relative)
    {
        Assert.Equal(a.Paths.Length, b.Paths.Length);
        for (int l = 0; l < a.Paths.Length; l++)
        {
            Assert.Equal(a.Paths[l].Lambda, b.Paths[l].Lambda);
            for (int k = 0; k < a.Paths[l].Count; k++)
            {
                Assert.Equal(a.Paths[l].Beta[k].Index, b.Paths[l].Beta[k].Index);
                for (int e = 0; e < a.Paths[l].Beta[k].Value.Length; e++)
                {
                    double u = a.Paths[l].Beta[k].Value[e], v = b.Paths[l].Beta[k].Value[e];
                    Assert.True(Math.Abs(u - v) <= relative * Math.Abs(u), $"path {l}, λ {k}: {v:R} vs {u:R}");
                }
            }

            Assert.Equal(a.Paths[l].Cv!.IndexMin, b.Paths[l].Cv!.IndexMin);
            for (int k = 0; k < a.Paths[l].Count; k++)
            {
                Assert.True(Math.Abs(a.Paths[l].Cv!.Cvm[k] - b.Paths[l].Cv!.Cvm[k]) <= relative * a.Paths[l].Cv!.Cvm[k] + 1e-300);
            }
        }
    }

    // The definition, written plainly: distance over the features both rows have, each divided by its training variance,
    // scaled by p / shared; the K nearest training rows (ties: lower row) with feature j present; their mean.
    private static double ReferenceKnn(IColumnSource x, double[] w, int row, int j, int k)
    {
        int n = x.Rows, p = x.Columns;
        double Value(int i, int c) => x.Column(c, new double[n])[i];
        bool Missing(int i, int c) => x.MissingRows(c).Contains(i);
        var variance = new double[p];
        for (int c = 0; c < p; c++)
        {
            var present = Enumerable.Range(0, n).Where(i => w[i] > 0 && !Missing(i, c)).Select(i => Value(i, c)).ToArray();
            double m = present.Average();
            variance[c] = present.Select(v => (v - m) * (v - m)).Average();
        }

        var candidates = new List<(double Distance, int Row)>();
        for (int d = 0; d < n; d++)
        {
            if (d == row || w[d] == 0)
            {
                continue;
            }

            double sum = 0;
            int shared = 0;
            for (int c = 0; c < p; c++)
            {
                if (!Missing(row, c) && !Missing(d, c))
                {
                    double diff = Value(d, c) - Value(row, c);
                    sum += diff * diff / variance[c];
                    shared++;
                }
            }

            if (shared > 0)
            {
                candidates.Add((sum * p / shared, d));
            }
        }

        var donors = candidates.OrderBy(t => t.Distance).ThenBy(t => t.Row).Where(t => !Missing(t.Row, j)).Take(k).ToArray();
        return donors.Average(t => Value(t.Row, j));
    }

    // Two problems: every row, and a fold leaving out the first `heldOut` rows; each column sums to 1.
    private static double[] FoldWeights(int n, int heldOut)
    {
        var w = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            w[i] = 1.0 / n;
            w[n + i] = i < heldOut ? 0 : 1.0 / (n - heldOut);
        }

        return w;
    }

    private static double[] PresentMeans(IColumnSource x, double[] weights, int batch)
    {
        int n = x.Rows, p = x.Columns;
        var mean = new double[p * batch];
        var scratch = new double[n];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < p; j++)
            {
                var column = x.Column(j, scratch);
                var missing = x.MissingRows(j);
                double sum = 0, total = 0;
                for (int i = 0; i < n; i++)
                {
                    if (!missing.Contains(i))
                    {
                        sum += weights[(b * n) + i] * column[i];
                        total += weights[(b * n) + i];
                    }
                }

                mean[(b * p) + j] = sum / total;
            }
        }

        return mean;
    }

    // A share of cells missing at random (never a whole row), stored as 0 and listed.
    private static (DenseMatrix X, double[] Y) WithMissing((DenseMatrix X, double[] Y) data, double share, int seed)
    {
        int n = data.X.Rows, p = data.X.Columns;
        var values = data.X.Values.ToArray();
        var rng = new Random(seed);
        var missing = new List<int>[p];
        for (int j = 0; j < p; j++)
        {
            missing[j] = [];
            for (int i = 0; i < n; i++)
            {
                if (j != i % p && rng.NextDouble() < share)
                {
                    values[(j * n) + i] = 0;
                    missing[j].Add(i);
                }
            }
        }

        return (new DenseMatrix(n, p, values).WithMissing(missing.Select(m => m.ToArray()).ToArray()), data.Y);
    }
}
