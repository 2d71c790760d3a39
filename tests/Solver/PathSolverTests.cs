using GpuEnet.Solver.Model;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using Xunit;

namespace GpuEnet.Tests.Solver;

public sealed class PathSolverTests
{
    [Theory]
    [InlineData(100, 20, 1.0)]
    [InlineData(50, 300, 1.0)]
    [InlineData(50, 300, 0.5)]
    [InlineData(80, 40, 0.1)]
    [InlineData(80, 40, 0.0)]
    public void PathSatisfiesKktAndSmallGap(int n, int p, double a)
    {
        var (x, y) = RandomProblems.Make(n, p, seed: n + p);
        var settings = new EnetSettings { L1Ratios = [a], Tolerance = 1e-20, FullPath = true };
        using var backend = new CpuBackend(2);
        var model = new EnetFitter(backend, settings).Fit(new TrainingData { X = x, Y = y, Features = Names(p) });
        var path = model.Paths[0];
        Assert.Equal(100, path.Count);
        double kkt = Optimality.MaxKktViolation(x, y, null, settings, path);
        Assert.True(kkt < 1e-5, $"KKT violated: {kkt:E3}");
        Assert.True(path.DualGap.Max() < 1e-6, $"max gap {path.DualGap.Max()} at tol {settings.Tolerance}");
    }

    internal static string[] Names(int p) => Enumerable.Range(1, p).Select(j => $"x{j}").ToArray();
}

public sealed class PrecisionAndScreeningTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Float32StorageMatchesFloat64WithinTolerance(double a)
    {
        var (x, y) = RandomProblems.Make(80, 200, seed: 5);
        var x32 = DenseMatrix32.FromDouble(x);
        var x64 = new DenseMatrix(80, 200, x32.Values.ToArray().Select(v => (double)v).ToArray());
        var settings = new EnetSettings { L1Ratios = [a], Tolerance = 1e-12, FullPath = true };
        using var backend = new CpuBackend(2);
        var m32 = new EnetFitter(backend, settings).Fit(new TrainingData { X = x32, Y = y, Features = PathSolverTests.Names(200) });
        var m64 = new EnetFitter(backend, settings).Fit(new TrainingData { X = x64, Y = y, Features = PathSolverTests.Names(200) });
        var d32 = new double[200];
        var d64 = new double[200];
        double largest = 0, worst = 0;
        for (int k = 0; k < m64.Paths[0].Count; k++)
        {
            m32.Paths[0].Beta[k].ToDense(d32);
            m64.Paths[0].Beta[k].ToDense(d64);
            for (int j = 0; j < 200; j++)
            {
                largest = Math.Max(largest, Math.Abs(d64[j]));
                worst = Math.Max(worst, Math.Abs(d32[j] - d64[j]));
            }
        }

        Assert.Equal("float32", m32.Training.Precision);
        Assert.True(worst <= 1e-4 * largest, $"float32 differs by {worst / largest:E2} of the largest coefficient");
    }

    [Fact]
    public void BlockedKktPassesGiveTheSamePathAsOnePassPerLambda()
    {
        var (x, y) = RandomProblems.Make(60, 500, seed: 9, rho: 0.6);
        using var backend = new CpuBackend(2);
        EnetModel Run(int? block) => new EnetFitter(backend, new EnetSettings { Tolerance = 1e-13, FullPath = true, LambdaBlock = block })
            .Fit(new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(500) });
        var one = Run(1);
        var adaptive = Run(null);
        var eight = Run(8);
        // Both are certified optimal to the tolerance; along this nearly flat p ≫ n path coefficients may then differ by
        // the square root of the tolerance, so compare against the largest coefficient and check the certificates.
        var a = new double[500];
        var b = new double[500];
        double largest = one.Paths[0].Beta.Max(beta => beta.Value.Length == 0 ? 0 : beta.Value.Max(Math.Abs));
        foreach (var other in new[] { adaptive, eight })
        {
            Assert.Equal(one.Paths[0].Lambda, other.Paths[0].Lambda);
            Assert.All(other.Paths[0].DualGap, g => Assert.True(g < 1e-5, $"gap {g}"));
            for (int k = 0; k < one.Paths[0].Count; k++)
            {
                one.Paths[0].Beta[k].ToDense(a);
                other.Paths[0].Beta[k].ToDense(b);
                for (int j = 0; j < 500; j++)
                {
                    Assert.True(Math.Abs(a[j] - b[j]) <= 1e-3 * largest, $"λ {k}, feature {j}: {a[j]} vs {b[j]}");
                }
            }
        }
    }
}

