using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>
/// What a <see cref="DescentBatch"/> keeps per problem and per feature, resident on the device: the transform (problem b
/// reads transform problem <c>Transform.ProblemOf[b]</c>), penalty factors and the bounds on the original scale
/// (<c>HasLower</c>/<c>HasUpper</c> 0: none).
/// </summary>
internal readonly record struct DescentShared(TransformView Transform, ArrayView<double> Penalty, ArrayView<double> LowerBound,
    ArrayView<double> UpperBound, int HasLower, int HasUpper)
{
    /// <summary><see cref="DescentBatch.StandardisedBound"/>: the same formula, so every backend clamps to the same value.</summary>
    public static double Standardised(double bound, double inverseScale, double targetScale) =>
        inverseScale == 0.0 ? bound : bound / inverseScale / targetScale;
}

/// <summary>The per-entry arrays of a <see cref="DescentBatch"/> on the device (one value per problem × active feature).</summary>
internal readonly record struct DescentEntries(ArrayView<int> Feature, ArrayView<double> Beta, ArrayView<double> WeightedSum,
    ArrayView<double> Curvature);

/// <summary>
/// The per-problem state of a <see cref="DescentBatch"/> on the device. <c>Scalars</c> holds <see cref="ScalarCount"/> arrays of
/// B values each: Σ w r (updated), tolerance, λ·a, λ·(1−a), the target scale.
/// </summary>
internal readonly record struct DescentProblems(ArrayView<int> Offsets, ArrayView<double> Residual, ArrayView<double> Weights,
    ArrayView<double> Scalars, int Batch, ArrayView<int> Sweeps, ArrayView<int> Converged)
{
    /// <summary>Per-problem scalars sent with each call.</summary>
    public const int ScalarCount = 5;
}

/// <summary>
/// Whole coordinate-descent sweeps over each problem's active entries (the contract's
/// <see cref="IBoundDesign.ActiveSetDescent"/>, as <see cref="DescentBatch"/> states it). For entry e (feature j):
/// skip it when curvature ≤ 0 or s = 0 (c, s and the fill read from the resident transform); else
/// g = s·Σ_i w_i (x_ij − c) r_i (a missing x_ij counts as the fill, plus its cell value when the transform has cells),
/// β' = clamp(S(g + curvature·β, λa·v_j)/(curvature + λ(1−a)·v_j), lower, upper) (bounds standardised as the host
/// does), and when β' ≠ β: r_i −= (β'−β)·s·(x_ij − c) on every row, Σ w r −= (β'−β)·weightedSum. Sweeps repeat until max curvature·(β'−β)² &lt; tolerance, or maxSweeps.
/// </summary>
/// <remarks>
/// Launch: one group per problem (grid = B), rows strided over the group's threads; one launch per call, never one per
/// coordinate. Synchronisation it relies on:
/// <list type="bullet">
/// <item>the gradient is a fixed-order tree (<see cref="GroupReduce.Sum"/>), so every thread computes the same β' and the
/// same convergence decision: all branches on them are uniform and every thread reaches the same barriers;</item>
/// <item>thread t reduces over, and then updates, the same rows (t, t + G, …), so the dense pass needs no barrier; with
/// per-cell fills, a cell's row may be another thread's, so a barrier separates the dense update from the cells' update,
/// and the barrier that ends the entry separates the cells' update from the next entry's reads;</item>
/// <item>β is read by every thread and written by thread 0 only, followed by a barrier: no thread can read an entry's β
/// (in the next sweep) before the write of this sweep has landed. (The CUDA C kernel this replaces wrote β after its last
/// barrier; with a single usable entry the next sweep's read raced with that write.)</item>
/// </list>
/// Traffic per coordinate step: column j (from cache after the first sweep when the active set fits), w and r read once,
/// r written once when β moves; 2·log₂G + 2 barriers.
/// </remarks>
internal static class ActiveSetDescentKernel
{
    public static void Run(DesignView x, DescentShared shared, DescentEntries entries, DescentProblems problems, int maxSweeps)
    {
        var reduction = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        int b = Grid.IdxX;
        int t = Group.IdxX;
        int n = x.Rows;
        int batch = problems.Batch;
        long rowBase = (long)b * n;
        int begin = problems.Offsets[b];
        int end = problems.Offsets[b + 1];
        double weightedResidualSum = problems.Scalars[b];
        double tolerance = problems.Scalars[batch + b];
        double l1Scale = problems.Scalars[(2 * batch) + b];
        double l2Scale = problems.Scalars[(3 * batch) + b];
        double targetScale = problems.Scalars[(4 * batch) + b];
        var transform = shared.Transform;
        int sweep = 0;
        int converged = 0;
        while (sweep < maxSweeps)
        {
            sweep++;
            double maxChange = 0.0;
            for (int e = begin; e < end; e++)
            {
                int j = entries.Feature[e];
                long at = transform.At(b, j);
                double curvature = entries.Curvature[e];
                double scale = transform.InverseScale[at];
                if (curvature <= 0.0 || scale == 0.0)
                {
                    continue;
                }

                double c = transform.Centre[at];
                double fill = transform.Fill[at];
                double old = entries.Beta[e];
                double partial = 0.0;
                for (int i = t; i < n; i += Group.DimX)
                {
                    double v = x.Read(j, i);
                    double xv = double.IsNaN(v) ? fill : v;
                    partial += problems.Weights[rowBase + i] * (xv - c) * problems.Residual[rowBase + i];
                }

                if (transform.HasCells != 0)
                {
                    for (int cell = transform.CellStart[j] + t; cell < transform.CellStart[j + 1]; cell += Group.DimX)
                    {
                        long row = rowBase + transform.CellRow[cell];
                        partial += problems.Weights[row] * transform.CellValue[transform.CellAt(b, cell)] * problems.Residual[row];
                    }
                }

                double g = scale * GroupReduce.Sum(reduction, partial);
                double z = g + (curvature * old);
                double penalty = shared.Penalty[j];
                double magnitude = (z < 0.0 ? -z : z) - (l1Scale * penalty);
                double updated = 0.0;
                if (magnitude > 0.0)
                {
                    updated = (z < 0.0 ? -magnitude : magnitude) / (curvature + (l2Scale * penalty));
                }

                if (shared.HasLower != 0)
                {
                    double lower = DescentShared.Standardised(shared.LowerBound[j], scale, targetScale);
                    updated = updated < lower ? lower : updated;
                }

                if (shared.HasUpper != 0)
                {
                    double upper = DescentShared.Standardised(shared.UpperBound[j], scale, targetScale);
                    updated = updated > upper ? upper : updated;
                }

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

                if (transform.HasCells != 0)
                {
                    // A cell's row may belong to another thread's stride: its dense update must land first.
                    Group.Barrier();
                    for (int cell = transform.CellStart[j] + t; cell < transform.CellStart[j + 1]; cell += Group.DimX)
                    {
                        problems.Residual[rowBase + transform.CellRow[cell]] -= step * transform.CellValue[transform.CellAt(b, cell)];
                    }
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
            problems.Scalars[b] = weightedResidualSum;
            problems.Sweeps[b] = sweep;
            problems.Converged[b] = converged;
        }
    }
}
