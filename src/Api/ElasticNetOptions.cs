using GpuEnet.Solver.Model;

namespace GpuEnet;

/// <summary>
/// What to fit, the options of <c>gpuenet fit</c>. The objective is DESIGN.md's: for weights w summing to 1,
/// 1/2 Σ w_i (y_i − b0 − x_iᵀb)² + λ Σ_j v_j (a|b_j| + (1 − a)/2 b_j²), λ being glmnet's <c>lambda</c> and scikit-learn's
/// <c>alpha</c>, a = <see cref="L1Ratios"/>. Coefficients are always reported on the original scale of the features.
/// </summary>
public sealed record ElasticNetOptions
{
    /// <summary>Mixing values a ∈ [0, 1], one path each (1 = lasso, 0 = ridge). Default: 1.</summary>
    public IReadOnlyList<double> L1Ratios { get; init; } = [1.0];

    /// <summary>A user λ sequence, or null for the default sequence of <see cref="LambdaCount"/> values.</summary>
    public IReadOnlyList<double>? Lambda { get; init; }

    /// <summary>Length of the default λ sequence (100).</summary>
    public int LambdaCount { get; init; } = 100;

    /// <summary>Smallest λ of the default sequence as a fraction of λ_max; null: 1e-4 when n &gt; p, else 1e-2.</summary>
    public double? LambdaMinRatio { get; init; }

    /// <summary>Scale columns by their weighted population sd before fitting (true).</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Fit an unpenalised intercept (true).</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Coordinate-descent tolerance relative to the null deviance (glmnet's thresh, 1e-7).</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Compute every λ of the sequence (switch off glmnet's early stop).</summary>
    public bool FullPath { get; init; }

    /// <summary>How missing feature values (NaN, or cells a column source declares missing) are filled; learnt on training rows.</summary>
    public ImputeStrategy Impute { get; init; } = ImputeStrategy.Mean;

    /// <summary>Donor rows K of <see cref="ImputeStrategy.Knn"/> imputation (5).</summary>
    public int Neighbours { get; init; } = 5;

    /// <summary>Rounds of chained equations of <see cref="ImputeStrategy.Regression"/> imputation (1).</summary>
    public int ImputeRounds { get; init; } = 1;

    /// <summary>Multiple imputation: M stochastic imputations fitted in one batch and pooled (1: single imputation).</summary>
    public int Imputations { get; init; } = 1;

    /// <summary>KNN: keep the training rows in the model so that prediction can impute new rows.</summary>
    public bool StoreDonors { get; init; }

    /// <summary>Add a 0/1 feature <c>name__missing</c> for each column with missing values.</summary>
    public bool MissingIndicators { get; init; }

    /// <summary>Compute device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>ilgpu-cpu</c> (as <c>--device</c>).</summary>
    public string Device { get; init; } = "auto";

    /// <summary>CPU threads, or null for all cores.</summary>
    public int? Threads { get; init; }
}

/// <summary>How <see cref="ElasticNetCV"/> cross-validates (the options of <c>gpuenet cv</c>).</summary>
public sealed record CrossValidationOptions
{
    /// <summary>Number of folds K ≥ 2 (10).</summary>
    public int Folds { get; init; } = 10;

    /// <summary>Seed of the random fold assignment (1).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Fold of each row (1..K; 0 = row not used), instead of a random assignment.</summary>
    public IReadOnlyList<int>? FoldId { get; init; }

    /// <summary>λ with the least CV error (<see cref="SelectionRule.Min"/>) or the largest within one standard error (<see cref="SelectionRule.OneSe"/>).</summary>
    public SelectionRule Select { get; init; } = SelectionRule.Min;
}

/// <summary>Progress of a fit: λ values accepted so far out of the batch's total.</summary>
/// <param name="Done">λ values accepted (over all problems of the batch).</param>
/// <param name="Total">λ values the batch may compute.</param>
public readonly record struct FitProgress(int Done, int Total);
