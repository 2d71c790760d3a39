namespace GpuEnet.Solver.Binomial;

/// <summary>
/// The logistic loss and its pieces, written to stay finite for any η: ℓ(y, η) = log(1 + e^η) − yη for y ∈ {0, 1}.
/// </summary>
internal static class Logistic
{
    /// <summary>glmnet's smallest fitted probability (glmnet.control's pmin): working weights use p ∈ [pmin, 1 − pmin].</summary>
    public const double MinimumProbability = 1e-9;

    // |η| beyond which p would leave [pmin, 1 − pmin]: log(1/pmin − 1).
    private static readonly double s_largestLink = Math.Log((1 / MinimumProbability) - 1);

    /// <summary>σ(η) = 1/(1 + e^−η), exact in double precision (no clamping).</summary>
    public static double Probability(double eta) =>
        eta >= 0 ? 1 / (1 + Math.Exp(-eta)) : Math.Exp(eta) / (1 + Math.Exp(eta));

    /// <summary>σ(η) with η clamped as glmnet does, so that p(1 − p) ≥ about pmin: for working weights and responses.</summary>
    public static double ClampedProbability(double eta) => Probability(Math.Clamp(eta, -s_largestLink, s_largestLink));

    /// <summary>log(1 + e^η) without overflow or loss of precision.</summary>
    public static double Softplus(double eta) =>
        eta > 0 ? eta + Math.Log(1 + Math.Exp(-eta)) : Math.Log(1 + Math.Exp(eta));

    /// <summary>ℓ(y, η) = log(1 + e^η) − yη = y·softplus(−η) + (1 − y)·softplus(η).</summary>
    public static double Loss(double y, double eta) => (y * Softplus(-eta)) + ((1 - y) * Softplus(eta));

    /// <summary>q log q + (1 − q) log(1 − q), 0 at q ∈ {0, 1}: the conjugate of the logistic loss.</summary>
    public static double NegativeEntropy(double q) =>
        (q > 0 ? q * Math.Log(q) : 0) + (q < 1 ? (1 - q) * Math.Log(1 - q) : 0);

    /// <summary>
    /// The Bernoulli Kullback–Leibler divergence KL(q ‖ σ(η)) = ℓ computed at target q, plus q log q + (1 − q) log(1 − q):
    /// one observation's share of the logistic duality gap at the dual point q (≥ 0, 0 when q = σ(η)).
    /// </summary>
    public static double Divergence(double q, double eta) =>
        Math.Max(0, (q * Softplus(-eta)) + ((1 - q) * Softplus(eta)) + NegativeEntropy(q));

    /// <summary>log(p / (1 − p)).</summary>
    public static double Logit(double p) => Math.Log(p / (1 - p));
}
