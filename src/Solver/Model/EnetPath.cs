namespace GpuEnet.Solver.Model;

/// <summary>
/// One regularisation path at a fixed l1_ratio: per λ (decreasing), the intercept and the coefficients on the
/// original scale of the features, with fit statistics.
/// </summary>
public sealed class EnetPath
{
    /// <summary>Mixing a ∈ [0, 1] (1 = lasso, 0 = ridge).</summary>
    public required double L1Ratio { get; init; }

    /// <summary>λ values, decreasing.</summary>
    public required double[] Lambda { get; init; }

    /// <summary>Intercept per λ (original scale).</summary>
    public required double[] Intercept { get; init; }

    /// <summary>Non-zero coefficients per λ, original scale.</summary>
    public required SparseCoefficients[] Beta { get; init; }

    /// <summary>Fraction of (null) deviance explained per λ.</summary>
    public required double[] DevRatio { get; init; }

    /// <summary>Number of non-zero coefficients per λ.</summary>
    public required int[] Df { get; init; }

    /// <summary>Duality gap per λ, relative to the null deviance (a certificate of optimality).</summary>
    public required double[] DualGap { get; init; }

    /// <summary>Null deviance Σ w (y − ȳ)² with weights summing to 1.</summary>
    public required double NullDeviance { get; init; }

    /// <summary>Cross-validation results, when the path came from <c>gpuenet cv</c>.</summary>
    public CvCurve? Cv { get; set; }

    /// <summary>Number of λ values.</summary>
    public int Count => Lambda.Length;
}

/// <summary>The cross-validation curve of one path, as cv.glmnet reports it.</summary>
public sealed class CvCurve
{
    /// <summary>What <see cref="Cvm"/> measures (mse for the Gaussian family unless asked otherwise).</summary>
    public CvMeasure Measure { get; init; } = CvMeasure.Mse;

    /// <summary>Weighted mean held-out error per λ in <see cref="Measure"/> (for AUC: the weighted mean AUC, larger is better).</summary>
    public required double[] Cvm { get; init; }

    /// <summary>Standard error of <see cref="Cvm"/> across folds.</summary>
    public required double[] Cvsd { get; init; }

    /// <summary>Largest λ attaining the minimum of <see cref="Cvm"/> (the maximum for AUC).</summary>
    public required double LambdaMin { get; init; }

    /// <summary>Largest λ whose cvm is within one standard error of the minimum (of the maximum for AUC).</summary>
    public required double Lambda1se { get; init; }

    /// <summary>Index of <see cref="LambdaMin"/> in the path.</summary>
    public required int IndexMin { get; init; }

    /// <summary>Index of <see cref="Lambda1se"/> in the path.</summary>
    public required int Index1se { get; init; }

    /// <summary>
    /// Binomial family, in memory only (not in the model file): the out-of-fold link η of every row at λ index
    /// <see cref="IndexMin"/> and <see cref="Index1se"/> (keys), NaN for rows in no fold; for the report's ROC curve and
    /// confusion table.
    /// </summary>
    public IReadOnlyDictionary<int, double[]>? OutOfFoldLink { get; init; }

    /// <summary>
    /// Multiple imputation, in memory only: cvm per imputation (M × λ, in <see cref="Measure"/>); <see cref="Cvm"/> is then
    /// the pooled curve (from the fold errors averaged over the imputations).
    /// </summary>
    public double[][]? ImputationCvm { get; init; }
}
