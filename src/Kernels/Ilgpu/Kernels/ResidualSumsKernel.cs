using ILGPU;

namespace GpuEnet.Kernels.Ilgpu.Kernels;

/// <summary>
/// <c>sums[q] = Σ_i r_iq</c> for each residual column q of an n × Q matrix: the Σr term of the algebraic centring
/// x̃ᵀr = s·(xᵀr − c·Σr + fill·Σ_missing r). Launch: one group per residual column, fixed-order tree. Traffic: R once.
/// </summary>
internal static class ResidualSumsKernel
{
    public static void Run(ArrayView<double> residuals, int rows, ArrayView<double> sums)
    {
        var shared = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        int q = Grid.IdxX;
        long offset = (long)q * rows;
        double s = 0.0;
        for (int i = Group.IdxX; i < rows; i += Group.DimX)
        {
            s += residuals[offset + i];
        }

        double total = GroupReduce.Sum(shared, s);
        if (Group.IdxX == 0)
        {
            sums[q] = total;
        }
    }
}
