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

    /// <summary>
    /// Fills the missing (NaN) values of one row of features in place, as training filled a held-out row: KNN from the
    /// stored donors, regression by the stored rounds (starting from <paramref name="fallback"/>, the training means);
    /// a cell neither can fill takes its fallback. Features at or beyond <paramref name="fallback"/>'s length are never missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">A KNN model saved without donors.</exception>
    public void Impute(double[] features, ReadOnlySpan<double> fallback)
    {
        ArgumentNullException.ThrowIfNull(features);
        var missing = new List<int>();
        for (int j = 0; j < fallback.Length; j++)
        {
            if (double.IsNaN(features[j]))
            {
                missing.Add(j);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        if (Method == ImputeStrategy.Knn)
        {
            ImputeFromDonors(features, missing, fallback);
            return;
        }

        foreach (int j in missing)
        {
            features[j] = fallback[j];
        }

        var isMissing = missing.ToHashSet();
        foreach (var round in Rounds)
        {
            // Every model of a round reads the previous round's values (as training did).
            var previous = (double[])features.Clone();
            foreach (var model in round)
            {
                if (isMissing.Contains(model.Feature))
                {
                    features[model.Feature] = model.Predict(k => previous[k]);
                }
            }
        }
    }

    private void ImputeFromDonors(double[] features, List<int> missing, ReadOnlySpan<double> fallback)
    {
        if (DonorCount == 0)
        {
            throw new InvalidOperationException("The model imputes by KNN but was saved without its donor rows: refit with --store-donors to predict rows with missing values.");
        }

        int p = ColumnWeights.Length;
        var keys = new List<(double Key, int Donor)>(DonorCount);
        for (int d = 0; d < DonorCount; d++)
        {
            double sum = 0, shared = 0;
            for (int j = 0; j < p; j++)
            {
                double xd = Donors[((long)j * DonorCount) + d];
                if (!double.IsNaN(features[j]) && !double.IsNaN(xd))
                {
                    double diff = xd - features[j];
                    sum += ColumnWeights[j] * (diff * diff);
                    shared++;
                }
            }

            if (shared > 0)
            {
                keys.Add((sum * (p / shared), d));
            }
        }

        keys.Sort();
        foreach (int j in missing)
        {
            double total = 0;
            int taken = 0;
            foreach (var (_, d) in keys)
            {
                double xd = Donors[((long)j * DonorCount) + d];
                if (!double.IsNaN(xd))
                {
                    total += xd;
                    if (++taken == Neighbours)
                    {
                        break;
                    }
                }
            }

            features[j] = taken == 0 ? fallback[j] : total / taken;
        }
    }
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
