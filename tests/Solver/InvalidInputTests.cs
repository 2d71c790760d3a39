using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using Xunit;

namespace GpuEnet.Tests.Solver;

public sealed class InvalidInputTests
{
    private static void Fit(DenseMatrix x, double[] y, EnetSettings? settings = null, double[]? weights = null, string[]? names = null)
    {
        using var backend = new CpuBackend(1);
        new EnetFitter(backend, settings ?? new EnetSettings()).Fit(
            new TrainingData { X = x, Y = y, Weights = weights, Features = names ?? PathSolverTests.Names(x.Columns) });
    }

    private static (DenseMatrix X, double[] Y) Small() => RandomProblems.Make(20, 4, seed: 3);

    [Fact]
    public void NaNInXWithoutImputationDeclaredIsRejected()
    {
        var (x, y) = Small();
        x.Values.Span[5] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => Fit(x, y));
        Assert.Contains("column 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InfiniteTargetIsRejected()
    {
        var (x, y) = Small();
        y[3] = double.PositiveInfinity;
        Assert.Contains("row 4", Assert.Throws<ArgumentException>(() => Fit(x, y)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var (x, y) = Small();
        Assert.Throws<ArgumentException>(() => Fit(x, y[..10]));
        Assert.Throws<ArgumentException>(() => Fit(x, y, weights: new double[3]));
        Assert.Throws<ArgumentException>(() => Fit(x, y, names: ["a"]));
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { PenaltyFactor = [1, 1] }));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void L1RatioOutsideUnitIntervalIsRejected(double a)
    {
        var (x, y) = Small();
        Assert.Contains("l1_ratio", Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { L1Ratios = [a] })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeLambdaIsRejected()
    {
        var (x, y) = Small();
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { Lambda = [0.1, -1] }));
    }

    [Fact]
    public void NoColumnsTooFewRowsAndConstantTargetAreRejected()
    {
        Assert.Contains("no feature", Assert.Throws<ArgumentException>(() => Fit(new DenseMatrix(5, 0, Array.Empty<double>()), new double[5])).Message, StringComparison.Ordinal);
        Assert.Contains("At least 2 rows", Assert.Throws<ArgumentException>(() => Fit(new DenseMatrix(1, 2, new double[2]), [1.0])).Message, StringComparison.Ordinal);
        var (x, _) = Small();
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => Fit(x, Enumerable.Repeat(2.5, 20).ToArray())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadBoundsAndPenaltiesAreRejected()
    {
        var (x, y) = Small();
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { Lower = [0.5, 0, 0, 0] }));
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { Upper = [-1, 0, 0, 0] }));
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { PenaltyFactor = [-1, 1, 1, 1] }));
        Assert.Throws<ArgumentException>(() => Fit(x, y, new EnetSettings { PenaltyFactor = [0, 0, 0, 0] }));
        Assert.Throws<ArgumentException>(() => Fit(x, y, weights: [.. Enumerable.Repeat(-1.0, 20)]));
    }
}
