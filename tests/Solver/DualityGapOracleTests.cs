using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>The reported duality gap against <see cref="GapOracle"/>, computed in the test from X, y and β alone.</summary>
public sealed class DualityGapOracleTests
{
    private static EnetModel Fit(int n, int p, double a, int seed, double tolerance, double[]? weights, double[]? penalty)
    {
        var (x, y) = RandomProblems.Make(n, p, seed);
        var settings = new EnetSettings { L1Ratios = [a], Tolerance = tolerance, FullPath = true, NLambda = 30, PenaltyFactor = penalty };
        using var backend = new CpuBackend(2);
        return new EnetFitter(backend, settings).Fit(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(p) });
    }

    [Theory]
    [InlineData(60, 20, 1.0, 1, false)]
    [InlineData(40, 120, 1.0, 2, true)]
    [InlineData(50, 80, 0.5, 3, false)]
    [InlineData(50, 30, 0.1, 4, true)]
    [InlineData(30, 60, 0.0, 5, false)]
    public void ReportedGapEqualsTheOracleOnRandomProblems(int n, int p, double a, int seed, bool weighted)
    {
        var rng = new Random(seed);
        var weights = weighted ? Enumerable.Range(0, n).Select(_ => 0.2 + rng.NextDouble()).ToArray() : null;
        var penalty = weighted ? Enumerable.Range(0, p).Select(_ => 0.5 + rng.NextDouble()).ToArray() : null;
        var (x, y) = RandomProblems.Make(n, p, seed);

        // A loose tolerance leaves gaps well above rounding, so a gap reported as 0 (or as anything else) fails here.
        var loose = Fit(n, p, a, seed, 1e-3, weights, penalty).Paths[0];
        var tight = Fit(n, p, a, seed, 1e-13, weights, penalty).Paths[0];
        Assert.Equal(loose.Lambda, tight.Lambda);
        double largest = 0;
        for (int k = 0; k < loose.Count; k++)
        {
            var (gap, primal) = GapOracle.At(x, y, weights, penalty, loose, k);
            largest = Math.Max(largest, gap);
            Assert.True(gap >= -1e-12, $"λ {k}: the oracle's gap {gap} is negative, so its dual point is not feasible");
            Assert.True(Math.Abs(loose.DualGap[k] - gap) <= 1e-10 + (1e-6 * gap), $"λ {k}: reported gap {loose.DualGap[k]:E6}, oracle {gap:E6}");

            // The gap bounds the distance from the optimum: the tight fit's objective is at most that far below.
            var (tightGap, tightPrimal) = GapOracle.At(x, y, weights, penalty, tight, k);
            Assert.True(primal - tightPrimal <= gap + 1e-12, $"λ {k}: objective {primal - tightPrimal:E3} above a near-optimum, beyond the gap {gap:E3}");
            Assert.True(Math.Abs(tight.DualGap[k] - tightGap) <= 1e-10 + (1e-6 * tightGap), $"λ {k}: tight gap {tight.DualGap[k]:E6}, oracle {tightGap:E6}");
        }

        Assert.True(largest > 1e-8, $"the loose fit's largest gap {largest:E2} is too small for the comparison to mean anything");
    }
}
