using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>
/// The per-problem standardisation as the gradient kernel reads it (p × problems, column-major): residual column q uses
/// problem <c>ProblemOf[q]</c>; <c>Enabled</c> 0 means x̃ = x. With <c>HasCells</c> 1, a missing cell also adds its own
/// value (<see cref="CellFills"/>: column j's cells are <c>[CellStart[j], CellStart[j+1])</c>, at rows <c>CellRow</c>,
/// problem q's values in set <c>CellSet[ProblemOf[q]]</c>).
/// </summary>
internal readonly record struct TransformView(ArrayView<double> Centre, ArrayView<double> InverseScale, ArrayView<double> Fill,
    ArrayView<int> ProblemOf, int Columns, int Enabled, ArrayView<int> CellStart, ArrayView<int> CellRow,
    ArrayView<double> CellValue, ArrayView<int> CellSet, int Cells, int HasCells)
{
    public long At(int q, int j) => ((long)ProblemOf[q] * Columns) + j;

    /// <summary>Index in <c>CellValue</c> of cell <paramref name="cell"/>'s value for residual column (or problem) q.</summary>
    public long CellAt(int q, int cell) => ((long)CellSet[ProblemOf[q]] * Cells) + cell;
}

/// <summary>
/// The compact output of a bounded gradient (see <see cref="GradientBound"/>): entries above their limit
/// <c>Threshold[q]·Penalty[j]</c> are appended exactly to <c>ExactIndex</c>/<c>ExactValue</c> (slot from an atomic counter:
/// the host places them by index, so their order does not matter); no other entry leaves the device (the host takes its
/// limit as the bound). <c>Enabled</c> 0: G is written in full.
/// </summary>
internal readonly record struct BoundView(ArrayView<double> Penalty, ArrayView<double> Threshold,
    ArrayView<int> ExactIndex, ArrayView<double> ExactValue, ArrayView<int> Counter, int Enabled)
{
    /// <summary>Appends G[k,q] (entry <c>at</c> of the |columns| × Q output) when it is above its limit.</summary>
    public void Store(long at, int j, int q, double g)
    {
        double limit = Threshold[q] * Penalty[j];
        double magnitude = g < 0 ? -g : g;
        if (magnitude > limit)
        {
            int slot = Atomic.Add(ref Counter[0], 1);
            ExactIndex[slot] = (int)at;
            ExactValue[slot] = g;
        }
    }
}

/// <summary>
/// <c>G[k,q] = Σ_i x̃_ij,q r_iq</c> for the listed columns j = columns[k] (all columns when <c>listed</c> is 0, k = j):
/// the memory-bound pass of the contract's <see cref="IBoundDesign.BatchedGradient"/>. A missing x_ij counts as the
/// problem's fill; with a transform, x̃ = (x − c)·s is applied algebraically: s·(Σ x r − c·Σ r), with Σ r from
/// <see cref="ResidualSumsKernel"/>.
/// </summary>
/// <remarks>
/// Launch: one group per listed column (grid = |columns|), rows strided over the group's threads, residuals four at a
/// time: each thread reads x_ij once per four residuals and keeps four float64 partial sums, then one four-lane
/// fixed-order tree. Traffic: the column from device memory once (re-read from cache for each group of four
/// residuals), R once per column from cache, |columns| × Q doubles written (with a bound: only the entries above their
/// limit).
/// </remarks>
internal static class BatchedGradientKernel
{
    public static void Run(DesignView x, ArrayView<int> columns, int listed, ArrayView<double> residuals, int batch,
        ArrayView<double> residualSums, TransformView transform, ArrayView<double> gradient, BoundView bound)
    {
        var shared = SharedMemory.Allocate<double>(4 * GroupReduce.MaxGroupSize);
        int k = Grid.IdxX;
        int count = Grid.DimX;
        int j = listed != 0 ? columns[k] : k;
        int t = Group.IdxX;
        int n = x.Rows;
        for (int q0 = 0; q0 < batch; q0 += 4)
        {
            int width = batch - q0 < 4 ? batch - q0 : 4;
            double f0 = 0.0, f1 = 0.0, f2 = 0.0, f3 = 0.0;
            if (transform.Enabled != 0)
            {
                f0 = transform.Fill[transform.At(q0, j)];
                f1 = width > 1 ? transform.Fill[transform.At(q0 + 1, j)] : 0.0;
                f2 = width > 2 ? transform.Fill[transform.At(q0 + 2, j)] : 0.0;
                f3 = width > 3 ? transform.Fill[transform.At(q0 + 3, j)] : 0.0;
            }

            double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
            long r0 = (long)q0 * n;
            for (int i = t; i < n; i += Group.DimX)
            {
                double v = x.Read(j, i);
                bool missing = double.IsNaN(v);
                a0 += (missing ? f0 : v) * residuals[r0 + i];
                if (width > 1)
                {
                    a1 += (missing ? f1 : v) * residuals[r0 + n + i];
                }

                if (width > 2)
                {
                    a2 += (missing ? f2 : v) * residuals[r0 + (2L * n) + i];
                }

                if (width > 3)
                {
                    a3 += (missing ? f3 : v) * residuals[r0 + (3L * n) + i];
                }
            }

            // Cells with their own fill (the dense loop read them as the column fill, 0 there): a sparse pass over the
            // column's cells, strided over the threads into the same partial sums.
            if (transform.HasCells != 0)
            {
                for (int cell = transform.CellStart[j] + t; cell < transform.CellStart[j + 1]; cell += Group.DimX)
                {
                    int row = transform.CellRow[cell];
                    a0 += transform.CellValue[transform.CellAt(q0, cell)] * residuals[r0 + row];
                    if (width > 1)
                    {
                        a1 += transform.CellValue[transform.CellAt(q0 + 1, cell)] * residuals[r0 + n + row];
                    }

                    if (width > 2)
                    {
                        a2 += transform.CellValue[transform.CellAt(q0 + 2, cell)] * residuals[r0 + (2L * n) + row];
                    }

                    if (width > 3)
                    {
                        a3 += transform.CellValue[transform.CellAt(q0 + 3, cell)] * residuals[r0 + (3L * n) + row];
                    }
                }
            }

            GroupReduce.Sum4(shared, a0, a1, a2, a3);
            // Threads write the (up to four) results; a group smaller than four writes them in turns.
            for (int l = t; l < width; l += Group.DimX)
            {
                int q = q0 + l;
                double raw = shared[l * GroupReduce.MaxGroupSize];
                if (transform.Enabled != 0)
                {
                    long problem = transform.At(q, j);
                    raw = transform.InverseScale[problem] * (raw - (transform.Centre[problem] * residualSums[q]));
                }

                long output = ((long)q * count) + k;
                if (bound.Enabled != 0)
                {
                    bound.Store(output, j, q, raw);
                }
                else
                {
                    gradient[output] = raw;
                }
            }

            GroupReduce.Release();
        }
    }
}
