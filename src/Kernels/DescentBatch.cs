namespace GpuEnet.Kernels;

/// <summary>
/// Inputs and outputs of <see cref="IBoundDesign.ActiveSetDescent"/>: B problems, each with its own active set,
/// residual and weights, over one shared X. Entry arrays hold one value per (problem, active feature) pair,
/// problem b's entries at <c>[Offsets[b], Offsets[b+1])</c>; everything that is fixed per problem or per feature is
/// given once, by handle (<see cref="Transform"/>, <see cref="Penalty"/>, the bounds), so a device backend keeps it
/// resident and a call moves only the entries (feature, β, curvature, weighted sum) and the per-problem scalars.
/// </summary>
/// <remarks>
/// For every problem b and every entry k (feature j = Feature[k]) one coordinate step computes
/// <c>g = Σ_i w_i x̃_ij r_i</c> with x̃ from <see cref="Transform"/> at transform problem <c>Transform.Problem(b)</c>
/// (with <c>Σ_i w_i r_i</c> tracked in <see cref="WeightedResidualSum"/>),
/// <c>β' = clamp(S(g + Curvature·β, L1) / (Curvature + L2), lower, upper)</c> (S = soft threshold; L1, L2 and the
/// bounds from <see cref="L1At"/>, <see cref="L2At"/>, <see cref="LowerAt"/> and <see cref="UpperAt"/>),
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
        L1Scale = new double[batch];
        L2Scale = new double[batch];
        TargetScale = new double[batch];
        Array.Fill(TargetScale, 1.0);
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

    /// <summary>λ·a per problem: entry k of problem b has L1 = L1Scale[b]·Penalty[j].</summary>
    public double[] L1Scale { get; }

    /// <summary>λ·(1−a) (times any ridge scaling) per problem: entry k of problem b has L2 = L2Scale[b]·Penalty[j].</summary>
    public double[] L2Scale { get; }

    /// <summary>The target's scale s_y per problem (1 by default): a bound u on β is u/(1/s_j)/s_y on the standardised β̃.</summary>
    public double[] TargetScale { get; }

    /// <summary>
    /// The per-problem standardisation (p × problems); problem b of this batch uses transform problem
    /// <c>Transform.Problem(b)</c>. Kept by identity of its arrays: a device backend uploads it once.
    /// </summary>
    public ColumnTransform Transform { get; set; } = new(0, 0);

    /// <summary>Penalty factor v_j per feature (p). Kept by identity.</summary>
    public double[] Penalty { get; set; } = [];

    /// <summary>Lower bound per feature on the original scale (p), or null for none. Kept by identity.</summary>
    public double[]? LowerBound { get; set; }

    /// <summary>Upper bound per feature on the original scale (p), or null for none. Kept by identity.</summary>
    public double[]? UpperBound { get; set; }

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




    /// <summary>Σ_i w_i x̃_ij per entry (0 for a centred column): how a step moves Σ w r.</summary>
    public double[] WeightedSum { get; private set; } = [];

    /// <summary>Σ_i w_i x̃_ij² per entry.</summary>
    public double[] Curvature { get; private set; } = [];





    /// <summary>Entries across all problems.</summary>
    public int Count => Offsets[Batch];

    /// <summary>Index into <see cref="Transform"/>'s arrays of feature <paramref name="j"/> for problem <paramref name="b"/>.</summary>
    public long TransformAt(int b, int j) => ((long)Transform.Problem(b) * Transform.Columns) + j;

    /// <summary>The L1 weight of feature <paramref name="j"/> in problem <paramref name="b"/>: L1Scale[b]·v_j.</summary>
    public double L1At(int b, int j) => L1Scale[b] * Penalty[j];

    /// <summary>The L2 weight of feature <paramref name="j"/> in problem <paramref name="b"/>: L2Scale[b]·v_j.</summary>
    public double L2At(int b, int j) => L2Scale[b] * Penalty[j];

    /// <summary>The lower bound of β̃_j in problem <paramref name="b"/>, whose inverse scale for j is <paramref name="inverseScale"/>.</summary>
    public double LowerAt(int b, int j, double inverseScale) =>
        StandardisedBound(LowerBound is null ? double.NegativeInfinity : LowerBound[j], inverseScale, TargetScale[b]);

    /// <summary>The upper bound of β̃_j in problem <paramref name="b"/>, whose inverse scale for j is <paramref name="inverseScale"/>.</summary>
    public double UpperAt(int b, int j, double inverseScale) =>
        StandardisedBound(UpperBound is null ? double.PositiveInfinity : UpperBound[j], inverseScale, TargetScale[b]);

    /// <summary>
    /// A bound u on β (original scale) as a bound on β̃ = β/(inverseScale·s_y): u/inverseScale/s_y, or u itself for a
    /// constant column (inverseScale 0, whose β̃ never moves). Every backend and the solver use this one formula.
    /// </summary>
    public static double StandardisedBound(double bound, double inverseScale, double targetScale) =>
        inverseScale == 0 ? bound : bound / inverseScale / targetScale;

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
        WeightedSum = Grow(WeightedSum, size);
        Curvature = Grow(Curvature, size);
    }

    private static T[] Grow<T>(T[] old, int size)
    {
        var grown = new T[size];
        old.AsSpan().CopyTo(grown);
        return grown;
    }
}
