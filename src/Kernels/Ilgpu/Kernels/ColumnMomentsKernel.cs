using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>
/// Weighted column moments for every column j and problem b (the contract's <see cref="IBoundDesign.ColumnMoments"/>):
/// <c>present[j,b] = Σ w_ib</c>, <c>sum[j,b] = Σ w_ib x_ij</c> and, when <c>withSquares</c> is 1,
/// <c>squares[j,b] = Σ w_ib (x_ij − centre[j,b])²</c>, all over the rows where x_ij is present. Outputs are p × B.
/// </summary>
/// <remarks>
/// Launch: one group per column (grid = p), rows strided over the group's threads, one four-lane fixed-order tree
/// (<see cref="GroupReduce.Sum4"/>) per problem. Traffic: column j is read B times from the group's cache lines (once from
/// device memory), w read once per (column, problem), 3 doubles written per (column, problem).
/// </remarks>
internal static class ColumnMomentsKernel
{
    public static void Run(DesignView x, ArrayView<double> weights, int batch, ArrayView<double> centre, int withSquares,
        ArrayView<double> present, ArrayView<double> sum, ArrayView<double> squares)
    {
        var shared = SharedMemory.Allocate<double>(4 * GroupReduce.MaxGroupSize);
        int j = Grid.IdxX;
        int t = Group.IdxX;
        int n = x.Rows;
        int p = Grid.DimX;
        for (int b = 0; b < batch; b++)
        {
            long rowBase = (long)b * n;
            long at = ((long)b * p) + j;
            double c = withSquares != 0 ? centre[at] : 0.0;
            double w0 = 0.0, s1 = 0.0, s2 = 0.0;
            for (int i = t; i < n; i += Group.DimX)
            {
                double v = x.Read(j, i);
                if (!double.IsNaN(v))
                {
                    double w = weights[rowBase + i];
                    w0 += w;
                    s1 += w * v;
                    double d = v - c;
                    s2 += w * d * d;
                }
            }

            GroupReduce.Sum4(shared, w0, s1, s2, 0.0);
            if (t == 0)
            {
                present[at] = shared[0];
                sum[at] = shared[GroupReduce.MaxGroupSize];
                if (withSquares != 0)
                {
                    squares[at] = shared[2 * GroupReduce.MaxGroupSize];
                }
            }

            GroupReduce.Release();
        }
    }
}
