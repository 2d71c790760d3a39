namespace GpuEnet.Solver.Model;

/// <summary>The loss a model is fitted with (glmnet's <c>family</c>).</summary>
public enum ModelFamily
{
    /// <summary>Squared error: ½ Σ w (y − η)².</summary>
    Gaussian,

    /// <summary>Logistic: −Σ w [yη − log(1 + e^η)], y coded 0/1 (the second of two sorted labels is 1).</summary>
    Binomial,
}

/// <summary>What cross-validation measures on the held-out rows (cv.glmnet's <c>type.measure</c>).</summary>
public enum CvMeasure
{
    /// <summary>Squared error of the prediction (Gaussian), or of the probability, summed over both classes as cv.glmnet does (binomial: 2(y − p)²).</summary>
    Mse,

    /// <summary>Deviance per observation: squared error (Gaussian), −2 log-likelihood with p clamped to [1e-5, 1 − 1e-5] (binomial).</summary>
    Deviance,

    /// <summary>Area under the ROC curve per fold, folds weighted by their weight (binomial; larger is better).</summary>
    Auc,

    /// <summary>Misclassification rate at probability 0.5 (binomial).</summary>
    Class,
}

/// <summary>The two classes of a binomial target, in sorted order: the first is coded 0, the second 1.</summary>
/// <param name="Negative">The label coded 0 (e.g. "control", 0, 1 for PLINK).</param>
/// <param name="Positive">The label coded 1 (e.g. "case", 1, 2 for PLINK); predicted probabilities are of this class.</param>
public sealed record ClassLabels(string Negative, string Positive);
