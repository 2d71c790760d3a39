using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Ilgpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>
/// Whole fits and cross-validations on the ILGPU backend (its kernels on ILGPU's CPU accelerator) against the SIMD backend:
/// the same paths within 1e-10 of the largest coefficient in float64 and 1e-4 in float32, the same CV choice. The
/// tolerance is tight so that both backends converge to the optimum rather than to their own stopping points.
/// </summary>
public sealed class IlgpuEndToEndTests
{
    [Theory]
    [InlineData(1.0, false)]
    [InlineData(0.5, false)]
    [InlineData(1.0, true)]
    public void FitMatchesTheSimdBackend(double l1Ratio, bool single)
    {
        var (x64, y) = RandomProblems.Make(40, 60, seed: 11);
        IColumnSource x = single ? DenseMatrix32.FromDouble(x64) : x64;
        var settings = new EnetSettings { L1Ratios = [l1Ratio], NLambda = 12, Tolerance = 1e-15 };
        var (simd, ilgpu) = FitBoth(settings, new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(60) }, cv: null);
        AssertSamePaths(simd, ilgpu, single ? 1e-4 : 1e-10);
        Assert.Equal("ilgpu-cpu", ilgpu.Training.Device);
        Assert.True(ilgpu.Training.Traffic.KernelLaunches > 0);
        Assert.Equal(0, simd.Training.Traffic.ToDeviceBytes + simd.Training.Traffic.FromDeviceBytes);
        Assert.Equal(simd.Training.Traffic.XBytesRead > 0, ilgpu.Training.Traffic.XBytesRead > 0);
    }

    [Fact]
    public void CrossValidationMatchesTheSimdBackend()
    {
        var (x, y) = RandomProblems.Make(36, 40, seed: 4);
        var settings = new EnetSettings { L1Ratios = [1.0, 0.5], NLambda = 10, Tolerance = 1e-15 };
        var data = new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(40) };
        var (simd, ilgpu) = FitBoth(settings, data, new CvOptions { Folds = 3, Seed = 7 });
        AssertSamePaths(simd, ilgpu, 1e-10);
        Assert.Equal(simd.Selected, ilgpu.Selected);
        for (int l = 0; l < simd.Paths.Length; l++)
        {
            var (a, b) = (simd.Paths[l].Cv!, ilgpu.Paths[l].Cv!);
            Assert.Equal(a.IndexMin, b.IndexMin);
            Assert.Equal(a.Index1se, b.Index1se);
            AssertCloseToLargest(a.Cvm, b.Cvm, 1e-9, "cvm");
        }
    }

    [Fact]
    public void MissingCellsAreFilledPerFoldOnTheDevice()
    {
        var (dense, y) = RandomProblems.Make(30, 20, seed: 9);
        var missing = Enumerable.Range(0, 20).Select(j => j % 3 == 0 ? new[] { j % 30, (j + 7) % 30 } : []).ToArray();
        var values = dense.Values.ToArray();
        for (int j = 0; j < 20; j++)
        {
            foreach (int i in missing[j])
            {
                values[(j * 30) + i] = 0;
            }
        }

        var x = new DenseMatrix(30, 20, values).WithMissing(missing);
        // The path stops at λ_max/10: below, 20 training rows of 20 features converge slowly (tens of thousands of sweeps).
        var settings = new EnetSettings { L1Ratios = [1.0], NLambda = 8, LambdaMinRatio = 0.1, Tolerance = 1e-15 };
        var (simd, ilgpu) = FitBoth(settings, new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(20) }, new CvOptions { Folds = 3, Seed = 2 });
        AssertSamePaths(simd, ilgpu, 1e-10);
    }

    private static (EnetModel Simd, EnetModel Ilgpu) FitBoth(EnetSettings settings, TrainingData data, CvOptions? cv)
    {
        using var cpu = new CpuBackend(2);
        using var device = IlgpuBackend.CreateCpu();
        EnetModel Run(IKernelBackend backend)
        {
            var fitter = new EnetFitter(backend, settings);
            return cv is null ? fitter.Fit(data) : fitter.CrossValidate(data, cv);
        }

        return (Run(cpu), Run(device));
    }

    private static void AssertSamePaths(EnetModel expected, EnetModel actual, double relative)
    {
        Assert.Equal(expected.Paths.Length, actual.Paths.Length);
        int p = expected.Features.Length;
        var a = new double[p];
        var b = new double[p];
        for (int l = 0; l < expected.Paths.Length; l++)
        {
            var (e, g) = (expected.Paths[l], actual.Paths[l]);
            // λ_max comes from a gradient summed in another order: the sequences agree to rounding.
            AssertCloseToLargest(e.Lambda, g.Lambda, 1e-13, $"path {l} lambda");
            double largest = 1e-300, worst = 0;
            for (int k = 0; k < e.Count; k++)
            {
                e.Beta[k].ToDense(a);
                g.Beta[k].ToDense(b);
                for (int j = 0; j < p; j++)
                {
                    largest = Math.Max(largest, Math.Abs(a[j]));
                    worst = Math.Max(worst, Math.Abs(a[j] - b[j]));
                }

                largest = Math.Max(largest, Math.Abs(e.Intercept[k]));
                worst = Math.Max(worst, Math.Abs(e.Intercept[k] - g.Intercept[k]));
            }

            Assert.True(worst <= relative * largest, $"path {l}: largest difference {worst:E2} against largest coefficient {largest:E2}");
            Assert.Contains(e.Df, d => d > 0);
        }
    }

    private static void AssertCloseToLargest(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        double largest = expected.Max(Math.Abs);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= relative * largest, $"{what}[{k}]: {expected[k]} vs {actual[k]}");
        }
    }
}
