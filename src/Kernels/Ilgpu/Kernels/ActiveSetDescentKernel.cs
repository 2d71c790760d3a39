using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>The per-entry arrays of a <see cref="DescentBatch"/> on the device (one value per problem × active feature).</summary>
internal readonly record struct DescentEntries(ArrayView<int> Feature, ArrayView<double> Beta, ArrayView<double> Centre,
    ArrayView<double> InverseScale, ArrayView<double> Fill, ArrayView<double> WeightedSum, ArrayView<double> Curvature,
    ArrayView<double> L1, ArrayView<double> L2, ArrayView<double> Lower, ArrayView<double> Upper);

/// <summary>The per-problem state of a <see cref="DescentBatch"/> on the device.</summary>
internal readonly record struct DescentProblems(ArrayView<int> Offsets, ArrayView<double> Residual, ArrayView<double> Weights,
    ArrayView<double> WeightedResidualSum, ArrayView<double> Tolerance, ArrayView<int> Sweeps, ArrayView<int> Converged);

/// <summary>
/// Whole coordinate-descent sweeps over each problem's active entries (the contract's
/// <see cref="IBoundDesign.ActiveSetDescent"/>, as <see cref="DescentBatch"/> states it). For entry e (feature j):
/// skip it when curvature ≤ 0 or s = 0; else g = s·Σ_i w_i (x_ij − c) r_i (a missing x_ij counts as the fill),
/// β' = clamp(S(g + curvature·β, l1)/(curvature + l2), lower, upper), and when β' ≠ β: r_i −= (β'−β)·s·(x_ij − c) on every
/// row, Σ w r −= (β'−β)·weightedSum. Sweeps repeat until max curvature·(β'−β)² &lt; tolerance, or maxSweeps.
/// </summary>
/// <remarks>
/// Launch: one group per problem (grid = B), rows strided over the group's threads; one launch per call, never one per
/// coordinate. Synchronisation it relies on:
/// <list type="bullet">
/// <item>the gradient is a fixed-order tree (<see cref="GroupReduce.Sum"/>), so every thread computes the same β' and the
/// same convergence decision: all branches on them are uniform and every thread reaches the same barriers;</item>
/// <item>thread t reduces over, and then updates, the same rows (t, t + G, …), so the residual needs no barrier;</item>
/// <item>β is read by every thread and written by thread 0 only, followed by a barrier: no thread can read an entry's β
/// (in the next sweep) before the write of this sweep has landed. (The CUDA C kernel this replaces wrote β after its last
/// barrier; with a single usable entry the next sweep's read raced with that write.)</item>
/// </list>
/// Traffic per coordinate step: column j (from cache after the first sweep when the active set fits), w and r read once,
/// r written once when β moves; 2·log₂G + 2 barriers.
/// </remarks>
internal static class ActiveSetDescentKernel
{
    public static void Run(DesignView x, DescentEntries entries, DescentProblems problems, int maxSweeps)
    {
        var shared = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        int b = Grid.IdxX;
        int t = Group.IdxX;
        int n = x.Rows;
        long rowBase = (long)b * n;
        int begin = problems.Offsets[b];
        int end = problems.Offsets[b + 1];
        double tolerance = problems.Tolerance[b];
        double weightedResidualSum = problems.WeightedResidualSum[b];
        int sweep = 0;
        int converged = 0;
        while (sweep < maxSweeps)
        {
            sweep++;
            double maxChange = 0.0;
            for (int e = begin; e < end; e++)
            {
                double curvature = entries.Curvature[e];
                double scale = entries.InverseScale[e];
                if (curvature <= 0.0 || scale == 0.0)
                {
                    continue;
                }

                int j = entries.Feature[e];
                double c = entries.Centre[e];
                double fill = entries.Fill[e];
                double old = entries.Beta[e];
                double partial = 0.0;
                for (int i = t; i < n; i += Group.DimX)
                {
                    double v = x.Read(j, i);
                    double xv = double.IsNaN(v) ? fill : v;
                    partial += problems.Weights[rowBase + i] * (xv - c) * problems.Residual[rowBase + i];
                }

                double g = scale * GroupReduce.Sum(shared, partial);
                double z = g + (curvature * old);
                double magnitude = (z < 0.0 ? -z : z) - entries.L1[e];
                double updated = 0.0;
                if (magnitude > 0.0)
                {
                    updated = (z < 0.0 ? -magnitude : magnitude) / (curvature + entries.L2[e]);
                }

                double lower = entries.Lower[e];
                double upper = entries.Upper[e];
                updated = updated < lower ? lower : updated;
                updated = updated > upper ? upper : updated;
                double delta = updated - old;
                if (delta == 0.0)
                {
                    continue;
                }

                double step = delta * scale;
                for (int i = t; i < n; i += Group.DimX)
                {
                    double v = x.Read(j, i);
                    double xv = double.IsNaN(v) ? fill : v;
                    problems.Residual[rowBase + i] -= step * (xv - c);
                }

                weightedResidualSum -= delta * entries.WeightedSum[e];
                double change = curvature * delta * delta;
                maxChange = change > maxChange ? change : maxChange;
                if (t == 0)
                {
                    entries.Beta[e] = updated;
                }

                Group.Barrier();
            }

            if (maxChange < tolerance)
            {
                converged = 1;
                break;
            }
        }

        if (t == 0)
        {
            problems.WeightedResidualSum[b] = weightedResidualSum;
            problems.Sweeps[b] = sweep;
            problems.Converged[b] = converged;
        }
    }
}
