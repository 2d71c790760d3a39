using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>
/// Weighted squared distances from query rows to every row over the columns present in both (the contract's
/// <see cref="IBoundDesign.RowDistances"/>): <c>distance[q·n + d] = Σ_j w_j (x_{queries[q],j} − x_dj)²</c> and
/// <c>shared[q·n + d]</c> = the number of such columns, j in increasing order (the CPU backend's order, so both backends
/// give the same bits).
/// </summary>
/// <remarks>
/// Launch: one group per query row (grid = |queries|), donor rows strided over the group's threads; each thread walks
/// all p columns for its donors. No shared memory and no barrier: every output has one writer. Traffic: X read once per
/// group (x_{q,j} is the same address for all threads of a group, x_dj coalesced over d), 2·|queries|·n doubles written.
/// </remarks>
internal static class RowDistancesKernel
{
    public static void Run(DesignView x, ArrayView<int> queries, ArrayView<double> columnWeights, int columns,
        ArrayView<double> distance, ArrayView<double> shared)
    {
        int q = Grid.IdxX;
        int i = queries[q];
        int n = x.Rows;
        for (int d = Group.IdxX; d < n; d += Group.DimX)
        {
            double sum = 0.0;
            double count = 0.0;
            for (int j = 0; j < columns; j++)
            {
                double xi = x.Read(j, i);
                double xd = x.Read(j, d);
                if (!double.IsNaN(xi) && !double.IsNaN(xd))
                {
                    double diff = xd - xi;
                    sum += columnWeights[j] * (diff * diff);
                    count += 1.0;
                }
            }

            distance[((long)q * n) + d] = sum;
            shared[((long)q * n) + d] = count;
        }
    }
}
