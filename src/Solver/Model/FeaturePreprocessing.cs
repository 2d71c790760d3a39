namespace GpuEnet.Solver.Model;

/// <summary>How missing values in an input column are filled.</summary>
public enum ImputeStrategy
{
    /// <summary>A missing value is an error.</summary>
    None,

    /// <summary>Training mean.</summary>
    Mean,

    /// <summary>Training median.</summary>
    Median,

    /// <summary>Most frequent training value.</summary>
    Mode,

    /// <summary>Mean of the K nearest training rows (standardised distance over the features both rows have).</summary>
    Knn,

    /// <summary>Ridge regression on the most correlated features (chained equations), fitted on training rows.</summary>
    Regression,
}

/// <summary>
/// What turns raw input columns (by name) into the model's features: per input column the value that fills a
/// missing cell, and which input columns also get a <c>name__missing</c> 0/1 indicator feature.
/// Learnt on training rows only.
/// </summary>
public sealed class FeaturePreprocessing
{
    /// <summary>Raw input column names, in the order the fill values are stored.</summary>
    public required string[] InputColumns { get; init; }

    /// <summary>Strategy used.</summary>
    public required ImputeStrategy Impute { get; init; }

    /// <summary>Fill value per input column (NaN = none learnt: a missing value is an error).</summary>
    public required double[] FillValues { get; init; }

    /// <summary>Input columns (indices into <see cref="InputColumns"/>) that have a missing indicator feature, in feature order after the inputs.</summary>
    public required int[] IndicatorColumns { get; init; }

    /// <summary>
    /// KNN or regression: how a new row's missing cells are imputed (<see cref="FillValues"/> are then the training means,
    /// the fallback for a cell the imputer cannot fill). Null for the other methods.
    /// </summary>
    public CellImputerModel? Imputer { get; init; }

    /// <summary>No imputation and no indicators, for the given columns.</summary>
    public static FeaturePreprocessing Identity(string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var fill = new double[columns.Length];
        Array.Fill(fill, double.NaN);
        return new FeaturePreprocessing { InputColumns = columns, Impute = ImputeStrategy.None, FillValues = fill, IndicatorColumns = [] };
    }
}
