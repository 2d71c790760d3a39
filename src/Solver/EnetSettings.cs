using GpuEnet.Solver.Model;

namespace GpuEnet.Solver;

/// <summary>
/// What to fit, independent of the data: the options of <c>gpuenet fit</c> and <c>gpuenet cv</c>.
/// λ is on the scale of DESIGN.md's objective (weights summing to 1); coefficients are reported on the original scale.
/// </summary>
public sealed record EnetSettings
{
    /// <summary>The loss: Gaussian (squared error) or binomial (logistic, y coded 0/1).</summary>
    public ModelFamily Family { get; init; } = ModelFamily.Gaussian;

    /// <summary>Mixing values a ∈ [0, 1], one path each (1 = lasso, 0 = ridge).</summary>
    public double[] L1Ratios { get; init; } = [1.0];

    /// <summary>A user λ sequence (sorted decreasing before use), or null for the default sequence.</summary>
    public double[]? Lambda { get; init; }

    /// <summary>Number of λ values of the default sequence.</summary>
    public int NLambda { get; init; } = 100;

    /// <summary>Smallest λ as a fraction of λ_max; null: 1e-4 when n &gt; p, else 1e-2.</summary>
    public double? LambdaMinRatio { get; init; }

    /// <summary>Standardise columns (weighted population sd) before fitting.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Fit an unpenalised intercept.</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Penalty factor v_j ≥ 0 per feature (0 = unpenalised), or null for all 1. Rescaled to sum to p.</summary>
    public double[]? PenaltyFactor { get; init; }

    /// <summary>Lower bound per feature (≤ 0, original scale), or null for −∞.</summary>
    public double[]? Lower { get; init; }

    /// <summary>Upper bound per feature (≥ 0, original scale), or null for +∞.</summary>
    public double[]? Upper { get; init; }

    /// <summary>Coordinate descent stops when max_j curvature_j·Δβ_j² &lt; Tolerance × null deviance (glmnet's thresh).</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Compute every λ: switches off glmnet's early stop (deviance ratio saturating).</summary>
    public bool FullPath { get; init; }

    /// <summary>Upper limit on coordinate-descent sweeps per λ.</summary>
    public int MaxSweeps { get; init; } = 100_000;

    /// <summary>How missing feature values are imputed (per fold, on training rows).</summary>
    public ImputeStrategy Impute { get; init; } = ImputeStrategy.Mean;

    /// <summary>Donor rows K of <see cref="ImputeStrategy.Knn"/>.</summary>
    public int Neighbours { get; init; } = 5;

    /// <summary>Rounds of chained equations of <see cref="ImputeStrategy.Regression"/>.</summary>
    public int ImputeRounds { get; init; } = 1;

    /// <summary>Predictors per imputed feature of <see cref="ImputeStrategy.Regression"/> (the most correlated ones).</summary>
    public int ImputePredictors { get; init; } = 10;

    /// <summary>
    /// Stochastic imputations M (multiple imputation with knn or regression): every problem is fitted M times, each with its
    /// own draws, and the results are pooled. 1: single imputation, no draws.
    /// </summary>
    public int Imputations { get; init; } = 1;

    /// <summary>KNN: store the training rows in the model so that prediction can impute new rows (size: 8·n·p bytes).</summary>
    public bool StoreDonors { get; init; }

    /// <summary>Seed of the imputation draws.</summary>
    public int ImputeSeed { get; init; }

    /// <summary>Whether multiple imputation draws (donor draws, residual noise); off only to test the pooling exactly.</summary>
    internal bool ImputationNoise { get; init; } = true;

    /// <summary>
    /// glmnet compatibility: glmnet standardises y inside every fit, which turns the ridge part of its objective into
    /// λ(1−a)/s_y·Σ v_j b_j²/2, where s_y is the weighted sd of that fit's training y (root mean square without intercept).
    /// With this on, every problem (each CV fold too) uses that ridge weight, so results equal glmnet's and cv.glmnet's
    /// for any y; off (default), DESIGN.md's objective, which equals glmnet's only when s_y = 1.
    /// </summary>
    public bool GlmnetRidgeScaling { get; init; }

    /// <summary>λ values validated per pass over X (1 = a KKT pass per λ as glmnet; null = adaptive).</summary>
    public int? LambdaBlock { get; init; }

    /// <summary>KKT passes compute every column instead of only those the gradient bound cannot certify (for tests).</summary>
    internal bool FullKktPasses { get; init; }
}
