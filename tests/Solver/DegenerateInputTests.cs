using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.CrossValidation;
using GpuEnet.Solver.Model;
using GpuEnet.Solver.Path;
using GpuEnet.Tests.Data;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>
/// Issue 12, items 4–8 and 10 and the library's own validation: inputs that crashed, hung or were silently mishandled
/// must give the correct result (or a clear ArgumentException). Every solve runs under a time limit, so a hang fails.
/// </summary>
public sealed class DegenerateInputTests
{
    private const int Seconds = 60;

    private static T Finishes<T>(Func<T> work)
    {
        var task = Task.Run(work);
        bool done = Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(Seconds))).GetAwaiter().GetResult() == task;
        Assert.True(done, $"the solve did not finish within {Seconds} s");
        return task.GetAwaiter().GetResult();
    }

    private static EnetModel Fit(IColumnSource x, double[] y, EnetSettings settings, double[]? weights = null) => Finishes(() =>
    {
        using var backend = new CpuBackend(2);
        return new EnetFitter(backend, settings).Fit(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(x.Columns) });
    });

    private static EnetModel Cv(IColumnSource x, double[] y, EnetSettings settings, CvOptions options, double[]? weights = null) => Finishes(() =>
    {
        using var backend = new CpuBackend(2);
        return new EnetFitter(backend, settings).CrossValidate(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(x.Columns) }, options);
    });

    // λ_max of DESIGN.md, computed plainly: max_j |x̃_jᵀ (y − ȳ)| / n / max(a, 1e-3), standardised columns, equal weights.
    private static double LambdaMax(DenseMatrix x, double[] y, double a)
    {
        int n = x.Rows;
        double yMean = y.Average();
        double largest = 0;
        for (int j = 0; j < x.Columns; j++)
        {
            var c = Enumerable.Range(0, n).Select(i => x[i, j]).ToArray();
            double m = c.Average();
            double sd = Math.Sqrt(c.Sum(v => (v - m) * (v - m)) / n);
            largest = Math.Max(largest, Math.Abs(Enumerable.Range(0, n).Sum(i => (c[i] - m) / sd * (y[i] - yMean)) / n));
        }

        return largest / Math.Max(a, 1e-3);
    }

    // cvm of the intercept-only model: each fold predicts its training mean of y for its held-out rows.
    private static double InterceptOnlyCvm(double[] y, int[] foldId)
    {
        int k = foldId.Max();
        double total = 0, weight = 0;
        for (int f = 1; f <= k; f++)
        {
            var train = Enumerable.Range(0, y.Length).Where(i => foldId[i] != f && foldId[i] != 0).Select(i => y[i]).ToArray();
            var test = Enumerable.Range(0, y.Length).Where(i => foldId[i] == f).Select(i => y[i]).ToArray();
            double mean = train.Average();
            total += test.Sum(v => (v - mean) * (v - mean));
            weight += test.Length;
        }

        return total / weight;
    }

    private static void AssertInterceptOnly(EnetPath path, double[] y, int k)
    {
        Assert.Empty(path.Beta[k].Index);
        Assert.True(Math.Abs(path.Intercept[k] - y.Average()) <= 1e-12 * y.Max(Math.Abs), $"λ {k}: intercept {path.Intercept[k]} is not ȳ = {y.Average()}");
        Assert.True(path.DevRatio[k] == 0 && path.DualGap[k] == 0, $"λ {k}: dev_ratio {path.DevRatio[k]}, gap {path.DualGap[k]}");
    }

    // ---- Item 4: a user λ at or above λ_max ----

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void UserLambdaAtOrAboveLambdaMaxGivesTheInterceptOnlyModel(double a)
    {
        var (x, y) = RandomProblems.Make(60, 30, seed: 41);
        double lambdaMax = LambdaMax(x, y, a);
        double[] lambda = [1e300, 10 * lambdaMax, lambdaMax * (1 + 1e-9), 0.5 * lambdaMax];
        var path = Fit(x, y, new EnetSettings { L1Ratios = [a], Lambda = lambda }).Paths[0];
        Assert.Equal(lambda, path.Lambda);
        for (int k = 0; k < 3; k++)
        {
            AssertInterceptOnly(path, y, k);
        }

        Assert.NotEmpty(path.Beta[3].Index);

        // Only λ above λ_max: every KKT pass has nothing to compute (the pass that crashed).
        var above = Fit(x, y, new EnetSettings { L1Ratios = [a], Lambda = [3 * lambdaMax, 2 * lambdaMax] }).Paths[0];
        AssertInterceptOnly(above, y, 0);
        AssertInterceptOnly(above, y, 1);
    }

    [Fact]
    public void CrossValidationAtLambdaAboveLambdaMaxIsTheInterceptOnlyCurve()
    {
        var (x, y) = RandomProblems.Make(60, 30, seed: 42);
        double lambdaMax = LambdaMax(x, y, 1);
        var model = Cv(x, y, new EnetSettings { Lambda = [4 * lambdaMax, 2 * lambdaMax] }, new CvOptions { Folds = 5, Seed = 3 });
        double expected = InterceptOnlyCvm(y, Folds.Random(60, 5, 3));
        Assert.All(model.Paths[0].Cv!.Cvm, m => Assert.True(Math.Abs(m - expected) <= 1e-12 * expected, $"cvm {m}, intercept-only {expected}"));
    }

    // ---- Item 5: every feature constant ----

    public static TheoryData<double> ConstantValues => [1.0, 0.0, -3.5e7];

    [Theory]
    [MemberData(nameof(ConstantValues))]
    public void EveryFeatureConstantGivesTheInterceptOnlyPath(double value)
    {
        var (_, y) = RandomProblems.Make(40, 6, seed: 43);
        var x = new DenseMatrix(40, 6, Enumerable.Repeat(value, 240).ToArray());
        var path = Fit(x, y, new EnetSettings { L1Ratios = [1.0] }).Paths[0];
        Assert.Equal([0.0], path.Lambda);
        AssertInterceptOnly(path, y, 0);

        var user = Fit(x, y, new EnetSettings { L1Ratios = [0.5], Lambda = [1, 0.1] }).Paths[0];
        Assert.Equal([1.0, 0.1], user.Lambda);
        AssertInterceptOnly(user, y, 0);
        AssertInterceptOnly(user, y, 1);

        var cv = Cv(x, y, new EnetSettings(), new CvOptions { Folds = 4, Seed = 2 }).Paths[0].Cv!;
        double expected = InterceptOnlyCvm(y, Folds.Random(40, 4, 2));
        Assert.True(Math.Abs(cv.Cvm[0] - expected) <= 1e-12 * expected, $"cvm {cv.Cvm[0]}, intercept-only {expected}");
    }

    [Fact]
    public void AConstantPlinkFileGivesTheInterceptOnlyPath()
    {
        using var dir = new TempDir();
        int n = 24, p = 5;
        var dosages = new int[n, p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                dosages[i, j] = (i + j) % 7 == 0 ? -1 : 2;
            }
        }

        var phenotypes = Enumerable.Range(0, n).Select(i => (1 + (i * 0.37 % 2)).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var data = DataLoader.Load(new DataRequest(TestWriters.Plink(dir, "c", dosages, phenotypes)) { Target = "pheno" });
        using var genotypes = (IDisposable)data.X;
        Assert.True(data.X.HasMissing);
        var path = Fit(data.X, data.Y, new EnetSettings()).Paths[0];
        Assert.Equal([0.0], path.Lambda);
        AssertInterceptOnly(path, data.Y, 0);
    }

    // ---- Item 6: y of extreme magnitude ----

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e-170)]
    [InlineData(1e-200)]
    [InlineData(1e-300)]
    [InlineData(-1e160)]
    [InlineData(1e160)]
    [InlineData(1e307)]
    public void ScalingYScalesTheLassoPathExactly(double s) => ScaledY(s);

    [Fact]
    public void AYUpToTheLargestDoubleIsScaledWithoutOverflow()
    {
        // max |y| = 1.6e308 ≥ 2^1023: the internal scale must itself be a finite power of two.
        var (_, y) = RandomProblems.Make(50, 40, seed: 44);
        ScaledY(1.6e308 / y.Max(Math.Abs));
    }

    private static void ScaledY(double s)
    {
        var (x, y) = RandomProblems.Make(50, 40, seed: 44);
        // Two certified solutions may differ by about √tolerance, so the comparison is made at a tight tolerance.
        var settings = new EnetSettings { L1Ratios = [1.0], Tolerance = 1e-20 };
        var reference = Fit(x, y, settings).Paths[0];
        var scaled = Fit(x, y.Select(v => v * s).ToArray(), settings).Paths[0];
        AssertScaledPath(reference, scaled, s);

        // With glmnet's y scaling the ridge part is homogeneous too, so an elastic net path scales the same way.
        var glmnet = new EnetSettings { L1Ratios = [0.5], GlmnetRidgeScaling = true, Tolerance = 1e-20 };
        AssertScaledPath(Fit(x, y, glmnet).Paths[0], Fit(x, y.Select(v => v * s).ToArray(), glmnet).Paths[0], s);

        // DESIGN.md's elastic net (ridge part not homogeneous in y) must finish with a certified path: its gap is as
        // small as the lasso path's at the same (default) tolerance. (The s = 1 dual point alone gave gaps of 1e267.)
        var plain = Fit(x, y.Select(v => v * s).ToArray(), new EnetSettings { L1Ratios = [0.5] }).Paths[0];
        double lassoGap = Fit(x, y, new EnetSettings { L1Ratios = [1.0] }).Paths[0].DualGap.Max();
        Assert.All(plain.DualGap, g => Assert.True(g >= 0 && g <= 10 * lassoGap, $"gap {g}, lasso path's largest {lassoGap}"));
    }

    private static void AssertScaledPath(EnetPath reference, EnetPath scaled, double s)
    {
        Assert.Equal(reference.Count, scaled.Count);
        double largest = reference.Beta.Max(b => b.Value.Length == 0 ? 0 : b.Value.Max(Math.Abs));
        for (int k = 0; k < reference.Count; k++)
        {
            Assert.True(Math.Abs((scaled.Lambda[k] / Math.Abs(s)) - reference.Lambda[k]) <= 1e-12 * reference.Lambda[k], $"λ {k}");
            Assert.True(Math.Abs((scaled.Intercept[k] / s) - reference.Intercept[k]) <= 1e-6 * Math.Max(1, Math.Abs(reference.Intercept[k])), $"intercept {k}: {scaled.Intercept[k] / s} vs {reference.Intercept[k]}");
            Assert.True(Math.Abs(scaled.DevRatio[k] - reference.DevRatio[k]) <= 1e-7 * Math.Max(1e-3, reference.DevRatio[k]), $"dev_ratio {k}: {scaled.DevRatio[k]} vs {reference.DevRatio[k]}, λ {scaled.Lambda[k] / Math.Abs(s)} vs {reference.Lambda[k]}, df {scaled.Beta[k].Count} vs {reference.Beta[k].Count}");
            // Dense: at λ_max a coefficient of rounding size may enter in one and not the other.
            var (a, b) = (new double[40], new double[40]);
            reference.Beta[k].ToDense(a);
            scaled.Beta[k].ToDense(b);
            for (int j = 0; j < 40; j++)
            {
                Assert.True(Math.Abs((b[j] / s) - a[j]) <= 1e-6 * largest, $"λ {k}, feature {j}");
            }
        }
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e100)]
    [InlineData(1e-300)]
    public void CrossValidationOfAScaledYChoosesTheSameLambda(double s)
    {
        var (x, y) = RandomProblems.Make(50, 40, seed: 45);
        var settings = new EnetSettings { L1Ratios = [1.0, 0.5], GlmnetRidgeScaling = true };
        var options = new CvOptions { Folds = 5, Seed = 4 };
        var reference = Cv(x, y, settings, options);
        var scaled = Cv(x, y.Select(v => v * s).ToArray(), settings, options);
        Assert.Equal(reference.Selected.PathIndex, scaled.Selected.PathIndex);
        Assert.Equal(reference.Selected.LambdaIndex, scaled.Selected.LambdaIndex);
        for (int l = 0; l < 2; l++)
        {
            var (a, b) = (reference.Paths[l].Cv!, scaled.Paths[l].Cv!);
            Assert.Equal(a.IndexMin, b.IndexMin);
            Assert.Equal(a.Index1se, b.Index1se);
            if (double.IsNormal(a.Cvm[0] * s * s))
            {
                Assert.All(a.Cvm.Zip(b.Cvm), t => Assert.True(Math.Abs((t.Second / s / s) - t.First) <= 1e-9 * t.First, "cvm"));
            }
        }
    }

    [Fact]
    public void AnUnusedRowsTargetDoesNotSetTheScale()
    {
        // Row 0 has weight 0: its y of 1e300 must neither push the others into underflow nor change anything.
        var (x, y) = RandomProblems.Make(40, 10, seed: 55);
        var w = Enumerable.Range(0, 40).Select(i => i == 0 ? 0.0 : 1).ToArray();
        var reference = Fit(x, y, new EnetSettings(), w).Paths[0];
        y[0] = 1e300;
        var path = Fit(x, y, new EnetSettings(), w).Paths[0];
        Assert.Equal(reference.Lambda, path.Lambda);
        Assert.Equal(reference.Intercept, path.Intercept);
        Assert.Equal(reference.DualGap, path.DualGap);
    }

    [Fact]
    public void TheCvCurveIsBroughtBackToUserUnitsWithoutAnOverflowingSquare()
    {
        // y[0] = 1e160 with weight 1e-300: the y scale is 2^531, whose square overflows, while cvm (about 1e18) does not.
        var (x, y) = RandomProblems.Make(30, 6, seed: 57);
        y[0] = 1e160;
        var w = Enumerable.Range(0, 30).Select(i => i == 0 ? 1e-300 : 1).ToArray();
        var model = Cv(x, y, new EnetSettings(), new CvOptions { Folds = 3 }, w);
        Assert.All(model.Paths[0].Cv!.Cvm, m => Assert.True(double.IsFinite(m) && m > 1e10, $"cvm {m}"));
    }

    [Fact]
    public void ALambdaMaxBeyondTheDoubleRangeIsRefused()
    {
        // Unstandardised, a feature of scale 1e139 against a y of 1e297: λ_max would be about 1e436.
        var (x, y) = RandomProblems.Make(30, 4, seed: 58);
        var huge = new DenseMatrix(30, 4, x.Values.ToArray().Select((v, at) => at < 30 ? v * 1e139 : v).ToArray());
        var e = Assert.Throws<ArgumentException>(() => Fit(huge, y.Select(v => v * 1e297).ToArray(), new EnetSettings { Standardize = false, L1Ratios = [0] }));
        Assert.Contains("λ_max is beyond the range of double precision", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CoefficientsBeyondTheDoubleRangeAreRefused()
    {
        // y of 1e300 explained by a feature of sd 1e-100: the coefficient would be 1e400.
        var (x, y) = RandomProblems.Make(40, 5, seed: 56);
        var tiny = new DenseMatrix(40, 5, x.Values.ToArray().Select((v, at) => at < 40 ? v * 1e-100 : v).ToArray());
        var e = Assert.Throws<ArgumentException>(() => Fit(tiny, y.Select(v => v * 1e300).ToArray(), new EnetSettings { Lambda = [1e290, 1e280] }));
        Assert.Contains("feature 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("beyond the range of double precision", e.Message, StringComparison.Ordinal);
    }

    // ---- Item 7: a fold whose training target is constant ----

    [Fact]
    public void TwoRowsWithTwoFoldsPredictEachRowFromTheOther()
    {
        var x = new DenseMatrix(2, 3, new double[] { 1, 2, 0.5, -1, 3, 3 });
        double[] y = [2.5, -0.75];
        var model = Cv(x, y, new EnetSettings(), new CvOptions { Folds = 2 });
        double expected = (y[0] - y[1]) * (y[0] - y[1]);
        Assert.All(model.Paths[0].Cv!.Cvm, m => Assert.True(Math.Abs(m - expected) <= 1e-12 * expected, $"cvm {m}, expected {expected}"));
    }

    [Fact]
    public void AFoldTrainedOnOneRowPredictsThatRow()
    {
        var (x, y) = RandomProblems.Make(60, 30, seed: 46);
        var foldId = Enumerable.Range(0, 60).Select(i => i == 0 ? 1 : 2).ToArray();
        var model = Cv(x, y, new EnetSettings(), new CvOptions { FoldId = foldId });
        Assert.All(model.Paths[0].Cv!.Cvm, m => Assert.True(double.IsFinite(m)));

        // The fold that trains on row 0 alone: its held-out residuals are y_i − y_0 at every λ.
        var weights = Enumerable.Range(0, 60).Select(i => i == 0 ? 1.0 : 0).ToArray();
        var heldOut = Enumerable.Range(1, 59).ToArray();
        var fold = SolveFold(x, y, weights, heldOut, [1, 0.1, 0.001]);
        AssertHeldOutResiduals(fold, y, heldOut, y[0]);
    }

    [Fact]
    public void AFoldWhoseTrainingTargetIsConstantPredictsThatConstant()
    {
        var (x, y) = RandomProblems.Make(60, 30, seed: 47);
        for (int i = 0; i < 50; i++)
        {
            y[i] = 5;
        }

        var foldId = Enumerable.Range(0, 60).Select(i => i < 50 ? 1 : 2).ToArray();
        var model = Cv(x, y, new EnetSettings { L1Ratios = [1, 0.5] }, new CvOptions { FoldId = foldId });
        Assert.All(model.Paths.SelectMany(p => p.Cv!.Cvm), m => Assert.True(double.IsFinite(m)));

        var weights = Enumerable.Range(0, 60).Select(i => i < 50 ? 1.0 : 0).ToArray();
        var heldOut = Enumerable.Range(50, 10).ToArray();
        AssertHeldOutResiduals(SolveFold(x, y, weights, heldOut, model.Paths[0].Lambda), y, heldOut, 5);
    }

    private static PathSolution SolveFold(DenseMatrix x, double[] y, double[] weights, int[] heldOut, double[] lambda) => Finishes(() =>
    {
        using var backend = new CpuBackend(2);
        using var design = backend.Bind(x);
        var problem = new PathProblem { Weights = weights, L1Ratio = 1, Lambda = lambda, EvaluationRows = heldOut };
        return new PathSolver(design, y, new EnetSettings(), null).Solve([problem])[0];
    });

    private static void AssertHeldOutResiduals(PathSolution fold, double[] y, int[] heldOut, double prediction)
    {
        Assert.NotEmpty(fold.HeldOutResidual);
        foreach (var residual in fold.HeldOutResidual)
        {
            for (int q = 0; q < heldOut.Length; q++)
            {
                double expected = y[heldOut[q]] - prediction;
                Assert.True(Math.Abs((residual[q] * fold.YScale) - expected) <= 1e-12 * y.Max(Math.Abs), $"row {heldOut[q]}: {residual[q] * fold.YScale} vs {expected}");
            }
        }
    }

    // ---- Item 8: degenerate weights ----

    [Fact]
    public void WeightsOf1e308GiveTheUnitWeightModel()
    {
        var (x, y) = RandomProblems.Make(50, 20, seed: 48);
        var huge = Enumerable.Repeat(1e308, 50).ToArray();
        var settings = new EnetSettings { L1Ratios = [1, 0.5] };
        AssertSameModel(Fit(x, y, settings), Fit(x, y, settings, huge));
        var options = new CvOptions { Folds = 5, Stability = 4 };
        var unit = Cv(x, y, settings, options);
        var scaled = Cv(x, y, settings, options, huge);
        AssertSameModel(unit, scaled);
        Assert.Equal(unit.Selected, scaled.Selected);
        Assert.All(unit.Paths[0].Cv!.Cvm.Zip(scaled.Paths[0].Cv!.Cvm), t => Assert.True(Math.Abs(t.First - t.Second) <= 1e-12 * t.First, "cvm"));
        Assert.Equal(unit.StabilityFrequency, scaled.StabilityFrequency);
    }

    // Equal up to the rounding of normalising different weights to sum 1.
    private static void AssertSameModel(EnetModel a, EnetModel b)
    {
        static void Close(double x, double y, double scale, string what) => Assert.True(Math.Abs(x - y) <= 1e-10 * scale, $"{what}: {x} vs {y}");
        for (int l = 0; l < a.Paths.Length; l++)
        {
            var (p, q) = (a.Paths[l], b.Paths[l]);
            Assert.Equal(p.Count, q.Count);
            double largest = p.Beta.Max(c => c.Value.Length == 0 ? 0 : c.Value.Max(Math.Abs));
            for (int k = 0; k < p.Count; k++)
            {
                Close(p.Lambda[k], q.Lambda[k], p.Lambda[k], "λ");
                Close(p.Intercept[k], q.Intercept[k], Math.Max(1, Math.Abs(p.Intercept[k])), "intercept");
                Assert.Equal(p.Beta[k].Index, q.Beta[k].Index);
                for (int e = 0; e < p.Beta[k].Count; e++)
                {
                    Close(p.Beta[k].Value[e], q.Beta[k].Value[e], largest, "coefficient");
                }
            }
        }
    }

    [Fact]
    public void WeightsBelowTheDoubleRangeOfTheLargestAreRefused()
    {
        var (x, y) = RandomProblems.Make(30, 8, seed: 49);
        var w = Enumerable.Range(0, 30).Select(i => i == 0 ? 1 : 1e-320).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings(), w));
        Assert.Contains("row 2", e.Message, StringComparison.Ordinal);

        // Tiny but representable relative weights: the data is effectively one row, and the fit must still end.
        var tiny = Enumerable.Range(0, 30).Select(i => i == 0 ? 1 : 1e-300).ToArray();
        var path = Fit(x, y, new EnetSettings(), tiny).Paths[0];
        Assert.All(path.Intercept, b => Assert.True(double.IsFinite(b)));
    }

    [Fact]
    public void AFoldWithoutWeightToTrainOnOrToMeasureIsRefused()
    {
        var (x, y) = RandomProblems.Make(40, 8, seed: 53);
        var w = Enumerable.Range(0, 40).Select(i => i < 20 ? 1.0 : 0).ToArray();
        var foldId = Enumerable.Range(0, 40).Select(i => i < 20 ? 2 : 1).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Cv(x, y, new EnetSettings(), new CvOptions { FoldId = foldId }, w));
        Assert.Contains("fold 1", e.Message, StringComparison.Ordinal);
        var third = Enumerable.Range(0, 40).Select(i => i < 20 ? (i % 2) + 2 : 1).ToArray();
        Assert.Throws<ArgumentException>(() => Cv(x, y, new EnetSettings(), new CvOptions { FoldId = third }, w));
        Assert.Throws<ArgumentException>(() => Cv(x, y, new EnetSettings(), new CvOptions { Folds = 4, Stability = -1 }));

        // Zero-weight rows spread over the folds are fine, stability half-samples included.
        var spread = Enumerable.Range(0, 40).Select(i => (i % 4) + 1).ToArray();
        var model = Cv(x, y, new EnetSettings(), new CvOptions { FoldId = spread, Stability = 5 }, w);
        Assert.All(model.Paths[0].Cv!.Cvm, m => Assert.True(double.IsFinite(m)));
    }

    // ---- Item 10: features of extreme scale ----

    [Theory]
    [InlineData(1e160, false)]
    [InlineData(1e200, false)]
    [InlineData(1e300, false)]
    [InlineData(1e-170, false)]
    [InlineData(1e-200, false)]
    [InlineData(1e-250, false)]
    [InlineData(1e200, true)]
    [InlineData(1e-200, true)]
    public void AFeatureOfExtremeScaleIsFittedLikeTheSameFeatureUnscaled(double s, bool withMissing)
    {
        var (x, y) = RandomProblems.Make(50, 20, seed: 50);
        int[][] missing = Enumerable.Range(0, 20).Select(j => j == 0 && withMissing ? new[] { 3, 17, 30 } : []).ToArray();
        var values = x.Values.ToArray();
        foreach (int i in missing[0])
        {
            values[i] = 0;
        }

        var plain = new DenseMatrix(50, 20, values.ToArray()).WithMissing(missing);
        for (int i = 0; i < 50; i++)
        {
            values[i] *= s;
        }

        var scaledX = new DenseMatrix(50, 20, values).WithMissing(missing);
        var settings = new EnetSettings { L1Ratios = [1.0, 0.5] };
        var reference = Fit(plain, y, settings);
        var scaled = Fit(scaledX, y, settings);
        Assert.Contains(0, reference.Paths[0].Beta[^1].Index);
        for (int l = 0; l < 2; l++)
        {
            var (a, b) = (reference.Paths[l], scaled.Paths[l]);
            Assert.Equal(a.Count, b.Count);
            double largest = a.Beta.Max(c => c.Value.Length == 0 ? 0 : c.Value.Max(Math.Abs));
            for (int k = 0; k < a.Count; k++)
            {
                Assert.True(Math.Abs(b.Lambda[k] - a.Lambda[k]) <= 1e-9 * a.Lambda[k], $"λ {k}");
                Assert.True(Math.Abs(b.DevRatio[k] - a.DevRatio[k]) <= 1e-9, $"dev_ratio {k}: {b.DevRatio[k]} vs {a.DevRatio[k]}");
                Assert.Equal(a.Beta[k].Index, b.Beta[k].Index);
                for (int e = 0; e < a.Beta[k].Count; e++)
                {
                    double unscaled = b.Beta[k].Index[e] == 0 ? b.Beta[k].Value[e] * s : b.Beta[k].Value[e];
                    Assert.True(Math.Abs(unscaled - a.Beta[k].Value[e]) <= 1e-8 * largest, $"λ {k}, feature {a.Beta[k].Index[e]}");
                }
            }
        }

        Assert.True(Math.Abs((scaled.FeatureScale[0] / s) - reference.FeatureScale[0]) <= 1e-12 * reference.FeatureScale[0]);
    }

    [Theory]
    [InlineData(1e8)]
    [InlineData(1e9)]
    [InlineData(1e11)]
    public void AFeatureWithALargeOffsetIsFittedLikeTheCentredOne(double offset)
    {
        // Positions or timestamps: mean/sd of 1e8 … 1e11. The descent used c·Σ w r with a tracked Σ w r, which amplified
        // the rounding of each residual update by c/sd: 1e8 gave a wrong path (dev_ratio 0.75 for 0.94), 1e9 a NaN crash.
        var (x, y) = RandomProblems.Make(60, 8, seed: 54);
        var shifted = new DenseMatrix(60, 8, x.Values.ToArray().Select((v, at) => at < 60 ? v + offset : v).ToArray());
        var settings = new EnetSettings { L1Ratios = [1, 0.5], Tolerance = 1e-12 };
        var reference = Fit(x, y, settings);
        var model = Fit(shifted, y, settings);
        for (int l = 0; l < 2; l++)
        {
            var (a, b) = (reference.Paths[l], model.Paths[l]);
            Assert.Equal(a.Count, b.Count);
            double largest = a.Beta.Max(c => c.Value.Length == 0 ? 0 : c.Value.Max(Math.Abs));
            var (da, db) = (new double[8], new double[8]);
            for (int k = 0; k < a.Count; k++)
            {
                Assert.True(Math.Abs(a.DevRatio[k] - b.DevRatio[k]) <= 1e-5, $"λ {k}: dev_ratio {b.DevRatio[k]} vs {a.DevRatio[k]}");
                a.Beta[k].ToDense(da);
                b.Beta[k].ToDense(db);
                for (int j = 0; j < 8; j++)
                {
                    Assert.True(Math.Abs(da[j] - db[j]) <= 1e-4 * largest, $"λ {k}, feature {j}: {db[j]} vs {da[j]}");
                }
            }
        }
    }

    [Fact]
    public void WeightsOfWideRangeWithAnUnpenalisedBoundedFeatureDoNotDiverge()
    {
        // From a randomised search: a fold training on weights 1, 1e-21, 1e-31 makes the column's weighted mean 7 − 5e-21,
        // i.e. mean/sd ≈ 4e10, which made the descent diverge to a NaN.
        double[] w = [0, 0, 1E-08, 1E-15, 1E10, 0, 1E-18, 1E13];
        double[] y = [-0.6759542154500388, 0.6354154220924719, -0.00584065991111321, -1.1537467420485843, 1.4411436536968822, 0.6678329237214423, 0.9765201648898046, 0.39498466901705603];
        var x = new DenseMatrix(8, 2, new double[] { 0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0 });
        var settings = new EnetSettings { L1Ratios = [0.2680774229895684, 0], PenaltyFactor = [0, 1], Lower = [0, -1] };
        var model = Cv(x, y, settings, new CvOptions { Folds = 3 }, w);
        Assert.All(model.Paths.SelectMany(p => p.Cv!.Cvm), m => Assert.True(double.IsFinite(m)));
        Assert.All(model.Paths.SelectMany(p => p.Beta), b => Assert.All(b.Value, v => Assert.True(double.IsFinite(v) && v >= 0)));
    }

    [Fact]
    public void WithoutStandardisationAHugeFeatureIsRefusedAndATinyOneFitted()
    {
        var (x, y) = RandomProblems.Make(50, 10, seed: 52);
        DenseMatrix Scaled(double s) => new(50, 10, x.Values.ToArray().Select((v, at) => at < 50 ? v * s : v).ToArray());
        var settings = new EnetSettings { Standardize = false };

        // Its Σ w x² (1e400) cannot be represented: a clear error, not a NaN inside the descent.
        var e = Assert.Throws<ArgumentException>(() => Fit(Scaled(1e200), y, settings));
        Assert.Contains("Feature column 1", e.Message, StringComparison.Ordinal);

        // Unstandardised, a feature of scale 1e-170 would need |β| ~ 1e170 to matter, so the penalty keeps it out: the
        // path is that of the data without it, and the solve ends.
        var without = new DenseMatrix(50, 10, x.Values.ToArray().Select((v, at) => at < 50 ? 0 : v).ToArray());
        var tiny = Fit(Scaled(1e-170), y, settings).Paths[0];
        var reference = Fit(without, y, settings).Paths[0];
        Assert.Equal(reference.Lambda, tiny.Lambda);
        Assert.All(tiny.Beta, b => Assert.DoesNotContain(0, b.Index));
    }

    // ---- Validation in the library: Impute = None with missing cells ----

    [Fact]
    public void ImputeNoneWithMissingCellsIsRefused()
    {
        var (x, y) = RandomProblems.Make(30, 5, seed: 51);
        var values = x.Values.ToArray();
        values[(2 * 30) + 7] = 0;
        IColumnSource WithHole() => new DenseMatrix(30, 5, values.ToArray()).WithMissing([[], [], [7], [], []]);
        var e = Assert.Throws<ArgumentException>(() => Fit(WithHole(), y, new EnetSettings { Impute = ImputeStrategy.None }));
        Assert.Contains("'x3'", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 8", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Cv(WithHole(), y, new EnetSettings { Impute = ImputeStrategy.None }, new CvOptions { Folds = 3 }));
        Assert.NotEmpty(Fit(WithHole(), y, new EnetSettings { Impute = ImputeStrategy.Mean }).Paths[0].Lambda);
    }
}
