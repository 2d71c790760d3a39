using GpuEnet.Kernels;
namespace GpuEnet.Solver.Model;

/// <summary>How the selected (λ, l1_ratio) was chosen.</summary>
public enum SelectionRule
{
    /// <summary>No cross-validation: the last λ of the first path.</summary>
    Last,

    /// <summary>cv.glmnet's lambda.min.</summary>
    Min,

    /// <summary>cv.glmnet's lambda.1se.</summary>
    OneSe,
}

/// <summary>The chosen model: which path, which λ.</summary>
/// <param name="PathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
/// <param name="LambdaIndex">Index into that path's λ.</param>
/// <param name="Rule">How it was chosen.</param>
public sealed record Selection(int PathIndex, int LambdaIndex, SelectionRule Rule);

/// <summary>Facts about the training run, stored with the model.</summary>
public sealed record TrainingInfo
{
    /// <summary>Rows used for training.</summary>
    public int N { get; init; }

    /// <summary>Features in the model (after missing indicators).</summary>
    public int P { get; init; }

    /// <summary>Rows dropped because the target was missing.</summary>
    public int DroppedRows { get; init; }

    /// <summary>Device that ran the fit, e.g. <c>cpu</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary><c>float64</c> or <c>float32</c>.</summary>
    public string Precision { get; init; } = "float64";

    /// <summary>GpuEnet version that trained the model.</summary>
    public string SoftwareVersion { get; init; } = "";

    /// <summary>When training finished.</summary>
    public DateTimeOffset TrainedUtc { get; init; }

    /// <summary>A fingerprint (hex) of the training data: X, y and weights.</summary>
    public string DataFingerprint { get; init; } = "";

    /// <summary>Standardisation on or off.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Intercept fitted or not.</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Seconds spent loading data.</summary>
    public double LoadSeconds { get; init; }

    /// <summary>Seconds spent fitting (or cross-validating), loading excluded.</summary>
    public double SolveSeconds { get; init; }

    /// <summary>Counted host↔device bytes, kernel launches and bytes of X read by the solve (not stored in the model file).</summary>
    public DeviceTraffic Traffic { get; init; } = new();
}

/// <summary>
/// A trained Elastic Net: feature names, the preprocessing that turns raw input columns into features,
/// the fitted paths (one per l1_ratio), the selection, and training metadata. Coefficients are on the
/// original scale of the (imputed) features, so prediction is intercept + xᵀβ after <see cref="Preprocessing"/>.
/// </summary>
public sealed class EnetModel
{
    /// <summary>Feature names, in coefficient order.</summary>
    public required string[] Features { get; init; }

    /// <summary>What predict must apply to raw input columns.</summary>
    public required FeaturePreprocessing Preprocessing { get; init; }

    /// <summary>Fitted paths, one per l1_ratio.</summary>
    public required EnetPath[] Paths { get; init; }

    /// <summary>The chosen (path, λ).</summary>
    public required Selection Selected { get; init; }

    /// <summary>Training metadata.</summary>
    public required TrainingInfo Training { get; init; }

    /// <summary>Standard deviation of each feature on the training rows (population, weighted); used for standardised coefficients.</summary>
    public required double[] FeatureScale { get; init; }

    /// <summary>Selection frequency per feature (stability selection), when computed.</summary>
    public double[]? StabilityFrequency { get; set; }

    /// <summary>Name of the target column.</summary>
    public string Target { get; init; } = "y";

    /// <summary>The loss the paths were fitted with.</summary>
    public ModelFamily Family { get; init; } = ModelFamily.Gaussian;

    /// <summary>Binomial family: the two target labels (the second is the class whose probability is predicted); otherwise null.</summary>
    public ClassLabels? Labels { get; init; }

    /// <summary>Binomial family, in memory only (not in the model file): the training target coded 0/1, for the report.</summary>
    public double[]? CodedTarget { get; init; }

    /// <summary>Multiple imputation's pooling diagnostics (in memory only: JSON and report); null with single imputation.</summary>
    public ImputationPooling? Pooling { get; set; }
}

/// <summary>
/// How M imputations were pooled: the model's coefficients are the average of the M fits at every λ; per feature, the
/// share of imputations whose fit selects it at the selected λ, and the between-imputation sd of its coefficient there.
/// </summary>
public sealed class ImputationPooling
{
    /// <summary>Imputations M.</summary>
    public required int Imputations { get; init; }

    /// <summary>Per feature: fraction of the M fits with a non-zero coefficient at the selected (path, λ).</summary>
    public required double[] SelectionFrequency { get; init; }

    /// <summary>Per feature: sd over the M fits of its coefficient at the selected (path, λ) (original scale).</summary>
    public required double[] CoefficientSpread { get; init; }
}