public sealed class KktBoundTests
{
    [Theory]
    [InlineData(1.0, false)]
    [InlineData(0.5, false)]
    [InlineData(0.5, true)]
    public void SkippedColumnsNeverHideAViolation(double a, bool constrained)
    {
        // p ≫ n, correlated: most columns are certified by their bound and skipped, and any feature the bound certified
        // wrongly would show up here as a KKT violation computed plainly from X and y.
        int n = 60, p = 2000;
        var (x, y) = RandomProblems.Make(n, p, seed: 17, rho: 0.5);
        var rng = new Random(3);
        var weights = Enumerable.Range(0, n).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var settings = new EnetSettings
        {
            L1Ratios = [a],
            Tolerance = 1e-20,
            FullPath = true,
            LambdaBlock = 1,
            PenaltyFactor = constrained ? Enumerable.Range(0, p).Select(j => j < 3 ? 0.0 : 1 + (j % 3)).ToArray() : null,
            Lower = constrained ? Enumerable.Range(0, p).Select(j => j % 2 == 0 ? 0.0 : double.NegativeInfinity).ToArray() : null,
        };
        using var backend = new CpuBackend(2);
        using var design = backend.Bind(x);
        var solver = new GpuEnet.Solver.Path.PathSolver(design, y, settings, null);
        var problem = new GpuEnet.Solver.Path.PathProblem { Weights = weights, L1Ratio = a, EarlyStop = false };
        var solution = solver.Solve([problem])[0];

        Assert.True(solver.KktColumns < 0.5 * p * (solver.Passes - 3), $"the KKT passes computed {solver.KktColumns} columns in {solver.Passes - 3} passes of p = {p}");
        var path = EnetFitter.ToPath(solution, a);
        double kkt = Optimality.MaxKktViolation(x, y, weights, settings, path);
        Assert.True(kkt < 1e-5, $"KKT violated: {kkt:E3}");
        Assert.All(solution.DualGap, g => Assert.True(g < 1e-5, $"gap {g}"));
    }

    [Fact]
    public void ACrossValidationBatchWithMissingCellsGivesTheSamePathsAsFullPasses()
    {
        // Folds (zero weights on held-out rows), two l1_ratios and per-fold mean imputation of missing cells, all in one
        // batch over p ≫ n: the bounded passes must reproduce what full passes give, fold by fold and λ by λ.
        int n = 60, p = 1500;
        var (dense, y) = RandomProblems.Make(n, p, seed: 23, rho: 0.4);
        var values = dense.Values.ToArray();
        var missing = new int[p][];
        for (int j = 0; j < p; j++)
        {
            missing[j] = Enumerable.Range(0, n).Where(i => j % 4 == 0 && ((i * 5) + j) % 11 == 0).ToArray();
            foreach (int i in missing[j])
            {
                values[(j * n) + i] = 0;
            }
        }

        var x = new DenseMatrix(n, p, values).WithMissing(missing);
        var problems = new List<GpuEnet.Solver.Path.PathProblem>();
        foreach (double a in (double[])[1.0, 0.5])
        {
            int leader = problems.Count;
            problems.Add(new GpuEnet.Solver.Path.PathProblem { Weights = Enumerable.Repeat(1.0, n).ToArray(), L1Ratio = a });
            for (int fold = 0; fold < 5; fold++)
            {
                int[] heldOut = Enumerable.Range(0, n).Where(i => i % 5 == fold).ToArray();
                var w = Enumerable.Range(0, n).Select(i => i % 5 == fold ? 0.0 : 1.0).ToArray();
                problems.Add(new GpuEnet.Solver.Path.PathProblem { Weights = w, L1Ratio = a, Follows = leader, EvaluationRows = heldOut });
            }
        }

        GpuEnet.Solver.Path.PathSolution[] Run(bool full, out long columns)
        {
            var settings = new EnetSettings { Tolerance = 1e-13, FullPath = true, FullKktPasses = full };
            using var backend = new CpuBackend(2);
            using var design = backend.Bind(x);
            var solver = new GpuEnet.Solver.Path.PathSolver(design, y, settings, null);
            var solutions = solver.Solve(problems);
            columns = solver.KktColumns;
            return solutions;
        }

        var bounded = Run(full: false, out long listed);
        var reference = Run(full: true, out long all);
        Assert.True(listed < 0.7 * all, $"bounded passes computed {listed} columns, full passes {all}");
        for (int b = 0; b < problems.Count; b++)
        {
            Assert.Equal(reference[b].Lambda, bounded[b].Lambda);
            double scale = reference[b].HeldOutResidual.Count > 0 ? reference[b].HeldOutResidual.Max(r => r.Max(Math.Abs)) : 1;
            for (int k = 0; k < reference[b].Lambda.Count; k++)
            {
                Assert.Equal(reference[b].Df[k], bounded[b].Df[k]);
                Assert.True(Math.Abs(reference[b].Intercept[k] - bounded[b].Intercept[k]) < 1e-6 * scale, $"problem {b}, λ {k}: intercept");
                for (int e = 0; e < reference[b].Beta[k].Value.Length; e++)
                {
                    Assert.Equal(reference[b].Beta[k].Index[e], bounded[b].Beta[k].Index[e]);
                    Assert.True(Math.Abs(reference[b].Beta[k].Value[e] - bounded[b].Beta[k].Value[e]) < 1e-6, $"problem {b}, λ {k}: coefficient");
                }

                if (reference[b].HeldOutResidual.Count > 0)
                {
                    for (int i = 0; i < reference[b].HeldOutResidual[k].Length; i++)
                    {
                        Assert.True(Math.Abs(reference[b].HeldOutResidual[k][i] - bounded[b].HeldOutResidual[k][i]) < 1e-6 * scale, $"problem {b}, λ {k}: held-out residual");
                    }
                }
            }
        }
    }
}
