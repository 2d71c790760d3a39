using GpuEnet.Kernels;
using GpuEnet.Kernels.Ilgpu;
using GpuEnet.Kernels.Projection;
using GpuEnet.Solver;
using GpuEnet.Tests.Solver;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// The traffic the ILGPU backend counts, checked from outside: the one upload of X, the p × B results that the current
/// contract still brings back, and the model of it (<see cref="ModelledGpuBackend"/>, which bench/gpu/project uses at sizes
/// the CPU accelerator cannot run) equal to the real counts on the same cross-validation.
/// </summary>
public sealed class IlgpuTrafficTests
{
    [Fact]
    public void ModelledTrafficEqualsTheIlgpuBackendsCounts()
    {
        var (x, y) = RandomProblems.Make(30, 50, seed: 6);
        var data = new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(50) };
        var settings = new EnetSettings { L1Ratios = [1.0, 0.5], NLambda = 8 };
        var cv = new CvOptions { Folds = 3, Seed = 1 };
        using var device = IlgpuBackend.CreateCpu();
        var real = new EnetFitter(device, settings).CrossValidate(data, cv).Training.Traffic;
        using var modelled = new ModelledGpuBackend(2);
        var model = new EnetFitter(modelled, settings).CrossValidate(data, cv).Training.Traffic;

        Assert.Equal(real.ToDeviceBytes, model.ToDeviceBytes);
        Assert.Equal(real.FromDeviceBytes, model.FromDeviceBytes);
        Assert.Equal(real.XBytesRead, model.XBytesRead);
        Assert.Equal(real.KernelLaunches, model.KernelLaunches);
        Assert.True(modelled.Designs.Single().Steps > 0);
    }

    /// <summary>
    /// The traffic target, on the ILGPU backend itself (CPU accelerator): a 10-fold CV (100 λ, early stop as usual)
    /// at n = 200, p = 20,000 moves less than 2 % of the bytes of X it reads across the host boundary, the one upload of X
    /// not counted. Fails with the per-entry descent constants or the p × B gradient codes this contract replaced
    /// (6.2 % measured with them, bench/results/epyc-2core-gpu-projection.md).
    /// </summary>
    [Fact]
    public void TenFoldCvMovesUnderTwoPercentOfTheXBytesItReads()
    {
        var (x, y) = RandomProblems.Make(200, 20_000, seed: 11);
        var data = new TrainingData { X = x, Y = y, Features = PathSolverTests.Names(20_000) };
        var settings = new EnetSettings { L1Ratios = [1.0] };
        var cv = new CvOptions { Folds = 10, Seed = 3 };
        using var device = IlgpuBackend.CreateCpu();
        var traffic = new EnetFitter(device, settings).CrossValidate(data, cv).Training.Traffic;

        long moved = traffic.ToDeviceBytes + traffic.FromDeviceBytes - x.StorageBytes;
        double share = (double)moved / traffic.XBytesRead;
        Assert.True(share < 0.02, $"moved {moved:N0} B besides X's upload, {share:P2} of the {traffic.XBytesRead:N0} B of X read");
        // Full passes: every KKT pass reads all of X once, so X was read many times over.
        Assert.True(traffic.XBytesRead > 50 * x.StorageBytes, $"X read {traffic.XBytesRead:N0} B, X is {x.StorageBytes:N0} B");
    }

    [Fact]
    public void XGoesUpOnceAndAGradientComesDownOnce()
    {
        var (x, _) = RandomProblems.Make(20, 30, seed: 2);
        using var device = IlgpuBackend.CreateCpu();
        using IBoundDesign design = device.Bind(x);
        Assert.Equal(x.StorageBytes, design.Traffic.ToDeviceBytes);
        Assert.Equal(0, design.Traffic.KernelLaunches);

        var residuals = KernelContractTests.RandomValues(20 * 3, seed: 1, 0);
        var gradient = new double[30 * 3];
        design.BatchedGradient([], residuals, 3, null, gradient);
        Assert.Equal(x.StorageBytes + (20 * 3 * sizeof(double)), design.Traffic.ToDeviceBytes);
        Assert.Equal(30 * 3 * sizeof(double), design.Traffic.FromDeviceBytes);
        Assert.Equal(x.StorageBytes, design.Traffic.XBytesRead);
        Assert.Equal(1, design.Traffic.KernelLaunches);
    }
}
