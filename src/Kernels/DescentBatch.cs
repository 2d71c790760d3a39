namespace GpuEnet.Kernels;

/// <summary>
/// Inputs and outputs of <see cref="IBoundDesign.ActiveSetDescent"/>: B problems, each with its own active set,
/// residual and weights, over one shared X. Entry arrays hold one value per (problem, active feature) pair,
/// problem b's entries at <c>[Offsets[b], Offsets[b+1])</c>.
/// </summary>
/// <remarks>
/// For every problem and every entry k (feature j = Feature[k]) one coordinate step computes
/// <c>g = Σ_i w_i x̃_ij r_i</c> (with <c>Σ_i w_i r_i</c> tracked in <see cref="WeightedResidualSum"/>),
/// <c>β' = clamp(S(g + Curvature·β, L1) / (Curvature + L2), Lower, Upper)</c> (S = soft threshold),
/// and <c>r −= (β' − β) x̃_j</c> on every row (held-out rows too, so their residual stays y − prediction).
/// Sweeps repeat until <c>max_k Curvature_k (β'−β)² &lt; Tolerance[b]</c> in a whole sweep, or <see cref="MaxSweeps"/>.
/// </remarks>
public sealed class DescentBatch
{
    /// <summary>Creates the work for <paramref name="batch"/> problems of <paramref name="rows"/> rows.</summary>
    public DescentBatch(int rows, int batch, int capacity)
    {
        Rows = rows;
        Batch = batch;
        Offsets = new int[batch + 1];
        Residual = new double[(long)rows * batch];
        Weights = new double[(long)rows * batch];
        WeightedResidualSum = new double[batch];
        Tolerance = new double[batch];
        Sweeps = new int[batch];
        Converged = new bool[batch];
        EnsureCapacity(capacity);
    }

    /// <summary>Rows n.</summary>
    public int Rows { get; }

    /// <summary>Problems B.</summary>
    public int Batch { get; }

    /// <summary>Entry ranges per problem (length B + 1).</summary>
    public int[] Offsets { get; }

    /// <summary>Residuals r (n × B), updated in place.</summary>
    public double[] Residual { get; }

    /// <summary>Observation weights (n × B); 0 on rows a problem does not train on.</summary>
    public double[] Weights { get; }

    /// <summary>Σ_i w_i r_i per problem, kept current by the kernel.</summary>
    public double[] WeightedResidualSum { get; }

    /// <summary>Convergence threshold per problem on max Curvature·Δβ².</summary>
    public double[] Tolerance { get; }

    /// <summary>Most sweeps per call (1 = a single screening sweep).</summary>
    public int MaxSweeps { get; set; } = 100_000;

    /// <summary>Output: sweeps done per problem.</summary>
    public int[] Sweeps { get; }

    /// <summary>Output: whether the tolerance was met per problem.</summary>
    public bool[] Converged { get; }

    /// <summary>Feature index j per entry.</summary>
    public int[] Feature { get; private set; } = [];

    /// <summary>Coefficient on the standardised scale per entry, updated in place.</summary>
    public double[] Beta { get; private set; } = [];

    /// <summary>Centre c_jb per entry.</summary>
    public double[] Centre { get; private set; } = [];

    /// <summary>1/s_jb per entry.</summary>
    public double[] InverseScale { get; private set; } = [];

    /// <summary>Value of a missing x_ij per entry (read only where the source has missing values).</summary>
    public double[] Fill { get; private set; } = [];

    /// <summary>Σ_i w_i x̃_ij per entry (0 for a centred column): how a step moves Σ w r.</summary>
    public double[] WeightedSum { get; private set; } = [];

    /// <summary>Σ_i w_i x̃_ij² per entry.</summary>
    public double[] Curvature { get; private set; } = [];

    /// <summary>λ·a·v_j per entry.</summary>
    public double[] L1 { get; private set; } = [];

    /// <summary>λ·(1−a)·v_j per entry.</summary>
    public double[] L2 { get; private set; } = [];

    /// <summary>Lower bound on the standardised scale per entry (−∞ when none).</summary>
    public double[] Lower { get; private set; } = [];

    /// <summary>Upper bound on the standardised scale per entry (+∞ when none).</summary>
    public double[] Upper { get; private set; } = [];

    /// <summary>Entries across all problems.</summary>
    public int Count => Offsets[Batch];

    /// <summary>Grows the entry arrays to hold at least <paramref name="capacity"/> entries.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (Feature.Length >= capacity)
        {
            return;
        }

        int size = Math.Max(capacity, Feature.Length * 2);
        Feature = Grow(Feature, size);
        Beta = Grow(Beta, size);
        Centre = Grow(Centre, size);
        InverseScale = Grow(InverseScale, size);
        Fill = Grow(Fill, size);
        WeightedSum = Grow(WeightedSum, size);
        Curvature = Grow(Curvature, size);
        L1 = Grow(L1, size);
        L2 = Grow(L2, size);
        Lower = Grow(Lower, size);
        Upper = Grow(Upper, size);
    }

    private static T[] Grow<T>(T[] old, int size)
    {
        var grown = new T[size];
        old.AsSpan().CopyTo(grown);
        return grown;
    }
}
