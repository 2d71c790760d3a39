using GpuEnet.Host.Commands;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.CrossValidation;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>The cross-validation options at the solver level: random folds, fold ids with dropped rows, stability, refine, random l1_ratio search.</summary>
public sealed class CrossValidationOptionTests
{
    private static EnetModel Cv(IColumnSource x, double[] y, EnetSettings settings, CvOptions options, double[]? weights = null)
    {
        using var backend = new CpuBackend(2);
        return new EnetFitter(backend, settings).CrossValidate(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(x.Columns) }, options);
    }

    private static EnetModel Fit(IColumnSource x, double[] y, EnetSettings settings, double[]? weights = null)
    {
        using var backend = new CpuBackend(2);
        return new EnetFitter(backend, settings).Fit(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(x.Columns) });
    }

    private static void AssertClose(double expected, double actual, double scale, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * scale, $"{what}: {actual} vs {expected}");

    // ---- Folds.Random ----

    [Theory]
    [InlineData(10, 3)]
    [InlineData(61, 10)]
    [InlineData(7, 7)]
    [InlineData(2, 2)]
    public void RandomFoldsAreBalancedSeededAndCoverEveryFold(int n, int k)
    {
        var id = Folds.Random(n, k, seed: 5);
        Assert.Equal(n, id.Length);
        Assert.All(id, f => Assert.InRange(f, 1, k));
        var sizes = Enumerable.Range(1, k).Select(f => id.Count(v => v == f)).ToArray();
        Assert.True(sizes.Min() >= n / k && sizes.Max() <= (n + k - 1) / k, $"fold sizes {string.Join(",", sizes)}");
        Assert.Equal(k, Folds.Validate(id, n));
        Assert.Equal(id, Folds.Random(n, k, seed: 5));
    }

    [Fact]
    public void RandomFoldsDependOnTheSeedAndRefuseImpossibleCounts()
    {
        Assert.NotEqual(Folds.Random(60, 10, seed: 1), Folds.Random(60, 10, seed: 2));
        Assert.Throws<ArgumentException>(() => Folds.Random(10, 1, seed: 1));
        Assert.Throws<ArgumentException>(() => Folds.Random(3, 4, seed: 1));
    }

    // ---- --foldid with dropped rows (fold id 0) ----

    [Fact]
    public void RowsWithFoldIdZeroChangeNothingAndEqualLeavingThemOut()
    {
        int n = 60, p = 25;
        var (x, y) = RandomProblems.Make(n, p, seed: 61);
        var foldId = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? 0 : (i % 4) + 1).ToArray();
        var settings = new EnetSettings { L1Ratios = [1, 0.5] };
        var model = Cv(x, y, settings, new CvOptions { FoldId = foldId });

        // Anything in the dropped rows — features and target — is free to change.
        var values = x.Values.ToArray();
        var y2 = (double[])y.Clone();
        var rng = new Random(9);
        for (int i = 0; i < n; i++)
        {
            if (foldId[i] == 0)
            {
                y2[i] = 1e6 * rng.NextDouble();
                for (int j = 0; j < p; j++)
                {
                    values[(j * n) + i] = -1e4 * rng.NextDouble();
                }
            }
        }

        var altered = Cv(new DenseMatrix(n, p, values), y2, settings, new CvOptions { FoldId = foldId });
        Assert.Equal(model.Selected, altered.Selected);
        for (int l = 0; l < 2; l++)
        {
            Assert.Equal(model.Paths[l].Lambda, altered.Paths[l].Lambda);
            Assert.Equal(model.Paths[l].Intercept, altered.Paths[l].Intercept);
            Assert.Equal(model.Paths[l].Cv!.Cvm, altered.Paths[l].Cv!.Cvm);
        }

        // The same as cross-validating the kept rows alone.
        var kept = Enumerable.Range(0, n).Where(i => foldId[i] != 0).ToArray();
        var keptX = new DenseMatrix(kept.Length, p, Enumerable.Range(0, p).SelectMany(j => kept.Select(i => x[i, j])).ToArray());
        var alone = Cv(keptX, kept.Select(i => y[i]).ToArray(), settings, new CvOptions { FoldId = kept.Select(i => foldId[i]).ToArray() });
        Assert.Equal(model.Selected, alone.Selected);
        for (int l = 0; l < 2; l++)
        {
            var (a, b) = (alone.Paths[l], model.Paths[l]);
            Assert.Equal(a.Count, b.Count);
            for (int k = 0; k < a.Count; k++)
            {
                AssertClose(a.Lambda[k], b.Lambda[k], a.Lambda[k], "λ");
                AssertClose(a.Cv!.Cvm[k], b.Cv!.Cvm[k], a.Cv!.Cvm[k], "cvm");
                AssertClose(a.Cv!.Cvsd[k], b.Cv!.Cvsd[k], a.Cv!.Cvm[k], "cvsd");
                AssertClose(a.Intercept[k], b.Intercept[k], 1, "intercept");
            }
        }
    }

    // ---- --stability ----

    [Fact]
    public void StabilityFrequenciesEqualSeparateHalfSampleFits()
    {
        int n = 50, p = 30, count = 6, seed = 3;
        var (x, y) = RandomProblems.Make(n, p, seed: 62, nonzero: 3);
        var foldId = Folds.Random(n, 5, seed);
        var model = Cv(x, y, new EnetSettings { L1Ratios = [1, 0.5] }, new CvOptions { FoldId = foldId, Stability = count, Seed = seed });
        var frequency = model.StabilityFrequency!;
        Assert.Equal(p, frequency.Length);
        Assert.All(frequency, f => Assert.True(f >= 0 && f <= 1 && Math.Abs((f * count) - Math.Round(f * count)) < 1e-12, $"frequency {f}"));
        Assert.Equal(1.0, frequency[0]);

        // The half-samples are drawn as documented (seed + 7919, a shuffle of the used rows, the first half); each is fitted
        // here on its own, at the selected l1_ratio and the full path's λ, and the frequencies recomputed.
        var path = model.Paths[model.Selected.PathIndex];
        var rng = new Random(seed + 7919);
        var selected = new int[path.Count, p];
        for (int s = 0; s < count; s++)
        {
            var pick = Enumerable.Range(0, n).ToArray();
            rng.Shuffle(pick);
            var w = new double[n];
            foreach (int i in pick.AsSpan(0, n / 2))
            {
                w[i] = 1;
            }

            var half = Fit(x, y, new EnetSettings { L1Ratios = [path.L1Ratio], Lambda = path.Lambda, Tolerance = 1e-7 }, w).Paths[0];
            for (int k = 0; k < half.Count; k++)
            {
                foreach (int j in half.Beta[k].Index)
                {
                    selected[k, j]++;
                }
            }
        }

        for (int j = 0; j < p; j++)
        {
            double expected = Enumerable.Range(0, path.Count).Max(k => (double)selected[k, j] / count);
            Assert.True(expected == frequency[j], $"feature {j}: frequency {frequency[j]}, separate fits {expected}");
        }

        Assert.Equal(frequency, Cv(x, y, new EnetSettings { L1Ratios = [1, 0.5] }, new CvOptions { FoldId = foldId, Stability = count, Seed = seed }).StabilityFrequency);
    }

    // ---- --refine ----

    [Fact]
    public void RefinedRatiosLieBetweenTheBestAndItsNeighbours()
    {
        Assert.Equal([0.5 + (0.5 * 2 / 3), 0.5 + (0.5 / 3), 0.5 - (0.4 / 3), 0.5 - (0.4 * 2 / 3)], EnetFitter.RefinedRatios([1, 0.5, 0.1], 1), new Tolerance());
        Assert.Equal([1 - (0.5 / 3), 1 - (0.5 * 2 / 3)], EnetFitter.RefinedRatios([1, 0.5, 0.1], 0), new Tolerance());
        Assert.Equal(new[] { 0.1 - (0.1 / 3), 0.1 - (0.1 * 2 / 3), 0.1 + (0.4 / 3), 0.1 + (0.4 * 2 / 3) }.OrderDescending(), EnetFitter.RefinedRatios([1, 0.5, 0.1], 2), new Tolerance());
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void RefineAddsTheFinerGridAndSelectsTheBestOfAll()
    {
        var (x, y) = RandomProblems.Make(60, 40, seed: 63);
        var settings = new EnetSettings { L1Ratios = [1, 0.5, 0.1] };
        var options = new CvOptions { Folds = 5, Seed = 2 };
        var plain = Cv(x, y, settings, options);
        var refined = Cv(x, y, settings, new CvOptions { Folds = 5, Seed = 2, Refine = true });
        var finer = EnetFitter.RefinedRatios([1, 0.5, 0.1], plain.Selected.PathIndex);
        Assert.NotEmpty(finer);
        var ratios = refined.Paths.Select(q => q.L1Ratio).ToArray();
        Assert.Equal(new double[] { 1, 0.5, 0.1 }.Concat(finer).OrderDescending(), ratios);

        // Each refined path is what cross-validating its l1_ratio alone gives; the selection is the smallest cvm of all.
        var alone = Cv(x, y, settings with { L1Ratios = finer }, options);
        foreach (var path in alone.Paths)
        {
            var same = refined.Paths.Single(q => q.L1Ratio == path.L1Ratio);
            Assert.Equal(path.Count, same.Count);
            for (int k = 0; k < path.Count; k++)
            {
                AssertClose(path.Cv!.Cvm[k], same.Cv!.Cvm[k], path.Cv!.Cvm[k], "cvm");
            }
        }

        double best = refined.Paths.Min(q => q.Cv!.Cvm[q.Cv!.IndexMin]);
        var chosen = refined.Paths[refined.Selected.PathIndex];
        Assert.Equal(best, chosen.Cv!.Cvm[refined.Selected.LambdaIndex]);
    }

    // ---- random:N l1_ratio search ----

    [Fact]
    public void RandomL1RatioSearchDrawsSeededValuesAndSelectsTheBest()
    {
        var ratios = TrainCommand.L1Ratios("random:5", seed: 11);
        Assert.Equal(5, ratios.Length);
        Assert.All(ratios, a => Assert.InRange(a, 0.01, 1));
        Assert.Equal(ratios.OrderDescending(), ratios);
        Assert.Equal(ratios, TrainCommand.L1Ratios("random:5", seed: 11));
        Assert.NotEqual(ratios, TrainCommand.L1Ratios("random:5", seed: 12));

        var (x, y) = RandomProblems.Make(50, 30, seed: 64);
        var model = Cv(x, y, new EnetSettings { L1Ratios = ratios }, new CvOptions { Folds = 4, Seed = 11 });
        Assert.Equal(ratios, model.Paths.Select(q => q.L1Ratio));
        var scores = model.Paths.Select(q => q.Cv!.Cvm[q.Cv!.IndexMin]).ToArray();
        Assert.Equal(Array.IndexOf(scores, scores.Min()), model.Selected.PathIndex);
        Assert.Equal(model.Paths[model.Selected.PathIndex].Cv!.IndexMin, model.Selected.LambdaIndex);
    }
}
