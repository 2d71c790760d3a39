using ILGPU;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// Fixed-order tree sums over one group, for explicitly grouped kernels. The group size must be a power of two no larger
/// than <see cref="MaxGroupSize"/>. Every thread gets the same total, and the tree has one shape for a given group size,
/// so a launch gives bit-identical results run after run (ILGPU's <c>GroupExtensions.Reduce</c> adds through shared-memory
/// atomics on PTX, in whatever order they land, and is therefore not used).
/// </summary>
/// <remarks>
/// Synchronisation: a barrier after the writes of the leaves, one after every level of the tree, and one after every
/// thread has read the root, so that the next call may overwrite the shared slots.
/// </remarks>
internal static class GroupReduce
{
    /// <summary>Largest group the kernels are launched with (shared arrays are sized for it).</summary>
    public const int MaxGroupSize = 256;

    /// <summary>Σ over the group of <paramref name="value"/>; <paramref name="shared"/> holds at least the group size.</summary>
    public static double Sum(ArrayView<double> shared, double value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int stride = Group.DimX >> 1; stride > 0; stride >>= 1)
        {
            if (t < stride)
            {
                shared[t] += shared[t + stride];
            }

            Group.Barrier();
        }

        double total = shared[0];
        Group.Barrier();
        return total;
    }

    /// <summary>
    /// Four sums at once (one tree, four lanes): <paramref name="shared"/> holds 4 × the group size, lane l of thread t at
    /// <c>l·MaxGroupSize + t</c>. The totals are left in <c>shared[l·MaxGroupSize]</c> for the caller to read; the caller
    /// must call <see cref="Release"/> after reading them.
    /// </summary>
    public static void Sum4(ArrayView<double> shared, double a, double b, double c, double d)
    {
        int t = Group.IdxX;
        shared[t] = a;
        shared[MaxGroupSize + t] = b;
        shared[(2 * MaxGroupSize) + t] = c;
        shared[(3 * MaxGroupSize) + t] = d;
        Group.Barrier();
        for (int stride = Group.DimX >> 1; stride > 0; stride >>= 1)
        {
            if (t < stride)
            {
                shared[t] += shared[t + stride];
                shared[MaxGroupSize + t] += shared[MaxGroupSize + t + stride];
                shared[(2 * MaxGroupSize) + t] += shared[(2 * MaxGroupSize) + t + stride];
                shared[(3 * MaxGroupSize) + t] += shared[(3 * MaxGroupSize) + t + stride];
            }

            Group.Barrier();
        }
    }

    /// <summary>Ends a <see cref="Sum4"/>: every thread has read the totals, the slots may be reused.</summary>
    public static void Release() => Group.Barrier();
}
