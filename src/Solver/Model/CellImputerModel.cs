namespace GpuEnet.Solver.Model;

/// <summary>
/// What a saved model needs to impute a new row's missing cells the way training imputed them (KNN or regression),
/// learnt on the full-data fit's training rows. Feature indices are the model's feature columns.
/// </summary>
public sealed class CellImputerModel
{
    /// <summary><see cref="ImputeStrategy.Knn"/> or <see cref="ImputeStrategy.Regression"/>.</summary>
    public required ImputeStrategy Method { get; init; }

    /// <summary>KNN: donors K.</summary>
    public int Neighbours { get; init; }

    /// <summary>KNN: distance weight of each feature, 1/σ² on the training rows (0 for a constant feature).</summary>
    public double[] ColumnWeights { get; init; } = [];

    /// <summary>
    /// KNN: the donor rows (the training rows), feature-major: feature j's values at <c>[j·DonorCount, (j+1)·DonorCount)</c>,
    /// NaN where missing. Empty when the model was saved without donors (<c>--store-donors</c> not given).
    /// </summary>
    public double[] Donors { get; init; } = [];

    /// <summary>KNN: number of donor rows stored (0: none, prediction then refuses rows with missing cells).</summary>
    public int DonorCount { get; init; }

    /// <summary>Regression: the ridge models of each round of chained equations, applied in order.</summary>
    public FeatureRegression[][] Rounds { get; init; } = [];
}

/// <summary>One feature's ridge model: x_j ≈ Intercept + Σ_k Coefficients[k]·(x_{Predictors[k]} − Centre[k])·InverseScale[k].</summary>
public sealed class FeatureRegression
{
    /// <summary>The imputed feature.</summary>
    public required int Feature { get; init; }

    /// <summary>Predictor features (their missing cells take the previous round's fills).</summary>
    public required int[] Predictors { get; init; }

    /// <summary>Training mean of each predictor.</summary>
    public required double[] Centre { get; init; }

    /// <summary>1/σ of each predictor on the training rows (0: constant).</summary>
    public required double[] InverseScale { get; init; }

    /// <summary>Ridge coefficients on the standardised predictors.</summary>
    public required double[] Coefficients { get; init; }

    /// <summary>Intercept.</summary>
    public required double Intercept { get; init; }

    /// <summary>Weighted sd of the training residuals (the noise of a stochastic imputation).</summary>
    public required double ResidualSd { get; init; }

    /// <summary>The prediction at one row, given a reader of its (already filled) predictor values.</summary>
    public double Predict(Func<int, double> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double sum = Intercept;
        for (int k = 0; k < Predictors.Length; k++)
        {
            sum += Coefficients[k] * (value(Predictors[k]) - Centre[k]) * InverseScale[k];
        }

        return sum;
    }
}
