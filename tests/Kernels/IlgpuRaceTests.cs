using GpuEnet.Kernels;
using GpuEnet.Kernels.Ilgpu;
using ILGPU.Runtime.CPU;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// Race hunt: the descent and gradient kernels under several group sizes, device shapes and schedules, on the cases
/// where an unsynchronised read shows — a single usable entry (no other entry's barriers separate one sweep's write of β
/// from the next sweep's read), L2 &gt; 0, a bound that binds, missing cells — repeated, and compared with the plain C#
/// reference each time and bit for bit with the first run (the reductions are fixed-order trees, so any difference
/// between runs is a race).
/// </summary>
public sealed class IlgpuRaceTests
{
    private const int Repeats = 12;

    public static TheoryData<int, int, int, int, bool> Shapes() => new()
    {
        // threads per warp, warps per multiprocessor, multiprocessors, group size, parallel scheduling
        { 4, 1, 1, 4, true },
        { 4, 4, 2, 16, true },
        { 2, 4, 3, 8, true },
        { 4, 4, 1, 16, false },
        { 32, 2, 1, 64, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DescentWithOneUsableEntryIsExactEveryRun(int warp, int warps, int processors, int group, bool parallel)
    {
        IColumnSource x = KernelContractTests.RandomMissingDesign(11, 8, seed: 17);
        using IlgpuBackend backend = Create(warp, warps, processors, group, parallel);
        using IBoundDesign design = backend.Bind(x);
        DescentBatch first = OneUsableEntry(x);
        ReferenceKernels.ActiveSetDescent(x, first);
        double[]? firstBeta = null, firstResidual = null;
        for (int run = 0; run < Repeats; run++)
        {
            DescentBatch work = OneUsableEntry(x);
            design.ActiveSetDescent(work);
            KernelContractTests.AssertClose(first.Beta.AsSpan(0, first.Count), work.Beta.AsSpan(0, work.Count), 1e-12, $"beta, run {run}");
            KernelContractTests.AssertClose(first.Residual, work.Residual, 1e-12, $"residual, run {run}");
            Assert.Equal(first.Sweeps[0], work.Sweeps[0]);
            Assert.True(work.Converged[0], $"run {run} did not converge");
            firstBeta ??= work.Beta.AsSpan(0, work.Count).ToArray();
            firstResidual ??= (double[])work.Residual.Clone();
            Assert.Equal(firstBeta, work.Beta.AsSpan(0, work.Count).ToArray());
            Assert.Equal(firstResidual, work.Residual);
        }

        // The bound binds: the unconstrained step would go past it.
        Assert.Equal(first.UpperAt(0, 0, first.Transform.InverseScale[0]), first.Beta[0]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchedGradientWithMissingCellsIsIdenticalEveryRun(int warp, int warps, int processors, int group, bool parallel)
    {
        IColumnSource x = KernelContractTests.RandomMissingDesign(13, 9, seed: 3);
        int batch = 6;
        double[] residuals = KernelContractTests.RandomValues(13 * batch, seed: 8, 0);
        ColumnTransform transform = KernelContractTests.RandomTransform(9, batch, seed: 2);
        double[] expected = ReferenceKernels.BatchedGradient(x, [], residuals, batch, transform);
        using IlgpuBackend backend = Create(warp, warps, processors, group, parallel);
        using IBoundDesign design = backend.Bind(x);
        double[]? firstRun = null;
        for (int run = 0; run < Repeats; run++)
        {
            var gradient = new double[9 * batch];
            design.BatchedGradient([], residuals, batch, transform, gradient);
            KernelContractTests.AssertClose(expected, gradient, 1e-12, $"gradient, run {run}");
            firstRun ??= gradient;
            Assert.Equal(firstRun, gradient);
        }
    }

    private static IlgpuBackend Create(int warp, int warps, int processors, int group, bool parallel) =>
        IlgpuBackend.CreateCpu(new CPUDevice(warp, warps, processors), group, parallel ? CPUAcceleratorMode.Parallel : CPUAcceleratorMode.Sequential);

    // Two problems; in each, entry 0 (feature 0) is the only usable entry: the others have curvature 0 or inverse scale 0.
    // Entry 0 has L2 > 0 and an upper bound below its unconstrained optimum.
    private static DescentBatch OneUsableEntry(IColumnSource x)
    {
        DescentBatch work = KernelContractTests.DescentProblem(x, 2, seed: 5);
        for (int b = 0; b < 2; b++)
        {
            int start = work.Offsets[b];
            for (int k = start + 1; k < work.Offsets[b + 1]; k++)
            {
                if (k % 2 == 0)
                {
                    work.Curvature[k] = 0;
                }
                else
                {
                    work.Transform.InverseScale[k] = 0; // entry k is transform index k: every problem lists all features
                }
            }

            work.L1Scale[b] = 0.01;
            work.L2Scale[b] = 0.2;
        }

        work.UpperBound![0] = 0.05;
        work.LowerBound![0] = -0.05;

        return work;
    }
}
