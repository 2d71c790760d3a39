namespace GpuEnet.Solver.Path;

/// <summary>
/// One problem of a batch: which rows it trains on (its weights), its mixing, its λ sequence, and which rows it is
/// evaluated on (held-out rows, for cross-validation).
/// </summary>
internal sealed class PathProblem
{
    /// <summary>Observation weights over all n rows, 0 on rows not trained on; normalised to sum 1 by the solver.</summary>
    public required double[] Weights { get; init; }

    /// <summary>Mixing a.</summary>
    public required double L1Ratio { get; init; }

    /// <summary>λ sequence (decreasing), or null: computed from this problem's λ_max.</summary>
    public double[]? Lambda { get; set; }

    /// <summary>Whether glmnet's early stop applies (default sequences only, as glmnet).</summary>
    public bool EarlyStop { get; init; }

    /// <summary>
    /// Index of an earlier problem of the batch whose λ sequence this one uses, and whose early stop also ends this
    /// one (cross-validation folds follow the full-data fit, as cv.glmnet's folds use the full fit's λ). -1: none.
    /// </summary>
    public int Follows { get; init; } = -1;

    /// <summary>Rows whose residual (y − prediction) is kept per λ (held-out rows), or empty.</summary>
    public int[] EvaluationRows { get; init; } = [];

    /// <summary>Which stochastic imputation (0 … M − 1) this problem's missing cells take (multiple imputation).</summary>
    public int Draw { get; init; }
}

/// <summary>The solved path of one problem, on the original scale of the features.</summary>
internal sealed class PathSolution
{
    public List<double> Lambda { get; } = [];

    public List<double> Intercept { get; } = [];

    public List<Model.SparseCoefficients> Beta { get; } = [];

    public List<double> DevRatio { get; } = [];

    public List<int> Df { get; } = [];

    public List<double> DualGap { get; } = [];

    /// <summary>
    /// Residuals (y − prediction) / <see cref="YScale"/> on <see cref="PathProblem.EvaluationRows"/>, per λ: on the solver's
    /// internal scale, so that their squares neither overflow nor underflow whatever the units of y.
    /// </summary>
    public List<double[]> HeldOutResidual { get; } = [];

    /// <summary>Binomial family: the link η = b0 + xᵀb on <see cref="PathProblem.EvaluationRows"/>, per λ.</summary>
    public List<double[]> HeldOutLink { get; } = [];

    public double NullDeviance { get; set; }

    /// <summary>The power of two the solver divided y by (<see cref="PathSolver.TargetScale"/>).</summary>
    public double YScale { get; set; } = 1;

    /// <summary>Sd of each feature on this problem's training rows (for standardised coefficients).</summary>
    public double[] FeatureScale { get; set; } = [];

    /// <summary>Fill value per feature learnt on this problem's training rows.</summary>
    public double[] FeatureFill { get; set; } = [];

    /// <summary>The KNN or regression imputer of a full-data problem (what a saved model imputes new rows with).</summary>
    public Model.CellImputerModel? Imputer { get; set; }

    /// <summary>Coordinate-descent sweeps in total.</summary>
    public long Sweeps { get; set; }
}
