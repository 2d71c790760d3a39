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
        var settings = new EnetSettings { L1Ratios = [a], Tolerance = 1e-14, FullPath = true };
        using var backend = new CpuBackend(2);
        var model = new EnetFitter(backend, settings).Fit(new TrainingData { X = x, Y = y, Features = Names(p) });
        var path = model.Paths[0];
        Assert.Equal(100, path.Count);
        Assert.True(Optimality.MaxKktViolation(x, y, null, settings, path) < 1e-5, "KKT violated");
        Assert.True(path.DualGap.Max() < 1e-6, $"max gap {path.DualGap.Max()} at tol {settings.Tolerance}");
    }

    internal static string[] Names(int p) => Enumerable.Range(1, p).Select(j => $"x{j}").ToArray();
}
