namespace GpuEnet.Solver.Path;

/// <summary>
/// The duality gap of DESIGN.md's problem, on the standardised scale, from a full gradient g = X̃ᵀW r.
/// With θ = s·r the gap is ½(1−s)²·Σw r² + Σ_j [h_j(β_j) + h_j*(s g_j) − s g_j β_j], where h_j is feature j's
/// penalty plus box constraint and h_j* its convex conjugate; s ≤ 1 is the largest scaling that keeps every
/// h_j*(s g_j) finite. Each term is ≥ 0, and the gap bounds the distance of the objective from the optimum.
/// With a ridge part every h_j* is finite at s = 1, but (|g| − λa)²/(2λ(1−a)) is a useless bound when λ(1−a) is tiny
/// (a y of small magnitude makes it so); the lasso scaling s = min λa v_j/|g_j| is also feasible and is used when it
/// gives the smaller gap — any feasible dual point gives a valid bound.
/// </summary>
/// <remarks>
/// An unpenalised feature without bounds has h* = ∞ off z = 0, which no scaling fixes; for those the term
/// |g_j β_j| (the stationarity residual) is used instead, so with such covariates the gap is a measure, not a bound.
/// </remarks>
internal static class DualityGap
{
    /// <summary>One feature's penalty data on the standardised scale.</summary>
    public readonly record struct Term(double Beta, double Gradient, double L1, double L2, double Lower, double Upper);

    /// <summary>
    /// The gap from the gradients of the listed features (<paramref name="features"/>[k] has gradient[k]; null: all p,
    /// in order) and dense spans over p: coefficients β (standardised scale), penalty factors v, and bounds (empty: none).
    /// A feature left out must have β = 0 and |g| ≤ λ·a·v: its term is then 0. Features with β = 0, no bounds and no
    /// ridge part cost one comparison each.
    /// </summary>
    public static double Compute(int[]? features, ReadOnlySpan<double> gradient, ReadOnlySpan<double> beta, ReadOnlySpan<double> penalty,
        double lambda, double l1Ratio, double ridgeScale, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, double weightedRss) =>
        Compute(features, gradient, beta, penalty, lambda, l1Ratio, ridgeScale, lower, upper, s => 0.5 * (1 - s) * (1 - s) * weightedRss);

    /// <summary>
    /// The same gap for any loss: <paramref name="lossGap"/>(s) is the loss's Fenchel–Young term at the dual point scaled by s
    /// (½(1−s)²·Σw r² for squared error; Σ w·KL(q ‖ p) with q = (1−s)y + s·p for the logistic loss).
    /// </summary>
    public static double Compute(int[]? features, ReadOnlySpan<double> gradient, ReadOnlySpan<double> beta, ReadOnlySpan<double> penalty,
        double lambda, double l1Ratio, double ridgeScale, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, Func<double, double> lossGap)
    {
        bool bounded = !lower.IsEmpty;
        double l1Scale = lambda * l1Ratio, l2Scale = lambda * (1 - l1Ratio) * ridgeScale;
        double s = 1, lassoS = 1;
        for (int k = 0; k < gradient.Length; k++)
        {
            int j = features is null ? k : features[k];
            double l1 = l1Scale * penalty[j];
            double l2 = l2Scale * penalty[j];
            double g = gradient[k];
            if (l1 == 0 || Math.Abs(g) <= l1)
            {
                continue;
            }

            bool unbounded = !bounded || (g > 0 ? double.IsPositiveInfinity(upper[j]) : double.IsNegativeInfinity(lower[j]));
            if (unbounded)
            {
                // Shrunk by a few ulps so that |s·g| ≤ λa v_j survives rounding: one ulp above the limit would leave
                // (|s·g| − λa v_j)²/(2λ(1−a)v_j) of rounding size divided by a tiny ridge weight in the gap.
                lassoS = Math.Min(lassoS, l1 / Math.Abs(g) * (1 - 1e-15));
                s = l2 > 0 ? s : Math.Min(s, l1 / Math.Abs(g));
            }
        }

        double gap = AtScale(s, features, gradient, beta, penalty, l1Scale, l2Scale, lower, upper, lossGap);
        return lassoS < s ? Math.Min(gap, AtScale(lassoS, features, gradient, beta, penalty, l1Scale, l2Scale, lower, upper, lossGap)) : gap;
    }

    // The gap at the dual point θ = s·r.
    private static double AtScale(double s, int[]? features, ReadOnlySpan<double> gradient, ReadOnlySpan<double> beta, ReadOnlySpan<double> penalty,
        double l1Scale, double l2Scale, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, Func<double, double> lossGap)
    {
        bool bounded = !lower.IsEmpty;
        double gap = lossGap(s);
        for (int k = 0; k < gradient.Length; k++)
        {
            int j = features is null ? k : features[k];
            double l1 = l1Scale * penalty[j];
            double l2 = l2Scale * penalty[j];
            double z = s * gradient[k];
            double b = beta[j];
            // β = 0 inside the L1 limit, with 0 allowed by the bounds: penalty, conjugate and product are all 0.
            if (b == 0 && Math.Abs(z) <= l1 && (!bounded || (lower[j] <= 0 && upper[j] >= 0)))
            {
                continue;
            }

            var t = new Term(b, gradient[k], l1, l2, bounded ? lower[j] : double.NegativeInfinity, bounded ? upper[j] : double.PositiveInfinity);
            gap += Contribution(t, z);
        }

        return gap;
    }

    private static double Contribution(in Term t, double z)
    {
        if (t.L1 == 0 && t.L2 == 0 && double.IsInfinity(t.Lower) && double.IsInfinity(t.Upper))
        {
            return Math.Abs(z * t.Beta);
        }

        return Math.Max(0, Penalty(t, t.Beta) + Conjugate(t, z) - (z * t.Beta));
    }

    private static double Penalty(in Term t, double b) => (t.L1 * Math.Abs(b)) + (0.5 * t.L2 * b * b);

    // sup over b in [Lower, Upper] of z·b − L1|b| − L2/2·b²; the supremum is finite here by the choice of s.
    private static double Conjugate(in Term t, double z)
    {
        double b;
        double shrunk = Math.Abs(z) <= t.L1 ? 0 : z - (Math.Sign(z) * t.L1);
        if (t.L2 > 0)
        {
            double free = shrunk / t.L2;
            b = Math.Clamp(free, t.Lower, t.Upper);
            if (b == free)
            {
                // Unclamped, z·b − L1|b| − L2/2·b² is shrunk²/(2·L2): written so, it cannot cancel ∞ − ∞ into NaN when
                // L2 is tiny (it is then +∞, an honest "no bound").
                return shrunk * shrunk / (2 * t.L2);
            }
        }
        else
        {
            b = shrunk == 0 ? 0 : (shrunk > 0 ? t.Upper : t.Lower);
            if (double.IsInfinity(b))
            {
                return 0;
            }
        }

        return (z * b) - Penalty(t, b);
    }
}
